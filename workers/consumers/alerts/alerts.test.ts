/**
 * The alert rules' scheduled evaluation against real D1, the real `backoffice-jobs` queue and the
 * mail stand-in: a rule fires once, notifies each admin once, stays quiet while it lasts, resolves
 * with one more e-mail, and a second firing is a new alert.
 *
 * This project's D1 and queues are shared by every test file, and other files run the
 * every-minute cron at the real time. So these runs use a clock of their own in 2020
 * (`runScheduled` with that `now`: the outbox and token steps find nothing that old), each test
 * its own minutes of it, and subjects no other file uses (a queue name of its own, a payment of
 * its own), and every count is of this test's admins and this rule's e-mails. The jobs are
 * counted as they are queued through a pass-through of the real queue.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import type { EmailJob } from "../../../queues/backoffice-jobs.ts";
import { seedPayment } from "../../../test/support/payments.ts";
import { EVERY_MINUTE, runScheduled } from "../scheduled.ts";

const bindings = env as unknown as ConsumersEnv & { MAILERSEND_API_BASE: string };
const db = bindings.DB;
const hex = () => crypto.randomUUID().replaceAll("-", "");

/** Each test's clock: a whole hour of 2020 of its own. */
let hour = 0;
const clock = () => Date.parse("2020-06-01T00:00:30.000Z") + hour++ * 3_600_000;

interface Person {
	id: string;
	email: string;
}

/** Two admins who get the e-mails, and three who must not: deleted, of a suspended admin tenant, a seller. */
async function people(): Promise<{ admins: Person[]; others: Person[] }> {
	const at = new Date().toISOString();
	const person = (label: string): Person => ({
		id: `usr_${hex()}`,
		email: `${label}-${hex().slice(0, 8)}@example.test`,
	});
	const admins = [person("admin"), person("admin")];
	const [deleted, suspended, seller] = [person("deleted"), person("suspended"), person("seller")];
	const tenants = { admin: `admin_${hex()}`, suspended: `admin_${hex()}`, seller: `seller_${hex()}` };
	const user = (p: Person, tenant: string, role: string, deletedAt: string | null = null) =>
		db
			.prepare(
				`INSERT INTO users (id, tenant_id, email, name, role, password_hash, created_at, updated_at, deleted_at)
				 VALUES (?, ?, ?, 'Ops Person', ?, 'x', ?, ?, ?)`,
			)
			.bind(p.id, tenant, p.email, role, at, at, deletedAt);
	await db.batch([
		db
			.prepare(
				`INSERT INTO tenants (id, kind, name, status, created_at, updated_at) VALUES
				 (?1, 'admin', 'Ops', 'active', ?4, ?4), (?2, 'admin', 'Old ops', 'suspended', ?4, ?4), (?3, 'seller', 'Shop', 'active', ?4, ?4)`,
			)
			.bind(tenants.admin, tenants.suspended, tenants.seller, at),
		...admins.map((admin) => user(admin, tenants.admin, "admin")),
		user(deleted, tenants.admin, "admin", at),
		user(suspended, tenants.suspended, "admin"),
		user(seller, tenants.seller, "seller"),
	]);
	return { admins, others: [deleted, suspended, seller] };
}

/** The every-minute cron at `now`, with the e-mail jobs it queued (all of them, any alert's). */
async function cronAt(now: number): Promise<EmailJob[]> {
	const queued: EmailJob[] = [];
	const tap = {
		sendBatch(messages: Iterable<MessageSendRequest>) {
			const list = [...messages];
			for (const message of list) {
				const body = message.body as EmailJob;
				if (body.kind === "email.send") queued.push(body);
			}
			return bindings.BACKOFFICE_JOBS.sendBatch(list);
		},
	} as unknown as Queue;
	await runScheduled(EVERY_MINUTE, { ...bindings, BACKOFFICE_JOBS: tap }, new Date(now));
	return queued;
}

/**
 * Who, of `people` (this test's own: the admins of earlier tests get the e-mails too), was queued
 * a `template` job about the alert titled `title`, by address.
 */
function mailsOf(
	jobs: EmailJob[],
	template: "alert-fired" | "alert-resolved",
	title: string,
	people: readonly Person[],
): string[] {
	const ours = new Set(people.map((p) => p.email));
	return jobs
		.filter((job) => job.template === template && (job.data as { title: string }).title === title)
		.map((job) => job.to.email)
		.filter((email) => ours.has(email))
		.sort();
}

interface AlertRow {
	id: string;
	status: string;
	value: number;
	threshold: number;
	summary: string;
	fired_at: string;
	resolved_at: string | null;
	last_evaluated_at: string;
	notified_fired_at: string | null;
	notified_resolved_at: string | null;
}

