/**
 * Listings: public browse and search, the seller's own list, create (draft), read, patch,
 * publish and archive. Every D1 access goes through `c.var.data` (shared/data), scoped to the
 * verified tenant; objects the caller may not see are 404.
 *
 * Confidential details travel as one AES-256-GCM envelope bound to (seller, listing,
 * "confidential"), decrypted only for the owner, admins and approved buyers. Publish and archive
 * are written in one batch with their `listing.event` outbox row, then sent. Guests' reads are
 * publicly cacheable and conditional (../public-cache.ts).
 */
import { type Context, Hono } from "hono";
import { z } from "zod";
import type { ListingEventJob } from "../../../queues/backoffice-jobs.ts";
import { decryptField, encryptField, encryptionKeyFor, type FieldBinding } from "../../../shared/crypto/aes-gcm.ts";
import {
	categories,
	ftsQuery,
	type ListingFields,
	type ListingRecord,
	type ListingStatus,
	listingStatuses,
} from "../../../shared/data/listings.ts";
import { newId } from "../../../shared/encoding.ts";
import { cursorQuery, encodeCursor } from "../../../shared/http/cursor.ts";
import { HttpProblem } from "../../../shared/http/problem.ts";
import { parseWith, readJson, readParams, readQuery } from "../../../shared/http/validate.ts";
import { publicRead } from "../public-cache.ts";
import type { UserHono } from "../types.ts";
import { type Confidential, confidentialSchema, seesConfidential, toListingView, toPublicListing } from "./views.ts";

/** A trillion in major units: far beyond any listing, far below `Number.MAX_SAFE_INTEGER`. */
const MAX_CENTS = 100_000_000_000_000;
const cents = z.number().int().nonnegative().max(MAX_CENTS);
const price = z.coerce.number().int().nonnegative().max(MAX_CENTS);

const browseQuery = z
	.object({
		q: z.string().trim().min(1).max(200).optional(),
		category: z.enum(categories).optional(),
		min_price: price.optional(),
		max_price: price.optional(),
		limit: z.coerce.number().int().min(1).max(100).default(20),
		cursor: cursorQuery.optional(),
	})
	.strict()
	.refine(
		(query) => query.min_price === undefined || query.max_price === undefined || query.min_price <= query.max_price,
		{ message: "min_price must not exceed max_price", path: ["min_price"] },
	);

const mineQuery = z
	.object({
		status: z.enum(listingStatuses).optional(),
		limit: z.coerce.number().int().min(1).max(100).default(20),
		cursor: cursorQuery.optional(),
	})
	.strict();

const listingParams = z.object({ id: z.string().regex(/^lst_[0-9a-f]{32}$/, "must be a listing id") });

const metricsSchema = z
	.object({
		mrr_cents: cents.nullable().optional(),
		revenue_cents: cents.nullable().optional(),
		monthly_visitors: z.number().int().nonnegative().max(10_000_000_000).nullable().optional(),
		age_months: z.number().int().nonnegative().max(1200).nullable().optional(),
	})
	.strict();

const fields = {
	title: z.string().trim().min(1).max(120),
	summary: z.string().trim().max(300),
	description: z.string().trim().max(20_000),
	category: z.enum(categories),
	asking_price_cents: cents,
	currency: z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code such as USD"),
	tech_stack: z.array(z.string().trim().min(1).max(40)).max(30),
	metrics: metricsSchema,
	/** `null` clears the confidential details; an object replaces them whole. */
	confidential: confidentialSchema.nullable(),
	nda_text: z.string().trim().max(20_000),
};

const createSchema = z
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
	.strict();

const patchSchema = z
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
	.strict();

/** Fields a client may never set, named so the 400 says why rather than just "unrecognized". */
const PROTECTED = [
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
];

/** Rejects protected fields with one error each, before the strict schema sees the body. */
function refuseProtected(body: unknown): void {
	if (typeof body !== "object" || body === null || Array.isArray(body)) return;
	const errors = Object.keys(body)
		.filter((key) => PROTECTED.includes(key))
		.map((field) => ({ field, message: "is read-only" }));
	if (errors.length)
		throw new HttpProblem({ reason: "bad_request", detail: "The body sets read-only fields.", errors });
}

