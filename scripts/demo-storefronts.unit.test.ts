import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { storefrontBody } from "../shared/contract/routes/storefronts.ts";
import { migratedDatabase } from "../test/topology/seed.ts";
import { demoData, demoGuide, demoListingId } from "./demo-data.ts";
import { demoFeatured, demoStorefronts } from "./demo-storefronts.ts";

const secrets = { pepper: "test-pepper", encryptionKey: randomBytes(32).toString("base64") };
const now = new Date("2026-11-26T12:00:00.000Z");
const demo = await demoData(secrets, now);

function seeded() {
	const db = migratedDatabase();
	db.exec(demo.sql);
	return db;
}

const featuredIds = (db: ReturnType<typeof seeded>) =>
	(db.prepare("SELECT id FROM listings WHERE featured_at IS NOT NULL ORDER BY id").all() as { id: string }[]).map(
		(row) => row.id,
	);

describe("the demo storefronts", () => {
	it("gives each demo seller a storefront the contract accepts", () => {
		const rows = seeded()
			.prepare("SELECT s.*, t.kind FROM storefronts s JOIN tenants t ON t.id = s.seller_tenant_id")
			.all() as { slug: string; display_name: string; bio: string; kind: string }[];
		expect(rows.map((row) => row.slug).sort()).toEqual(demoStorefronts.map((storefront) => storefront.slug).sort());
		for (const row of rows) {
			expect(row.kind).toBe("seller");
			const parsed = storefrontBody.safeParse({ slug: row.slug, display_name: row.display_name, bio: row.bio });
			expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
		}
	});

	it("features active demo listings, and seeding again leaves an admin's choice alone", async () => {
		const db = seeded();
		const featured = demoFeatured.map(demoListingId).sort();
		expect(featuredIds(db)).toEqual(featured);
		const statuses = db.prepare(`SELECT DISTINCT status FROM listings WHERE featured_at IS NOT NULL`).all() as {
			status: string;
		}[];
		expect(statuses).toEqual([{ status: "active" }]);

		const [kept, ...dropped] = featured;
		db.prepare("UPDATE listings SET featured_at = NULL WHERE id <> ?").run(kept ?? "");
		db.exec((await demoData(secrets, new Date(now.getTime() + 86_400_000))).sql);
		expect(featuredIds(db)).toEqual([kept]);
		expect(dropped.length).toBeGreaterThan(0);
	});

	it("keeps a storefront its seller has changed", async () => {
		const db = seeded();
		const [first] = demoStorefronts;
		db.prepare("UPDATE storefronts SET slug = 'renamed-shop' WHERE slug = ?").run(first?.slug ?? "");
		db.exec(demo.sql);
		const slugs = (db.prepare("SELECT slug FROM storefronts").all() as { slug: string }[]).map((row) => row.slug);
		expect(slugs).toContain("renamed-shop");
		expect(slugs).not.toContain(first?.slug);
	});

	it("lists the storefronts' addresses in the guide", () => {
		const guide = demoGuide("http://localhost:9999");
		for (const storefront of demoStorefronts) expect(guide).toContain(`http://${storefront.slug}.localhost:9999/`);
	});
});
