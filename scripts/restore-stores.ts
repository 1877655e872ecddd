/**
 * Where `npm run restore` (./restore.ts) reads a backup and writes the database: the local state
 * `npm start` persists (one Miniflare over the same directory, so objects and rows are read and
 * written in process, and the restore runs as one D1 batch: one transaction), or production
 * through Wrangler (`wrangler r2 object get --remote`, `wrangler d1 execute --remote --env
 * production --file`: D1 imports a file all or nothing). Both answer the same interface, so the
 * checks before any write are the same code.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { restoreFile } from "../shared/backup/restore-sql.ts";
import { wranglerMessage } from "./admin-create.ts";
import { OFFLINE_WRANGLER_ENV } from "./offline-env.ts";

export const BACKUPS_BUCKET = "techflunky-backups";
const CONSUMERS_CONFIG = "workers/consumers/wrangler.toml";

export interface Store {
	label: string;
	/** The object's bytes, or `null` when the bucket has no such key. */
	getObject(key: string): Promise<Uint8Array | null>;
	query<T>(sql: string): Promise<T[]>;
	/** Runs every statement as one unit: all of them, or none. */
	execute(statements: readonly string[]): Promise<void>;
	close(): Promise<void>;
}

/** The persisted local state in `stateDir` (what `wrangler dev --persist-to` and `npm start` use). */
export async function localStore(stateDir: string): Promise<Store> {
	const { unstable_readConfig } = await import("wrangler");
	// The consumers Worker's own bindings: the shared DB and the BACKUPS bucket it writes, by the
	// ids Wrangler keys their local state with. Read from the config alone (not the Worker's whole
	// options), so no secret is loaded, or missed and warned about: a restore needs none.
	const config = unstable_readConfig({ config: CONSUMERS_CONFIG }, { hideWarnings: true });
	const database = config.d1_databases.find((binding: { binding: string }) => binding.binding === "DB");
	const backups = config.r2_buckets.find((binding: { binding: string }) => binding.binding === "BACKUPS");
	if (!database?.database_id || !backups?.bucket_name) {
		throw new Error(`${CONSUMERS_CONFIG} must bind DB (a D1 database id) and BACKUPS (an R2 bucket)`);
	}
	const d1Databases = { DB: database.database_id };
	const r2Buckets = { BACKUPS: backups.bucket_name };
	const mf = new Miniflare(
		convertV4MiniflareOptions({
			modules: true,
			script: "export default { fetch() { return new Response(null, { status: 404 }); } };",
			cf: false,
			d1Databases,
			r2Buckets,
			// Wrangler keeps `--persist-to DIR` under DIR/v3.
			resourcePersistencePath: join(resolve(stateDir), "v3"),
		} as Parameters<typeof convertV4MiniflareOptions>[0]),
	);
	await mf.ready;
	const db = await mf.getD1Database("DB");
	const bucket = await mf.getR2Bucket("BACKUPS");
	return {
		label: `local state in ${stateDir}`,
		async getObject(key) {
			const object = await bucket.get(key);
			return object ? new Uint8Array(await object.arrayBuffer()) : null;
		},
		async query<T>(sql: string) {
			return (await db.prepare(sql).all<T>()).results;
		},
		async execute(statements) {
			await db.batch(statements.map((statement) => db.prepare(statement)));
		},
		close: () => mf.dispose(),
	};
}

function wrangler(args: string[]): string {
	return execFileSync("wrangler", args, {
		encoding: "utf8",
		stdio: ["ignore", "pipe", "pipe"],
		env: { ...OFFLINE_WRANGLER_ENV, ...process.env },
		maxBuffer: 256 * 1024 * 1024,
	});
}

function withTempDir<T>(use: (dir: string) => T): T {
	const dir = mkdtempSync(join(tmpdir(), "techflunky-restore-"));
	try {
		return use(dir);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

/** Production: R2 and D1 through Wrangler with the account it is logged in to. */
export function remoteStore(): Store {
	const d1 = (args: string[]) =>
		wrangler(["d1", "execute", "DB", "--remote", "--env", "production", "-c", "wrangler.toml", ...args]);
	return {
		label: `production (R2 bucket ${BACKUPS_BUCKET}, D1 via wrangler --env production)`,
		async getObject(key) {
			return withTempDir((dir) => {
				const file = join(dir, "object");
				try {
					wrangler(["r2", "object", "get", `${BACKUPS_BUCKET}/${key}`, "--remote", "--file", file]);
				} catch (error) {
					if (/does not exist|not found|NoSuchKey/i.test(wranglerMessage(error))) return null;
					throw error;
				}
				return new Uint8Array(readFileSync(file));
			});
		},
		async query<T>(sql: string) {
			const parsed = JSON.parse(d1(["--json", "--command", sql])) as { results: T[] }[];
			return parsed.flatMap((statement) => statement.results);
		},
		async execute(statements) {
			withTempDir((dir) => {
				const file = join(dir, "restore.sql");
				writeFileSync(file, restoreFile(statements), { mode: 0o600 });
				d1(["--yes", "--file", file]);
			});
		},
		close: async () => {},
	};
}

/**
 * Whether something answers on `port` (`npm start`'s wrangler dev, 8787 unless PORT moves it).
 * Two workerd processes writing the same SQLite files can lose writes, so the local restore
 * refuses while the default state is being served.
 */
export function portInUse(port: number, host = "127.0.0.1"): Promise<boolean> {
	return new Promise((done) => {
		const socket = connect({ port, host });
		socket.setTimeout(1000);
		socket.once("connect", () => {
			socket.destroy();
			done(true);
		});
		socket.once("timeout", () => {
			socket.destroy();
			done(false);
		});
		socket.once("error", () => done(false));
	});
}
