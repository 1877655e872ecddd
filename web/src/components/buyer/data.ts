/**
 * The buyer portal's reads on the server, through the page's API client like every page's: the
 * gate, one API answer read into data or a failure, and the titles of the listings a page names.
 *
 * Threads, requests and payments carry a listing id but no title, so a page reads each distinct
 * listing it shows (`GET /api/v1/listings/{id}`), in parallel. Every read spends the buyer's own
 * bucket (burst 50, docs/api.md), which is why the portal's lists page by 10 and the overview
 * names only a few listings: a page costs its list reads plus at most 10 listing reads. A listing
 * that cannot be read (archived, or the read failed) is shown by its id, never breaks the page.
 */
import type { z } from "@hono/zod-openapi";
import type { AstroGlobal } from "astro";
import { listingsRoutes } from "../../../../shared/contract/routes/listings.ts";
import type { paymentView } from "../../../../shared/contract/routes/payments.ts";
import type { Api } from "../../lib/api.ts";
import { type Gate, gate } from "../../lib/guard.ts";
import { type Failure, failure, unavailable } from "../../lib/outcome.ts";
import type { Visitor } from "../../lib/session.ts";

export type PaymentView = z.output<typeof paymentView>;

/** How many items a portal list shows per page. */
export const PAGE_SIZE = 10;

/** Buyers and investors share the portal. */
export function buyerGate(astro: AstroGlobal, visitor: Visitor | null): Gate {
	return gate(astro, visitor, ["buyer", "investor"]);
}

export interface ListingName {
	title: string;
	/** Whether the listing page opens for this buyer (an archived one answers 404). */
	visible: boolean;
}

/** Each distinct listing's title, by id; an unreadable listing gets a stand-in name and no link. */
export async function listingNames(api: Api, ids: readonly string[]): Promise<Map<string, ListingName>> {
	const distinct = [...new Set(ids)];
	const names = await Promise.all(
		distinct.map(async (id): Promise<[string, ListingName]> => {
			const answer = await api.call(listingsRoutes.getListing, { params: { id } }).catch(() => null);
			if (answer?.status === 200) return [id, { title: answer.body.title, visible: true }];
			const gone = answer?.status === 404;
			return [id, { title: gone ? "A listing no longer on the market" : `Listing ${id.slice(-8)}`, visible: !gone }];
		}),
	);
	return new Map(names);
}

/** A list answer read into its page, or the failure to show; `"message" in x` tells them apart. */
export async function listPage<T>(
	call: Promise<{ status: number; body: unknown }>,
): Promise<{ items: T[]; next: string | null } | Failure> {
	const answer = await call.catch(unavailable);
	if ("message" in answer) return answer;
	if (answer.status === 200) {
		const body = answer.body as { items: T[]; next_cursor: string | null };
		return { items: body.items, next: body.next_cursor };
	}
	const detail = (answer.body as { detail?: string } | null)?.detail;
	// A cursor the API refuses (edited, or from another list) is this page's 400 with a way back.
	if (answer.status === 400)
		return { status: 400, message: "That page of the list does not exist. Start from the first page." };
	return failure(answer.status, detail);
}

/** The `cursor` query parameter, when the visitor is on a later page. */
export function cursorOf(url: URL): string | undefined {
	const cursor = url.searchParams.get("cursor")?.trim();
	return cursor ? cursor : undefined;
}
