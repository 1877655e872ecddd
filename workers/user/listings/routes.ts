/**
 * Listings: public browse and search, the seller's own list, create (draft), read, patch,
 * publish and archive. The routes, their params, queries, bodies and response shapes are the
 * contract's (shared/contract/routes/listings.ts), validated before a handler runs; the app is
 * mounted at `/`. Every D1 access goes through `c.var.data` (shared/data), scoped to the verified
 * tenant; objects the caller may not see are 404.
 *
 * Confidential details are sealed and opened in ./records.ts, and publish and archive are lifecycle
 * moves written with their `listing.event` there too. Guests' reads are publicly cacheable and
 * conditional (../public-cache.ts), attached here to the two public routes because it is Worker
 * code.
 */
import type { Hook } from "@hono/zod-openapi";
import { z } from "zod";
import { contractApp } from "../../../shared/contract/app.ts";
import {
	listingsRoutes as r,
	readOnlyListingFields,
	type UpdateListingInput,
} from "../../../shared/contract/routes/listings.ts";
import { ftsQuery, type ListingFields, type ListingStatus } from "../../../shared/data/listings.ts";
import { newId } from "../../../shared/encoding.ts";
import { encodeCursor } from "../../../shared/http/cursor.ts";
import { HttpProblem } from "../../../shared/http/problem.ts";
import { parseWith } from "../../../shared/http/validate.ts";
import { publicRead } from "../public-cache.ts";
import type { UserHono } from "../types.ts";
import { fullView, listingEvent, managedOr404, moveListing, open, refusedMove, seal } from "./records.ts";
import { seesConfidential, toListingView, toPublicListing } from "./views.ts";

/** What publishing needs; a draft may be incomplete, a public listing may not. */
const publishableSchema = z.object({
	title: z.string().min(1),
	summary: z.string().min(1, "is required to publish"),
	description: z.string().min(1, "is required to publish"),
	asking_price_cents: z.number().int().positive("must be above zero to publish"),
});

/** Statuses in which a listing's details may still change. */
const EDITABLE: readonly ListingStatus[] = ["draft", "active"];

const READ_ONLY: readonly string[] = readOnlyListingFields;

/**
 * A guest's browse page or listing is at most a minute old in any cache (asking prices and status
 * change), then revalidated with `If-None-Match` for the price of a 304.
 */
const guestRead = publicRead({ maxAgeSeconds: 30, staleWhileRevalidateSeconds: 30 });

const changedMeanwhile = () =>
	new HttpProblem({ reason: "conflict", detail: "The listing changed meanwhile; reload and try again." });

const app = contractApp<UserHono>();

/**
 * The strict body schemas refuse a read-only field like any unknown one; this hook answers it
 * first, naming each such field "is read-only", and leaves every other failure to the app's.
 */
function readOnlyFirst<T, P extends string>(
	...[result, c]: Parameters<Hook<T, UserHono, P, unknown>>
): Promise<never> | undefined {
	if (result.success) return undefined;
	return (async () => {
		const body: unknown = result.target === "json" ? await c.req.json() : undefined;
		if (typeof body === "object" && body !== null && !Array.isArray(body)) {
			const errors = Object.keys(body)
				.filter((key) => READ_ONLY.includes(key))
				.map((field) => ({ field, message: "is read-only" }));
			if (errors.length)
				throw new HttpProblem({ reason: "bad_request", detail: "The body sets read-only fields.", errors });
		}
		await app.defaultHook?.(result, c);
		throw new Error("the default hook let a validation failure through");
	})();
}

