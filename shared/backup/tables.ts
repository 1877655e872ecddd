/**
 * Which tables a backup holds, and in what order a restore writes them. Every table of
 * `sqlite_master` except SQLite's and D1's own (`sqlite_%`, `_cf_%`), `d1_migrations` (kept as
 * the manifest's list of migrations instead) and the FTS5 table over `listings` with its shadow
 * tables (`listings_fts%`: derived data, rebuilt from `listings` by the restore). Views are not
 * tables. The order puts every table after the tables its foreign keys reference, so a restore's
 * INSERTs satisfy them even without `defer_foreign_keys`, and its DELETEs run in reverse.
 */

/** The FTS5 tables a restore rebuilds after the rows are back (external content, keyed by rowid). */
export const FTS_TABLES = ["listings_fts"] as const;

const SKIPPED = [/^sqlite_/i, /^_cf_/i, /^d1_migrations$/i, /^listings_fts/i];

/** Whether a `sqlite_master` table of type 'table' is one a backup holds. */
export function isBackedUp(name: string): boolean {
	return !SKIPPED.some((pattern) => pattern.test(name));
}

/** `sql` of `sqlite_master`: a virtual table (FTS5 or other) is never backed up as rows. */
export function isVirtual(sql: string | null): boolean {
	return sql !== null && /^\s*CREATE\s+VIRTUAL\s+TABLE/i.test(sql);
}

export interface ForeignKey {
	/** The table that holds the reference. */
	from: string;
	/** The table it references. */
	to: string;
}

/**
 * The tables sorted parents first (Kahn's algorithm, ties by name so the order is stable).
 * A self-reference is no constraint between tables; a cycle (none in the schema) keeps its
 * tables in name order after the rest, and the restore's deferred foreign keys cover it.
 */
export function foreignKeyOrder(tables: readonly string[], keys: readonly ForeignKey[]): string[] {
	const known = new Set(tables);
	const parents = new Map(tables.map((table) => [table, new Set<string>()]));
	for (const key of keys) {
		if (key.from !== key.to && known.has(key.from) && known.has(key.to)) parents.get(key.from)?.add(key.to);
	}
	const ordered: string[] = [];
	const placed = new Set<string>();
	let ready = [...tables].filter((table) => parents.get(table)?.size === 0).sort();
	while (ready.length > 0) {
		const next = ready.shift() as string;
		ordered.push(next);
		placed.add(next);
		ready = [
			...ready,
			...tables.filter(
				(table) =>
					!placed.has(table) && !ready.includes(table) && [...(parents.get(table) ?? [])].every((p) => placed.has(p)),
			),
		].sort();
	}
	return [...ordered, ...[...tables].filter((table) => !placed.has(table)).sort()];
}
