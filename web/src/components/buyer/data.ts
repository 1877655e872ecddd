/**
 * What the buyer portal's pages share on the server: the gate, the payment view and how many items
 * a list shows. Paging a list is ../../lib/paging.ts and the titles of the listings a page names
 * ../../lib/listing-names.ts, shared with the admin console.
 *
 * Every read spends the buyer's own bucket (burst 50, docs/api.md), which is why the portal's
 * lists page by 10 and the overview names only a few listings: a page costs its list reads plus
 * at most 10 listing reads.
 */
import type { z } from "@hono/zod-openapi";
import type { AstroGlobal } from "astro";
import type { paymentView } from "../../../../shared/contract/routes/payments.ts";
import { type Gate, gate } from "../../lib/guard.ts";
import type { Visitor } from "../../lib/session.ts";

export type PaymentView = z.output<typeof paymentView>;

/** How many items a portal list shows per page. */
export const PAGE_SIZE = 10;

/** Buyers and investors share the portal. */
export function buyerGate(astro: AstroGlobal, visitor: Visitor | null): Gate {
	return gate(astro, visitor, ["buyer", "investor"]);
}
