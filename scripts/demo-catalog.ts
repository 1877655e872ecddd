/**
 * The demo marketplace's cast and catalogue (./demo-data.ts turns it into rows): its people,
 * listings in several states with their NDA and confidential details, and access requests in
 * every state, with the stable ids every run derives from their names, so seeding twice finds
 * the same rows.
 */
import { createHash } from "node:crypto";

export const stableHex = (name: string) => createHash("sha256").update(name).digest("hex").slice(0, 32);

export interface DemoUser {
	key: string;
	name: string;
	email: string;
	role: "seller" | "buyer" | "investor";
}

export const users: DemoUser[] = [
	{ key: "ada", name: "Ada Lovelace Ventures", email: "ada@seller.techflunky.test", role: "seller" },
	{ key: "grace", name: "Grace Hopper Labs", email: "grace@seller.techflunky.test", role: "seller" },
	{ key: "linus", name: "Linus Builds", email: "linus@seller.techflunky.test", role: "seller" },
	{ key: "barbara", name: "Barbara Liskov", email: "barbara@buyer.techflunky.test", role: "buyer" },
	{ key: "ken", name: "Ken Thompson", email: "ken@buyer.techflunky.test", role: "buyer" },
	{ key: "frances", name: "Frances Allen Capital", email: "frances@investor.techflunky.test", role: "investor" },
];

/**
 * Confidential details in the shape `confidentialSchema` (workers/user/listings/views.ts) accepts;
 * not imported from there, because that module's types need the Workers runtime types.
 */
export interface Confidential {
	legal_name: string;
	website_url: string;
	financials: string;
	notes?: string;
}

export interface DemoListing {
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
	/** Encrypted into `listings.confidential`. */
	confidential: Confidential;
}

export const listings: DemoListing[] = [
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
		confidential: {
			legal_name: "Invoicely Software Ltd",
			website_url: "https://invoicely.example",
			financials:
				"TTM revenue $132,000; net profit $96,400 (73% margin). Costs: hosting $310/mo, support contractor $1,200/mo, Stripe fees. Monthly logo churn 2.1%.",
			notes: "Founder stays 3 months for the handover; the Stripe account and domain transfer with the business.",
		},
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
		confidential: {
			legal_name: "PlantPal Apps ApS",
			website_url: "https://plantpal.example",
			financials:
				"TTM revenue $24,000 (app store subscriptions, net of fees); net profit $17,900. Firebase and ML hosting $140/mo.",
			notes: "The plant-ID model is trained on licensed images; the licence transfers on sale.",
		},
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
		confidential: {
			legal_name: "ShopWave Home LLC",
			website_url: "https://shopwave.example",
			financials:
				"TTM revenue $410,000; gross margin 38%; net profit $61,500 after ads, 3PL and payroll. Inventory at cost: $28,000 (included).",
			notes: "Top three suppliers hold 70% of volume; supplier contracts are assignable.",
		},
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
		confidential: {
			legal_name: "PromptForge Inc.",
			website_url: "https://promptforge.example",
			financials:
				"MRR $6,400, growing 12% month over month; TTM revenue $51,000; monthly burn $2,900 (model API credits and hosting).",
			notes: "Two enterprise pilots in negotiation; the pipeline and contacts are shared after approval.",
		},
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
		confidential: {
			legal_name: "RemoteRust OÜ",
			website_url: "https://remoterust.example",
			financials: "TTM revenue $43,000 (postings $31,000, newsletter sponsorship $12,000); net profit $38,200.",
			notes: "Newsletter list is double opt-in and exports with consent records.",
		},
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
		confidential: {
			legal_name: "Weeknight Kitchen Media LLC",
			website_url: "https://weeknightkitchen.example",
			financials: "TTM revenue $19,000 (display ads $14,500, affiliate $4,500); costs $1,100/yr hosting and plugins.",
		},
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
		confidential: {
			legal_name: "Pixel & Prose Studio Ltd",
			website_url: "https://pixelandprose.example",
			financials: "TTM revenue $108,000 from four retainer clients; two freelancers on monthly contracts.",
		},
		publishedDaysAgo: 0,
	},
];

type AccessRequestStatus = "pending" | "approved" | "declined" | "revoked";

export interface DemoAccessRequest {
	listing: string;
	buyer: string;
	status: AccessRequestStatus;
	message: string;
	/** Hours before now that the buyer accepted the NDA and asked: after the listing was published. */
	askedHoursAgo: number;
	/** Hours before now that the seller approved, declined or revoked; absent while pending. */
	decidedHoursAgo?: number;
}

export const accessRequests: DemoAccessRequest[] = [
	{
		listing: "invoicely",
		buyer: "barbara",
		status: "approved",
		message: "Looking for a full acquisition; funds are ready and I can close within 30 days.",
		askedHoursAgo: 40,
		decidedHoursAgo: 30,
	},
	{
		listing: "invoicely",
		buyer: "ken",
		status: "pending",
		message: "Could you share churn by signup cohort?",
		askedHoursAgo: 5,
	},
	{
		listing: "promptforge",
		buyer: "frances",
		status: "approved",
		message: "Evaluating for our developer-tools fund.",
		askedHoursAgo: 20,
		decidedHoursAgo: 18,
	},
	{ listing: "promptforge", buyer: "barbara", status: "pending", message: "", askedHoursAgo: 3 },
	{
		listing: "shopwave",
		buyer: "ken",
		status: "declined",
		message: "Quick look at the supplier terms, please.",
		askedHoursAgo: 150,
		decidedHoursAgo: 120,
	},
	{ listing: "devjobs", buyer: "barbara", status: "revoked", message: "", askedHoursAgo: 300, decidedHoursAgo: 100 },
];

export function lookup<T extends { key: string }>(items: readonly T[], key: string): T {
	const found = items.find((item) => item.key === key);
	if (!found) throw new Error(`no demo entry ${key}`);
	return found;
}

export const tenantIdOf = (key: string) => {
	const user = lookup(users, key);
	return `${user.role}_${stableHex(`tenant:${user.key}`)}`;
};
export const userIdOf = (key: string) => `usr_${stableHex(`user:${key}`)}`;
/** The stable id of a demo listing, e.g. `demoListingId("invoicely")`. */
export const demoListingId = (key: string) => `lst_${stableHex(`listing:${key}`)}`;
export const accessRequestId = (request: DemoAccessRequest) =>
	`acr_${stableHex(`access-request:${request.listing}:${request.buyer}`)}`;
export const shortTitle = (listing: DemoListing) => listing.title.split(" — ")[0] ?? listing.title;
export const emailOf = (key: string) => lookup(users, key).email;

/** Version 1 of every demo listing's NDA. */
export function ndaText(listing: DemoListing): string {
	const seller = lookup(users, listing.seller).name;
	return [
		`By asking for access you agree to keep everything ${seller} shares about "${shortTitle(listing)}"`,
		"(its legal name, website, financials, notes and files) confidential; to use it only to evaluate",
		"acquiring or investing in the business; not to contact its customers, staff or suppliers without",
		"the seller's written consent; and to delete it if no deal follows. These terms last two years.",
	].join(" ");
}
