/**
 * The few API calls the benchmark needs to set up negotiation rooms: register, create and
 * publish a listing, open an offer. Like test/e2e/client.ts (which Node cannot load directly: it
 * uses TypeScript parameter properties), every call addresses the apex host `localhost:<port>`
 * while connecting to 127.0.0.1, and poses as its own client IP through `CF-Connecting-IP`, so the
 * per-IP sign-up limit never refuses a registration.
 */
import { Agent, fetch } from "undici";
import { freshIp } from "../test/support/fresh-ip.ts";

export interface Account {
	token: string;
	tenant: { id: string };
}

/** The admin override the bench gives the accounts it loads (documented in docs/performance.md). */
export const BENCH_RATE_LIMIT = { limit: 1_000_000, window_seconds: 3600, burst: 100_000 } as const;

export { freshIp };

export class ApiClient {
	readonly #port: string;
	readonly #agent = new Agent({
		connect: {
			lookup: (_hostname, options, callback) => {
				if (options?.all) callback(null, [{ address: "127.0.0.1", family: 4 }]);
				else callback(null, "127.0.0.1", 4);
			},
		},
	});

	constructor(port: string) {
		this.#port = port;
	}

	/** POSTs `json` (as `token`'s tenant, if given) and returns the parsed body, or throws unless the status is `expected`. */
	post<T>(path: string, json: unknown, expected: number, token?: string): Promise<T> {
		return this.call<T>("POST", path, json, expected, token);
	}

	/** Any method; `json` is sent as the body unless undefined. Throws unless the status is `expected`. */
	async call<T>(method: string, path: string, json: unknown, expected: number, token?: string): Promise<T> {
		const headers: Record<string, string> = { "CF-Connecting-IP": freshIp() };
		if (json !== undefined) headers["Content-Type"] = "application/json";
		if (token !== undefined) headers.Authorization = `Bearer ${token}`;
		const res = await fetch(`http://localhost:${this.#port}${path}`, {
			method,
			headers,
			...(json === undefined ? {} : { body: JSON.stringify(json) }),
			dispatcher: this.#agent,
		});
		const text = await res.text();
		if (res.status !== expected) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
		return (text === "" ? undefined : JSON.parse(text)) as T;
	}

	login(email: string, password: string): Promise<Account> {
		return this.post<Account>("/api/v1/auth/login", { email, password }, 200);
	}

	/** As an admin, replaces tenant `tenantId`'s rate limit (the bench's own accounts only). */
	raiseLimit(adminToken: string, tenantId: string): Promise<unknown> {
		return this.call("PATCH", `/api/v1/admin/tenants/${tenantId}`, { rate_limit: BENCH_RATE_LIMIT }, 200, adminToken);
	}

	register(role: "seller" | "buyer"): Promise<Account> {
		return this.post<Account>(
			"/api/v1/auth/register",
			{
				email: `bench-${role}-${crypto.randomUUID()}@example.test`,
				password: "correct horse battery staple",
				name: `Bench ${role}`,
				role,
			},
			201,
		);
	}

	close(): Promise<void> {
		return this.#agent.close();
	}
}
