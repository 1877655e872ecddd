/**
 * The local mail stand-in (docs/architecture.md, Local stand-ins): a real HTTP server speaking
 * MailerSend's `POST /v1/email` (JSON, `Authorization: Bearer <key>`, 202 with `X-Message-Id`,
 * 401 without a key, MailerSend-shaped 422s), which keeps every message in memory and shows it
 * at `GET /api/messages` (JSON, newest first), `GET /api/messages/:id` and the inbox page `/`.
 * `POST /_test/faults` makes the next sends fail (429 with `Retry-After`, 5xx, 422) so tests can
 * drive the sender's retries. Nothing leaves the machine.
 *
 *   const mail = await startLocalMail({ port: 0, apiKey });
 *   fetch(`${mail.url}/v1/email`, { method: "POST", headers: { Authorization: `Bearer ${apiKey}` }, body });
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { listen, readBody, send, sendJson } from "../http.ts";
import { inboxPage, messagePage, notFoundPage } from "./inbox.ts";
import { FAULT_STATUSES, type Fault, MailStore, type StoredMessage } from "./store.ts";
import { validateEmailRequest } from "./validate.ts";

export interface LocalMailOptions {
	/** 8025 by default; 0 picks a free port (tests). */
	port?: number;
	host?: string;
	/** Only this bearer key is accepted; any non-empty key when absent. */
	apiKey?: string;
	/** How many messages are kept (oldest dropped first); 1000 by default. */
	limit?: number;
	clock?: () => number;
	log?: (message: string) => void;
}

