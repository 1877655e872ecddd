/**
 * The e-mails saved searches and the watchlist send, made from `listing.event`s (issue 15):
 * - `listing.published`: every saved search the listing matches gets a `saved-search-match`;
 * - `listing.under_offer`, `listing.sold`: every watcher gets a `watchlist-change`;
 * - `listing.updated`: every watcher told of another asking price than the current one gets a
 *   `watchlist-change` (price), and the price they were told is moved on.
 *
 * Matching is the browse query's (shared/data/listings.ts): the search's stored FTS5 expression
 * (`ftsQuery` of its `q`) against the listing's `listings_fts` row, category and price range, in
 * one SQL statement over all searches, restricted to the one listing. A search is matched if it
 * exists when the event is processed (seconds after publishing); one saved later is not e-mailed
 * about this listing, which was already in the results it saved.
 *
 * Job ids are deterministic (a hash of what the e-mail is about), and the e-mail consumer sends a
 * job id once, so a redelivered event, or the outbox sending one twice, never sends twice. In
 * daily mode (the user's `saved_search_digest` setting) the id is the search and the UTC day, so a
 * search sends at most one e-mail a day. The user's opt-out of a kind is honoured here, when the
 * job is made.
 */
import { type EmailJob, type ListingEventJob, sendBackofficeJobs } from "../../queues/backoffice-jobs.ts";
import { toHex, utf8 } from "../../shared/encoding.ts";
import type { NotificationKind } from "../../shared/notifications/kinds.ts";
import { readPreferences } from "../../shared/notifications/preferences.ts";
import { siteOrigin } from "./notify-mail.ts";

interface Recipient {
	user_id: string;
	email: string;
	user_name: string;
}

interface Listing {
	id: string;
	title: string;
	asking_price_cents: number;
	currency: string;
}

/** `evt_` and 32 hex digits of SHA-256(`key`): the same e-mail always gets the same job id. */
export async function jobIdFor(key: string): Promise<string> {
	const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", utf8.encode(key)));
	return `evt_${toHex(digest).slice(0, 32)}`;
}

/** A name MailerSend takes (no `;` or `,`), or none. */
const safeName = (name: string) => {
	const cleaned = name.replace(/[;,]/g, " ").trim().slice(0, 100);
	return cleaned === "" ? undefined : cleaned;
};

const listingUrl = (origin: string, id: string) => new URL(`/listings/${id}`, origin).toString();

async function wants(env: ConsumersEnv, userId: string, kind: NotificationKind) {
	const preferences = await readPreferences(env.DB, userId);
	return { on: preferences.kinds[kind], daily: preferences.digest === "daily" };
}

export async function watchMail(env: ConsumersEnv, event: ListingEventJob, now: () => Date): Promise<void> {
	const jobs =
		event.type === "listing.published"
			? await savedSearchJobs(env, event, now)
			: event.type === "listing.under_offer" || event.type === "listing.sold" || event.type === "listing.updated"
				? await watchlistJobs(env, event, now)
				: [];
	if (jobs.length > 0) await sendBackofficeJobs(env.BACKOFFICE_JOBS, jobs);
	if (event.type === "listing.updated") {
		// Told (or queued): move each watcher's price on, so the change is told once.
		await env.DB.prepare(
			`UPDATE watchlist SET price_cents = (SELECT asking_price_cents FROM listings WHERE id = ?1)
			 WHERE listing_id = ?1`,
		)
			.bind(event.listing_id)
			.run();
	}
}

interface MatchRow extends Recipient, Listing {
	search_id: string;
	search_name: string;
	q: string | null;
	category: string | null;
	min_price_cents: number | null;
	max_price_cents: number | null;
}

