/**
 * The e2e suites' client of the local topology, over the transport of test/support/loopback.ts
 * (every host name resolved to the topology's port, a fresh `CF-Connecting-IP` per call unless
 * told otherwise). Ordinary flows go through the typed client, `client.api.call(contract.…, …)`
 * (or `client.as({ host, ip, cookie })` for another portal, address or session); `call` sends
 * whatever a test builds, malformed requests included. Every answer either way is checked against
 * the contract (./contract-check.ts): one it does not declare, or a body that does not fit,
 * throws `ContractViolation` and fails the test. Given the topology's D1 (`{ verify:
 * verifyInDatabase(topology.db) }`, as `topologyForFile` does), `register` answers accounts whose
 * e-mail address is verified, which publishing, asking for access and offering need.
 */
import { request as httpRequest } from "node:http";
import { Headers, type Response, WebSocket as UndiciWebSocket, fetch as undiciFetch } from "undici";
import { afterAll, afterEach, beforeAll } from "vitest";
import type { ContractClient } from "../../shared/contract/client.ts";
import { freshIp } from "../support/fresh-ip.ts";
import { expectStatus, loopbackAgent, loopbackClient, loopbackFetch } from "../support/loopback.ts";
import {
	type Account,
	createListing,
	type ListingFields,
	register,
	type SignedIn,
	type SignUpRole,
	signIn,
	uniqueEmail,
} from "../support/marketplace.ts";
import { type EmailVerifier, verifyInDatabase } from "../support/verify-email.ts";
import { type SeededAdmin, seededAdmin } from "../topology/seed.ts";
import { startTopology, type Topology, type TopologyOptions } from "../topology/topology.ts";
import { checkRawAnswer } from "./contract-check.ts";

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

export type { Account, SignedIn };
export { expectStatus, freshIp, uniqueEmail, verifyInDatabase };

export class E2eClient {
	readonly #agent = loopbackAgent();
	readonly #fetch = loopbackFetch(() => this.#agent);

	readonly port: string;
	/** The typed client on the apex, each call from a fresh client IP. */
	readonly api: ContractClient;
	readonly #verify: EmailVerifier | undefined;

	/** `verify`: how `register` verifies a new account's address (none: it stays unverified). */
	constructor(port: string, options: { verify?: EmailVerifier } = {}) {
		this.port = port;
		this.#verify = options.verify;
		this.api = this.as();
	}

	/** `http://<host>.localhost:<port>`, or the apex `http://localhost:<port>`. */
	origin(host: HostName = "apex"): string {
		return host === "apex" ? `http://localhost:${this.port}` : `http://${host}.localhost:${this.port}`;
	}

	/** The typed client on another host, from one client IP, or with a session cookie (and any other headers). */
	as(
		options: { host?: HostName; ip?: string; cookie?: string; headers?: Record<string, string> } = {},
	): ContractClient {
		const headers = { ...options.headers };
		if (options.cookie !== undefined) headers.Cookie = `__Host-session=${options.cookie}`;
		return loopbackClient({
			origin: this.origin(options.host),
			fetch: this.#fetch,
			headers,
			...(options.ip === undefined ? {} : { ip: options.ip }),
		});
	}

	/** Sends what the test built, as it is; the answer is checked against the contract before it is returned. */
	async call(path: string, options: CallOptions = {}): Promise<Response> {
		const headers = new Headers(options.headers);
		if (!headers.has("CF-Connecting-IP")) headers.set("CF-Connecting-IP", options.ip ?? freshIp());
		if (options.token !== undefined) headers.set("Authorization", `Bearer ${options.token}`);
		if (options.cookie !== undefined) headers.set("Cookie", `__Host-session=${options.cookie}`);
		let body = options.body;
		if (options.json !== undefined) {
			body = JSON.stringify(options.json);
			if (!headers.has("Content-Type")) headers.set("Content-Type", "application/json");
		}
		const method = options.method ?? (body === undefined ? "GET" : "POST");
		const res = await undiciFetch(`${this.origin(options.host)}${path}`, {
			method,
			headers,
			body,
			dispatcher: this.#agent,
		});
		const text = await res.clone().text();
		checkRawAnswer({
			method,
			path,
			requestHeaders: headers,
			status: res.status,
			contentType: res.headers.get("Content-Type"),
			text,
		});
		return res;
	}