/** What publishing needs; a draft may be incomplete, a public listing may not. */
const publishableSchema = z.object({
	title: z.string().min(1),
	summary: z.string().min(1, "is required to publish"),
	description: z.string().min(1, "is required to publish"),
	asking_price_cents: z.number().int().positive("must be above zero to publish"),
});

/** Statuses in which a listing's details may still change. */
const EDITABLE: readonly ListingStatus[] = ["draft", "active"];

const binding = (listing: { id: string; seller_tenant_id: string }): FieldBinding => ({
	tenantId: listing.seller_tenant_id,
	recordId: listing.id,
	field: "confidential",
});

async function seal(
	env: UserHono["Bindings"],
	listing: ListingRecord | { id: string; seller_tenant_id: string },
	value: Confidential | null,
) {
	if (value === null || Object.keys(value).length === 0) return null;
	return encryptField(await encryptionKeyFor(env.ENCRYPTION_KEY), JSON.stringify(value), binding(listing));
}

async function open(env: UserHono["Bindings"], listing: ListingRecord): Promise<Confidential | null> {
	if (listing.confidential === null) return null;
	const json = await decryptField(await encryptionKeyFor(env.ENCRYPTION_KEY), listing.confidential, binding(listing));
	const parsed = confidentialSchema.safeParse(JSON.parse(json));
	if (!parsed.success)
		throw new Error(`stored confidential details of ${listing.id} are invalid`, { cause: parsed.error });
	return parsed.data;
}

async function fullView(c: Context<UserHono>, listing: ListingRecord) {
	return toListingView(listing, await open(c.env, listing));
}

function listingEvent(
	c: Context<UserHono>,
	type: ListingEventJob["type"],
	listing: { id: string; seller_tenant_id: string },
	now: number,
): { id: string; queue: "backoffice-jobs"; body: ListingEventJob } {
	const id = newId("evt");
	return {
		id,
		queue: "backoffice-jobs",
		body: {
			id,
			kind: "listing.event",
			type,
			occurred_at: new Date(now).toISOString(),
			listing_id: listing.id,
			seller_tenant_id: listing.seller_tenant_id,
			actor_tenant_id: c.var.tenant.actor_tenant_id ?? c.var.tenant.tenant_id,
		},
	};
}

/** Moves a managed listing between statuses with its event in one batch; false if it was not in `from`. */
async function transition(
	c: Context<UserHono>,
	listing: ListingRecord,
	from: readonly ListingStatus[],
	to: ListingStatus,
	type: ListingEventJob["type"],
): Promise<boolean> {
	const now = Date.now();
	const message = listingEvent(c, type, listing, now);
	const { data } = c.var;
	const [update] = await data.batch([
		data.listings.transition(listing.id, from, to, new Date(now).toISOString()),
		data.outbox.insert(message, now, { afterChange: true }),
	]);
	// D1 counts the FTS trigger's writes too; the WHERE names one primary key, so any change means this row.
	if ((update?.meta.changes ?? 0) === 0) return false;
	await data.outbox.flush({ "backoffice-jobs": c.env.BACKOFFICE_JOBS }, [message.id], now);
	return true;
}

/**
 * A guest's browse page or listing is at most a minute old in any cache (asking prices and status
 * change), then revalidated with `If-None-Match` for the price of a 304.
 */
const guestRead = publicRead({ maxAgeSeconds: 30, staleWhileRevalidateSeconds: 30 });

async function managedOr404(c: Context<UserHono>, id: string): Promise<ListingRecord> {
	const listing = await c.var.data.listings.managed(id);
	if (!listing) throw new HttpProblem({ reason: "not_found" });
	return listing;
}

