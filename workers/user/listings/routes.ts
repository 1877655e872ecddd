/** Public listing reads: browse active listings, read one. */
import { Hono } from "hono";
import { z } from "zod";
import { cursorQuery, encodeCursor } from "../../../shared/http/cursor.ts";
import { HttpProblem } from "../../../shared/http/problem.ts";
import { readParams, readQuery } from "../../../shared/http/validate.ts";
import type { UserHono } from "../types.ts";
import { categories, PUBLIC_COLUMNS, toPublicListing } from "./public-listing.ts";

const price = z.coerce.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

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
		{
			message: "min_price must not exceed max_price",
			path: ["min_price"],
		},
	);

const listingParams = z.object({ id: z.string().regex(/^lst_[0-9a-f]{32}$/) });

/** `%` and `_` are wildcards in LIKE; escape them so a search for "50%" means what it says. */
function likePattern(text: string): string {
	return `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}

export const listings = new Hono<UserHono>()
	.get("/", async (c) => {
		const query = readQuery(c, browseQuery);
		const where = ["status = 'active'"];
		const binds: (string | number)[] = [];
		if (query.q) {
			where.push("(title LIKE ? ESCAPE '\\' OR summary LIKE ? ESCAPE '\\' OR tech_stack LIKE ? ESCAPE '\\')");
			const pattern = likePattern(query.q);
			binds.push(pattern, pattern, pattern);
		}
		if (query.category) {
			where.push("category = ?");
			binds.push(query.category);
		}
		if (query.min_price !== undefined) {
			where.push("asking_price_cents >= ?");
			binds.push(query.min_price);
		}
		if (query.max_price !== undefined) {
			where.push("asking_price_cents <= ?");
			binds.push(query.max_price);
		}
		if (query.cursor) {
			where.push("(published_at, id) < (?, ?)");
			binds.push(...query.cursor);
		}
		const { results } = await c.env.DB.prepare(
			`SELECT ${PUBLIC_COLUMNS} FROM listings WHERE ${where.join(" AND ")}
			 ORDER BY published_at DESC, id DESC LIMIT ?`,
		)
			.bind(...binds, query.limit + 1)
			.all();
		const items = results.slice(0, query.limit).map(toPublicListing);
		const last = items.at(-1);
		const next_cursor =
			results.length > query.limit && last?.published_at ? encodeCursor([last.published_at, last.id]) : null;
		return c.json({ items, next_cursor });
	})
	.get("/:id", async (c) => {
		const { id } = readParams(c, listingParams);
		// Until sign-in lands every caller is a guest, who sees public listings only.
		const row = await c.env.DB.prepare(
			`SELECT ${PUBLIC_COLUMNS} FROM listings WHERE id = ? AND status IN ('active', 'under_offer', 'sold')`,
		)
			.bind(id)
			.first();
		if (!row) throw new HttpProblem({ reason: "not_found" });
		return c.json(toPublicListing(row));
	});
