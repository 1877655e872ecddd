/**
 * Demo data for local runs: sellers, buyers, an investor and listings in several states, so a
 * newcomer sees a working marketplace at once. Ids are derived from stable names and every
 * statement is `INSERT OR IGNORE`, so seeding twice changes nothing.
 */
import { createHash } from "node:crypto";
import { hashPassword } from "../shared/password.ts";

export const DEMO_PASSWORD = "demo-password-2026";

const stableHex = (name: string) => createHash("sha256").update(name).digest("hex").slice(0, 32);

interface DemoUser {
	key: string;
	name: string;
	email: string;
	role: "seller" | "buyer" | "investor";
}

const users: DemoUser[] = [
	{ key: "ada", name: "Ada Lovelace Ventures", email: "ada@seller.techflunky.test", role: "seller" },
	{ key: "grace", name: "Grace Hopper Labs", email: "grace@seller.techflunky.test", role: "seller" },
	{ key: "linus", name: "Linus Builds", email: "linus@seller.techflunky.test", role: "seller" },
	{ key: "barbara", name: "Barbara Liskov", email: "barbara@buyer.techflunky.test", role: "buyer" },
	{ key: "ken", name: "Ken Thompson", email: "ken@buyer.techflunky.test", role: "buyer" },
	{ key: "frances", name: "Frances Allen Capital", email: "frances@investor.techflunky.test", role: "investor" },
];

interface DemoListing {
	key: string;
	seller: string;
	title: string;
	summary: string;
	description: string;
	category: string;
	price: number;
	stack: string[];
	mrr: number | null;
	revenue: number | null;
	visitors: number | null;
	age: number | null;
	status: "draft" | "active";
	/** Days before now that it was published. */
	publishedDaysAgo: number;
}

const listings: DemoListing[] = [
	{
		key: "invoicely",
		seller: "ada",
		title: "Invoicely — invoicing SaaS for freelancers",
		summary: "Profitable B2B SaaS with 1,200 paying customers and low churn.",
		description: "Recurring invoices, Stripe and PayPal payouts, multi-currency. Founder-run, 4 hours a week.",
		category: "saas",
		price: 48_000_000,
		stack: ["TypeScript", "Cloudflare Workers", "D1", "Stripe"],
		mrr: 1_150_000,
		revenue: 13_200_000,
		visitors: 38_000,
		age: 41,
		status: "active",
		publishedDaysAgo: 2,
	},
	{
		key: "plantpal",
		seller: "ada",
		title: "PlantPal — houseplant care app",
		summary: "iOS and Android app with 90k downloads and a premium tier.",
		description: "Care reminders, plant ID with on-device ML, subscription via app stores.",
		category: "mobile_app",
		price: 9_500_000,
		stack: ["Swift", "Kotlin", "Firebase"],
		mrr: 210_000,
		revenue: 2_400_000,
		visitors: null,
		age: 26,
		status: "active",
		publishedDaysAgo: 5,
	},
	{
		key: "shopwave",
		seller: "grace",
		title: "ShopWave — sustainable homeware store",
		summary: "Shopify store with its own supplier network and 14% repeat rate.",
		description: "Dropship and own-stock mix, 3PL in place, strong organic Instagram presence.",
		category: "ecommerce",
		price: 22_000_000,
		stack: ["Shopify", "Klaviyo"],
		mrr: null,
		revenue: 41_000_000,
		visitors: 120_000,
		age: 52,
		status: "active",
		publishedDaysAgo: 9,
	},
	{
		key: "promptforge",
		seller: "grace",
		title: "PromptForge — AI prompt management for teams",
		summary: "Versioned prompts, evals and a playground; 60 team accounts.",
		description: "Early but growing 12% month over month; integrates with the major model APIs.",
		category: "ai",
		price: 35_000_000,
		stack: ["Python", "FastAPI", "React", "PostgreSQL"],
		mrr: 640_000,
		revenue: 5_100_000,
		visitors: 22_000,
		age: 14,
		status: "active",
		publishedDaysAgo: 1,
	},
	{
		key: "devjobs",
		seller: "linus",
		title: "RemoteRust — niche job board",
		summary: "Job board for Rust engineers with 18k newsletter subscribers.",
		description: "Paid postings and a sponsor slot in the weekly newsletter.",
		category: "marketplace",
		price: 12_000_000,
		stack: ["Rust", "Axum", "SQLite"],
		mrr: 380_000,
		revenue: 4_300_000,
		visitors: 45_000,
		age: 33,
		status: "active",
		publishedDaysAgo: 14,
	},
	{
		key: "cookblog",
		seller: "linus",
		title: "Weeknight Kitchen — recipe blog",
		summary: "Content site with 300 recipes, display ads and affiliate income.",
		description: "Evergreen traffic from search; no paid acquisition.",
		category: "content",
		price: 6_000_000,
		stack: ["WordPress"],
		mrr: null,
		revenue: 1_900_000,
		visitors: 210_000,
		age: 70,
		status: "active",
		publishedDaysAgo: 21,
	},
	{
		key: "studio",
		seller: "linus",
		title: "Pixel & Prose — design agency (draft)",
		summary: "Small agency with retainer clients; listing still being prepared.",
		description: "Draft listing: only its seller sees it.",
		category: "agency",
		price: 15_000_000,
		stack: ["Figma", "Webflow"],
		mrr: 900_000,
		revenue: 10_800_000,
		visitors: null,
		age: 60,
		status: "draft",
		publishedDaysAgo: 0,
	},
];

