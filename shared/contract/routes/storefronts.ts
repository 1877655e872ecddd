/**
 * The storefronts' contract (see ../policy.ts): a seller's public storefront on `<slug>.<domain>`
 * (read by anyone, set up by its seller), the public summary of a seller that a listing page
 * shows, and admins featuring listings for the home page.
 *
 * A slug is a host label, so its rules are the host rules of ../../http/origins.ts (one DNS label,
 * lower case, never a reserved label) plus one of our own: no `--` in the third and fourth
 * characters, which DNS keeps for internationalised names (`xn--…` shows in a browser as another
 * script, a look-alike of someone else's name). Case is folded, as DNS folds it: `Ada` is `ada`.
 *
 * The seller summary is its own route rather than a `seller` member of the listing: the listing
 * shapes are strict and browse pages are byte-for-byte cached, and a seller's storefront changes
 * on its own clock.
 */
import { z } from "@hono/zod-openapi";
import { reservedLabels, SLUG } from "../../http/origins.ts";
import { adminOnly, anyone, type ContractRoute, defineRoute, type RoutePolicy, sellerOnly } from "../policy.ts";
import {
	cursor,
	json,
	jsonBody,
	listingId,
	page,
	problems,
	signedInSecurity,
	tenantId,
	timestamp,
} from "../schemas.ts";
import { conditionalRequest, notModified, publicCacheHeaders, publicListing } from "./listings.ts";

/** A storefront's slug: the label of its host. */
export const storefrontSlug = z
	.string()
	.trim()
	.toLowerCase()
	// One message per slug: each check stops the ones after it.
	.min(1, { message: "is required", abort: true })
	.max(63, { message: "must be 63 characters or fewer", abort: true })
	.regex(SLUG, {
		message: "may use only letters a–z, digits and hyphens, and must start and end with a letter or digit",
		abort: true,
	})
	.refine((slug) => !reservedLabels.includes(slug), { message: "is kept for TechFlunky's own use" })
	.refine((slug) => slug.slice(2, 4) !== "--", {
		message: "may not have hyphens as its third and fourth characters",
	})
	.openapi({ example: "ada-ventures", description: "One DNS label: a–z, 0–9 and `-`, 1–63 characters" });

export const storefrontBody = z
	.object({
		slug: storefrontSlug,
		display_name: z.string().trim().min(1, "is required").max(80, "must be 80 characters or fewer"),
		bio: z.string().trim().max(500, "must be 500 characters or fewer").default(""),
	})
	.strict()
	.openapi("StorefrontInput");

export type StorefrontInput = z.output<typeof storefrontBody>;

/** A seller's storefront as anyone sees it; `since` is when the seller joined TechFlunky. */
export const storefrontView = z
	.object({
		slug: z.string(),
		display_name: z.string(),
		bio: z.string(),
		seller_tenant_id: tenantId,
		since: timestamp,
	})
	.strict()
	.openapi("Storefront");

export type StorefrontView = z.output<typeof storefrontView>;

/** The seller's own storefront: the public view and when it was set up and last changed. */
export const ownStorefrontView = storefrontView
	.extend({ created_at: timestamp, updated_at: timestamp })
	.strict()
	.openapi("OwnStorefront");

export const storefrontPage = z
	.object({ storefront: storefrontView, listings: page(publicListing).strict() })
	.strict()
	.openapi("StorefrontPage");

export type StorefrontPage = z.output<typeof storefrontPage>;

export const storefrontQuery = z
	.object({ limit: z.coerce.number().int().min(1).max(100).default(20), cursor: cursor.optional() })
	.strict();

/** What a listing page shows of its seller. */
export const sellerSummary = z
	.object({
		seller_tenant_id: tenantId,
		storefront: z
			.object({ slug: z.string(), display_name: z.string() })
			.strict()
			.nullable()
			.openapi({ description: "`null` until the seller sets one up" }),
		since: timestamp,
		public_listings: z.number().int().nonnegative().openapi({ description: "Active, under offer and sold listings" }),
	})
	.strict()
	.openapi("SellerSummary");

export type SellerSummary = z.output<typeof sellerSummary>;

export const featuredListing = z
	.object({ listing_id: listingId, featured_at: timestamp })
	.strict()
	.openapi("FeaturedListing");

/** Guests too: the credential is optional and changes nothing in the answer. */
const optionalSecurity = [...signedInSecurity, {}];

const user = (allow: RoutePolicy["allow"], body: RoutePolicy["body"], note?: string): RoutePolicy => ({
	allow,
	bucket: "caller",
	body,
	credentials: "accepted",
	servedBy: "user",
	...(note === undefined ? {} : { note }),
});

const tags = ["Storefronts"];

