/**
 * Local runs stay off the internet (docs/architecture.md, Local stand-ins for external services).
 * Left alone, Wrangler and Miniflare reach out on every start: Miniflare downloads the `Request.cf`
 * object from workers.cloudflare.com (and warns with a DNS error on every start and reload when it
 * cannot), Wrangler's banner asks the npm registry for a newer version, and its telemetry posts to
 * sparrow.cloudflare.com.
 *
 * The product never reads `request.cf`, so Miniflare's built-in placeholder (a fixed Austin, TX
 * location) serves instead of the download. A committed cf.json would not do: Miniflare treats a
 * file older than 30 days as stale and fetches again. The price of hiding the banner is the
 * Wrangler version line; `npx wrangler --version` still tells it.
 *
 * Topologies that start Miniflare in-process (test/topology, bench) pass `cf: false` for the same
 * reason: vitest sets NODE_ENV=test, which skips the download, but `npm run bench` and
 * `npm run soak` do not.
 */

/** Defaults for every Wrangler process that local scripts start; the caller's own environment wins. */
export const OFFLINE_WRANGLER_ENV = {
	/** Miniflare: no `Request.cf` download; its placeholder instead. */
	CLOUDFLARE_CF_FETCH_ENABLED: "false",
	/** Wrangler: no telemetry. */
	WRANGLER_SEND_METRICS: "false",
	/** Wrangler: no banner, so no update check against the npm registry. */
	WRANGLER_HIDE_BANNER: "true",
} as const;
