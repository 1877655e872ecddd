/**
 * What a listing looks like to whom. The public view is an allow-list: anything not named here
 * (the confidential envelope, the NDA, internal columns) can never reach a public response,
 * whatever the query selected. Confidential details are decrypted only for the owner, admins and
 * buyers with an approved access request.
 */
import { z } from "zod";
import type { ListingAccess, ListingRecord, PublicListingRecord } from "../../../shared/data/listings.ts";

/** The confidential details a seller may give; all optional. Stored encrypted as one JSON object. */
export const confidentialSchema = z
	.object({
		legal_name: z.string().trim().min(1).max(200).optional(),
		website_url: z
			.url({ protocol: /^https?$/ })
			.max(2048)
			.optional(),
		financials: z.string().trim().min(1).max(20_000).optional(),
		notes: z.string().trim().min(1).max(20_000).optional(),
	})
	.strict();

export type Confidential = z.infer<typeof confidentialSchema>;

const techStackSchema = z.array(z.string());

export interface PublicListing {
	id: string;
	seller_tenant_id: string;
	title: string;
	summary: string;
	description: string;
	category: PublicListingRecord["category"];
	asking_price_cents: number;
	currency: string;
	tech_stack: string[];
	metrics: {
		mrr_cents: number | null;
		revenue_cents: number | null;
		monthly_visitors: number | null;
		age_months: number | null;
	};
	status: PublicListingRecord["status"];
	created_at: string;
	updated_at: string;
	published_at: string | null;
}

export interface ListingView extends PublicListing {
	/** The NDA a buyer accepts when asking for access; shown to signed-in callers. */
	nda: { version: number; text: string };
	/** Present only for the owner, admins and approved buyers; `null` when none were given. */
	confidential?: Confidential | null;
}

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
