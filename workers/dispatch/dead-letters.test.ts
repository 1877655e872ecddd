/**
 * The admin operations routes of the dispatch Worker, inside workerd: listing and replaying dead
 * letters, and reading the audit log. Rows are seeded in D1 as the consumers write them; a
 * replay's send goes to the real producer binding (no consumer runs in this project, so it stops
 * there: the e2e suite, test/e2e/operations.e2e.test.ts, follows a replay to its consumer and
 * checks the audit records the consumers write).
 */
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { bearer, signedIn, type TestSession } from "../../test/support/sessions.ts";

const worker = (exports as unknown as { default: Fetcher }).default;
const bindings = env as unknown as DispatchEnv;

function call(path: string, init: RequestInit = {}): Promise<Response> {
	const headers = new Headers(init.headers);
	headers.set("CF-Connecting-IP", `198.51.100.${crypto.randomUUID()}`);
	return worker.fetch(`https://techflunky.com${path}`, { ...init, headers });
}

const as = (session: TestSession | null, init: RequestInit = {}): RequestInit => ({
	...init,
	headers: { ...(init.headers as Record<string, string> | undefined), ...(session ? bearer(session) : {}) },
});

const post = (session: TestSession | null, body?: unknown): RequestInit =>
	as(session, {
		method: "POST",
		...(body === undefined ? {} : { headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }),
	});

interface DeadLetter {
	message_id: string;
	queue: string;
	body: unknown;
	attempts: number;
	reason: string;
	recorded_at: string;
	replayed_at: string | null;
	replays: number;
}

interface Page<T> {
	items: T[];
	next_cursor: string | null;
}

const hex = () => crypto.randomUUID().replaceAll("-", "");

async function deadLetter(seed: { queue: string; recorded_at: string; replayed_at?: string }): Promise<string> {
	const id = hex();
	await bindings.DB.prepare(
		`INSERT INTO dead_letters (message_id, queue, body, attempts, reason, recorded_at, replayed_at, replays)
		 VALUES (?, ?, ?, 6, 'retries exhausted', ?, ?, ?)`,
	)
		.bind(
			id,
			seed.queue,
			JSON.stringify({ id: `evt_${hex()}`, note: "original" }),
			seed.recorded_at,
			seed.replayed_at ?? null,
			seed.replayed_at ? 1 : 0,
		)
		.run();
	return id;
}

const row = (id: string) =>
	bindings.DB.prepare("SELECT replayed_at, replays FROM dead_letters WHERE message_id = ?")
		.bind(id)
		.first<{ replayed_at: string | null; replays: number }>();

const ROUTES: [string, string, unknown?][] = [
	["GET", "/api/v1/admin/dead-letters"],
	["POST", `/api/v1/admin/dead-letters/${"a".repeat(32)}/replay`],
	["POST", "/api/v1/admin/dead-letters/replay", { queue: "offer-events" }],
	["GET", "/api/v1/admin/audit"],
	["POST", `/api/v1/admin/listings/lst_${"0".repeat(32)}/archive`, { reason: "spam" }],
];

describe("the admin operations routes", () => {
	it.each(ROUTES)("refuse guests (401) and non-admins (403) on %s %s", async (method, path, body) => {
		const init = (session: TestSession | null) => (method === "GET" ? as(session) : post(session, body ?? undefined));
		const guest = await call(path, init(null));
		expect(guest.status).toBe(401);
		for (const role of ["seller", "buyer", "investor"] as const) {
			const res = await call(path, init(await signedIn(bindings, role)));
			expect(res.status, role).toBe(403);
			expect(res.headers.get("Content-Type")).toBe("application/problem+json");
		}
	});
});

