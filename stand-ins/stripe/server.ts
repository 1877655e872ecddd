/**
 * The local Stripe stand-in (docs/architecture.md, Local stand-ins): a real HTTP server that the platform reaches through the
 * official `stripe` SDK configured with `host`, `port` and `protocol`, so production code is the
 * same code. It serves the `/v1` subset in `openapi-subset.json` (form-encoded, Stripe's errors,
 * `Idempotency-Key`), Stripe's hosted Checkout and onboarding pages, the `/_test` API, and sends
 * signed webhooks to `webhookUrl`. State is in memory and nothing leaves the machine.
 *
 *   const stripe = await startLocalStripe({ port: 0, webhookUrl, webhookSecret });
 *   new Stripe(key, { host: stripe.host, port: stripe.port, protocol: "http" });
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import Stripe from "stripe";
import { listen, readBody as readBoundedBody, send, sendJson } from "../http.ts";
import { onboard } from "./accounts.ts";
import { matchOperation, runOperation } from "./api.ts";
import { expireDue, expireSession, paySession, settleBankPayment } from "./checkout.ts";
import { authentication, idempotencyMismatch, invalidRequest, StripeApiError, unrecognizedUrl } from "./errors.ts";
import { type FormTree, parseForm } from "./form.ts";
import { IdempotencyCache, MAX_KEY_LENGTH, requestFingerprint, type SavedResponse } from "./idempotency.ts";
import { newId } from "./ids.ts";
import { checkoutPage, messagePage, onboardingPage, withSessionId } from "./pages.ts";
import { type EventDraft, Store } from "./store.ts";
import { loadSubset, validateParams } from "./subset.ts";
import { runTestApi } from "./test-api.ts";
import { buildEvent, type EventRecord, type EventRequest, WebhookDispatcher } from "./webhooks.ts";

export interface LocalStripeOptions {
	/** 12111 by default; 0 picks a free port (tests). */
	port?: number;
	host?: string;
	/** Where events are POSTed, e.g. `http://localhost:8787/webhooks/stripe`; none means recorded only. */
	webhookUrl?: string;
	/** The endpoint's signing secret (`whsec_…`), the platform's `STRIPE_WEBHOOK_SECRET`. */
	webhookSecret: string;
	/** Only this API key is accepted; any `sk_test_…` key when absent. */
	secretKey?: string;
	/** The origin put into checkout and onboarding URLs; `http://localhost:<port>` by default. */
	publicUrl?: string;
	/**
	 * How long a bank payment made on the Checkout page takes to settle (2 s by default). `null`:
	 * "Pay by bank (ACH)" never settles on its own (a test settles it with `/_test/…/settle` or
	 * `/fail`) and "Bank payment fails" fails at once. The test API's `pay` never settles by itself.
	 */
	achSettleDelayMs?: number | null;
	/** Waits between webhook retries; their count is the number of retries. */
	webhookRetryDelaysMs?: readonly number[];
	webhookTimeoutMs?: number;
	/** The `api_version` events carry; the SDK's pinned version by default. */
	apiVersion?: string;
	/** Milliseconds since the epoch, for tests that move time. */
	clock?: () => number;
	log?: (message: string) => void;
}