async function alertsOf(rule: string, subject: string): Promise<AlertRow[]> {
	const { results } = await db
		.prepare("SELECT * FROM alerts WHERE rule = ? AND subject = ? ORDER BY fired_at, id")
		.bind(rule, subject)
		.all<AlertRow>();
	return results;
}

async function inbox(to: string, subject: string): Promise<number> {
	const res = await fetch(`${bindings.MAILERSEND_API_BASE}/api/messages`);
	const all = (await res.json()) as { to: { email: string }[]; subject: string }[];
	return all.filter((m) => m.subject === subject && m.to.some((a) => a.email === to)).length;
}

/** Waits until every admin has received `count` e-mails with `subject` (through queue, consumer and MailerSend). */
async function delivered(admins: Person[], subject: string, count: number): Promise<void> {
	await vi.waitFor(
		async () => {
			for (const admin of admins) expect(await inbox(admin.email, subject)).toBe(count);
		},
		{ timeout: 10_000, interval: 100 },
	);
}

/** Request counts for one minute in the latency buckets given (bucket index → requests), for a tenant of the test's own. */
async function traffic(minuteMs: number, buckets: Record<number, number>, errors = 0): Promise<void> {
	const h = Array.from({ length: 16 }, (_, i) => buckets[i] ?? 0);
	const requests = h.reduce((sum, n) => sum + n, 0);
	await db
		.prepare(
			`INSERT INTO metrics_minutes (minute, tenant_id, route, portal, requests, errors, ${h.map((_, i) => `h${String(i).padStart(2, "0")}`).join(", ")})
			 VALUES (?, ?, 'GET /api/v1/listings', 'apex', ?, ?, ${h.map(() => "?").join(", ")})`,
		)
		.bind(Math.floor(minuteMs / 60_000), `seller_${hex()}`, requests, errors, ...h)
		.run();
}

interface Scenario {
	rule: string;
	subject: string;
	title: string;
	/** Makes the rule fire at `now` (and keep firing a minute later). */
	fire(now: number): Promise<void>;
	/** Makes it stop firing at `now`. */
	calm(now: number): Promise<void>;
}

async function lifecycle(scenario: Scenario) {
	const { admins, others } = await people();
	const everyone = [...admins, ...others];
	const addresses = admins.map((a) => a.email).sort();
	const firedSubject = `Alert firing: ${scenario.title}`;
	const resolvedSubject = `Alert resolved: ${scenario.title}`;
	const start = clock();
	const minute = (n: number) => start + n * 60_000;

	await scenario.fire(minute(0));
	const fired = await cronAt(minute(0));
	expect(mailsOf(fired, "alert-fired", scenario.title, everyone)).toEqual(addresses);
	const [opened] = await alertsOf(scenario.rule, scenario.subject);
	expect(opened).toMatchObject({
		status: "firing",
		fired_at: new Date(minute(0)).toISOString(),
		notified_fired_at: new Date(minute(0)).toISOString(),
		resolved_at: null,
	});
	await delivered(admins, firedSubject, 1);

	// Still firing a minute later: the same alert, its evaluation moved on, nothing queued.
	const again = await cronAt(minute(1));
	expect(mailsOf(again, "alert-fired", scenario.title, everyone)).toEqual([]);
	const stillOpen = await alertsOf(scenario.rule, scenario.subject);
	expect(stillOpen).toHaveLength(1);
	expect(stillOpen[0]).toMatchObject({
		id: opened?.id,
		status: "firing",
		last_evaluated_at: new Date(minute(1)).toISOString(),
		notified_fired_at: new Date(minute(0)).toISOString(),
	});

	// Ten minutes on, the window no longer holds what made it fire.
	await scenario.calm(minute(10));
	const resolved = await cronAt(minute(10));
	expect(mailsOf(resolved, "alert-resolved", scenario.title, everyone)).toEqual(addresses);
	expect(mailsOf(resolved, "alert-fired", scenario.title, everyone)).toEqual([]);
	const [closed] = await alertsOf(scenario.rule, scenario.subject);
	expect(closed).toMatchObject({ id: opened?.id, status: "resolved" });
	expect(closed?.resolved_at).not.toBeNull();
	expect(closed?.notified_resolved_at).not.toBeNull();
	await delivered(admins, resolvedSubject, 1);
	expect(mailsOf(await cronAt(minute(11)), "alert-resolved", scenario.title, everyone)).toEqual([]);

	// Firing again is a new alert, notified again.
	await scenario.fire(minute(20));
	const refired = await cronAt(minute(20));
	expect(mailsOf(refired, "alert-fired", scenario.title, everyone)).toEqual(addresses);
	const rows = await alertsOf(scenario.rule, scenario.subject);
	expect(rows.map((row) => row.status)).toEqual(["resolved", "firing"]);
	expect(rows[1]?.id).not.toBe(opened?.id);
	await delivered(admins, firedSubject, 2);
	await delivered(admins, resolvedSubject, 1);

	// Resolved again (so later tests and files find it closed), its e-mails delivered before the run ends.
	await scenario.calm(minute(30));
	await cronAt(minute(30));
	await delivered(admins, resolvedSubject, 2);
	return { opened, rows };
}

