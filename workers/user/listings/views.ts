/**
 * What a listing looks like to whom. The shapes are the contract's response schemas
 * (shared/contract/routes/listings.ts); these functions fill them from a row. The public view is
 * an allow-list: anything not named here (the confidential envelope, the NDA, internal columns)
 * can never reach a public response, whatever the query selected. Confidential details are
 * decrypted only for the owner, admins and buyers with an approved access request.
 */
import { z } from "zod";
import type { Confidential, ListingView, PublicListing } from "../../../shared/contract/routes/listings.ts";
import type { ListingAccess, ListingRecord, PublicListingRecord } from "../../../shared/data/listings.ts";

const techStackSchema = z.array(z.string());

export function toPublicListing(row: PublicListingRecord): PublicListing {
	return {
		id: row.id,
		seller_tenant_id: row.seller_tenant_id,
		title: row.title,
		summary: row.summary,
		description: row.description,
		category: row.category,
		asking_price_cents: row.asking_price_cents,
		currency: row.currency,
		tech_stack: techStackSchema.parse(JSON.parse(row.tech_stack)),
		metrics: {
			mrr_cents: row.mrr_cents,
			revenue_cents: row.revenue_cents,
			monthly_visitors: row.monthly_visitors,
			age_months: row.age_months,
		},
		status: row.status,
		created_at: row.created_at,
		updated_at: row.updated_at,
		published_at: row.published_at,
	};
}

/** Whether `access` entitles the caller to the confidential details. */
export const seesConfidential = (access: ListingAccess) => access !== "public";

/**
 * A signed-in caller's view: public fields, the NDA, and — only when `access` allows — the
 * decrypted confidential details (the caller passes `undefined` otherwise, and the key is absent).
 */
export function toListingView(row: ListingRecord, confidential: Confidential | null | undefined): ListingView {
	const view: ListingView = { ...toPublicListing(row), nda: { version: row.nda_version, text: row.nda_text } };
	if (confidential !== undefined) view.confidential = confidential;
	return view;
}
