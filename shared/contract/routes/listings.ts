/**
 * The listings routes' contract (see ../policy.ts): public browse and search, the seller's own
 * list, create (a draft), read, patch, publish and archive, with every request and response body.
 *
 * Route-level policy only: "the owner", "drafts only for the owner and admins" and "confidential
 * details only for the owner, admins and approved buyers" are object-level rules the handler
 * (workers/user/listings) enforces, answering 404 for a listing the caller may not see.
 *
 * The categories and statuses live here rather than in the data layer (shared/data/listings.ts
 * takes its types from them) so this module loads without Workers types: Node scripts, the e2e
 * tests and the web app import it as it is.
 */
import { z } from "@hono/zod-openapi";
import { anyone, type Caller, type ContractRoute, defineRoute, sellerOnly } from "../policy.ts";
import {
	currency,
	cursor,
	json,
	jsonBody,
	listingId,
	MAX_AMOUNT_CENTS,
	minorUnits,
	page,
	problems,
	signedInSecurity,
	tenantId,
	timestamp,
} from "../schemas.ts";

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
export const category = z.enum(categories);

export const listingStatuses = ["draft", "active", "under_offer", "sold", "archived"] as const;
export const listingStatus = z.enum(listingStatuses);

const ownerOrAdmin = ["seller", "admin"] as const satisfies readonly Caller[];
/** Guests too: the credential is optional, and what it proves widens what the caller sees. */
const optionalSecurity = [...signedInSecurity, {}];

// Requests.

/** A price filter in the query string, in minor units (documented by hand: the generator takes coercion to accept `null`). */
const priceQuery = z.coerce
	.number()
	.int()
	.nonnegative()
	.max(MAX_AMOUNT_CENTS)
	.openapi({ type: "integer", minimum: 0, maximum: MAX_AMOUNT_CENTS });
const limitQuery = z.coerce.number().int().min(1).max(100).default(20);

export const browseListingsQuery = z
	.object({
		q: z
			.string()
			.trim()
			.min(1)
			.max(200)
			.optional()
			.openapi({ description: "Full-text search: every word must match, as a prefix; operators are plain text" }),
		category: category.optional(),
		min_price: priceQuery.optional().openapi({ description: "Lowest `asking_price_cents`" }),
		max_price: priceQuery.optional().openapi({ description: "Highest `asking_price_cents`" }),
		featured: z
			.enum(["true"])
			.optional()
			.openapi({ description: "`true`: only the active listings an admin has featured" }),
		limit: limitQuery,
		cursor: cursor.optional(),
	})
	.strict()
	.refine(
		(query) => query.min_price === undefined || query.max_price === undefined || query.min_price <= query.max_price,
		{ message: "min_price must not exceed max_price", path: ["min_price"] },
	);

export const ownListingsQuery = z
	.object({ status: listingStatus.optional(), limit: limitQuery, cursor: cursor.optional() })
	.strict();

export const listingParams = z.object({ id: listingId });

/**
 * The confidential details a seller may give, all optional; stored encrypted as one JSON object
 * and parsed with this schema again when read back. Not a named component: the generator would
 * give the name to whichever nullable or defaulted copy of it it met last.
 */
export const listingConfidential = z
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

export type Confidential = z.output<typeof listingConfidential>;

const visitors = z.number().int().nonnegative().max(10_000_000_000);
const months = z.number().int().nonnegative().max(1200);

const metricsInput = z
	.object({
		mrr_cents: minorUnits.nullable().optional(),
		revenue_cents: minorUnits.nullable().optional(),
		monthly_visitors: visitors.nullable().optional(),
		age_months: months.nullable().optional(),
	})
	.strict();

const fields = {
	title: z.string().trim().min(1).max(120),
	summary: z.string().trim().max(300),
	description: z.string().trim().max(20_000),
	category,
	asking_price_cents: minorUnits,
	currency,
	tech_stack: z.array(z.string().trim().min(1).max(40)).max(30),
	metrics: metricsInput,
	confidential: listingConfidential
		.nullable()
		.openapi({ description: "Replaces the details whole; `null` clears them" }),
	nda_text: z.string().trim().max(20_000),
};

/**
 * Fields a client may never set. A body naming any of them is refused with one `is read-only`
 * error each (detail "The body sets read-only fields."), rather than as an unknown field.
 */
export const readOnlyListingFields = [
	"id",
	"status",
	"seller_tenant_id",
	"created_at",
	"updated_at",
	"published_at",
	"nda_version",
	"fee_cents",
	"fee_rate",
	"rowid",
] as const;

