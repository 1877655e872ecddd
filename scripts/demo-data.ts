/**
 * Demo data for local runs: sellers, buyers, an investor, listings in several states with their
 * NDA and encrypted confidential details, access requests in every state, and small files on two
 * listings, so a newcomer sees a working marketplace at once (`demoGuide` says what to try).
 *
 * Ids are derived from stable names and every row is `INSERT OR IGNORE` (plus one-time fill-ins
 * for listings seeded before migration 0003 and for demo users seeded before 0011, whose
 * addresses are verified), so seeding twice changes nothing. Envelopes carry a random IV, so the SQL text differs between calls while the rows it
 * would insert do not; file bytes are fixed (no clock), so re-putting an object writes the same
 * bytes that the row's `sha256` names. The files are generated in ./demo-files.ts (no binaries
 * in git); the cast and catalogue are in ./demo-catalog.ts.
 */
import { createHash } from "node:crypto";
import { encryptField, importEncryptionKey } from "../shared/crypto/aes-gcm.ts";
import { hashPassword } from "../shared/password.ts";
import {
	accessRequestId,
	accessRequests,
	type DemoListing,
	demoListingId,
	emailOf,
	listings,
	lookup,
	ndaText,
	shortTitle,
	tenantIdOf,
	userIdOf,
	users,
} from "./demo-catalog.ts";
import { logoPng, metricsCsv, pitchDeckPdf } from "./demo-files.ts";
import { demoStorefrontGuide, demoStorefrontStatements } from "./demo-storefronts.ts";

export { demoListingId };

export const DEMO_PASSWORD = "demo-password-2026";

/** The R2 bucket behind the `ATTACHMENTS` binding (wrangler.toml, workers/user/wrangler.toml). */
export const ATTACHMENTS_BUCKET = "techflunky-attachments";

const sha256Hex = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

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