	/** Registers a new account over the API, from a fresh IP, and returns it signed in (verified, given `verify`). */
	register(role: SignUpRole, password?: string): Promise<Account> {
		return register(this.api, role, { verify: this.#verify, ...(password === undefined ? {} : { password }) });
	}

	/** Signs in as a setup step: anything but 200 throws. */
	signIn(email: string, password: string): Promise<SignedIn> {
		return signIn(this.api, email, password);
	}

	/** A raw sign-in attempt, whatever its answer (the attack suite's credential stuffing). */
	login(body: { email: string; password: string; otp?: string }, ip?: string): Promise<Response> {
		return this.call("/api/v1/auth/login", { json: body, ...(ip === undefined ? {} : { ip }) });
	}

	/** A listing of `seller`'s (`PUBLISHABLE` with `fields` over it), published unless told not to. */
	listing(seller: SignedIn, fields: Partial<ListingFields> = {}, options: { publish?: boolean } = {}) {
		return createListing(this.api, seller.token, fields, options);
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

/** The seeded admin of a {@link topologyForFile} topology, signed in. */
export type SignedInAdmin = SeededAdmin & { token: string };

/** What {@link topologyForFile} started for the file. */
export interface FileTopology {
	topology: Topology;
	client: E2eClient;
}

export interface FileTopologyOptions extends Omit<TopologyOptions, "seedSql"> {
	/** Seed an admin through D1 (as `npm run admin:create` would), labelled so, and sign it in. */
	admin?: string;
	/** Sockets the running test opened: closed after each test. */
	sockets?: { close(): void }[];
}

/**
 * One topology for the calling test file: started (with `options`) before its tests and handed
 * to `started`, disposed with its client after them.
 */
export function topologyForFile(
	options: FileTopologyOptions & { admin: string },
	started: (file: FileTopology & { admin: SignedInAdmin }) => void,
): void;
export function topologyForFile(options: FileTopologyOptions, started: (file: FileTopology) => void): void;
export function topologyForFile(
	{ admin: label, sockets, ...options }: FileTopologyOptions,
	started: (file: FileTopology & { admin: SignedInAdmin }) => void,
): void {
	let file: FileTopology | undefined;
	beforeAll(async () => {
		const seeded = label === undefined ? undefined : await seededAdmin(options.secrets.PASSWORD_PEPPER ?? "", label);
		const topology = await startTopology({ ...options, seedSql: seeded?.sql });
		file = { topology, client: new E2eClient(topology.url.port, { verify: verifyInDatabase(topology.db) }) };
		// Without `admin`, the overload's `started` takes the topology alone.
		if (seeded === undefined) return (started as (file: FileTopology) => void)(file);
		started({ ...file, admin: { ...seeded, token: (await file.client.signIn(seeded.email, seeded.password)).token } });
	});
	if (sockets !== undefined) {
		afterEach(() => {
			for (const socket of sockets.splice(0)) socket.close();
		});
	}
	afterAll(async () => {
		await file?.client.close();
		await file?.topology.dispose();
	});
}

/** Calls the API through `client` as `account` (anonymous when null): the status and the parsed body. */
export async function answerOf<T = unknown>(
	client: E2eClient,
	account: { token: string } | null,
	path: string,
	json?: unknown,
	method?: string,
): Promise<{ status: number; body: T }> {
	const res: Response = await client.call(path, {
		...(account ? { token: account.token } : {}),
		...(json === undefined ? {} : { json }),
		...(method === undefined ? {} : { method }),
	});
	const text = await res.text();
	return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}