export const listings = new Hono<UserHono>()
	.get("/", guestRead, async (c) => {
		const query = readQuery(c, browseQuery);
		const match = query.q === undefined ? undefined : ftsQuery(query.q);
		if (match === null) return c.json({ items: [], next_cursor: null });
		const { rows, more } = await c.var.data.listings.browse({
			match,
			category: query.category,
			minPrice: query.min_price,
			maxPrice: query.max_price,
			limit: query.limit,
			cursor: query.cursor,
		});
		const items = rows.map(toPublicListing);
		const last = items.at(-1);
		const next_cursor = more && last?.published_at ? encodeCursor([last.published_at, last.id]) : null;
		return c.json({ items, next_cursor });
	})
	.get("/mine", async (c) => {
		const query = readQuery(c, mineQuery);
		const { rows, more } = await c.var.data.listings.mine(query);
		const items = await Promise.all(rows.map((row) => fullView(c, row)));
		const last = items.at(-1);
		return c.json({ items, next_cursor: more && last ? encodeCursor([last.created_at, last.id]) : null });
	})
	.post("/", async (c) => {
		const body = await c.req.json().catch(() => undefined);
		refuseProtected(body);
		const input = await readJson(c, createSchema);
		const id = newId("lst");
		const owner = { id, seller_tenant_id: c.var.tenant.tenant_id ?? "" };
		const now = new Date().toISOString();
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
		await c.var.data.batch([c.var.data.listings.insert(id, record, now)]);
		const created = await managedOr404(c, id);
		return c.json(await fullView(c, created), 201);
	})
	.get("/:id", guestRead, async (c) => {
		const { id } = readParams(c, listingParams);
		const found = await c.var.data.listings.find(id);
		if (!found) throw new HttpProblem({ reason: "not_found" });
		if (!("confidential" in found.listing)) return c.json(toPublicListing(found.listing));
		const listing = found.listing;
		return c.json(toListingView(listing, seesConfidential(found.access) ? await open(c.env, listing) : undefined));
	})
	.patch("/:id", async (c) => {
		const { id } = readParams(c, listingParams);
		const raw = await c.req.json().catch(() => undefined);
		refuseProtected(raw);
		const input = await readJson(c, patchSchema);
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
			parseWith(publishableSchema, { ...listing, ...stripUndefined(changes) }, "An active listing must stay complete.");
		}
		const now = Date.now();
		const message = listingEvent(c, "listing.updated", listing, now);
		const [update] = await c.var.data.batch([
			c.var.data.listings.update(
				id,
				changes,
				{ statuses: EDITABLE, expectedUpdatedAt: listing.updated_at },
				new Date(now).toISOString(),
			),
			c.var.data.outbox.insert(message, now, { afterChange: true }),
		]);
		if ((update?.meta.changes ?? 0) === 0) {
			throw new HttpProblem({ reason: "conflict", detail: "The listing changed meanwhile; reload and try again." });
		}
		await c.var.data.outbox.flush({ "backoffice-jobs": c.env.BACKOFFICE_JOBS }, [message.id], now);
		return c.json(await fullView(c, await managedOr404(c, id)));
	})
	.post("/:id/publish", async (c) => {
		const { id } = readParams(c, listingParams);
		const listing = await managedOr404(c, id);
		if (listing.seller_tenant_id !== c.var.tenant.tenant_id) throw new HttpProblem({ reason: "not_found" });
		if (listing.status === "active") return c.json(await fullView(c, listing));
		if (listing.status !== "draft") {
			throw new HttpProblem({ reason: "conflict", detail: `A listing that is ${listing.status} cannot be published.` });
		}
		parseWith(publishableSchema, listing, "The listing is not complete enough to publish.");
		if (!(await transition(c, listing, ["draft"], "active", "listing.published"))) {
			throw new HttpProblem({ reason: "conflict", detail: "The listing changed meanwhile; reload and try again." });
		}
		return c.json(await fullView(c, await managedOr404(c, id)));
	})
	.delete("/:id", async (c) => {
		const { id } = readParams(c, listingParams);
		const listing = await managedOr404(c, id);
		if (listing.status === "archived") return c.body(null, 204);
		if (listing.status === "under_offer" || listing.status === "sold") {
			throw new HttpProblem({ reason: "conflict", detail: `A listing that is ${listing.status} cannot be archived.` });
		}
		if (!(await transition(c, listing, ["draft", "active"], "archived", "listing.archived"))) {
			throw new HttpProblem({ reason: "conflict", detail: "The listing changed meanwhile; reload and try again." });
		}
		return c.body(null, 204);
	});

/** The columns the given fields set; fields the input leaves out stay `undefined` (unchanged). */
function columnsOf(input: z.infer<typeof patchSchema>): Partial<ListingFields> {
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
