/**
 * Demo data for local runs: sellers, buyers, an investor, listings in several states with their
 * NDA and encrypted confidential details, access requests in every state, and small files on two
 * listings, so a newcomer sees a working marketplace at once (`demoGuide` says what to try).
 *
 * Ids are derived from stable names and every row is `INSERT OR IGNORE` (plus one-time fill-ins
 * for listings seeded before migration 0003 and for demo users seeded before 0011, whose
 * addresses are verified), so seeding twice changes nothing. Envelopes carry a random IV, so the SQL text differs between calls while the rows it
 * would insert do not; file bytes are fixed (no clock), so re-putting an object writes the same
 * bytes that the row's `sha256` names. The files are generated here: no binaries in git.
 */
import { createHash } from "node:crypto";
import { crc32, deflateSync } from "node:zlib";
import { encryptField, importEncryptionKey } from "../shared/crypto/aes-gcm.ts";
import { hashPassword } from "../shared/password.ts";
import { demoStorefrontGuide, demoStorefrontStatements } from "./demo-storefronts.ts";

export const DEMO_PASSWORD = "demo-password-2026";

/** The R2 bucket behind the `ATTACHMENTS` binding (wrangler.toml, workers/user/wrangler.toml). */
export const ATTACHMENTS_BUCKET = "techflunky-attachments";

const stableHex = (name: string) => createHash("sha256").update(name).digest("hex").slice(0, 32);
const sha256Hex = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

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

/**
 * Confidential details in the shape `confidentialSchema` (workers/user/listings/views.ts) accepts;
 * not imported from there, because that module's types need the Workers runtime types.
 */
interface Confidential {
	legal_name: string;
	website_url: string;
	financials: string;
	notes?: string;
}

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
	/** Encrypted into `listings.confidential`. */
	confidential: Confidential;
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

interface DemoAccessRequest {
	listing: string;
	buyer: string;
	status: AccessRequestStatus;
	message: string;
	/** Hours before now that the buyer accepted the NDA and asked: after the listing was published. */
	askedHoursAgo: number;
	/** Hours before now that the seller approved, declined or revoked; absent while pending. */
	decidedHoursAgo?: number;
}

