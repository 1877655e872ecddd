/**
 * The benchmark's setup calls — sign up, sign in, raise a tenant's limit, create and publish a
 * listing, open and read an offer — over the typed client (shared/contract/client.ts) and the
 * loopback transport of test/support/loopback.ts: every call addresses the apex host
 * `localhost:<port>` while connecting to 127.0.0.1, and poses as its own client IP, so the
 * per-IP sign-up limit never refuses a registration. Every answer is checked against the
 * contract; a setup step answered otherwise than it should be throws. The measured loops use
 * their own undici pools and autocannon, so no client-side parsing is in what they time.
 */
import type { ContractClient } from "../shared/contract/client.ts";
import { contract } from "../shared/contract/table.ts";
import type { OfferView } from "../shared/offers/protocol.ts";
import { freshIp } from "../test/support/fresh-ip.ts";
import { expectStatus, loopbackAgent, loopbackClient, loopbackFetch } from "../test/support/loopback.ts";
import { type Account, createListing, register, type SignedIn, signIn } from "../test/support/marketplace.ts";
import { type EmailVerifier, verifyInDatabase } from "../test/support/verify-email.ts";

export type { Account };

/** The admin override the bench gives the accounts it loads (documented in docs/performance.md). */
export const BENCH_RATE_LIMIT = { limit: 1_000_000, window_seconds: 3600, burst: 100_000 } as const;

export { freshIp, verifyInDatabase };

export class ApiClient {
	readonly #agent = loopbackAgent();
	readonly api: ContractClient;
	readonly #verify: EmailVerifier;

	/** `verify` gives the accounts it signs up a verified address, which publishing and offering need. */
	constructor(port: string, verify: EmailVerifier) {
		this.api = loopbackClient({ origin: `http://localhost:${port}`, fetch: loopbackFetch(() => this.#agent) });
		this.#verify = verify;
	}

	login(email: string, password: string): Promise<SignedIn> {
		return signIn(this.api, email, password);
	}

	/** As an admin, replaces tenant `tenantId`'s rate limit (the bench's own accounts only). */
	async raiseLimit(adminToken: string, tenantId: string): Promise<void> {
		const res = await this.api.call(contract.updateTenant, {
			params: { id: tenantId },
			token: adminToken,
			body: { rate_limit: BENCH_RATE_LIMIT },
		});
		expectStatus(res, 200, `raising ${tenantId}'s limit`);
	}

	register(role: "seller" | "buyer"): Promise<Account> {
		return register(this.api, role, { label: "bench", verify: this.#verify });
	}

	/** A published listing of `seller`'s; its id. */
	async createListing(seller: Account): Promise<string> {
		const listing = await createListing(this.api, seller.token, {
			title: "Benchmark SaaS",
			summary: "A listing made by the benchmark",
			description: "Steady revenue, small team, documented stack.",
		});
		return listing.id;
	}

	async openOffer(buyer: Account, listingId: string, amountCents: number): Promise<OfferView> {
		const res = await this.api.call(contract.createOffer, {
			params: { id: listingId },
			token: buyer.token,
			body: { amount_cents: amountCents },
		});
		return expectStatus(res, 201, "opening an offer").body;
	}

	async getOffer(token: string, offerId: string): Promise<OfferView> {
		const res = await this.api.call(contract.getOffer, { params: { id: offerId }, token });
		return expectStatus(res, 200, `reading offer ${offerId}`).body;
	}

	close(): Promise<void> {
		return this.#agent.close();
	}
}
