/**
 * The ordinary flows the e2e tests, the bench and the soak set themselves up with — sign up, sign
 * in, create and publish a listing — over the typed client, written once. A setup step that is
 * not answered as it should be throws: it is not what a test or a run measures.
 *
 * A new account's e-mail address is unverified, and publishing, asking for access and offering
 * need it verified. A harness that runs the topology itself passes `verify` (./verify-email.ts:
 * the address marked verified in the topology's D1, as its seed writes rows), so setup does not
 * wait for e-mail; the link flow itself is what test/e2e/recovery.e2e.test.ts drives.
 */
import type { z } from "@hono/zod-openapi";
import type { ContractClient } from "../../shared/contract/client.ts";
import type { signedInView } from "../../shared/contract/routes/auth.ts";
import type { createListingBody, ListingView } from "../../shared/contract/routes/listings.ts";
import { contract } from "../../shared/contract/table.ts";
import { expectStatus } from "./loopback.ts";
import type { EmailVerifier } from "./verify-email.ts";

export type SignedIn = z.output<typeof signedInView>;
/** A signed-in account with the credentials it was made with. */
export type Account = SignedIn & { email: string; password: string };
export type SignUpRole = "seller" | "buyer" | "investor";
export type ListingFields = z.input<typeof createListingBody>;

export const PASSWORD = "correct horse battery staple";

export const uniqueEmail = (label: string) => `${label}-${crypto.randomUUID()}@example.test`;

/** The sign-up body of a new account of `role`, its email unique and prefixed with `label`. */
export function newAccount(role: SignUpRole, label: string, password = PASSWORD) {
	return { email: uniqueEmail(`${label}-${role}`), password, name: `${label} ${role}`, role };
}

/** Signs a new account of `role` up and returns it signed in; with `verify`, its address verified. */
export async function register(
	api: ContractClient,
	role: SignUpRole,
	options: { label?: string; password?: string; verify?: EmailVerifier | undefined } = {},
): Promise<Account> {
	const body = newAccount(role, options.label ?? "e2e", options.password);
	const res = expectStatus(await api.call(contract.register, { body }), 201, `registering a ${role}`);
	const account = { ...res.body, email: body.email, password: body.password };
	if (!options.verify) return account;
	await options.verify(account.user.id);
	return { ...account, user: { ...account.user, email_verified: true } };
}

export async function signIn(api: ContractClient, email: string, password: string): Promise<SignedIn> {
	return expectStatus(await api.call(contract.login, { body: { email, password } }), 200, `signing in as ${email}`)
		.body;
}

/** A listing that can be published as it is. */
export const PUBLISHABLE: ListingFields = {
	title: "Invoice automation SaaS",
	summary: "Profitable B2B invoicing tool",
	description: "Ten years of steady growth, 400 paying customers.",
	category: "saas",
	asking_price_cents: 25_000_000,
};

/** Creates a listing as `token`'s seller (a draft), and publishes it unless told not to. */
export async function createListing(
	api: ContractClient,
	token: string,
	fields: Partial<ListingFields> = {},
	options: { publish?: boolean } = {},
): Promise<ListingView> {
	const body = { ...PUBLISHABLE, ...fields };
	const created = expectStatus(await api.call(contract.createListing, { token, body }), 201, "creating a listing");
	if (options.publish === false) return created.body;
	const params = { id: created.body.id };
	return expectStatus(await api.call(contract.publishListing, { token, params }), 200, "publishing a listing").body;
}