export const storefrontsRoutes = {
	getStorefront: defineRoute({
		method: "get",
		path: "/api/v1/storefronts/{slug}",
		operationId: "getStorefront",
		tags,
		summary: "A seller's storefront and its public listings, newest published first",
		description:
			"The storefront on `<slug>.<domain>` and a page of its seller's public listings (`active`, `under_offer`, `sold`; never drafts or archived ones), newest published first; `limit` 1–100 (default 20), `next_cursor` opaque and `null` on the last page. The slug's case does not matter; an unknown slug is 404, a malformed one 400. A guest's 200 carries a strong `ETag` and public `Cache-Control`; `If-None-Match` answers 304.",
		security: optionalSecurity,
		request: { params: z.object({ slug: storefrontSlug }), query: storefrontQuery, headers: conditionalRequest },
		responses: {
			200: { ...json(storefrontPage, "The storefront and a page of its listings"), headers: publicCacheHeaders },
			304: notModified,
			...problems(400, 404, 429, 502),
		},
		"x-policy": user(anyone, "none", "public listings only"),
	}),
	getOwnStorefront: defineRoute({
		method: "get",
		path: "/api/v1/sellers/storefront",
		operationId: "getOwnStorefront",
		tags,
		summary: "The seller's own storefront",
		description: "404 until the seller has set one up (`PUT`).",
		security: signedInSecurity,
		responses: {
			200: json(ownStorefrontView, "The seller's storefront"),
			...problems(401, 403, 404, 429, 502),
		},
		"x-policy": user(sellerOnly, "none", "own"),
	}),
	putOwnStorefront: defineRoute({
		method: "put",
		path: "/api/v1/sellers/storefront",
		operationId: "putOwnStorefront",
		tags,
		summary: "Set up or change the seller's storefront",
		description:
			"Creates the storefront (201) or replaces its slug, name and bio (200). `slug` is one DNS label (a–z, 0–9 and `-`, 1–63 characters, not starting or ending with `-`, no `--` as its third and fourth characters), folded to lower case; the platform's own labels (`www`, `seller`, `buyer`, `api`, `admin`, `app`, `static`) are 400 with a field error on `slug`. A slug another seller holds is 409 naming it. Changing the slug frees the old one at once: its host answers 404 from then on.",
		security: signedInSecurity,
		request: { body: jsonBody(storefrontBody) },
		responses: {
			200: json(ownStorefrontView, "The storefront, changed"),
			201: json(ownStorefrontView, "The storefront, set up"),
			...problems(400, 401, 403, 409, 413, 415, 429, 502),
		},
		"x-policy": user(sellerOnly, "json", "own"),
	}),
	getSeller: defineRoute({
		method: "get",
		path: "/api/v1/sellers/{tenant_id}",
		operationId: "getSeller",
		tags,
		summary: "What anyone may see of a seller: its storefront, since when, how many public listings",
		description:
			"For a listing page's seller box (`seller_tenant_id` of a listing). `storefront` is `null` until the seller sets one up; `public_listings` counts `active`, `under_offer` and `sold` listings. A tenant that is not a seller, or does not exist, is 404.",
		security: optionalSecurity,
		request: { params: z.object({ tenant_id: tenantId }) },
		responses: {
			200: json(sellerSummary, "The seller"),
			...problems(400, 404, 429, 502),
		},
		"x-policy": user(anyone, "none", "public fields only"),
	}),
	featureListing: defineRoute({
		method: "put",
		path: "/api/v1/admin/listings/{id}/featured",
		operationId: "featureListing",
		tags,
		summary: "Feature an active listing on the home page (admins; audited)",
		description:
			"The listing shows in `GET /api/v1/listings?featured=true` while it is `active`. Only an active listing can be featured (409 otherwise); featuring it again is 200 and keeps the first `featured_at`. Audited (`admin.listing_featured`).",
		security: signedInSecurity,
		request: { params: z.object({ id: listingId }) },
		responses: {
			200: json(featuredListing, "The listing is featured"),
			...problems(400, 401, 403, 404, 409, 429, 502),
		},
		"x-policy": user(adminOnly, "none"),
	}),
	unfeatureListing: defineRoute({
		method: "delete",
		path: "/api/v1/admin/listings/{id}/featured",
		operationId: "unfeatureListing",
		tags,
		summary: "Stop featuring a listing (admins; audited)",
		description:
			"204 whether or not it was featured; an unknown listing is 404. Audited (`admin.listing_unfeatured`) when it was featured.",
		security: signedInSecurity,
		request: { params: z.object({ id: listingId }) },
		responses: {
			204: { description: "Not featured" },
			...problems(400, 401, 403, 404, 429, 502),
		},
		"x-policy": user(adminOnly, "none"),
	}),
} satisfies Record<string, ContractRoute>;
