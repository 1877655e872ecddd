/**
 * Test projects:
 * - unit: pure logic (`*.unit.test.ts`), plain Node, no runtime.
 * - dispatch, user, consumers: each Worker's tests inside workerd through @cloudflare/vitest-plugin,
 *   with the Worker's own Wrangler config, D1 migrations applied in a setup file.
 * - e2e: the whole local topology started as a client sees it (HTTP and WebSocket).
 */
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { bundleWorker } from "./scripts/bundle.ts";
import { testSecrets as randomTestSecrets } from "./test/topology/secrets.ts";
import { reserveLocalMail } from "./test/workerd/local-mail.ts";
import { reserveLocalStripe } from "./test/workerd/local-stripe.ts";

const migrations = await readD1Migrations("./migrations");

// The dispatch project binds the user Worker as an auxiliary Worker, which Miniflare loads as a
// bundle; build it before the pool reads its options.
await bundleWorker("workers/user/index.ts", ".wrangler/test-build/user/index.js");
// The user project binds the Durable Objects that the dispatch Worker's script hosts.
await bundleWorker("workers/dispatch/index.ts", ".wrangler/test-build/dispatch/index.js");

/** Fresh secrets for every run, so no test depends on a developer's .dev.vars. */
const testSecrets = randomTestSecrets();

const DATABASE_ID = "00000000-0000-4000-8000-000000000001";

// The user project's own Stripe stand-in (test/workerd/local-stripe.ts starts it on this port).
const userStripe = await reserveLocalStripe("user", testSecrets);
// The dispatch project's (the PaymentObject's tests reach Stripe over the network).
const dispatchStripe = await reserveLocalStripe("dispatch", testSecrets);
// The consumers project's mail stand-in (test/workerd/local-mail.ts), which the e-mail consumer sends to.
const consumersMail = await reserveLocalMail("consumers", testSecrets);