async function savedSearchJobs(env: ConsumersEnv, event: ListingEventJob, now: () => Date): Promise<EmailJob[]> {
	const { results } = await env.DB.prepare(
		`SELECT s.id AS search_id, s.name AS search_name, s.q, s.category, s.min_price_cents, s.max_price_cents,
		        u.id AS user_id, u.email, u.name AS user_name,
		        l.id, l.title, l.asking_price_cents, l.currency, l.updated_at AS listing_updated_at
		 FROM listings l
		 JOIN saved_searches s ON s.tenant_id <> l.seller_tenant_id
		 JOIN users u ON u.id = s.user_id
		 WHERE l.id = ? AND l.status = 'active'
		   AND (s.category IS NULL OR s.category = l.category)
		   AND (s.min_price_cents IS NULL OR l.asking_price_cents >= s.min_price_cents)
		   AND (s.max_price_cents IS NULL OR l.asking_price_cents <= s.max_price_cents)
		   AND (s.match IS NULL OR EXISTS (
		         SELECT 1 FROM listings_fts f WHERE listings_fts MATCH s.match AND f.rowid = l.rowid))`,
	)
		.bind(event.listing_id)
		.all<MatchRow>();
	const at = now();
	// The day the listing was published, not the day this delivery runs: a redelivery on a later
	// UTC day (the outbox cron, a backoff past midnight, a replayed dead letter) keeps its job id.
	const day = event.occurred_at.slice(0, 10);
	const jobs: EmailJob[] = [];
	for (const row of results) {
		const preference = await wants(env, row.user_id, "saved_search_matches");
		if (!preference.on) continue;
		const key = preference.daily
			? `saved-search-match:${row.search_id}:${day}`
			: `saved-search-match:${row.search_id}:${row.id}`;
		// The search page's filters are whole currency units (web/src/pages/search.astro).
		const results_url = new URL("/search", env.SITE_ORIGIN);
		if (row.q) results_url.searchParams.set("q", row.q);
		if (row.category) results_url.searchParams.set("category", row.category);
		if (row.min_price_cents !== null) results_url.searchParams.set("min_price", String(row.min_price_cents / 100));
		if (row.max_price_cents !== null) results_url.searchParams.set("max_price", String(row.max_price_cents / 100));
		jobs.push({
			id: await jobIdFor(key),
			kind: "email.send",
			occurred_at: at.toISOString(),
			to: { email: row.email, name: safeName(row.user_name) },
			template: "saved-search-match",
			// Gated again when it is sent, and given its one-click unsubscribe (./email.ts).
			notification: { user_id: row.user_id, kind: "saved_search_matches", origin: siteOrigin(env) },
			data: {
				name: safeName(row.user_name),
				search_name: row.search_name.slice(0, 200),
				listing_title: row.title.slice(0, 200),
				asking_price_cents: row.asking_price_cents,
				currency: row.currency,
				listing_url: listingUrl(env.SITE_ORIGIN, row.id),
				results_url: results_url.toString(),
				daily: preference.daily,
			},
		});
	}
	return jobs;
}

interface WatcherRow extends Recipient, Listing {
	tenant_id: string;
	told_price_cents: number;
	listing_updated_at: string;
}

async function watchlistJobs(env: ConsumersEnv, event: ListingEventJob, now: () => Date): Promise<EmailJob[]> {
	const priceOnly = event.type === "listing.updated" ? "AND w.price_cents <> l.asking_price_cents" : "";
	const { results } = await env.DB.prepare(
		`SELECT w.tenant_id, w.price_cents AS told_price_cents, u.id AS user_id, u.email, u.name AS user_name,
		        l.id, l.title, l.asking_price_cents, l.currency, l.updated_at AS listing_updated_at
		 FROM watchlist w JOIN listings l ON l.id = w.listing_id JOIN users u ON u.id = w.user_id
		 WHERE w.listing_id = ? ${priceOnly}`,
	)
		.bind(event.listing_id)
		.all<WatcherRow>();
	const at = now();
	const jobs: EmailJob[] = [];
	for (const row of results) {
		if (!(await wants(env, row.user_id, "watchlist_changes")).on) continue;
		const common = {
			name: safeName(row.user_name),
			listing_title: row.title.slice(0, 200),
			currency: row.currency,
			listing_url: listingUrl(env.SITE_ORIGIN, row.id),
		};
		const data =
			event.type === "listing.updated"
				? {
						...common,
						change: "price" as const,
						old_price_cents: row.told_price_cents,
						new_price_cents: row.asking_price_cents,
					}
				: { ...common, change: event.type === "listing.sold" ? ("sold" as const) : ("under_offer" as const) };
		jobs.push({
			// A price change is keyed on what it tells (told price → the listing's price as of its last
			// update), not on the event: another listing.updated handled before the told price moved
			// on would otherwise tell the same change again under its own id.
			id: await jobIdFor(
				event.type === "listing.updated"
					? `watchlist-change:${row.tenant_id}:${row.id}:price:${row.told_price_cents}:${row.asking_price_cents}:${row.listing_updated_at}`
					: `watchlist-change:${row.tenant_id}:${row.id}:${event.id}`,
			),
			kind: "email.send",
			occurred_at: at.toISOString(),
			to: { email: row.email, name: safeName(row.user_name) },
			template: "watchlist-change",
			notification: { user_id: row.user_id, kind: "watchlist_changes", origin: siteOrigin(env) },
			data,
		});
	}
	return jobs;
}