const quote = (value: string | number | null) =>
	value === null ? "NULL" : typeof value === "number" ? String(value) : `'${value.replaceAll("'", "''")}'`;

export async function demoDataSql(pepper: string, now = new Date()): Promise<string> {
	const at = now.toISOString();
	const statements: string[] = [];
	const tenantOf = new Map<string, string>();
	for (const user of users) {
		const tenantId = `${user.role}_${stableHex(`tenant:${user.key}`)}`;
		tenantOf.set(user.key, tenantId);
		const hash = await hashPassword(DEMO_PASSWORD, pepper);
		statements.push(
			`INSERT OR IGNORE INTO tenants (id, kind, name, status, created_at, updated_at) VALUES (${quote(tenantId)}, ${quote(user.role)}, ${quote(user.name)}, 'active', ${quote(at)}, ${quote(at)});`,
			`INSERT OR IGNORE INTO users (id, tenant_id, email, name, role, password_hash, created_at, updated_at) VALUES (${quote(`usr_${stableHex(`user:${user.key}`)}`)}, ${quote(tenantId)}, ${quote(user.email)}, ${quote(user.name)}, ${quote(user.role)}, ${quote(hash)}, ${quote(at)}, ${quote(at)});`,
		);
	}
	for (const listing of listings) {
		const published =
			listing.status === "active"
				? new Date(now.getTime() - listing.publishedDaysAgo * 86_400_000).toISOString()
				: null;
		statements.push(
			`INSERT OR IGNORE INTO listings (id, seller_tenant_id, title, summary, description, category, asking_price_cents, currency, tech_stack, mrr_cents, revenue_cents, monthly_visitors, age_months, status, created_at, updated_at, published_at) VALUES (${[
				quote(`lst_${stableHex(`listing:${listing.key}`)}`),
				quote(tenantOf.get(listing.seller) ?? ""),
				quote(listing.title),
				quote(listing.summary),
				quote(listing.description),
				quote(listing.category),
				quote(listing.price),
				quote("USD"),
				quote(JSON.stringify(listing.stack)),
				quote(listing.mrr),
				quote(listing.revenue),
				quote(listing.visitors),
				quote(listing.age),
				quote(listing.status),
				quote(published ?? at),
				quote(published ?? at),
				quote(published),
			].join(", ")});`,
		);
	}
	return statements.join("\n");
}

export const demoUsers = users;
