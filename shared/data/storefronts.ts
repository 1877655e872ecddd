/**
 * Storefronts and featured listings in D1, through the tenant scope (./scope.ts).
 *
 * A storefront is public by nature, so reading one needs no predicate; its listings come from
 * the `public_listings` view like every other public read, so a draft or an archived listing can
 * never reach a storefront. Writing one is the seller's own row only: the key is the verified
 * tenant, never an input. The slug's uniqueness is the table's (`UNIQUE`), so two sellers racing
 * for one slug cannot both win; the loser's write is answered as `taken`, like a slug already held.
 *
 * Featuring is an admin's write on a listing the seller owns: it touches only `featured_at` and
 * `featured_by`, never `updated_at` (the seller's edits are guarded by it), and is guarded by the
 * state it was read in, so its audit row (an outbox message after it in the same batch) is written
 * exactly when it changed something.
 */
import type { Position } from "../http/cursor.ts";
import { PUBLIC_COLUMNS, type PublicListingRecord } from "./listings.ts";
import type { Scope } from "./scope.ts";

export interface StorefrontRecord {
	seller_tenant_id: string;
	slug: string;
	display_name: string;
	bio: string;
	/** When the seller's tenant was made. */
	since: string;
	created_at: string;
	updated_at: string;
}

export interface StorefrontFields {
	slug: string;
	display_name: string;
	bio: string;
}

export interface SellerRecord {
	seller_tenant_id: string;
	since: string;
	slug: string | null;
	display_name: string | null;
	public_listings: number;
}

/** What featuring needs to know of a listing. */
export interface FeatureTarget {
	id: string;
	seller_tenant_id: string;
	status: string;
	featured_at: string | null;
}

export type PutOutcome = { status: "created" | "updated"; storefront: StorefrontRecord } | { status: "taken" };

const STOREFRONT_SELECT = `SELECT s.seller_tenant_id, s.slug, s.display_name, s.bio, t.created_at AS since,
	       s.created_at, s.updated_at
	FROM storefronts s JOIN tenants t ON t.id = s.seller_tenant_id`;

/** Where a public listing sits in a storefront's order: when it was published (created, had it never been). */
const POSITION = "COALESCE(v.published_at, v.created_at)";

function isSlugTaken(error: unknown): boolean {
	const text = `${error instanceof Error ? error.message : String(error)} ${
		error instanceof Error && error.cause instanceof Error ? error.cause.message : ""
	}`;
	return text.includes("UNIQUE constraint failed: storefronts.slug");
}

export function storefrontsData(db: D1Database, scope: Scope) {
	const own = () =>
		scope.tenantId === null
			? Promise.resolve(null)
			: db.prepare(`${STOREFRONT_SELECT} WHERE s.seller_tenant_id = ?`).bind(scope.tenantId).first<StorefrontRecord>();

	return {
		/** The storefront `slug` names, or `null`. */
		bySlug(slug: string): Promise<StorefrontRecord | null> {
			return db.prepare(`${STOREFRONT_SELECT} WHERE s.slug = ?`).bind(slug).first<StorefrontRecord>();
		},

		/** A page of `sellerTenantId`'s public listings (active, under offer, sold), newest published first. */
		async listings(
			sellerTenantId: string,
			filters: { limit: number; cursor?: Position },
		): Promise<{ rows: PublicListingRecord[]; more: boolean }> {
			const where = ["v.seller_tenant_id = ?"];
			const binds: (string | number)[] = [sellerTenantId];
			if (filters.cursor) {
				where.push(`(${POSITION}, v.id) < (?, ?)`);
				binds.push(...filters.cursor);
			}
			const { results } = await db
				.prepare(
					`SELECT ${PUBLIC_COLUMNS.map((column) => `v.${column}`).join(", ")}
					 FROM public_listings v WHERE ${where.join(" AND ")}
					 ORDER BY ${POSITION} DESC, v.id DESC LIMIT ?`,
				)
				.bind(...binds, filters.limit + 1)
				.all<PublicListingRecord>();
			return { rows: results.slice(0, filters.limit), more: results.length > filters.limit };
		},

		/** The caller's own storefront, or `null` (a guest has none). */
		own,

		/**
		 * Sets up or replaces the caller's storefront. A slug another seller holds is `taken`, also
		 * when that seller took it a moment ago (the `UNIQUE` constraint decides the race).
		 */
		async put(fields: StorefrontFields, now: string): Promise<PutOutcome> {
			if (scope.tenantId === null) throw new Error("a guest has no storefront");
			const holder = await db
				.prepare("SELECT seller_tenant_id FROM storefronts WHERE slug = ?")
				.bind(fields.slug)
				.first<{ seller_tenant_id: string }>();
			if (holder && holder.seller_tenant_id !== scope.tenantId) return { status: "taken" };
			const before = await own();
			try {
				await db
					.prepare(
						`INSERT INTO storefronts (seller_tenant_id, slug, display_name, bio, created_at, updated_at)
						 VALUES (?, ?, ?, ?, ?, ?)
						 ON CONFLICT (seller_tenant_id) DO UPDATE SET slug = excluded.slug,
						   display_name = excluded.display_name, bio = excluded.bio, updated_at = excluded.updated_at`,
					)
					.bind(scope.tenantId, fields.slug, fields.display_name, fields.bio, now, now)
					.run();
			} catch (error) {
				if (isSlugTaken(error)) return { status: "taken" };
				throw new Error("storefront write failed", { cause: error });
			}
			const storefront = await own();
			if (!storefront) throw new Error(`storefront of ${scope.tenantId} missing after its write`);
			return { status: before ? "updated" : "created", storefront };
		},

		/** A seller's public summary, or `null` for a tenant that does not exist or is not a seller. */
		seller(tenantId: string): Promise<SellerRecord | null> {
			return db
				.prepare(
					`SELECT t.id AS seller_tenant_id, t.created_at AS since, s.slug, s.display_name,
					        (SELECT COUNT(*) FROM public_listings v WHERE v.seller_tenant_id = t.id) AS public_listings
					 FROM tenants t LEFT JOIN storefronts s ON s.seller_tenant_id = t.id
					 WHERE t.id = ? AND t.kind = 'seller'`,
				)
				.bind(tenantId)
				.first<SellerRecord>();
		},
	};
}

/** Featuring listings: admins only (the route's policy, and again here). */
export function featuringData(db: D1Database, scope: Scope) {
	const requireAdmin = () => {
		if (!scope.isAdmin) throw new Error("only an admin features listings");
	};
	return {
		/** Any listing, whoever owns it, with what featuring is decided on; `null` when there is none. */
		target(id: string): Promise<FeatureTarget | null> {
			requireAdmin();
			return db
				.prepare("SELECT id, seller_tenant_id, status, featured_at FROM listings WHERE id = ?")
				.bind(id)
				.first<FeatureTarget>();
		},

		/** Features an active listing that is not featured yet; changes one row or none. */
		feature(id: string, now: string): D1PreparedStatement {
			requireAdmin();
			return db
				.prepare(
					`UPDATE listings SET featured_at = ?, featured_by = ?
					 WHERE id = ? AND status = 'active' AND featured_at IS NULL`,
				)
				.bind(now, scope.tenantId, id);
		},

		/** Stops featuring a featured listing; changes one row or none. */
		unfeature(id: string): D1PreparedStatement {
			requireAdmin();
			return db
				.prepare("UPDATE listings SET featured_at = NULL, featured_by = NULL WHERE id = ? AND featured_at IS NOT NULL")
				.bind(id);
		},
	};
}

export type StorefrontsData = ReturnType<typeof storefrontsData>;