const readOnlyNote = `Read-only fields (${readOnlyListingFields.map((field) => `\`${field}\``).join(", ")}) are 400 with one error each; other unknown fields are 400.`;

export const createListingBody = z
	.object({
		...fields,
		summary: fields.summary.default(""),
		description: fields.description.default(""),
		currency: fields.currency.default("USD"),
		tech_stack: fields.tech_stack.default([]),
		metrics: fields.metrics.default({}),
		confidential: fields.confidential.default(null),
		nda_text: fields.nda_text.default(""),
	})
	.strict()
	.openapi("CreateListing", { description: readOnlyNote });

export const updateListingBody = z
	.object({
		title: fields.title.optional(),
		summary: fields.summary.optional(),
		description: fields.description.optional(),
		category: fields.category.optional(),
		asking_price_cents: fields.asking_price_cents.optional(),
		currency: fields.currency.optional(),
		tech_stack: fields.tech_stack.optional(),
		metrics: fields.metrics.optional(),
		confidential: fields.confidential.optional(),
		nda_text: fields.nda_text.optional(),
	})
	.strict()
	.openapi("UpdateListing", { description: `Any subset of the create fields, at least one. ${readOnlyNote}` });

export type UpdateListingInput = z.output<typeof updateListingBody>;

// Responses.

/** A stored ISO 4217 code: always upper-case, whichever case it was sent in. */
const storedCurrency = z
	.string()
	.regex(/^[A-Z]{3}$/)
	.openapi({ example: "USD" });

const publicShape = {
	id: listingId,
	seller_tenant_id: tenantId,
	title: z.string(),
	summary: z.string(),
	description: z.string(),
	category,
	asking_price_cents: minorUnits,
	currency: storedCurrency,
	tech_stack: z.array(z.string()),
	metrics: z
		.object({
			mrr_cents: minorUnits.nullable(),
			revenue_cents: minorUnits.nullable(),
			monthly_visitors: visitors.nullable(),
			age_months: months.nullable(),
		})
		.strict(),
	status: listingStatus,
	created_at: timestamp,
	updated_at: timestamp,
	published_at: timestamp.nullable(),
};

/** What anyone may see of a listing: an allow-list, so the NDA and the confidential envelope never appear. */
export const publicListing = z.object(publicShape).strict().openapi("PublicListing");
export type PublicListing = z.output<typeof publicListing>;

/** A signed-in caller's view of a listing: the public fields, the NDA and, for some, the confidential details. */
export const listingView = z
	.object({
		...publicShape,
		nda: z
			.object({ version: z.number().int().min(1), text: z.string() })
			.strict()
			.openapi({ description: "The NDA a buyer accepts when asking for access" }),
		confidential: listingConfidential.nullable().optional().openapi({
			description:
				"Only for the owner, admins and buyers with an approved access request (`null` when none were given); absent for anyone else",
		}),
	})
	.strict()
	.openapi("Listing");
export type ListingView = z.output<typeof listingView>;

export const publicListingPage = page(publicListing).strict().openapi("PublicListingPage");
export const listingViewPage = page(listingView).strict().openapi("ListingPage");

// Conditional public reads (workers/user/public-cache.ts).

export const conditionalRequest = z.object({
	"if-none-match": z
		.string()
		.optional()
		.openapi({ description: "A guest's `ETag` from an earlier answer: 304 while it still matches" }),
});

export const publicCacheHeaders = {
	ETag: { description: "Guests only: the SHA-256 of the exact body (strong)", schema: { type: "string" as const } },
	"Cache-Control": {
		description: "Guests: `public, max-age=30, stale-while-revalidate=30`; signed-in callers: `no-store`",
		schema: { type: "string" as const },
	},
	Vary: { description: "Guests: `Authorization, Cookie`", schema: { type: "string" as const } },
};

export const notModified = {
	description: "A guest's `If-None-Match` matches: no body, the 200's `ETag`, `Cache-Control` and `Vary`",
	headers: publicCacheHeaders,
} as const;

const tags = ["Listings"];

const policy = { bucket: "caller", credentials: "accepted", servedBy: "user" } as const;

export const listingsRoutes = {
	browseListings: defineRoute({
		method: "get",
		path: "/api/v1/listings",
		operationId: "browseListings",
		tags,
		summary: "Active listings, newest published first, public fields only",
		description:
			'Active listings, newest published first, public fields only; `limit` 1–100 (default 20); `next_cursor` is opaque, `null` on the last page. `q` is full-text (FTS5) over title, summary and tech stack: every word must match, as a prefix (`inv` finds "Invoicely"); FTS operators in `q` are plain text. `featured=true` keeps the listings an admin has featured (`PUT /api/v1/admin/listings/{id}/featured`), in the same order. Unknown parameters, `min_price > max_price` and foreign cursors are 400. A guest\'s 200 carries a strong `ETag` (the SHA-256 of the body) and `Cache-Control: public, max-age=30, stale-while-revalidate=30`; `If-None-Match` answers 304.',
		security: optionalSecurity,
		request: { query: browseListingsQuery, headers: conditionalRequest },
		responses: {
			200: { ...json(publicListingPage, "A page of listings"), headers: publicCacheHeaders },
			304: notModified,
			...problems(400, 401, 403, 429, 502),
		},
		"x-policy": { ...policy, allow: anyone, body: "none", note: "active listings, public fields only" },
	}),
	listOwnListings: defineRoute({
		method: "get",
		path: "/api/v1/listings/mine",
		operationId: "listOwnListings",
		tags,
		summary: "The seller's own listings in every status (or one), newest created first",
		description:
			"The seller's own listings in every status (or one), newest created first, with `confidential` and `nda`.",
		security: signedInSecurity,
		request: { query: ownListingsQuery },
		responses: {
			200: json(listingViewPage, "A page of the caller's listings, with `nda` and `confidential`"),
			...problems(400, 401, 403, 429, 502),
		},
		"x-policy": { ...policy, allow: sellerOnly, body: "none" },
	}),
	createListing: defineRoute({
		method: "post",
		path: "/api/v1/listings",
		operationId: "createListing",
		tags,
		summary: "Create a listing, as a draft",
		description:
			"The listing is created as `draft`. `currency` is ISO 4217 in either case (`usd` or `USD`), stored and returned upper-case, default `USD`. Read-only fields (`id`, `status`, `seller_tenant_id`, `created_at`, `updated_at`, `published_at`, `nda_version`, `fee_cents`, …) are 400 with one error each; other unknown fields 400.",
		security: signedInSecurity,
		request: { body: jsonBody(createListingBody) },
		responses: {
			201: json(listingView, "The listing, as `draft`, with its confidential details"),
			...problems(400, 401, 403, 413, 415, 429, 502),
		},
		"x-policy": { ...policy, allow: sellerOnly, body: "json" },
	}),
	getListing: defineRoute({
		method: "get",
		path: "/api/v1/listings/{id}",
		operationId: "getListing",
		tags,
		summary: "One listing, as the caller may see it",
		description:
			"`active`, `under_offer` and `sold` listings for everyone; `draft` and `archived` only for the owner and admins, else 404. Signed-in callers also get `nda {version,text}`; the owner, admins and buyers with an approved access request get `confidential` (`null` when none was given), and for anyone else the key is absent. A guest's 200 carries a strong `ETag` and public `Cache-Control`; `If-None-Match` answers 304.",
		security: optionalSecurity,
		request: { params: listingParams, headers: conditionalRequest },
		responses: {
			200: {
				...json(
					z.union([listingView, publicListing]),
					"Signed-in callers get the `Listing` (with `nda`, and `confidential` for some); guests the `PublicListing`",
				),
				headers: publicCacheHeaders,
			},
			304: notModified,
			...problems(400, 401, 403, 404, 429, 502),
		},
		"x-policy": {
			...policy,
			allow: anyone,
			body: "none",
			note: "drafts and confidential fields only for owner, admin, approved buyers",
		},
	}),
	updateListing: defineRoute({
		method: "patch",
		path: "/api/v1/listings/{id}",
		operationId: "updateListing",
		tags,
		summary: "Change a draft or active listing",
		description:
			"Any subset of the create fields; `confidential` replaces the details whole (`null` clears them); a changed `nda_text` bumps `nda.version` (buyers must accept the new one). Only `draft` and `active` listings change (else 409); an active listing must stay publishable (400); a concurrent change is 409.",
		security: signedInSecurity,
		request: { params: listingParams, body: jsonBody(updateListingBody) },
		responses: {
			200: json(listingView, "The listing, changed"),
			...problems(400, 401, 403, 404, 409, 413, 415, 429, 502),
		},
		"x-policy": { ...policy, allow: ownerOrAdmin, body: "json", note: "owner or admin" },
	}),
	publishListing: defineRoute({
		method: "post",
		path: "/api/v1/listings/{id}/publish",
		operationId: "publishListing",
		tags,
		summary: "Publish a draft",
		description:
			"Needs `summary`, `description` and a price above zero (400 naming each missing field); publishing an active listing again is 200 unchanged; other statuses 409. Emits `listing.published`. A seller whose e-mail address is not verified gets 403 `email-unverified`.",
		security: signedInSecurity,
		request: { params: listingParams },
		responses: {
			200: json(listingView, "The listing, `active`"),
			...problems(400, 401, 403, 404, 409, 429, 502),
		},
		"x-policy": { ...policy, allow: sellerOnly, body: "none", note: "owner", verifiedEmail: true },
	}),
	archiveListing: defineRoute({
		method: "delete",
		path: "/api/v1/listings/{id}",
		operationId: "archiveListing",
		tags,
		summary: "Archive a listing",
		description:
			"The listing becomes `archived` (gone from browse and search; the owner still sees it); again: 204. `under_offer` or `sold`: 409. Emits `listing.archived`.",
		security: signedInSecurity,
		request: { params: listingParams },
		responses: {
			204: { description: "Archived" },
			...problems(400, 401, 403, 404, 409, 429, 502),
		},
		"x-policy": { ...policy, allow: ownerOrAdmin, body: "none", note: "owner or admin" },
	}),
} satisfies Record<string, ContractRoute>;