export interface LocalMail {
	/** e.g. `http://127.0.0.1:8025`: the `MAILERSEND_API_BASE` to give the Workers. */
	url: string;
	host: string;
	port: number;
	/** Every kept message, newest first. */
	messages(): readonly StoredMessage[];
	clear(): void;
	fail(fault: Fault): void;
	stop(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;

class HttpError extends Error {
	readonly status: number;
	readonly body: unknown;
	constructor(status: number, body: unknown) {
		super(`HTTP ${status}`);
		this.status = status;
		this.body = body;
	}
}

async function readJson(req: IncomingMessage): Promise<unknown> {
	const text = await readBody(req, MAX_BODY, () => new HttpError(413, { message: "The request body is too large." }));
	if (text.trim() === "") return undefined;
	try {
		return JSON.parse(text);
	} catch {
		throw new HttpError(400, { message: "The request body is not valid JSON." });
	}
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
	send(res, status, html, {
		"Content-Type": "text/html; charset=utf-8",
		"Cache-Control": "no-store",
		// Message HTML is shown in a sandboxed srcdoc iframe; nothing on the page needs a script.
		"Content-Security-Policy":
			"default-src 'none'; style-src 'unsafe-inline'; img-src * data:; frame-src 'self'; form-action 'self'",
	});
}

function parseFault(body: unknown): Fault {
	const errors: Record<string, string[]> = {};
	const value = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
	const status = value.status;
	if (!FAULT_STATUSES.includes(status as Fault["status"]))
		errors.status = [`status must be one of ${FAULT_STATUSES.join(", ")}`];
	const times = value.times ?? 1;
	if (!Number.isInteger(times) || (times as number) < 1) errors.times = ["times must be a positive integer"];
	const retryAfter = value.retryAfterSeconds;
	if (retryAfter !== undefined && (!Number.isInteger(retryAfter) || (retryAfter as number) < 0)) {
		errors.retryAfterSeconds = ["retryAfterSeconds must be a non-negative integer"];
	}
	if (value.to !== undefined && typeof value.to !== "string") errors.to = ["to must be an e-mail address"];
	if (Object.keys(errors).length > 0) throw new HttpError(422, { message: "Invalid fault.", errors });
	return {
		status: status as Fault["status"],
		times: times as number,
		...(retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter as number }),
		...(typeof value.to === "string" ? { to: value.to } : {}),
	};
}

/** What MailerSend answers for each fault status. */
function faultResponse(fault: Fault): { body: unknown; headers: Record<string, string> } {
	switch (fault.status) {
		case 429:
			return {
				body: { message: "Too Many Attempts." },
				headers: fault.retryAfterSeconds === undefined ? {} : { "Retry-After": String(fault.retryAfterSeconds) },
			};
		case 422:
			return {
				body: {
					message: "The to.0.email domain must be verified.",
					errors: { "to.0.email": ["The to.0.email domain must be verified."] },
				},
				headers: {},
			};
		default:
			return {
				body: { message: "Server Error" },
				headers: fault.retryAfterSeconds === undefined ? {} : { "Retry-After": String(fault.retryAfterSeconds) },
			};
	}
}

function bearerKey(req: IncomingMessage): string {
	const header = req.headers.authorization ?? "";
	return header.startsWith("Bearer ") ? header.slice(7).trim() : "";
}

export async function startLocalMail(options: LocalMailOptions = {}): Promise<LocalMail> {
	const clock = options.clock ?? Date.now;
	const log = options.log ?? ((message: string) => console.warn(message));
	const store = new MailStore(options.limit);

	async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const url = new URL(req.url ?? "/", "http://localhost");
		const method = req.method ?? "GET";
		const path = url.pathname.replace(/\/+$/, "") || "/";

		if (path === "/v1/email") {
			if (method !== "POST") throw new HttpError(405, { message: "The method is not allowed." });
			const key = bearerKey(req);
			if (key === "" || (options.apiKey !== undefined && key !== options.apiKey)) {
				throw new HttpError(401, { message: "Unauthenticated." });
			}
			const checked = validateEmailRequest(await readJson(req));
			if (!checked.ok) throw new HttpError(422, { message: checked.message, errors: checked.errors });
			const fault = store.takeFault(checked.email.to.map((a) => a.email));
			if (fault) {
				const { body, headers } = faultResponse(fault);
				log(`local mail: answering ${fault.status} (fault) to "${checked.email.subject}"`);
				sendJson(res, fault.status, body, headers);
				return;
			}
			const message = store.add(checked.email, new Date(clock()));
			log(`local mail: ${message.id} "${message.subject}" → ${message.to.map((a) => a.email).join(", ")}`);
			send(res, 202, "", { "X-Message-Id": message.id });
			return;
		}

		if (path === "/api/messages") {
			if (method === "GET") return sendJson(res, 200, store.list());
			if (method === "DELETE") {
				store.clear();
				res.writeHead(204).end();
				return;
			}
			throw new HttpError(405, { message: "The method is not allowed." });
		}
		const apiMessage = /^\/api\/messages\/([^/]+)$/.exec(path);
		if (apiMessage && method === "GET") {
			const message = store.get(decodeURIComponent(apiMessage[1] ?? ""));
			if (!message) throw new HttpError(404, { message: "Resource not found." });
			return sendJson(res, 200, message);
		}

		if (path === "/_test/faults") {
			if (method === "POST") {
				const fault = parseFault(await readJson(req));
				store.addFault(fault);
				return sendJson(res, 201, fault);
			}
			if (method === "DELETE") {
				store.clearFaults();
				res.writeHead(204).end();
				return;
			}
			throw new HttpError(405, { message: "The method is not allowed." });
		}

		if (path === "/" && method === "GET") return sendHtml(res, 200, inboxPage(store.list()));
		if (path === "/messages/delete" && method === "POST") {
			store.clear();
			send(res, 303, "", { Location: "/" });
			return;
		}
		const pageMessage = /^\/messages\/([^/]+)$/.exec(path);
		if (pageMessage && method === "GET") {
			const message = store.get(decodeURIComponent(pageMessage[1] ?? ""));
			return message ? sendHtml(res, 200, messagePage(message)) : sendHtml(res, 404, notFoundPage());
		}
		throw new HttpError(404, { message: "Resource not found." });
	}

	const server = createServer((req, res) => {
		route(req, res).catch((error: unknown) => {
			if (res.headersSent) return;
			if (error instanceof HttpError) sendJson(res, error.status, error.body);
			else {
				log(`local mail: ${error instanceof Error ? error.message : String(error)}`);
				sendJson(res, 500, { message: "Server Error" });
			}
		});
	});
	const host = options.host ?? "127.0.0.1";
	const { port, close } = await listen(server, options.port ?? 8025, host);
	return {
		url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
		host,
		port,
		messages: () => store.list(),
		clear: () => store.clear(),
		fail: (fault) => store.addFault(fault),
		stop: close,
	};
}