describe("dead letters", () => {
	it("lists them newest first, by status and queue, in pages", async () => {
		const admin = await signedIn(bindings, "admin");
		// The newest rows of the table (year 2999), so no other test's rows come between them.
		const oldest = await deadLetter({ queue: "offer-events", recorded_at: "2999-01-01T00:00:01.000Z" });
		const middle = await deadLetter({ queue: "offer-events", recorded_at: "2999-01-01T00:00:02.000Z" });
		const newest = await deadLetter({ queue: "offer-events", recorded_at: "2999-01-01T00:00:03.000Z" });
		const replayed = await deadLetter({
			queue: "offer-events",
			recorded_at: "2999-01-01T00:00:04.000Z",
			replayed_at: "2999-01-02T00:00:00.000Z",
		});
		const other = await deadLetter({ queue: "backoffice-jobs", recorded_at: "2999-01-01T00:00:05.000Z" });

		const first = (await (
			await call("/api/v1/admin/dead-letters?queue=offer-events&limit=2", as(admin))
		).json()) as Page<DeadLetter>;
		expect(first.items.map((item) => item.message_id)).toEqual([newest, middle]);
		expect(first.items[0]).toMatchObject({
			queue: "offer-events",
			body: { note: "original" },
			attempts: 6,
			reason: "retries exhausted",
			recorded_at: "2999-01-01T00:00:03.000Z",
			replayed_at: null,
			replays: 0,
		});
		const second = (await (
			await call(`/api/v1/admin/dead-letters?queue=offer-events&limit=2&cursor=${first.next_cursor}`, as(admin))
		).json()) as Page<DeadLetter>;
		expect(second.items[0]?.message_id).toBe(oldest);

		const replayedOnly = (await (
			await call("/api/v1/admin/dead-letters?status=replayed&limit=1", as(admin))
		).json()) as Page<DeadLetter>;
		expect(replayedOnly.items.map((item) => item.message_id)).toEqual([replayed]);
		const all = (await (
			await call("/api/v1/admin/dead-letters?status=all&limit=2", as(admin))
		).json()) as Page<DeadLetter>;
		expect(all.items.map((item) => item.message_id)).toEqual([other, replayed]);
	});

	it.each(["status=lost", "queue=offer-events-dlq", "limit=0", "limit=101", "cursor=not-ours", "extra=1"])(
		"answers a bad query (%s) with 400",
		async (query) => {
			const res = await call(`/api/v1/admin/dead-letters?${query}`, as(await signedIn(bindings, "admin")));
			expect(res.status).toBe(400);
			expect(res.headers.get("Content-Type")).toBe("application/problem+json");
		},
	);

	it("replays one once: again is 409 naming force, force=true replays it again", async () => {
		const admin = await signedIn(bindings, "admin");
		const id = await deadLetter({ queue: "offer-events", recorded_at: "2001-01-01T00:00:00.000Z" });
		const res = await call(`/api/v1/admin/dead-letters/${id}/replay`, post(admin));
		expect(res.status).toBe(200);
		const replayed = (await res.json()) as DeadLetter;
		expect(replayed).toMatchObject({ message_id: id, replays: 1, body: { note: "original" } });
		expect(Date.parse(replayed.replayed_at ?? "")).not.toBeNaN();
		expect(await row(id)).toEqual({ replayed_at: replayed.replayed_at, replays: 1 });

		const again = await call(`/api/v1/admin/dead-letters/${id}/replay`, post(admin));
		expect(again.status).toBe(409);
		expect(((await again.json()) as { detail: string }).detail).toMatch(/force=true/);
		expect((await row(id))?.replays).toBe(1);

		const forced = await call(`/api/v1/admin/dead-letters/${id}/replay?force=true`, post(admin));
		expect(forced.status).toBe(200);
		expect(((await forced.json()) as DeadLetter).replays).toBe(2);
		expect((await row(id))?.replays).toBe(2);
	});

	it("sends one of two simultaneous replays of a dead letter; the other is 409", async () => {
		const admin = await signedIn(bindings, "admin");
		const id = await deadLetter({ queue: "backoffice-jobs", recorded_at: "2001-01-01T00:00:00.000Z" });
		const answers = await Promise.all(
			[0, 1].map(() => call(`/api/v1/admin/dead-letters/${id}/replay`, post(admin)).then((res) => res.status)),
		);
		expect(answers.sort()).toEqual([200, 409]);
		expect((await row(id))?.replays).toBe(1);
	});

	it("answers an unknown dead letter 404, a malformed id 400 and a bad force 400, changing nothing", async () => {
		const admin = await signedIn(bindings, "admin");
		expect((await call(`/api/v1/admin/dead-letters/${hex()}/replay`, post(admin))).status).toBe(404);
		expect((await call("/api/v1/admin/dead-letters/not%20an%20id/replay", post(admin))).status).toBe(400);
		const id = await deadLetter({ queue: "offer-events", recorded_at: "2001-01-01T00:00:00.000Z" });
		expect((await call(`/api/v1/admin/dead-letters/${id}/replay?force=yes`, post(admin))).status).toBe(400);
		expect(await row(id)).toEqual({ replayed_at: null, replays: 0 });
	});

	it("replays a queue's waiting ones at most 100 per call, oldest first, up to `before`", async () => {
		const admin = await signedIn(bindings, "admin");
		// payment-events is this test's own queue in this file.
		const ids: string[] = [];
		for (let i = 0; i < 101; i += 1) {
			ids.push(
				await deadLetter({
					queue: "payment-events",
					recorded_at: `2002-01-01T00:${String(Math.floor(i / 60)).padStart(2, "0")}:${String(i % 60).padStart(2, "0")}.000Z`,
				}),
			);
		}
		const later = await deadLetter({ queue: "payment-events", recorded_at: "2003-01-01T00:00:00.000Z" });
		const before = "2002-12-31T00:00:00.000Z";
		const first = await call("/api/v1/admin/dead-letters/replay", post(admin, { queue: "payment-events", before }));
		expect(first.status).toBe(200);
		expect(await first.json()).toEqual({ replayed: 100, remaining: 1, before });
		expect((await row(ids[99] as string))?.replays).toBe(1);
		expect((await row(ids[100] as string))?.replays).toBe(0);
		const second = await call("/api/v1/admin/dead-letters/replay", post(admin, { queue: "payment-events", before }));
		expect(await second.json()).toEqual({ replayed: 1, remaining: 0, before });
		expect((await row(ids[100] as string))?.replays).toBe(1);
		expect((await row(later))?.replays).toBe(0);
		// Nothing is sent twice: every one of the first 101 was replayed exactly once.
		const { results } = await bindings.DB.prepare(
			"SELECT replays, COUNT(*) AS n FROM dead_letters WHERE queue = 'payment-events' GROUP BY replays ORDER BY replays",
		).all<{ replays: number; n: number }>();
		expect(results).toEqual([
			{ replays: 0, n: 1 },
			{ replays: 1, n: 101 },
		]);
	});

	it.each([
		[{ queue: "offer-events-dlq" }],
		[{}],
		[{ queue: "offer-events", extra: true }],
		[{ queue: "offer-events", before: "yesterday" }],
	])("refuses a bad replay-all body (%j) with 400, replaying nothing", async (body) => {
		const admin = await signedIn(bindings, "admin");
		const id = await deadLetter({ queue: "offer-events", recorded_at: "2001-06-01T00:00:00.000Z" });
		const res = await call("/api/v1/admin/dead-letters/replay", post(admin, body));
		expect(res.status).toBe(400);
		expect(await row(id)).toEqual({ replayed_at: null, replays: 0 });
	});

	it("refuses a replay-all without a JSON body (415)", async () => {
		const res = await call("/api/v1/admin/dead-letters/replay", post(await signedIn(bindings, "admin")));
		expect(res.status).toBe(415);
	});
});

