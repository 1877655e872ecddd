/**
 * A small HTTP client for the e2e suites. Every request goes to the local topology's port
 * whatever host name its URL carries (undici, with a lookup that resolves every name to
 * 127.0.0.1), so a test can address the apex and the portals by name the way a browser does;
 * Node's global fetch would ignore a `Host` header. Each call poses as its own client IP unless
 * told otherwise, through the `CF-Connecting-IP` header that Miniflare passes through as
 * Cloudflare would set it, so per-IP buckets never couple one test to another.
 */
import { request as httpRequest } from "node:http";
import { Agent, Headers, type Response, WebSocket as UndiciWebSocket, fetch as undiciFetch } from "undici";
import { freshIp } from "../support/fresh-ip.ts";

/** `apex` is the root domain (`localhost`); the others are its `seller.` and `buyer.` portals or any label. */
export type HostName = "apex" | "seller" | "buyer" | (string & {});

export interface CallOptions {
	method?: string;
	host?: HostName;
	/** The client IP; a fresh one per call when absent. */
	ip?: string;
	/** Sent as `Authorization: Bearer <token>`. */
	token?: string;
	/** Sent as the `__Host-session` cookie. */
	cookie?: string;
	/** Sent as a JSON body with its content type. */
	json?: unknown;
	body?: string;
	headers?: Record<string, string>;
}

export interface SignedIn {
	user: { id: string; email: string; role: string; tenant_id: string; mfa_enabled: boolean };
	tenant: { id: string; kind: string; status: string };
	token: string;
	expires_at: string;
}

export interface Account extends SignedIn {
	email: string;
	password: string;
}

export { freshIp };

export const uniqueEmail = (label: string) => `${label}-${crypto.randomUUID()}@example.test`;

export class E2eClient {
	readonly #agent = new Agent({
		connect: {
			lookup: (_hostname, options, callback) => {
				if (options?.all) callback(null, [{ address: "127.0.0.1", family: 4 }]);
				else callback(null, "127.0.0.1", 4);
			},
		},
	});

	readonly port: string;

	constructor(port: string) {
		this.port = port;
	}

	/** `http://<host>.localhost:<port>`, or the apex `http://localhost:<port>`. */
	origin(host: HostName = "apex"): string {
		return host === "apex" ? `http://localhost:${this.port}` : `http://${host}.localhost:${this.port}`;
	}

	call(path: string, options: CallOptions = {}): Promise<Response> {
		const headers = new Headers(options.headers);
		if (!headers.has("CF-Connecting-IP")) headers.set("CF-Connecting-IP", options.ip ?? freshIp());
		if (options.token !== undefined) headers.set("Authorization", `Bearer ${options.token}`);
		if (options.cookie !== undefined) headers.set("Cookie", `__Host-session=${options.cookie}`);
		let body = options.body;
		if (options.json !== undefined) {
			body = JSON.stringify(options.json);
			if (!headers.has("Content-Type")) headers.set("Content-Type", "application/json");
		}
		return undiciFetch(`${this.origin(options.host)}${path}`, {
			method: options.method ?? (body === undefined ? "GET" : "POST"),
			headers,
			body,
			dispatcher: this.#agent,
		});
	}

	/** Registers a new account over the API, from a fresh IP, and returns it signed in. */
	async register(role: "seller" | "buyer" | "investor", password = "correct horse battery staple"): Promise<Account> {
		const email = uniqueEmail(role);
		const res = await this.call("/api/v1/auth/register", { json: { email, password, name: `E2E ${role}`, role } });
		if (res.status !== 201) throw new Error(`register answered ${res.status}: ${await res.text()}`);
		return { ...((await res.json()) as SignedIn), email, password };
	}

	login(body: { email: string; password: string; otp?: string }, ip?: string): Promise<Response> {
		return this.call("/api/v1/auth/login", { json: body, ...(ip === undefined ? {} : { ip }) });
	}

	close(): Promise<void> {
		return this.#agent.close();
	}
}

/** Polls `probe` until it returns a value, or fails after `timeoutMs`. */
export async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error("condition not met in time");
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

/**
 * A WebSocket class for partysocket's `WebSocket` option whose handshakes pose as client `ip`
 * (every connection it makes, reconnections included), like `E2eClient.call` does for HTTP.
 */
export function webSocketAs(ip: string = freshIp()): typeof WebSocket {
	return class extends UndiciWebSocket {
		constructor(url: string | URL, protocols?: string | string[]) {
			super(url, { headers: { "CF-Connecting-IP": ip }, ...(protocols === undefined ? {} : { protocols }) });
		}
	} as unknown as typeof WebSocket;
}

/**
 * The status a WebSocket handshake on `path` is answered with: 101 when it is upgraded (the
 * socket is then dropped at once), else the refusal's status. A WebSocket API hides that status.
 */
export function upgradeStatus(
	port: string,
	path: string,
	options: { token?: string; ip?: string; host?: string } = {},
): Promise<number> {
	return new Promise((resolve, reject) => {
		const headers: Record<string, string> = {
			Host: options.host ?? `localhost:${port}`,
			Connection: "Upgrade",
			Upgrade: "websocket",
			"Sec-WebSocket-Version": "13",
			"Sec-WebSocket-Key": Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64"),
			"CF-Connecting-IP": options.ip ?? freshIp(),
		};
		if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
		const req = httpRequest({ host: "127.0.0.1", port: Number(port), path, headers });
		req.on("upgrade", (res, socket) => {
			socket.destroy();
			resolve(res.statusCode ?? 101);
		});
		req.on("response", (res) => {
			res.resume();
			resolve(res.statusCode ?? 0);
		});
		req.on("error", reject);
		req.end();
	});
}
