/**
 * The daily backup and `npm run restore`, end to end on a persisted local state: the real
 * migrations (Wrangler, so `d1_migrations` is filled as in production) and the demo rows in a
 * temporary directory, the consumers Worker's own bundle and bindings in Miniflare over the
 * same directory firing its `DAILY` cron, then the real `scripts/restore.ts` as an operator runs
 * it. Only the consumers Worker runs: its cross-script PaymentObject binding (hosted by the
 * dispatch Worker, not loaded here) is left out, and the daily cron does not use it.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { bundleWorker } from "../../scripts/bundle.ts";
import { demoDataSql } from "../../scripts/demo-data.ts";
import { applyMigrations, executeSql } from "../../scripts/local-d1.ts";
import { restore } from "../../scripts/restore.ts";
import { localStore, type Store } from "../../scripts/restore-stores.ts";
import { backupDate, backupKeys } from "../../shared/backup/format.ts";
import { parseManifest } from "../../shared/backup/manifest.ts";
import { restoreFile } from "../../shared/backup/restore-sql.ts";
import { isBackedUp, isVirtual } from "../../shared/backup/tables.ts";
import { testSecrets } from "../topology/secrets.ts";

const bin = resolve("node_modules/.bin");
process.env.PATH = `${bin}${delimiter}${process.env.PATH ?? ""}`;
const stateDir = mkdtempSync(join(tmpdir(), "techflunky-backup-"));
const buildDir = mkdtempSync(join(resolve(".wrangler"), "backup-test-"));
const scriptPath = join(buildDir, "consumers.js");
const secrets = testSecrets();
const DAY_MS = 86_400_000;
// DAILY of workers/consumers/scheduled.ts (a Worker module, outside the Node scripts' types); a
// cron the Worker does not know fails its scheduled run, so a drift shows here.
const DAILY = "17 3 * * *";

async function openConsumers(): Promise<Miniflare> {
	const {
		modulesRules: _rules,
		rootPath: _root,
		durableObjects: _objects,
		...options
	} = unstable_getMiniflareWorkerOptions("workers/consumers/wrangler.toml").workerOptions;
	const mf = new Miniflare(
		convertV4MiniflareOptions({
			...options,
			name: "techflunky-consumers",
			modules: true,
			scriptPath,
			cf: false,
			bindings: { ...(options.bindings as Record<string, unknown>), ...secrets },
			resourcePersistencePath: join(stateDir, "v3"),
		} as Parameters<typeof convertV4MiniflareOptions>[0]),
	);
	await mf.ready;
	return mf;
}

type Snapshot = Record<string, unknown[]>;

/** Every backed-up table, every row with its rowid, in a stable order. */
async function snapshot(mf: Miniflare): Promise<Snapshot> {
	const db = await mf.getD1Database("DB");
	const { results: tables } = await db
		.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name")
		.all<{ name: string; sql: string | null }>();
	const { results: list } = await db.prepare("PRAGMA table_list").all<{ name: string; wr: number }>();
	const snap: Snapshot = {};
	for (const { name } of tables.filter((table) => isBackedUp(table.name) && !isVirtual(table.sql))) {
		const withoutRowid = list.some((table) => table.name === name && table.wr === 1);
		const sql = withoutRowid
			? `SELECT * FROM "${name}" ORDER BY 1, 2`
			: `SELECT rowid AS __rowid, * FROM "${name}" ORDER BY rowid`;
		snap[name] = (await db.prepare(sql).all()).results;
	}
	return snap;
}

async function withConsumers<T>(use: (mf: Miniflare) => Promise<T>): Promise<T> {
	const mf = await openConsumers();
	try {
		return await use(mf);
	} finally {
		await mf.dispose();
	}
}

