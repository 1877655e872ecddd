import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { hexId, listingInsert, tenantInsert } from "../../test/support/listings.ts";
import { bearer, signedIn, type TestSession } from "../../test/support/sessions.ts";

const worker = (exports as unknown as { default: Fetcher }).default;
const bindings = env as unknown as DispatchEnv;
const SELLER = "seller_00000000000000000000000000000042";

/** Each call from its own client IP, so these tests never meet the anonymous rate limit. */
const call = (path: string, init: RequestInit = {}) => {
	const headers = new Headers(init.headers);
	headers.set("CF-Connecting-IP", `192.0.2.${Math.floor(Math.random() * 250) + 1}-${crypto.randomUUID()}`);
	return worker.fetch(`https://techflunky.com${path}`, { ...init, headers });
};

function expectSecurityHeaders(res: Response) {
	expect(res.headers.get("Strict-Transport-Security")).toMatch(/max-age=\d+/);
	expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
	expect(res.headers.get("Referrer-Policy")).toBe("strict-origin-when-cross-origin");
	expect(res.headers.get("X-Frame-Options")).toBe("DENY");
	expect(res.headers.get("Content-Security-Policy")).toContain("frame-ancestors 'none'");
	expect(res.headers.get("X-Request-Id")).toMatch(/^[0-9a-f-]{36}$/);
}

async function expectProblem(res: Response, status: number) {
	expect(res.status).toBe(status);
	expect(res.headers.get("Content-Type")).toBe("application/problem+json");
	const body = (await res.json()) as { type: string; title: string; status: number; detail: string };
	expect(body.status).toBe(status);
	expect(body.type).toMatch(/^https:\/\/techflunky\.com\/problems\//);
	expect(JSON.stringify(body)).not.toMatch(/\bat .+:\d+:\d+/); // no stack frames
	expectSecurityHeaders(res);
	return body;
}

let seller: TestSession;

beforeAll(async () => {
	seller = await signedIn(bindings, "seller");
	const tenant = tenantInsert(SELLER, "seller");
	const listing = listingInsert({ id: hexId("lst", 42), seller_tenant_id: SELLER, title: "Through the hop" });
	await bindings.DB.batch([
		bindings.DB.prepare(tenant.sql).bind(...tenant.values),
		bindings.DB.prepare(listing.sql).bind(...listing.values),
	]);
});

describe("dispatch Worker", () => {
	it("answers /healthz with ok and the security headers", async () => {
		const res = await call("/healthz");
		expect(res.status).toBe(200);
		expect(await res.json()).toEqual({ status: "ok" });
		expectSecurityHeaders(res);
		expect(res.headers.get("Server-Timing")).toMatch(/^total;dur=/);
	});

	it("gives every response its own request id", async () => {
		const ids = await Promise.all([1, 2, 3].map(async () => (await call("/healthz")).headers.get("X-Request-Id")));
		expect(new Set(ids).size).toBe(3);
	});

	it("answers an unknown API route with a 404 problem", async () => {
		// A page path (`/nope`) is the web app's (web-app.test.ts); an unknown API path never is.
		await expectProblem(await call("/api/v1/nope"), 404);
	});

	it("forwards /api/v1 to the user Worker, which reads D1", async () => {
		const res = await call(`/api/v1/listings/${hexId("lst", 42)}`);
		expect(res.status).toBe(200);
		expect(((await res.json()) as { title: string }).title).toBe("Through the hop");
		expectSecurityHeaders(res);
	});

	it("keeps the user Worker's problems intact", async () => {
		const body = await expectProblem(await call("/api/v1/listings?limit=500"), 400);
		expect(body).toHaveProperty("errors");
	});

	it("does not let a client supply its own tenant context", async () => {
		const res = await call(`/api/v1/listings/${hexId("lst", 42)}`, {
			headers: { "X-TechFlunky-Context": "forged.context" },
		});
		// The dispatch Worker overwrites the header with its own signed context.
		expect(res.status).toBe(200);
	});

	it("refuses a JSON body over 1 MiB with 413", async () => {
		const body = JSON.stringify({ blob: "x".repeat(1024 * 1024) });
		const res = await call("/api/v1/listings", {
			method: "POST",
			headers: { "Content-Type": "application/json", ...bearer(seller) },
			body,
		});
		await expectProblem(res, 413);
	});

	it("counts a streamed body without Content-Length against the limit", async () => {
		const chunk = new Uint8Array(256 * 1024);
		const stream = new ReadableStream<Uint8Array>({
			start(controller) {
				for (let i = 0; i < 5; i++) controller.enqueue(chunk);
				controller.close();
			},
		});
		const res = await call("/api/v1/listings", {
			method: "POST",
			headers: bearer(seller),
			body: stream,
			duplex: "half",
		} as RequestInit);
		await expectProblem(res, 413);
	});

	it("lets an attachment upload exceed the JSON limit", async () => {
		const res = await call(`/api/v1/listings/${hexId("lst", 42)}/attachments/deck.pdf`, {
			method: "PUT",
			headers: { "Content-Type": "application/pdf", ...bearer(seller) },
			body: new Uint8Array(2 * 1024 * 1024),
		});
		expect(res.status).not.toBe(413);
	});
});