const accessRequests: DemoAccessRequest[] = [
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

interface DemoAttachment {
	listing: string;
	name: string;
	contentType: "application/pdf" | "text/csv" | "image/png";
	build: (listing: DemoListing) => Uint8Array;
}

const attachments: DemoAttachment[] = [
	{ listing: "invoicely", name: "pitch-deck.pdf", contentType: "application/pdf", build: pitchDeckPdf },
	{ listing: "invoicely", name: "metrics.csv", contentType: "text/csv", build: metricsCsv },
	{ listing: "invoicely", name: "logo.png", contentType: "image/png", build: logoPng },
	{ listing: "promptforge", name: "pitch-deck.pdf", contentType: "application/pdf", build: pitchDeckPdf },
];

function lookup<T extends { key: string }>(items: readonly T[], key: string): T {
	const found = items.find((item) => item.key === key);
	if (!found) throw new Error(`no demo entry ${key}`);
	return found;
}

const tenantIdOf = (key: string) => {
	const user = lookup(users, key);
	return `${user.role}_${stableHex(`tenant:${user.key}`)}`;
};
const userIdOf = (key: string) => `usr_${stableHex(`user:${key}`)}`;
/** The stable id of a demo listing, e.g. `demoListingId("invoicely")`. */
export const demoListingId = (key: string) => `lst_${stableHex(`listing:${key}`)}`;
const accessRequestId = (request: DemoAccessRequest) =>
	`acr_${stableHex(`access-request:${request.listing}:${request.buyer}`)}`;
const shortTitle = (listing: DemoListing) => listing.title.split(" — ")[0] ?? listing.title;
const emailOf = (key: string) => lookup(users, key).email;

/** Version 1 of every demo listing's NDA. */
function ndaText(listing: DemoListing): string {
	const seller = lookup(users, listing.seller).name;
	return [
		`By asking for access you agree to keep everything ${seller} shares about "${shortTitle(listing)}"`,
		"(its legal name, website, financials, notes and files) confidential; to use it only to evaluate",
		"acquiring or investing in the business; not to contact its customers, staff or suppliers without",
		"the seller's written consent; and to delete it if no deal follows. These terms last two years.",
	].join(" ");
}

const dollars = (cents: number) => `$${(cents / 100).toLocaleString("en-US")}`;

/** Text for a PDF string literal: printable ASCII only (the standard Helvetica font needs no more). */
const pdfText = (text: string) =>
	text
		.replaceAll("—", "-")
		.replace(/[^\x20-\x7e]/g, "?")
		.replace(/[\\()]/g, "\\$&");

/** A one-page PDF 1.4 with the listing's headline facts; ASCII throughout, so offsets are string lengths. */
function pitchDeckPdf(listing: DemoListing): Uint8Array {
	const lines = [
		listing.summary,
		"",
		`Asking price: ${dollars(listing.price)}`,
		listing.mrr === null ? null : `MRR: ${dollars(listing.mrr)}`,
		listing.revenue === null ? null : `Revenue, trailing twelve months: ${dollars(listing.revenue)}`,
		`Stack: ${listing.stack.join(", ")}`,
		"",
		"Confidential: shared under the listing's NDA, version 1.",
	].filter((line) => line !== null);
	const content = [
		"BT",
		"/F1 20 Tf 72 720 Td",
		`(${pdfText(listing.title)}) Tj`,
		"/F1 12 Tf 0 -36 Td 16 TL",
		...lines.map((line) => `(${pdfText(line)}) Tj T*`),
		"ET",
	].join("\n");
	const objects = [
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		`<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
	];
	let pdf = "%PDF-1.4\n";
	const offsets: number[] = [];
	for (const [index, body] of objects.entries()) {
		offsets.push(pdf.length);
		pdf += `${index + 1} 0 obj\n${body}\nendobj\n`;
	}
	const xref = pdf.length;
	pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
	pdf += offsets.map((offset) => `${String(offset).padStart(10, "0")} 00000 n \n`).join("");
	pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
	return new TextEncoder().encode(pdf);
}

/** Twelve fixed months (no clock, so the bytes never change) rising to the listing's MRR. */
function metricsCsv(listing: DemoListing): Uint8Array {
	const rows = ["month,mrr_usd,paying_customers,churned_customers"];
	for (let i = 0; i < 12; i++) {
		const month = `${i < 3 ? 2025 : 2026}-${String(((i + 9) % 12) + 1).padStart(2, "0")}`;
		const mrr = Math.round(((listing.mrr ?? 0) * (0.8 + (0.2 * i) / 11)) / 100);
		const customers = Math.round(mrr / 9.6);
		rows.push(`${month},${mrr},${customers},${Math.round(customers * 0.021)}`);
	}
	return new TextEncoder().encode(`${rows.join("\n")}\n`);
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function pngChunk(type: string, data: Uint8Array): Uint8Array {
	const chunk = new Uint8Array(12 + data.length);
	const view = new DataView(chunk.buffer);
	view.setUint32(0, data.length);
	chunk.set(new TextEncoder().encode(type), 4);
	chunk.set(data, 8);
	view.setUint32(8 + data.length, crc32(chunk.subarray(4, 8 + data.length)));
	return chunk;
}

/** A 64×64 logo: a white disc on a dark colour of the listing's own (8-bit RGB, unfiltered rows). */
function logoPng(listing: DemoListing): Uint8Array {
	const size = 64;
	const colour = [...createHash("sha256").update(`logo:${listing.key}`).digest().subarray(0, 3)].map((b) => b & 0x7f);
	const stride = 1 + size * 3;
	const pixels = new Uint8Array(size * stride);
	for (let y = 0; y < size; y++) {
		for (let x = 0; x < size; x++) {
			const inside = (x - 31.5) ** 2 + (y - 31.5) ** 2 < 20 ** 2;
			pixels.set(inside ? [255, 255, 255] : colour, y * stride + 1 + x * 3);
		}
	}
	const header = new Uint8Array(13);
	new DataView(header.buffer).setUint32(0, size);
	new DataView(header.buffer).setUint32(4, size);
	header.set([8, 2, 0, 0, 0], 8);
	const parts = [
		Uint8Array.from(PNG_SIGNATURE),
		pngChunk("IHDR", header),
		pngChunk("IDAT", deflateSync(pixels)),
		pngChunk("IEND", new Uint8Array()),
	];
	const png = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
	let at = 0;
	for (const part of parts) {
		png.set(part, at);
		at += part.length;
	}
	return png;
}

const quote = (value: string | number | null) =>
	value === null ? "NULL" : typeof value === "number" ? String(value) : `'${value.replaceAll("'", "''")}'`;
const values = (row: (string | number | null)[]) => `VALUES (${row.map(quote).join(", ")})`;

export interface DemoSecrets {
	/** `PASSWORD_PEPPER`, for the demo accounts' password hashes. */
	pepper: string;
	/** `ENCRYPTION_KEY`, for the listings' confidential envelopes. */
	encryptionKey: string;
}

/** A file for the `ATTACHMENTS` bucket; its `attachments` row names the same key, size and sha256. */
export interface DemoObject {
	key: string;
	bytes: Uint8Array;
	contentType: string;
	sha256: string;
}

export interface DemoData {
	/** `INSERT OR IGNORE` statements (and one-time backfills), run after the migrations. */
	sql: string;
	objects: DemoObject[];
}

/** The demo rows as SQL and the demo files as R2 objects, for the given secrets. */
export async function demoData(secrets: DemoSecrets, now = new Date()): Promise<DemoData> {
	const at = now.toISOString();
	const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3_600_000).toISOString();
	const key = await importEncryptionKey(secrets.encryptionKey);
	const statements: string[] = [];
	for (const user of users) {
		const tenantId = tenantIdOf(user.key);
		const hash = await hashPassword(DEMO_PASSWORD, secrets.pepper);
		statements.push(
			`INSERT OR IGNORE INTO tenants (id, kind, name, status, created_at, updated_at) ${values([tenantId, user.role, user.name, "active", at, at])};`,
			`INSERT OR IGNORE INTO users (id, tenant_id, email, name, role, password_hash, created_at, updated_at, email_verified_at) ${values([userIdOf(user.key), tenantId, user.email, user.name, user.role, hash, at, at, at])};`,
			// Demo addresses are ours, so verified; this also verifies a demo user seeded before migration 0011.
			`UPDATE users SET email_verified_at = created_at WHERE id = ${quote(userIdOf(user.key))} AND email_verified_at IS NULL;`,
		);
	}
	for (const listing of listings) {
		const id = demoListingId(listing.key);
		const seller = tenantIdOf(listing.seller);
		const published = listing.status === "active" ? hoursAgo(listing.publishedDaysAgo * 24) : null;
		const confidential = await encryptField(key, JSON.stringify(listing.confidential), {
			tenantId: seller,
			recordId: id,
			field: "confidential",
		});
		const nda = ndaText(listing);
		statements.push(
			`INSERT OR IGNORE INTO listings (id, seller_tenant_id, title, summary, description, category, asking_price_cents, currency, tech_stack, mrr_cents, revenue_cents, monthly_visitors, age_months, status, created_at, updated_at, published_at, confidential, nda_text, nda_version) ${values(
				[
					id,
					seller,
					listing.title,
					listing.summary,
					listing.description,
					listing.category,
					listing.price,
					"USD",
					JSON.stringify(listing.stack),
					listing.mrr,
					listing.revenue,
					listing.visitors,
					listing.age,
					listing.status,
					published ?? at,
					published ?? at,
					published,
					confidential,
					nda,
					1,
				],
			)};`,
			// A state seeded before migration 0003 has these listings without an NDA or confidential
			// details; fill them in once. A listing whose seller has since set either keeps its own.
			`UPDATE listings SET confidential = ${quote(confidential)}, nda_text = ${quote(nda)} WHERE id = ${quote(id)} AND confidential IS NULL AND nda_text = '';`,
		);
	}
	for (const request of accessRequests) {
		const listing = lookup(listings, request.listing);
		const asked = hoursAgo(request.askedHoursAgo);
		const decided = request.decidedHoursAgo === undefined ? null : hoursAgo(request.decidedHoursAgo);
		statements.push(
			`INSERT OR IGNORE INTO access_requests (id, listing_id, buyer_tenant_id, seller_tenant_id, buyer_user_id, status, message, nda_version, nda_accepted_at, decided_at, created_at, updated_at) ${values(
				[
					accessRequestId(request),
					demoListingId(listing.key),
					tenantIdOf(request.buyer),
					tenantIdOf(listing.seller),
					userIdOf(request.buyer),
					request.status,
					request.message,
					1,
					asked,
					decided,
					asked,
					decided ?? asked,
				],
			)};`,
		);
	}
	statements.push(...demoStorefrontStatements({ tenantIdOf, listingIdOf: demoListingId }, at));
	const objects: DemoObject[] = [];
	for (const attachment of attachments) {
		const listing = lookup(listings, attachment.listing);
		const listingId = demoListingId(listing.key);
		const seller = tenantIdOf(listing.seller);
		const bytes = attachment.build(listing);
		const object: DemoObject = {
			key: `tenants/${seller}/listings/${listingId}/${attachment.name}`,
			bytes,
			contentType: attachment.contentType,
			sha256: sha256Hex(bytes),
		};
		objects.push(object);
		statements.push(
			`INSERT OR IGNORE INTO attachments (listing_id, name, seller_tenant_id, r2_key, content_type, size_bytes, sha256, created_at, updated_at) ${values(
				[listingId, attachment.name, seller, object.key, object.contentType, bytes.length, object.sha256, at, at],
			)};`,
		);
	}
	return { sql: statements.join("\n"), objects };
}

/** Only the SQL of `demoData`, for callers that need no files. */
export async function demoDataSql(secrets: DemoSecrets, now = new Date()): Promise<string> {
	return (await demoData(secrets, now)).sql;
}

/** What to try with the demo data, printed after seeding; `base` is where the platform answers. */
export function demoGuide(base = "http://localhost:8787"): string {
	const lines = [`Demo accounts (password ${DEMO_PASSWORD}):`];
	for (const user of users) {
		const owned = listings.filter((listing) => listing.seller === user.key).map(shortTitle);
		lines.push(`  ${user.email} (${user.role}${owned.length > 0 ? `: ${owned.join(", ")}` : ""})`);
	}
	lines.push("Try it (sign in with POST /api/v1/auth/login, then send Authorization: Bearer <token>):");
	for (const request of accessRequests) {
		const listing = lookup(listings, request.listing);
		const path = `${base}/api/v1/listings/${demoListingId(listing.key)}`;
		const who = `${emailOf(request.buyer)} for ${shortTitle(listing)}`;
		const files = attachments.filter((file) => file.listing === listing.key).map((file) => file.name);
		if (request.status === "approved") {
			lines.push(`  approved: ${who} — GET ${path} shows "confidential"`);
			if (files.length > 0) lines.push(`    files: GET ${path}/attachments/{${files.join(",")}}`);
		} else if (request.status === "pending") {
			lines.push(
				`  pending: ${who} — as ${emailOf(listing.seller)}, POST ${base}/api/v1/access-requests/${accessRequestId(request)}/approve`,
			);
		} else {
			lines.push(`  ${request.status}: ${who}`);
		}
	}
	lines.push(...demoStorefrontGuide(base));
	return lines.join("\n");
}

export const demoUsers = users;
