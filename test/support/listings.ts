/** Test data helpers shared by the workerd and cross-Worker tests (no runtime APIs). */

export interface ListingSeed {
	id: string;
	seller_tenant_id: string;
	title: string;
	summary?: string;
	category?: string;
	asking_price_cents?: number;
	tech_stack?: string[];
	status?: "draft" | "active" | "under_offer" | "sold" | "archived";
	published_at?: string | null;
}

export function hexId(prefix: string, n: number): string {
	return `${prefix}_${n.toString(16).padStart(32, "0")}`;
}

/** An INSERT with bound values, for `db.prepare(sql).bind(...values)`. */
export function listingInsert(seed: ListingSeed): { sql: string; values: (string | number | null)[] } {
	const status = seed.status ?? "active";
	const published =
		seed.published_at === undefined ? (status === "draft" ? null : new Date().toISOString()) : seed.published_at;
	return {
		sql: `INSERT INTO listings (id, seller_tenant_id, title, summary, description, category, asking_price_cents,
		        currency, tech_stack, mrr_cents, revenue_cents, monthly_visitors, age_months, status, created_at,
		        updated_at, published_at)
		      VALUES (?, ?, ?, ?, '', ?, ?, 'USD', ?, NULL, NULL, NULL, NULL, ?, ?, ?, ?)`,
		values: [
			seed.id,
			seed.seller_tenant_id,
			seed.title,
			seed.summary ?? "",
			seed.category ?? "saas",
			seed.asking_price_cents ?? 1_000_000,
			JSON.stringify(seed.tech_stack ?? []),
			status,
			published ?? new Date().toISOString(),
			published ?? new Date().toISOString(),
			published,
		],
	};
}

export const tenantInsert = (id: string, kind: string) => ({
	sql: "INSERT OR IGNORE INTO tenants (id, kind, name, status, created_at, updated_at) VALUES (?, ?, ?, 'active', ?, ?)",
	values: [id, kind, id, new Date().toISOString(), new Date().toISOString()],
});
