/**
 * The tenant-scoped data layer: everything the user Worker reads or writes in D1 goes through
 * the object `tenantData` builds from the verified tenant context. Handlers never hold the D1
 * binding (the user Worker's Hono env omits it; `workers/user/isolation.unit.test.ts` fails if a
 * file outside this folder touches it), so a handler cannot issue a query without the tenant
 * predicate this layer adds.
 */
import type { TenantContext } from "../tenant-context.ts";
import { accessRequestsData } from "./access-requests.ts";
import { attachmentsData } from "./attachments.ts";
import { listingsData } from "./listings.ts";
import { offersData } from "./offers.ts";
import { flushOutbox, type OutboxMessage, type OutboxProducers, outboxInsert } from "./outbox.ts";
import { paymentsData } from "./payments.ts";
import { savedSearchesData } from "./saved-searches.ts";
import { scopeOf } from "./scope.ts";
import { featuringData, storefrontsData } from "./storefronts.ts";
import { watchlistData } from "./watchlist.ts";

export function tenantData(db: D1Database, context: TenantContext) {
	const scope = scopeOf(context);
	return {
		scope,
		listings: listingsData(db, scope),
		accessRequests: accessRequestsData(db, scope),
		attachments: attachmentsData(db, scope),
		offers: offersData(db, scope),
		payments: paymentsData(db, scope),
		storefronts: storefrontsData(db, scope),
		featuring: featuringData(db, scope),
		savedSearches: savedSearchesData(db, scope),
		watchlist: watchlistData(db, scope),
		/** Runs statements built by this layer as one transaction (a D1 batch). */
		batch: (statements: D1PreparedStatement[]) => db.batch(statements),
		outbox: {
			/** The outbox row for `message`; with `afterChange`, written only if the statement before it changed one row. */
			insert: (message: OutboxMessage, now: number, options?: { afterChange?: boolean }) =>
				outboxInsert(db, message, now, options),
			/** Sends the named rows now; what fails to send is resent by the consumers' cron. */
			flush: (producers: OutboxProducers, ids: string[], now: number) => flushOutbox(db, producers, ids, now),
		},
	};
}

export type TenantData = ReturnType<typeof tenantData>;