export default defineConfig({
	test: {
		projects: [
			{
				test: {
					name: "unit",
					include: ["**/*.unit.test.ts"],
					exclude: ["node_modules/**"],
					environment: "node",
				},
			},
			{
				plugins: [
					cloudflareTest({
						wrangler: { configPath: "./wrangler.toml" },
						miniflare: {
							// METRICS_FLUSH_MS: a request's metrics flush 1 ms after it, not 5 s, so a test that
							// awaits the request's waitUntil (waitOnExecutionContext) is not held by the timer.
							bindings: { ...testSecrets, ...dispatchStripe, METRICS_FLUSH_MS: "1", TEST_MIGRATIONS: migrations },
							workers: [
								{
									// The user Worker behind the USER_WORKER service binding, bundled by the
									// global setup (auxiliary Workers cannot read a Wrangler config).
									name: "techflunky-user-worker",
									modules: true,
									scriptPath: "./.wrangler/test-build/user/index.js",
									compatibilityDate: "2026-10-01",
									d1Databases: { DB: DATABASE_ID },
									bindings: { TENANT_CONTEXT_SECRET: testSecrets.TENANT_CONTEXT_SECRET },
								},
								{
									// A stand-in for the web app behind WEB (the real one is an Astro build,
									// which the e2e topology loads): it names what it was asked for and sets a
									// CSP of its own, so the tests see what the edge forwards and keeps.
									name: "techflunky-web",
									modules: true,
									compatibilityDate: "2026-10-01",
									script: `export default {
										fetch(request) {
											const url = new URL(request.url);
											return new Response("<p>web " + request.method + " " + url.pathname + url.search + "</p>", {
												headers: { "Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": "default-src 'self'; script-src 'self' 'sha256-web'", "X-Web-Cookie": request.headers.get("Cookie") ?? "", "X-Web-Host": request.headers.get("X-TechFlunky-Host") ?? "" },
											});
										},
									};`,
								},
								{
									// A stand-in for the documentation site behind DOCS (the real one is static
									// assets, which the e2e topology loads with `docs: true`): it names what it was
									// asked for and sets a CSP of its own, as the site's `_headers` does.
									name: "techflunky-docs",
									modules: true,
									compatibilityDate: "2026-10-01",
									script: `export default {
										fetch(request) {
											const url = new URL(request.url);
											return new Response("<p>docs " + request.method + " " + url.host + url.pathname + "</p>", {
												headers: { "Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": "default-src 'self'; script-src 'self' 'sha256-docs'", "X-Docs-Cookie": request.headers.get("Cookie") ?? "" },
											});
										},
									};`,
								},
							],
						},
					}),
				],
				test: {
					name: "dispatch",
					include: ["workers/dispatch/**/*.test.ts", "durable-objects/**/*.test.ts"],
					exclude: ["**/*.unit.test.ts"],
					globalSetup: ["./test/workerd/local-stripe.ts"],
					setupFiles: ["./test/workerd/apply-migrations.ts"],
				},
			},
			{
				plugins: [
					cloudflareTest({
						wrangler: { configPath: "./workers/user/wrangler.toml" },
						miniflare: {
							bindings: { ...testSecrets, ...userStripe, TEST_MIGRATIONS: migrations },
							workers: [
								{
									name: "techflunky-dispatch",
									modules: true,
									scriptPath: "./.wrangler/test-build/dispatch/index.js",
									compatibilityDate: "2026-10-01",
									durableObjects: {
										TenantObject: { className: "TenantObject", useSQLite: true },
										NegotiationRoom: { className: "NegotiationRoom", useSQLite: true },
										PaymentObject: { className: "PaymentObject", useSQLite: true },
									},
									d1Databases: { DB: DATABASE_ID },
									bindings: { ...testSecrets, ...userStripe },
								},
							],
						},
					}),
				],
				test: {
					name: "user",
					include: ["workers/user/**/*.test.ts"],
					exclude: ["**/*.unit.test.ts"],
					globalSetup: ["./test/workerd/local-stripe.ts"],
					setupFiles: ["./test/workerd/apply-migrations.ts"],
				},
			},
			{
				plugins: [
					cloudflareTest({
						wrangler: { configPath: "./workers/consumers/wrangler.toml" },
						miniflare: {
							// SITE_ORIGIN as wrangler.toml has it, over a developer's .dev.vars (which points it at
							// localhost for `npm start`), so the e-mails' links are the same on every machine.
							bindings: {
								...testSecrets,
								...consumersMail,
								SITE_ORIGIN: "https://techflunky.com",
								TEST_MIGRATIONS: migrations,
							},
							workers: [
								{
									// The PaymentObject the payments consumer drives (no Stripe here: the
									// consumer's tests stop at the object's state, effects are retried later).
									name: "techflunky-dispatch",
									modules: true,
									scriptPath: "./.wrangler/test-build/dispatch/index.js",
									compatibilityDate: "2026-10-01",
									durableObjects: {
										NegotiationRoom: { className: "NegotiationRoom", useSQLite: true },
										PaymentObject: { className: "PaymentObject", useSQLite: true },
									},
									d1Databases: { DB: DATABASE_ID },
									bindings: { ...testSecrets, STRIPE_API_BASE: "http://127.0.0.1:9" },
								},
							],
						},
					}),
				],
				test: {
					name: "consumers",
					include: ["workers/consumers/**/*.test.ts"],
					exclude: ["**/*.unit.test.ts"],
					globalSetup: ["./test/workerd/local-mail.ts"],
					setupFiles: ["./test/workerd/apply-migrations.ts"],
				},
			},
			{
				test: {
					name: "e2e",
					include: ["test/e2e/**/*.e2e.test.ts"],
					environment: "node",
					testTimeout: 60_000,
					hookTimeout: 120_000,
					// One topology per file; files run one at a time on this 2-core machine.
					fileParallelism: false,
				},
			},
		],
	},
});