export interface LocalStripe {
	/** The public origin, e.g. `http://localhost:12111`. */
	url: string;
	host: string;
	port: number;
	/** What `new Stripe(key, sdkConfig)` needs to talk to the stand-in. */
	sdkConfig: { host: string; port: number; protocol: "http" };
	/** Every event so far, with its deliveries. */
	events(): EventRecord[];
	/** Hold, release, redeliver, deliver in order, change the endpoint. */
	webhooks: WebhookDispatcher;
	/** Resolves when no webhook is being sent or waiting for a retry. */
	idle(): Promise<void>;
	stop(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
	return readBoundedBody(req, MAX_BODY, () => invalidRequest("Request body too large."));
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
	send(res, status, html, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
}

function redirect(res: ServerResponse, location: string): void {
	send(res, 303, "", { Location: location });
}

/** The API key of a request (`Bearer sk_…`, or Basic with the key as user name), or a 401. */
function apiKeyOf(req: IncomingMessage, expected: string | undefined): string {
	const header = req.headers.authorization ?? "";
	let key = "";
	if (header.startsWith("Bearer ")) key = header.slice(7).trim();
	else if (header.startsWith("Basic "))
		key = Buffer.from(header.slice(6), "base64").toString("utf8").split(":")[0] ?? "";
	if (key === "") {
		throw authentication(
			"You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
		);
	}
	const masked = `${key.slice(0, 8)}${"*".repeat(Math.max(key.length - 12, 0))}${key.slice(-4)}`;
	if (!key.startsWith("sk_test_") || (expected !== undefined && key !== expected)) {
		throw authentication(`Invalid API Key provided: ${masked}`);
	}
	return key;
}

export async function startLocalStripe(options: LocalStripeOptions): Promise<LocalStripe> {
	const clock = options.clock ?? Date.now;
	const log = options.log ?? ((message: string) => console.warn(message));
	const apiVersion = options.apiVersion ?? Stripe.API_VERSION;
	const subset = loadSubset();
	const settleDelay = options.achSettleDelayMs === undefined ? 2000 : options.achSettleDelayMs;
	const timers = new Set<ReturnType<typeof setTimeout>>();
	const idempotency = new IdempotencyCache();
	let request: EventRequest = { id: null, idempotency_key: null };

	const webhooks = new WebhookDispatcher({
		url: options.webhookUrl,
		secret: options.webhookSecret,
		retryDelaysMs: options.webhookRetryDelaysMs ?? [1000, 2000, 4000, 8000],
		timeoutMs: options.webhookTimeoutMs ?? 10_000,
		clock,
		log,
	});
	const store = new Store({
		clock,
		subset,
		onEvent: (draft: EventDraft) => webhooks.record(buildEvent(draft, { apiVersion, created: store.now(), request })),
	});

	const later = (delayMs: number, action: () => void): void => {
		const timer = setTimeout(() => {
			timers.delete(timer);
			try {
				action();
			} catch (error) {
				log(`local stripe: ${error instanceof Error ? error.message : String(error)}`);
			}
		}, delayMs);
		timer.unref?.();
		timers.add(timer);
	};

	async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
		const requestId = newId("req");
		const headers: Record<string, string> = { "Request-Id": requestId };
		const version = req.headers["stripe-version"];
		if (typeof version === "string") headers["Stripe-Version"] = version;
		try {
			const key = apiKeyOf(req, options.secretKey);
			const method = req.method ?? "GET";
			const match = matchOperation(subset, method, url.pathname);
			const raw = await readBody(req);
			if (!match) throw unrecognizedUrl(method, url.pathname);
			let form: FormTree;
			if (method === "GET") form = parseForm(url.search.slice(1));
			else {
				const type = (req.headers["content-type"] ?? "").split(";")[0]?.trim() ?? "";
				if (raw !== "" && type !== "application/x-www-form-urlencoded") {
					throw invalidRequest(
						`Invalid request: unsupported Content-Type ${type || "(none)"}. Use application/x-www-form-urlencoded.`,
					);
				}
				form = parseForm(raw);
			}
			const params = validateParams(match.operation, form, typeof version === "string" ? version : apiVersion);
			const idempotencyKey = method === "POST" ? req.headers["idempotency-key"] : undefined;
			if (typeof idempotencyKey === "string") {
				if (idempotencyKey.length > MAX_KEY_LENGTH) {
					throw invalidRequest(`The idempotency key provided is too long (at most ${MAX_KEY_LENGTH} characters).`);
				}
				const fingerprint = requestFingerprint(method, url.pathname, form);
				const found = idempotency.lookup(key, idempotencyKey, fingerprint, clock());
				if (found.kind === "mismatch") throw idempotencyMismatch(idempotencyKey);
				if (found.kind === "replay") {
					send(res, found.response.status, found.response.body, {
						...headers,
						"Content-Type": "application/json",
						"Idempotent-Replayed": "true",
						"Original-Request": found.response.requestId,
					});
					return;
				}
			}
			let saved: SavedResponse;
			request = { id: requestId, idempotency_key: typeof idempotencyKey === "string" ? idempotencyKey : null };
			try {
				const body = runOperation(match.operationId, { store, params, path: match.path });
				saved = { status: 200, body: `${JSON.stringify(body, null, 2)}\n`, requestId };
			} catch (error) {
				if (!(error instanceof StripeApiError)) throw error;
				saved = { status: error.status, body: `${JSON.stringify(error.toBody(), null, 2)}\n`, requestId };
			} finally {
				request = { id: null, idempotency_key: null };
			}
			if (typeof idempotencyKey === "string") {
				idempotency.save(key, idempotencyKey, requestFingerprint(method, url.pathname, form), saved, clock());
				headers["Idempotency-Key"] = idempotencyKey;
			}
			send(res, saved.status, saved.body, { ...headers, "Content-Type": "application/json" });
		} catch (error) {
			if (error instanceof StripeApiError) return sendJson(res, error.status, error.toBody(), headers);
			log(
				`local stripe: ${req.method} ${url.pathname} failed: ${error instanceof Error ? error.stack : String(error)}`,
			);
			sendJson(
				res,
				500,
				{ error: { type: "api_error", message: "An unexpected error occurred in the local Stripe stand-in." } },
				headers,
			);
		}
	}

	async function handleTestApi(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
		try {
			const raw = await readBody(req);
			let body: unknown;
			try {
				body = raw.trim() === "" ? {} : JSON.parse(raw);
			} catch {
				throw invalidRequest("The test API takes a JSON body.");
			}
			const answer = await runTestApi({ store, webhooks }, req.method ?? "GET", url.pathname, url.searchParams, body);
			if (!answer) throw unrecognizedUrl(req.method ?? "GET", url.pathname);
			sendJson(res, answer.status, answer.body);
		} catch (error) {
			if (error instanceof StripeApiError) return sendJson(res, error.status, error.toBody());
			log(
				`local stripe: ${req.method} ${url.pathname} failed: ${error instanceof Error ? error.stack : String(error)}`,
			);
			sendJson(res, 500, {
				error: { type: "api_error", message: "An unexpected error occurred in the local Stripe stand-in." },
			});
		}
	}

	async function handleCheckoutPage(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
		expireDue(store);
		const session = store.find(id);
		if (session?.object !== "checkout.session") {
			return sendHtml(res, 404, messagePage("Checkout not found", `No Checkout Session ${id}.`));
		}
		if (req.method === "GET") return sendHtml(res, 200, checkoutPage(session, store.lineItems.get(id) ?? []));
		const action = new URLSearchParams(await readBody(req)).get("action");
		try {
			if (action === "cancel") {
				expireSession(store, id);
				return redirect(res, session.cancel_url ?? `/checkout/${id}`);
			}
			if (action === "card") paySession(store, id, "card");
			else if (action === "bank" || action === "bank_fail") {
				paySession(store, id, "us_bank_account");
				const outcome = action === "bank" ? "succeeded" : "failed";
				const delay = settleDelay ?? (outcome === "failed" ? 0 : null);
				if (delay !== null) later(delay, () => settleBankPayment(store, id, outcome));
			} else return sendHtml(res, 400, messagePage("Unknown action", `No checkout action "${action ?? ""}".`));
			redirect(res, withSessionId(session.success_url, id));
		} catch (error) {
			if (!(error instanceof StripeApiError)) throw error;
			sendHtml(res, 400, messagePage("Checkout unavailable", error.message));
		}
	}

	async function handleOnboardingPage(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
		const account = store.find(id);
		if (account?.object !== "account") return sendHtml(res, 404, messagePage("Account not found", `No account ${id}.`));
		const link = store.links.get(id);
		if (!link) return sendHtml(res, 404, messagePage("No onboarding link", `Create an account link for ${id} first.`));
		if (link.used || link.expiresAt < store.now()) return redirect(res, link.refreshUrl);
		if (req.method === "GET") return sendHtml(res, 200, onboardingPage(account, false));
		const action = new URLSearchParams(await readBody(req)).get("action");
		if (action !== "complete" && action !== "pending") {
			return sendHtml(res, 400, messagePage("Unknown action", `No onboarding action "${action ?? ""}".`));
		}
		onboard(store, id, action);
		link.used = true;
		redirect(res, link.returnUrl);
	}

	const server = createServer((req, res) => {
		const url = new URL(req.url ?? "/", "http://stand-in");
		const path = url.pathname;
		const page = /^\/(checkout|onboarding)\/([^/]+)$/.exec(path);
		let work: Promise<void>;
		if (path.startsWith("/v1/")) work = handleApi(req, res, url);
		else if (path.startsWith("/_test/")) work = handleTestApi(req, res, url);
		else if (page && (req.method === "GET" || req.method === "POST")) {
			const id = decodeURIComponent(page[2] ?? "");
			work = page[1] === "checkout" ? handleCheckoutPage(req, res, id) : handleOnboardingPage(req, res, id);
		} else if (path === "/" && req.method === "GET") {
			work = Promise.resolve(
				sendHtml(
					res,
					200,
					messagePage(
						"Local Stripe",
						`The local Stripe stand-in is running; ${webhooks.list().length} events so far (GET /_test/events).`,
					),
				),
			);
		} else work = Promise.resolve(sendJson(res, 404, unrecognizedUrl(req.method ?? "GET", path).toBody()));
		work.catch((error: unknown) => {
			log(`local stripe: ${req.method} ${path} failed: ${error instanceof Error ? error.stack : String(error)}`);
			if (!res.headersSent) sendJson(res, 500, { error: { type: "api_error", message: "Internal error." } });
		});
	});

	const host = options.host ?? "127.0.0.1";
	const { port, close } = await listen(server, options.port ?? 12111, host);
	const loopback = host === "127.0.0.1" || host === "localhost" || host === "::1";
	store.baseUrl = options.publicUrl ?? `http://${loopback ? "localhost" : host}:${port}`;
	const sweep = setInterval(() => {
		try {
			expireDue(store);
		} catch (error) {
			log(`local stripe: expiring sessions failed: ${String(error)}`);
		}
	}, 1000);
	sweep.unref();

	return {
		url: store.baseUrl,
		host,
		port,
		sdkConfig: { host, port, protocol: "http" },
		events: () => webhooks.list(),
		webhooks,
		idle: () => webhooks.idle(),
		stop: async () => {
			clearInterval(sweep);
			for (const timer of timers) clearTimeout(timer);
			timers.clear();
			webhooks.close();
			// A second stop is a no-op, not an error.
			await close().catch(() => {});
		},
	};
}
