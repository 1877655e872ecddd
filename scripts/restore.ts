/**
 * `npm run restore -- <YYYY-MM-DD> [--remote] [--persist-to DIR]`: puts one day's D1 backup
 * (workers/consumers/backup/, format in shared/backup/) back, replacing the contents of every
 * backed-up table in one unit.
 *
 * Everything is checked before anything is written, and any doubt refuses (exit 1, nothing
 * changed): no `manifest.json` (an unfinished or absent backup), a manifest that is not one, a
 * target database whose applied migrations or tables differ from the backup's (rows of another
 * schema would land in the wrong columns or fail half-way), and any table object that is missing
 * or whose size, SHA-256, columns or row count differ from the manifest. Production is reached
 * only with `--remote` spelled out; the target is printed first. Locally the default state is
 * the one `npm start` serves: stop it first (the restore refuses while something answers on
 * its port, 8787 or PORT), since two processes writing the same SQLite files can lose writes.
 */
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { backupKeys, parseBackupDate, type TableData } from "../shared/backup/format.ts";
import { migrationMismatch, parseManifest, tableMismatch, verifyTable } from "../shared/backup/manifest.ts";
import { restoreStatements } from "../shared/backup/restore-sql.ts";
import { isBackedUp, isVirtual } from "../shared/backup/tables.ts";
import { wranglerMessage } from "./admin-create.ts";
import { DEFAULT_STATE_DIR } from "./local-d1.ts";
import { localStore, portInUse, remoteStore, type Store } from "./restore-stores.ts";

export const USAGE = `Usage: npm run restore -- <YYYY-MM-DD> [--remote] [--persist-to DIR]

Replaces the contents of every D1 table with the backup of that UTC date (backups/<date>/ in the
R2 bucket techflunky-backups), after checking every object against the backup's manifest.
  --remote          restore into production D1 from the production bucket (wrangler --env production)
  --persist-to DIR  the local state directory (default ${DEFAULT_STATE_DIR}, what npm start serves;
                    stop npm start first)`;

export class UsageError extends Error {}
/** A restore refused before anything was written. */
export class RestoreRefused extends Error {}

export interface RestoreArgs {
	date: string;
	remote: boolean;
	persistTo: string | null;
}

/** Parses the arguments after `--`; returns `null` for `--help`. */
export function parseRestoreArgs(argv: string[]): RestoreArgs | null {
	let parsed: ReturnType<typeof parseCli>;
	try {
		parsed = parseCli(argv);
	} catch (error) {
		throw new UsageError((error as Error).message.split(". ")[0] ?? String(error));
	}
	if (parsed.values.help) return null;
	const [date, ...extra] = parsed.positionals;
	if (date === undefined) throw new UsageError("missing <YYYY-MM-DD>");
	if (extra.length > 0) throw new UsageError(`unexpected argument: ${extra.join(" ")}`);
	if (parseBackupDate(date) === null) throw new UsageError(`not a date (YYYY-MM-DD): ${date}`);
	const remote = parsed.values.remote ?? false;
	const persistTo = parsed.values["persist-to"] ?? null;
	if (remote && persistTo !== null) throw new UsageError("--remote and --persist-to exclude each other");
	return { date, remote, persistTo };
}

function parseCli(argv: string[]) {
	return parseArgs({
		args: argv,
		allowPositionals: true,
		strict: true,
		options: {
			remote: { type: "boolean" },
			"persist-to": { type: "string" },
			help: { type: "boolean", short: "h" },
		},
	});
}

const TABLES_SQL = "SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name";

async function targetMigrations(store: Store): Promise<string[]> {
	const tables = await store.query<{ name: string }>(
		"SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'd1_migrations'",
	);
	if (tables.length === 0) return [];
	return (await store.query<{ name: string }>("SELECT name FROM d1_migrations ORDER BY id")).map((row) => row.name);
}

export interface RestoreSummary {
	date: string;
	createdAt: string;
	tables: { name: string; rows: number }[];
}

/** Checks everything, then restores; throws `RestoreRefused` before any write when anything is off. */
export async function restore(store: Store, date: string): Promise<RestoreSummary> {
	const manifestBytes = await store.getObject(backupKeys.manifest(date));
	if (manifestBytes === null) {
		throw new RestoreRefused(`no ${backupKeys.manifest(date)}: there is no complete backup of ${date}`);
	}
	const parsed = parseManifest(new TextDecoder().decode(manifestBytes));
	if (!parsed.ok) throw new RestoreRefused(parsed.problem);
	const { manifest } = parsed;
	if (manifest.date !== date)
		throw new RestoreRefused(`the manifest in ${backupKeys.folder(date)} is dated ${manifest.date}`);

	const migrationProblem = migrationMismatch(manifest, await targetMigrations(store));
	if (migrationProblem) throw new RestoreRefused(migrationProblem);
	const targetTables = (await store.query<{ name: string; sql: string | null }>(TABLES_SQL))
		.filter((table) => isBackedUp(table.name) && !isVirtual(table.sql))
		.map((table) => table.name);
	const tableProblem = tableMismatch(manifest, targetTables);
	if (tableProblem) throw new RestoreRefused(tableProblem);

	const data = new Map<string, TableData>();
	const problems: string[] = [];
	for (const entry of manifest.tables) {
		const checked = await verifyTable(entry, await store.getObject(entry.key));
		if (checked.ok) data.set(entry.name, checked.data);
		else problems.push(checked.problem);
	}
	if (problems.length > 0)
		throw new RestoreRefused(`the backup of ${date} does not match its manifest:\n  ${problems.join("\n  ")}`);

	await store.execute(restoreStatements(manifest, data));
	return {
		date,
		createdAt: manifest.created_at,
		tables: manifest.tables.map((table) => ({ name: table.name, rows: table.rows })),
	};
}

async function run(argv: string[]): Promise<void> {
	const args = parseRestoreArgs(argv);
	if (args === null) {
		console.log(USAGE);
		return;
	}
	if (!args.remote && args.persistTo === null) {
		const port = Number(process.env.PORT ?? "8787");
		if (await portInUse(port)) {
			throw new RestoreRefused(
				`something answers on 127.0.0.1:${port} (npm start?): stop it before restoring into the state it serves`,
			);
		}
	}
	const store = args.remote ? remoteStore() : await localStore(args.persistTo ?? DEFAULT_STATE_DIR);
	console.log(`restoring the backup of ${args.date} into ${store.label}`);
	try {
		const summary = await restore(store, args.date);
		const width = Math.max(...summary.tables.map((table) => table.name.length));
		console.log(`restored the backup of ${summary.date} (taken ${summary.createdAt}):`);
		for (const table of summary.tables) console.log(`  ${table.name.padEnd(width)}  ${table.rows} rows`);
		const rows = summary.tables.reduce((sum, table) => sum + table.rows, 0);
		console.log(`${summary.tables.length} tables, ${rows} rows; listings_fts rebuilt`);
	} finally {
		await store.close();
	}
}

export async function main(argv = process.argv.slice(2)): Promise<number> {
	try {
		await run(argv);
		return 0;
	} catch (error) {
		if (error instanceof UsageError) {
			console.error(`restore: ${error.message}\n\n${USAGE}`);
			return 2;
		}
		if (error instanceof RestoreRefused) {
			console.error(`restore refused, nothing was changed: ${error.message}`);
			return 1;
		}
		console.error(`restore failed (it runs as one unit, so nothing was written): ${wranglerMessage(error)}`);
		return 1;
	}
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
	process.exitCode = await main();
}