// Each test waits for e-mails through the queue (batches wait up to a second): more than the default 5 s.
describe("alert evaluation on the every-minute cron", { timeout: 30_000 }, () => {
	it("fires on slow requests, e-mails each admin once, resolves when fast again, and fires anew", async () => {
		const { opened } = await lifecycle({
			rule: "latency_p95",
			subject: "",
			title: "p95 latency above 500 ms",
			// 30 requests in [750, 1000) ms over the window's last minute: the p95 is about 988 ms.
			fire: (now) => traffic(now - 60_000, { 12: 30 }),
			// Then 600 in [25, 50) ms: the p95 is below 500 ms (and there is enough traffic to judge).
			calm: (now) => traffic(now - 60_000, { 3: 600 }),
		});
		expect(opened).toMatchObject({ threshold: 500 });
		expect(opened?.value).toBeGreaterThan(500);
		expect(opened?.summary).toMatch(/^p95 latency \d+ ms over the last 5 minutes \(30 requests\), above 500 ms$/);
	});

	it("fires per queue while a dead letter waits, and resolves once it is replayed", async () => {
		const queue = `alerts-test-${hex().slice(0, 12)}`;
		let message = "";
		const { opened } = await lifecycle({
			rule: "dead_letters",
			subject: queue,
			title: `Dead letters waiting (${queue})`,
			fire: async (now) => {
				message = `msg-${hex()}`;
				await db
					.prepare(
						"INSERT INTO dead_letters (message_id, queue, body, attempts, reason, recorded_at) VALUES (?, ?, '{}', 5, 'retries exhausted', ?)",
					)
					.bind(message, queue, new Date(now).toISOString())
					.run();
			},
			calm: async (now) => {
				await db
					.prepare("UPDATE dead_letters SET replayed_at = ?, replays = replays + 1 WHERE queue = ?")
					.bind(new Date(now).toISOString(), queue)
					.run();
			},
		});
		expect(opened).toMatchObject({
			value: 1,
			threshold: 0,
			summary: `1 dead letter from ${queue} waiting to be replayed`,
		});
	});

	it("fires for a payment held past its release time, and resolves once it is released", async () => {
		const seeded = await seedPayment(db);
		const id = seeded.opening.id;
		const { opened } = await lifecycle({
			rule: "payment_stuck",
			subject: id,
			title: `Payment stuck (${id})`,
			fire: async (now) => {
				await db
					.prepare("UPDATE payments SET status = 'paid', release_at = ?, updated_at = ? WHERE id = ?")
					.bind(new Date(now - 2 * 3_600_000).toISOString(), new Date(now - 3 * 3_600_000).toISOString(), id)
					.run();
			},
			calm: async (now) => {
				await db
					.prepare("UPDATE payments SET status = 'released', released_at = ?, updated_at = ? WHERE id = ?")
					.bind(new Date(now).toISOString(), new Date(now).toISOString(), id)
					.run();
			},
		});
		expect(opened).toMatchObject({ value: 2, threshold: 1 });
		expect(opened?.summary).toContain(`Payment ${id} has been paid and unreleased past its release time for 2.0 h`);
	});

	it("opens one alert and queues one e-mail per admin when two evaluations run at once", async () => {
		const { admins } = await people();
		const queue = `alerts-race-${hex().slice(0, 12)}`;
		const now = clock();
		await db
			.prepare(
				"INSERT INTO dead_letters (message_id, queue, body, attempts, reason, recorded_at) VALUES (?, ?, '{}', 1, 'invalid: bad', ?)",
			)
			.bind(`msg-${hex()}`, queue, new Date(now).toISOString())
			.run();
		const title = `Dead letters waiting (${queue})`;
		const [first, second] = await Promise.all([cronAt(now), cronAt(now)]);
		expect(await alertsOf("dead_letters", queue)).toHaveLength(1);
		// Both runs may queue the e-mails, with the same job ids: the e-mail consumer sends each once.
		const mine = new Set(admins.map((admin) => admin.email));
		const jobs = [...first, ...second].filter(
			(job) => (job.data as { title: string }).title === title && mine.has(job.to.email),
		);
		const ids = new Set(jobs.map((job) => job.id));
		expect(ids.size).toBe(admins.length);
		await delivered(admins, `Alert firing: ${title}`, 1);
		await db
			.prepare("UPDATE dead_letters SET replayed_at = ? WHERE queue = ?")
			.bind(new Date(now).toISOString(), queue)
			.run();
		await cronAt(now + 60_000);
		await delivered(admins, `Alert resolved: ${title}`, 1);
	});
});
