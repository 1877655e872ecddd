/**
 * The demo sellers' storefronts and the listings featured on the home page, for `demoData`
 * (./demo-data.ts), which resolves the demo names to their stable ids.
 *
 * Like the rest of the demo data, seeding twice changes nothing: a storefront is
 * `INSERT OR IGNORE` (a seller who has changed theirs keeps it, a slug someone else took stays
 * theirs), and the demo listings are featured only while nothing at all is featured, so once an
 * admin has chosen what the home page shows, seeding leaves it alone.
 */

interface DemoStorefront {
	/** The demo seller's key in ./demo-data.ts. */
	seller: string;
	slug: string;
	displayName: string;
	bio: string;
}

export const demoStorefronts: readonly DemoStorefront[] = [
	{
		seller: "ada",
		slug: "ada-ventures",
		displayName: "Ada Lovelace Ventures",
		bio: "Founder-run software businesses, sold with their numbers open and a real handover.",
	},
	{
		seller: "grace",
		slug: "grace-labs",
		displayName: "Grace Hopper Labs",
		bio: "E-commerce and AI products we built, grew and now hand on to new owners.",
	},
	{
		seller: "linus",
		slug: "linus-builds",
		displayName: "Linus Builds",
		bio: "Niche job boards, content sites and small agencies for developers.",
	},
];

/** Demo listings (keys in ./demo-data.ts) featured on the home page. */
export const demoFeatured: readonly string[] = ["invoicely", "shopwave", "devjobs"];

export interface DemoIds {
	tenantIdOf(seller: string): string;
	listingIdOf(listing: string): string;
}

const quote = (value: string) => `'${value.replaceAll("'", "''")}'`;

/** The statements, after the demo tenants and listings exist. */
export function demoStorefrontStatements(ids: DemoIds, at: string): string[] {
	const storefronts = demoStorefronts.map(
		(storefront) =>
			`INSERT OR IGNORE INTO storefronts (seller_tenant_id, slug, display_name, bio, created_at, updated_at) VALUES (${[
				ids.tenantIdOf(storefront.seller),
				storefront.slug,
				storefront.displayName,
				storefront.bio,
				at,
				at,
			]
				.map(quote)
				.join(", ")});`,
	);
	const featured = demoFeatured.map((key) => quote(ids.listingIdOf(key))).join(", ");
	// One statement, so its NOT EXISTS sees the table as it was before any of the demo rows changed.
	const feature = `UPDATE listings SET featured_at = ${quote(at)} WHERE id IN (${featured}) AND status = 'active' AND NOT EXISTS (SELECT 1 FROM listings WHERE featured_at IS NOT NULL);`;
	return [...storefronts, feature];
}

/** Where the demo storefronts answer, for the guide; `base` is where the platform answers. */
export function demoStorefrontGuide(base: string): string[] {
	const url = new URL(base);
	return [
		"Storefronts:",
		...demoStorefronts.map(
			(storefront) => `  ${url.protocol}//${storefront.slug}.${url.host}/ (${storefront.displayName})`,
		),
	];
}