function runRestore(args: string[]) {
	const run = spawnSync(process.execPath, ["scripts/restore.ts", ...args, "--persist-to", stateDir], {
		env: { ...process.env, CI: "true" },
		encoding: "utf8",
	});
	return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const today = backupDate(new Date());
const daysAgo = (days: number) => backupDate(new Date(Date.now() - days * DAY_MS));
let backedUp: Snapshot;

beforeAll(async () => {
	await bundleWorker("workers/consumers/index.ts", scriptPath);
	applyMigrations(stateDir);
	executeSql(await demoDataSql({ pepper: secrets.PASSWORD_PEPPER, encryptionKey: secrets.ENCRYPTION_KEY }), stateDir);
	await withConsumers(async (mf) => {
		const bucket = await mf.getR2Bucket("BACKUPS");
		for (const date of [daysAgo(31), daysAgo(29)]) {
			await bucket.put(backupKeys.manifest(date), "{}");
			await bucket.put(backupKeys.table(date, "tenants"), "[]\n");
		}
		await bucket.put("backups/not-a-date/manifest.json", "{}");
		backedUp = await snapshot(mf);
		const worker = await mf.getWorker("techflunky-consumers");
		const result = await worker.scheduled({ cron: DAILY, scheduledTime: new Date() });
		expect(result.outcome).toBe("ok");
	});
});

afterAll(() => {
	rmSync(stateDir, { recursive: true, force: true });
	rmSync(buildDir, { recursive: true, force: true });
});

describe("the daily backup", () => {
	it("writes every table with its rows and a manifest naming them", async () => {
		await withConsumers(async (mf) => {
			const bucket = await mf.getR2Bucket("BACKUPS");
			const manifest = parseManifest(await ((await bucket.get(backupKeys.manifest(today)))?.text() ?? ""));
			if (!manifest.ok) throw new Error(manifest.problem);
			const counts = Object.fromEntries(manifest.manifest.tables.map((table) => [table.name, table.rows]));
			expect(counts).toEqual(Object.fromEntries(Object.entries(backedUp).map(([name, rows]) => [name, rows.length])));
			expect(counts.listings).toBeGreaterThan(0);
			expect(manifest.manifest.migrations[0]).toBe("0001_init.sql");
			const parents = manifest.manifest.tables.map((table) => table.name);
			expect(parents.indexOf("tenants")).toBeLessThan(parents.indexOf("listings"));
			expect(parents.indexOf("listings")).toBeLessThan(parents.indexOf("attachments"));
		});
	});

	it("deletes the backup from 31 days ago and keeps the one from 29 days ago and folders it cannot read", async () => {
		await withConsumers(async (mf) => {
			const bucket = await mf.getR2Bucket("BACKUPS");
			expect((await bucket.list({ prefix: backupKeys.folder(daysAgo(31)) })).objects).toEqual([]);
			expect((await bucket.list({ prefix: backupKeys.folder(daysAgo(29)) })).objects).toHaveLength(2);
			expect(await bucket.head("backups/not-a-date/manifest.json")).not.toBeNull();
		});
	});
});

describe("npm run restore", () => {
	it("puts every table back as it was at the backup, with the search index", async () => {
		const listing = backedUp.listings?.[0] as { id: string; title: string; __rowid: number };
		await withConsumers(async (mf) => {
			const db = await mf.getD1Database("DB");
			await db.batch([
				db.prepare("UPDATE listings SET title = 'Zzyzx renamed' WHERE id = ?").bind(listing.id),
				db.prepare("DELETE FROM audit_log"),
				db.prepare("DELETE FROM notification_opt_outs"),
				db.prepare(
					"INSERT INTO tenants (id, kind, name, created_at, updated_at) VALUES ('buyer_added', 'buyer', 'Added', 'x', 'x')",
				),
			]);
		});

		const run = runRestore([today]);
		expect(run.stderr).toBe("");
		expect(run.status).toBe(0);
		expect(run.stdout).toContain(`restored the backup of ${today}`);

		await withConsumers(async (mf) => {
			expect(await snapshot(mf)).toEqual(backedUp);
			const db = await mf.getD1Database("DB");
			const word = (listing.title.match(/[A-Za-z]{4,}/) ?? [""])[0];
			const found = await db
				.prepare("SELECT rowid FROM listings_fts WHERE listings_fts MATCH ?")
				.bind(`title:${word}`)
				.all<{ rowid: number }>();
			expect(found.results.map((row) => row.rowid)).toContain(listing.__rowid);
			const renamed = await db.prepare("SELECT rowid FROM listings_fts WHERE listings_fts MATCH 'zzyzx'").all();
			expect(renamed.results).toEqual([]);
		});
	});

	it("restores the same through the one SQL file the remote restore imports", async () => {
		await withConsumers(async (mf) => {
			const db = await mf.getD1Database("DB");
			await db.batch([
				db.prepare("DELETE FROM audit_log"),
				db.prepare("UPDATE listings SET summary = 'Zzyzx summary'"),
			]);
		});
		// The remote store's shape: objects read first, then every statement as one file, run by
		// Wrangler (`wrangler d1 execute --file`, locally here) once nothing else holds the state.
		const local = await localStore(stateDir);
		let file = "";
		const store: Store = {
			...local,
			execute: async (statements) => {
				file = restoreFile(statements);
			},
		};
		const summary = await restore(store, today).finally(() => local.close());
		expect(summary.tables.find((table) => table.name === "listings")?.rows).toBe(backedUp.listings?.length);
		executeSql(file, stateDir);
		await withConsumers(async (mf) => {
			expect(await snapshot(mf)).toEqual(backedUp);
			const db = await mf.getD1Database("DB");
			expect(
				(await db.prepare("SELECT rowid FROM listings_fts WHERE listings_fts MATCH 'zzyzx'").all()).results,
			).toEqual([]);
		});
	});

	it("refuses a backup whose object does not match its checksum and changes nothing", async () => {
		const before = await withConsumers(async (mf) => {
			const db = await mf.getD1Database("DB");
			await db.prepare("DELETE FROM audit_log").run();
			const bucket = await mf.getR2Bucket("BACKUPS");
			const key = backupKeys.table(today, "tenants");
			const text = (await (await bucket.get(key))?.text()) ?? "";
			// One letter inside a value, so the size and the JSON stay right and only the digest differs.
			const at = text.indexOf("a", text.indexOf("\n"));
			await bucket.put(key, `${text.slice(0, at)}b${text.slice(at + 1)}`);
			return snapshot(mf);
		});
		expect(before.audit_log).toEqual([]);

		const run = runRestore([today]);
		expect(run.status).toBe(1);
		expect(run.stderr).toContain("tenants.ndjson does not match its SHA-256");

		await withConsumers(async (mf) => expect(await snapshot(mf)).toEqual(before));
	});

	it("refuses a date with no manifest, and a manifest that is not one", () => {
		const missing = runRestore([daysAgo(3)]);
		expect(missing.status).toBe(1);
		expect(missing.stderr).toContain("there is no complete backup");
		const bogus = runRestore([daysAgo(29)]);
		expect(bogus.status).toBe(1);
		expect(bogus.stderr).toContain("not a backup manifest");
	});

	it("refuses a target whose migrations differ from the backup's", async () => {
		await withConsumers(async (mf) => {
			const db = await mf.getD1Database("DB");
			await db.prepare("INSERT INTO d1_migrations (name) VALUES ('9999_later.sql')").run();
		});
		const run = runRestore([today]);
		expect(run.status).toBe(1);
		expect(run.stderr).toContain("applied to the target after the backup: 9999_later.sql");
	});
});