export const listings = app
	.openapi({ ...r.browseListings, middleware: [guestRead] }, async (c) => {
		const query = c.req.valid("query");
		const match = query.q === undefined ? undefined : ftsQuery(query.q);
		if (match === null) return c.json({ items: [], next_cursor: null }, 200);
		const { rows, more } = await c.var.data.listings.browse({
			match,
			category: query.category,
			minPrice: query.min_price,
			maxPrice: query.max_price,
			featured: query.featured === "true",
			limit: query.limit,
			cursor: query.cursor,
		});
		const items = rows.map(toPublicListing);
		const last = items.at(-1);
		const next_cursor = more && last?.published_at ? encodeCursor([last.published_at, last.id]) : null;
		return c.json({ items, next_cursor }, 200);
	})
	// Before `/{id}`, which `mine` would otherwise match.
	.openapi(r.listOwnListings, async (c) => {
		const { rows, more } = await c.var.data.listings.mine(c.req.valid("query"));
		const items = await Promise.all(rows.map((row) => fullView(c, row)));
		const last = items.at(-1);
		return c.json({ items, next_cursor: more && last ? encodeCursor([last.created_at, last.id]) : null }, 200);
	})
	.openapi(
		r.createListing,
		async (c) => {
			const input = c.req.valid("json");
			const id = newId("lst");
			const owner = { id, seller_tenant_id: c.var.tenant.tenant_id ?? "" };
			const record: ListingFields = {
				title: input.title,
				summary: input.summary,
				description: input.description,
				category: input.category,
				asking_price_cents: input.asking_price_cents,
				currency: input.currency,
				tech_stack: JSON.stringify(input.tech_stack),
				mrr_cents: input.metrics.mrr_cents ?? null,
				revenue_cents: input.metrics.revenue_cents ?? null,
				monthly_visitors: input.metrics.monthly_visitors ?? null,
				age_months: input.metrics.age_months ?? null,
				confidential: await seal(c.env, owner, input.confidential),
				nda_text: input.nda_text,
				nda_version: 1,
			};
			await c.var.data.batch([c.var.data.listings.insert(id, record, new Date().toISOString())]);
			return c.json(await fullView(c, await managedOr404(c, id)), 201);
		},
		readOnlyFirst,
	)
	.openapi({ ...r.getListing, middleware: [guestRead] }, async (c) => {
		const { id } = c.req.valid("param");
		const found = await c.var.data.listings.find(id);
		if (!found) throw new HttpProblem({ reason: "not_found" });
		if (!("confidential" in found.listing)) return c.json(toPublicListing(found.listing), 200);
		const listing = found.listing;
		const confidential = seesConfidential(found.access) ? await open(c.env, listing) : undefined;
		return c.json(toListingView(listing, confidential), 200);
	})
	.openapi(
		r.updateListing,
		async (c) => {
			const { id } = c.req.valid("param");
			const input = c.req.valid("json");
			if (Object.keys(input).length === 0) {
				throw new HttpProblem({ reason: "bad_request", detail: "Send at least one field to change." });
			}
			const listing = await managedOr404(c, id);
			if (!EDITABLE.includes(listing.status)) {
				throw new HttpProblem({ reason: "conflict", detail: `A listing that is ${listing.status} cannot be edited.` });
			}
			const changes = columnsOf(input);
			if (input.confidential !== undefined) changes.confidential = await seal(c.env, listing, input.confidential);
			if (input.nda_text !== undefined && input.nda_text !== listing.nda_text) {
				changes.nda_text = input.nda_text;
				changes.nda_version = listing.nda_version + 1;
			}
			// Publicly visible listings must stay publishable.
			if (listing.status === "active") {
				parseWith(
					publishableSchema,
					{ ...listing, ...stripUndefined(changes) },
					"An active listing must stay complete.",
				);
			}
			const now = Date.now();
			const message = listingEvent(c, "listing.updated", listing, now);
			const guard = { statuses: EDITABLE, expectedUpdatedAt: listing.updated_at };
			const [update] = await c.var.data.batch([
				c.var.data.listings.update(id, changes, guard, new Date(now).toISOString()),
				c.var.data.outbox.insert(message, now, { afterChange: true }),
			]);
			if ((update?.meta.changes ?? 0) === 0) throw changedMeanwhile();
			await c.var.data.outbox.flush({ "backoffice-jobs": c.env.BACKOFFICE_JOBS }, [message.id], now);
			return c.json(await fullView(c, await managedOr404(c, id)), 200);
		},
		readOnlyFirst,
	)
	.openapi(r.publishListing, async (c) => {
		const { id } = c.req.valid("param");
		const listing = await managedOr404(c, id);
		if (listing.seller_tenant_id !== c.var.tenant.tenant_id) throw new HttpProblem({ reason: "not_found" });
		// Only the draft that would go public has to be complete.
		if (listing.status === "draft") {
			parseWith(publishableSchema, listing, "The listing is not complete enough to publish.");
		}
		const outcome = await moveListing(c, listing, { type: "publish" });
		if (outcome === "changed") throw changedMeanwhile();
		if (outcome !== "moved") {
			if (outcome.kind === "already") return c.json(await fullView(c, listing), 200);
			throw refusedMove(outcome);
		}
		return c.json(await fullView(c, await managedOr404(c, id)), 200);
	})
	.openapi(r.archiveListing, async (c) => {
		const { id } = c.req.valid("param");
		const listing = await managedOr404(c, id);
		const outcome = await moveListing(c, listing, { type: "archive" });
		if (outcome === "changed") throw changedMeanwhile();
		if (outcome !== "moved" && outcome.kind !== "already") throw refusedMove(outcome);
		return c.body(null, 204);
	});

/** The columns the given fields set; fields the input leaves out stay `undefined` (unchanged). */
function columnsOf(input: UpdateListingInput): Partial<ListingFields> {
	const columns: Partial<ListingFields> = {
		title: input.title,
		summary: input.summary,
		description: input.description,
		category: input.category,
		asking_price_cents: input.asking_price_cents,
		currency: input.currency,
		tech_stack: input.tech_stack === undefined ? undefined : JSON.stringify(input.tech_stack),
	};
	for (const key of ["mrr_cents", "revenue_cents", "monthly_visitors", "age_months"] as const) {
		if (input.metrics?.[key] !== undefined) columns[key] = input.metrics[key];
	}
	return columns;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
	return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