describe("the audit log", () => {
	async function audit(seed: {
		action: string;
		occurred_at: string;
		actor_user_id?: string;
		actor_tenant_id?: string;
		subject_tenant_id?: string;
	}): Promise<string> {
		const id = `evt_${hex()}`;
		await bindings.DB.prepare(
			`INSERT INTO audit_log (event_id, action, actor_user_id, actor_tenant_id, subject_tenant_id, detail, occurred_at, recorded_at)
			 VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		)
			.bind(
				id,
				seed.action,
				seed.actor_user_id ?? null,
				seed.actor_tenant_id ?? null,
				seed.subject_tenant_id ?? null,
				JSON.stringify({ path: "/api/v1/listings", request_id: "req_1" }),
				seed.occurred_at,
				seed.occurred_at,
			)
			.run();
		return id;
	}

	it("lists records newest first, filtered by action, tenant and actor, in pages", async () => {
		const admin = await signedIn(bindings, "admin");
		const action = `test.op_${hex().slice(0, 12)}`;
		const seller = "seller_audited1";
		const oldest = await audit({ action, occurred_at: "2026-01-01T00:00:01.000Z", subject_tenant_id: seller });
		const middle = await audit({
			action,
			occurred_at: "2026-01-01T00:00:02.000Z",
			subject_tenant_id: seller,
			actor_user_id: admin.userId,
			actor_tenant_id: admin.tenantId,
		});
		const newest = await audit({ action, occurred_at: "2026-01-01T00:00:03.000Z", subject_tenant_id: "buyer_other1" });

		const first = (await (await call(`/api/v1/admin/audit?action=${action}&limit=2`, as(admin))).json()) as Page<{
			event_id: string;
			detail: unknown;
		}>;
		expect(first.items.map((item) => item.event_id)).toEqual([newest, middle]);
		expect(first.items[1]).toEqual({
			event_id: middle,
			action,
			actor_user_id: admin.userId,
			actor_tenant_id: admin.tenantId,
			subject_tenant_id: seller,
			detail: { path: "/api/v1/listings", request_id: "req_1" },
			occurred_at: "2026-01-01T00:00:02.000Z",
		});
		const second = (await (
			await call(`/api/v1/admin/audit?action=${action}&limit=2&cursor=${first.next_cursor}`, as(admin))
		).json()) as Page<{ event_id: string }>;
		expect(second).toEqual({ items: [expect.objectContaining({ event_id: oldest })], next_cursor: null });

		const ids = async (query: string) =>
			(
				(await (await call(`/api/v1/admin/audit?action=${action}&${query}`, as(admin))).json()) as Page<{
					event_id: string;
				}>
			).items.map((item) => item.event_id);
		expect(await ids(`tenant=${seller}`)).toEqual([middle, oldest]);
		expect(await ids(`actor=${admin.userId}`)).toEqual([middle]);
		expect(await ids(`actor=${admin.tenantId}`)).toEqual([middle]);
	});

	it.each(["action=Not An Action", "tenant=nobody", "actor=someone", "limit=500", "cursor=x"])(
		"answers a bad query (%s) with 400",
		async (query) => {
			const res = await call(`/api/v1/admin/audit?${query}`, as(await signedIn(bindings, "admin")));
			expect(res.status).toBe(400);
		},
	);
});
