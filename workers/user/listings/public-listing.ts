/**
 * The public face of a listing: an allow-list of fields. Anything not named here (confidential
 * details, internal columns) can never reach a public response, whatever the query selected.
 */
import { z } from "zod";

export const categories = [
	"saas",
	"ecommerce",
	"marketplace",
	"content",
	"mobile_app",
	"ai",
	"agency",
	"other",
] as const;

/** Columns the public view selects; confidential columns are deliberately absent. */
export const PUBLIC_COLUMNS = `id, seller_tenant_id, title, summary, description, category, asking_price_cents,
  currency, tech_stack, mrr_cents, revenue_cents, monthly_visitors, age_months, status, created_at,
  updated_at, published_at`;

export const listingRowSchema = z.object({
	id: z.string(),
	seller_tenant_id: z.string(),
	title: z.string(),
	summary: z.string(),
	description: z.string(),
	category: z.enum(categories),
	asking_price_cents: z.number().int(),
	currency: z.string(),
	tech_stack: z.string(),
	mrr_cents: z.number().int().nullable(),
	revenue_cents: z.number().int().nullable(),
	monthly_visitors: z.number().int().nullable(),
	age_months: z.number().int().nullable(),
	status: z.enum(["draft", "active", "under_offer", "sold", "archived"]),
	created_at: z.string(),
	updated_at: z.string(),
	published_at: z.string().nullable(),
});

export type ListingRow = z.infer<typeof listingRowSchema>;

const techStackSchema = z.array(z.string());

export interface PublicListing {
	id: string;
	seller_tenant_id: string;
	title: string;
	summary: string;
	description: string;
	category: ListingRow["category"];
	asking_price_cents: number;
	currency: string;
	tech_stack: string[];
	metrics: {
		mrr_cents: number | null;
		revenue_cents: number | null;
		monthly_visitors: number | null;
		age_months: number | null;
	};
	status: ListingRow["status"];
	created_at: string;
	updated_at: string;
	published_at: string | null;
}

export function toPublicListing(raw: unknown): PublicListing {
	const row = listingRowSchema.parse(raw);
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
