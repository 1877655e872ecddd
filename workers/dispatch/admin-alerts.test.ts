/**
 * `GET /api/v1/admin/alerts` inside workerd: admins only, newest first, paged by cursor, filtered
 * by status. Rows are seeded in D1 as the consumers' alert evaluation writes them
 * (workers/consumers/alerts/evaluate.ts), fired in 2099 so they are the newest of this project's
 * shared D1 whatever else it holds.
 */
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { bearer, signedIn, type TestSession } from "../../test/support/sessions.ts";

const worker = (exports as unknown as { default: Fetcher }).default;
const bindings = env as unknown as DispatchEnv;
const hex = () => crypto.randomUUID().replaceAll("-", "");

function call(path: string, session: TestSession | null): Promise<Response> {
	const headers = new Headers(session ? bearer(session) : {});
	headers.set("CF-Connecting-IP", `198.51.100.${crypto.randomUUID()}`);
	return worker.fetch(`https://techflunky.com${path}`, { headers });
}

interface Alert {
	id: string;
	rule: string;
	subject: string;
	status: "firing" | "resolved";
	value: number;
	threshold: number;
	summary: string;
	fired_at: string;
	resolved_at: string | null;
	last_evaluated_at: string;
}

interface Page {
	items: Alert[];
	next_cursor: string | null;
}

/** Five alerts, newest first: fired a minute apart on 2099-01-01, the 2nd and 4th resolved. */
const seeded: Alert[] = [];

beforeAll(async () => {
	for (let i = 0; i < 5; i++) {
		const fired = new Date(Date.UTC(2099, 0, 1, 0, 10 - i)).toISOString();
		const resolved = i % 2 === 1;
		seeded.push({
			id: `alr_${hex()}`,
			rule: "dead_letters",
			subject: `queue-${hex().slice(0, 8)}`,
			status: resolved ? "resolved" : "firing",
			value: i + 1,
			threshold: 0,
			summary: `${i + 1} dead letters waiting`,
			fired_at: fired,
			resolved_at: resolved ? new Date(Date.parse(fired) + 30_000).toISOString() : null,
			last_evaluated_at: new Date(Date.parse(fired) + 30_000).toISOString(),
		});
	}
	await bindings.DB.batch(
		seeded.map((a) =>
			bindings.DB.prepare(
				`INSERT INTO alerts (id, rule, subject, status, value, threshold, summary, fired_at, resolved_at, last_evaluated_at,
				   notified_fired_at, notified_resolved_at)
				 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			).bind(
				a.id,
				a.rule,
				a.subject,
				a.status,
				a.value,
				a.threshold,
				a.summary,
				a.fired_at,
				a.resolved_at,
				a.last_evaluated_at,
				a.fired_at,
				a.resolved_at,
			),
		),
	);
});

describe("GET /api/v1/admin/alerts", () => {
	it("refuses a guest with 401 and a non-admin with 403", async () => {
		expect((await call("/api/v1/admin/alerts", null)).status).toBe(401);
		for (const role of ["seller", "buyer", "investor"] as const) {
			expect((await call("/api/v1/admin/alerts", await signedIn(bindings, role))).status).toBe(403);
		}
	});

	it("lists alerts newest first, page by page, as the contract shapes them", async () => {
		const admin = await signedIn(bindings, "admin");
		const first = await call("/api/v1/admin/alerts?limit=2", admin);
		expect(first.status).toBe(200);
		const page1 = (await first.json()) as Page;
		expect(page1.items).toEqual(seeded.slice(0, 2));
		expect(page1.next_cursor).toEqual(expect.any(String));

		const page2 = (await (
			await call(`/api/v1/admin/alerts?limit=2&cursor=${page1.next_cursor}`, admin)
		).json()) as Page;
		expect(page2.items).toEqual(seeded.slice(2, 4));
		const page3 = (await (
			await call(`/api/v1/admin/alerts?limit=2&cursor=${page2.next_cursor}`, admin)
		).json()) as Page;
		expect(page3.items[0]).toEqual(seeded[4]);
	});

	it("filters by status", async () => {
		const admin = await signedIn(bindings, "admin");
		const firing = (await (await call("/api/v1/admin/alerts?status=firing&limit=3", admin)).json()) as Page;
		expect(firing.items.map((a) => a.id)).toEqual([seeded[0]?.id, seeded[2]?.id, seeded[4]?.id]);
		const resolved = (await (await call("/api/v1/admin/alerts?status=resolved&limit=2", admin)).json()) as Page;
		expect(resolved.items.map((a) => a.id)).toEqual([seeded[1]?.id, seeded[3]?.id]);
		expect(resolved.items.every((a) => a.status === "resolved" && a.resolved_at !== null)).toBe(true);
	});

	it.each([
		["an unknown status", "status=open"],
		["a cursor it did not issue", "cursor=bm90LWEtY3Vyc29y"],
		["a limit of 0", "limit=0"],
		["an unknown parameter", "rule=latency_p95"],
	])("answers %s with 400", async (_what, query) => {
		const admin = await signedIn(bindings, "admin");
		const res = await call(`/api/v1/admin/alerts?${query}`, admin);
		expect(res.status).toBe(400);
		expect(res.headers.get("Content-Type")).toMatch(/^application\/problem\+json/);
	});
});
