/**
 * The few API calls the benchmark needs to set up negotiation rooms: register, create and
 * publish a listing, open an offer. Like test/e2e/client.ts (which Node cannot load directly: it
 * uses TypeScript parameter properties), every call addresses the apex host `localhost:<port>`
 * while connecting to 127.0.0.1, and poses as its own client IP through `CF-Connecting-IP`, so the
 * per-IP sign-up limit never refuses a registration.
 */
import { Agent, fetch } from "undici";

export interface Account {
	token: string;
	tenant: { id: string };
}

let ipCounter = 0;

/** A client IP no other call of this process has used (10.0.0.0/8). */
export function freshIp(): string {
	ipCounter += 1;
	return `10.${(ipCounter >> 16) & 255}.${(ipCounter >> 8) & 255}.${ipCounter & 255}`;
}

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
	async post<T>(path: string, json: unknown, expected: number, token?: string): Promise<T> {
		const headers: Record<string, string> = { "Content-Type": "application/json", "CF-Connecting-IP": freshIp() };
		if (token !== undefined) headers.Authorization = `Bearer ${token}`;
		const res = await fetch(`http://localhost:${this.#port}${path}`, {
			method: "POST",
			headers,
			body: JSON.stringify(json),
			dispatcher: this.#agent,
		});
		const text = await res.text();
		if (res.status !== expected) throw new Error(`POST ${path} answered ${res.status}: ${text}`);
		return JSON.parse(text) as T;
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
