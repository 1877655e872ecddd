/**
 * SQLite helpers for Durable Objects: a tagged-template query helper (values are always bound,
 * never interpolated) and the in-constructor schema migration runner.
 *
 * Migrations are an ordered, append-only list. They run synchronously in the constructor, each
 * step in its own `transactionSync` together with its row in `_migrations`, so a half-applied
 * step is impossible and an object never serves a request on an old schema.
 */

export type SqlValue = string | number | null | ArrayBuffer;

export interface Migration {
	/** 1, 2, 3, … in order; never renumber or edit an applied step. */
	version: number;
	name: string;
	up: (sql: SqlStorage) => void;
}

export function migrate(storage: DurableObjectStorage, migrations: readonly Migration[]): number {
	storage.sql.exec(
		"CREATE TABLE IF NOT EXISTS _migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
	);
	const row = storage.sql.exec<{ v: number | null }>("SELECT max(version) AS v FROM _migrations").one();
	let current = row.v ?? 0;
	for (const step of migrations) {
		if (step.version <= current) continue;
		if (step.version !== current + 1) throw new Error(`migration ${step.version} is out of order`);
		storage.transactionSync(() => {
			step.up(storage.sql);
			storage.sql.exec(
				"INSERT INTO _migrations (version, name, applied_at) VALUES (?, ?, ?)",
				step.version,
				step.name,
				Date.now(),
			);
		});
		current = step.version;
	}
	return current;
}

/** `query(sql)\`SELECT * FROM t WHERE id = ${id}\`` → rows, with every value bound. */
export function query(sql: SqlStorage) {
	return <T extends Record<string, SqlStorageValue>>(strings: TemplateStringsArray, ...values: SqlValue[]): T[] =>
		sql.exec<T>(strings.join("?"), ...values).toArray();
}
