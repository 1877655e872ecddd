/**
 * The whole local topology (dispatch, user and consumer Workers, and the web app) in one
 * Miniflare instance on workerd, the way `wrangler dev -c … -c … -c …` runs it but without
 * Wrangler's dev proxy: each Worker's bindings come from its own Wrangler config
 * (`unstable_getMiniflareWorkerOptions`), its code from an esbuild bundle (the web app's from
 * `astro build`, scripts/web-app.ts), and its secrets from the caller. Cross-Worker tests drive it over
 * HTTP and WebSocket like a client; they also reach the queues and D1 through Miniflare to check
 * what the consumers wrote.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions, unstable_splitSqlQuery } from "wrangler";
import { bundleWorker } from "../../scripts/bundle.ts";
import { docsWorkerOptions } from "../../scripts/docs-site.ts";
import { webWorkerOptions } from "../../scripts/web-app.ts";
import { type LocalMail, type LocalMailOptions, startLocalMail } from "../../stand-ins/mail/server.ts";
import { type LocalStripe, type LocalStripeOptions, startLocalStripe } from "../../stand-ins/stripe/server.ts";

const ROOT = resolve(import.meta.dirname, "../..");

export const WORKERS = [
	{ name: "techflunky-dispatch", config: "wrangler.toml", entry: "workers/dispatch/index.ts" },
	{ name: "techflunky-user-worker", config: "workers/user/wrangler.toml", entry: "workers/user/index.ts" },
	{ name: "techflunky-consumers", config: "workers/consumers/wrangler.toml", entry: "workers/consumers/index.ts" },
] as const;

export interface Topology {
	url: URL;
	/** The dispatch Worker's own socket, when asked for with `directSocket`. */
	directUrl?: URL;
	mf: Miniflare;
	/** The shared D1 database, as the Workers see it. */
	db(): ReturnType<Miniflare["getD1Database"]>;
	/** The local Stripe stand-in, when asked for with `localStripe`; stopped by `dispose`. */
	stripe?: LocalStripe;
	/** The local mail stand-in, unless `localMail: false`; stopped by `dispose`. */
	mail?: LocalMail;
	dispose(): Promise<void>;
}

export interface TopologyOptions {
	secrets: Record<string, string>;
	port?: number;
	/** Extra SQL run after the migrations, e.g. demo data. */
	seedSql?: string;
	/** Objects put into the `ATTACHMENTS` R2 bucket once the Workers are up, e.g. demo files. */
	seedObjects?: readonly SeedObject[];
	/**
	 * Also serve the dispatch Worker on a socket of its own (`directUrl`), straight from workerd
	 * with no Miniflare entry Worker in front: what `npm run bench` measures. Nothing on that
	 * socket sets `CF-Connecting-IP` (Cloudflare's edge does in production): the client must.
	 */
	directSocket?: boolean;
	/**
	 * Another entry module for a Worker, bundled in place of its own, with the same name, config
	 * and bindings: the soak run's fault-injecting wrappers (soak/faults/) that import the real
	 * Worker and fail some of its calls.
	 */
	entries?: Partial<Record<WorkerName, string>>;
	/** Open workerd's V8 inspector on this port (CPU profiles of every Worker; bench/profile.ts). */
	inspectorPort?: number;
	/**
	 * Also start the local Stripe stand-in (stand-ins/stripe) on a free port: every Worker gets its
	 * URL as `STRIPE_API_BASE`, it accepts only `secrets.STRIPE_SECRET_KEY` and signs its webhooks
	 * with `secrets.STRIPE_WEBHOOK_SECRET` to this topology's `/webhooks/stripe`. `true`, or the
	 * stand-in's own options besides those (e.g. `achSettleDelayMs: null`).
	 */
	localStripe?: boolean | Omit<LocalStripeOptions, "port" | "webhookUrl" | "webhookSecret" | "secretKey">;
	/**
	 * The local mail stand-in (stand-ins/mail) on a free port, started unless this is `false`
	 * (every sign-up e-mails a verification link, so a topology without it would retry those sends
	 * into a closed port): every Worker gets its URL as `MAILERSEND_API_BASE` and it accepts only
	 * `secrets.MAILERSEND_API_KEY`. With `false`, `MAILERSEND_API_BASE` points at a closed local
	 * port; either way no test ever reaches MailerSend.
	 */
	localMail?: boolean | Omit<LocalMailOptions, "port" | "apiKey">;
	/**
	 * Also serve the documentation site (site/, built once while its inputs are unchanged:
	 * scripts/docs-site.ts) behind the dispatch Worker's `DOCS`, on `docs.localhost`. Off by
	 * default, so suites that never read the docs neither build nor load them; without it the
	 * dispatch Worker has no `DOCS` binding and the docs host is served like any foreign host.
	 */
	docs?: boolean;
}

export type WorkerName = (typeof WORKERS)[number]["name"];

export interface SeedObject {
	key: string;
	bytes: Uint8Array;
	contentType: string;
}

export function splitSql(sql: string): string[] {
	return unstable_splitSqlQuery(sql)
		.map((statement) => statement.trim())
		.filter((statement) => statement.length > 0);
}

export function migrationSql(): string[] {
	const dir = join(ROOT, "migrations");
	return readdirSync(dir)
		.filter((file) => /^\d{4}_.+\.sql$/.test(file))
		.sort()
		.flatMap((file) => splitSql(readFileSync(join(dir, file), "utf8")));
}

export async function startTopology(options: TopologyOptions): Promise<Topology> {
	// Started first: the Workers' bindings need its URL; its webhook target, once the topology has one.
	const stripe = options.localStripe
		? await startLocalStripe({
				host: "127.0.0.1",
				log: () => {},
				...(options.localStripe === true ? {} : options.localStripe),
				port: 0,
				webhookSecret: options.secrets.STRIPE_WEBHOOK_SECRET ?? "",
				...(options.secrets.STRIPE_SECRET_KEY ? { secretKey: options.secrets.STRIPE_SECRET_KEY } : {}),
			})
		: undefined;
	const stripeBindings = stripe ? { STRIPE_API_BASE: `http://127.0.0.1:${stripe.port}` } : {};
	const mail =
		options.localMail !== false
			? await startLocalMail({
					host: "127.0.0.1",
					log: () => {},
					...(options.localMail === true ? {} : options.localMail),
					port: 0,
					...(options.secrets.MAILERSEND_API_KEY ? { apiKey: options.secrets.MAILERSEND_API_KEY } : {}),
				})
			: undefined;
	const mailBindings = { MAILERSEND_API_BASE: mail ? `http://127.0.0.1:${mail.port}` : "http://127.0.0.1:9" };
	// Bundles of its own, so topologies started side by side (with different entries) never share one.
	mkdirSync(join(ROOT, ".wrangler/topology"), { recursive: true });
	const buildDir = mkdtempSync(join(ROOT, ".wrangler/topology/run-"));
	const workers = await Promise.all(
		WORKERS.map(async (worker, index) => {
			const scriptPath = join(buildDir, worker.name, "index.js");
			await bundleWorker(resolve(ROOT, options.entries?.[worker.name] ?? worker.entry), scriptPath);
			// The bundle is one module, so Wrangler's module rules and root path do not apply.
			const {
				modulesRules: _rules,
				rootPath: _root,
				...workerOptions
			} = unstable_getMiniflareWorkerOptions(join(ROOT, worker.config)).workerOptions;
			return {
				...workerOptions,
				name: worker.name,
				modules: true,
				scriptPath,
				bindings: {
					...(workerOptions.bindings as Record<string, unknown> | undefined),
					...options.secrets,
					...stripeBindings,
					...mailBindings,
				},
				...(options.directSocket && index === 0 ? { unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }] } : {}),
			};
		}),
	);
	// The web app (web/, built once while its sources are unchanged), behind the dispatch Worker's `WEB`.
	const web = await webWorkerOptions();
	const docs = options.docs ? [await docsWorkerOptions()] : [];
	if (!options.docs) {
		const dispatch = workers[0] as { serviceBindings?: Record<string, unknown> };
		const { DOCS: _docs, ...serviceBindings } = dispatch.serviceBindings ?? {};
		dispatch.serviceBindings = serviceBindings;
	}
	// Wrangler speaks Miniflare's v4 option shape; Miniflare 5 converts it.
	const mf = new Miniflare(
		convertV4MiniflareOptions({
			host: "127.0.0.1",
			port: options.port ?? 0,
			// Miniflare's `Request.cf` placeholder, never a download from workers.cloudflare.com
			// (scripts/offline-env.ts): `npm run bench` and `npm run soak` run without NODE_ENV=test.
			cf: false,
			workers: [...workers, web, ...docs],
			...(options.inspectorPort === undefined ? {} : { inspectorPort: options.inspectorPort }),
		} as Parameters<typeof convertV4MiniflareOptions>[0]),
	);
	const url = await mf.ready;
	stripe?.webhooks.setUrl(new URL("/webhooks/stripe", url).href);
	const db = () => mf.getD1Database("DB", "techflunky-dispatch");
	const database = await db();
	const statements = [...migrationSql(), ...(options.seedSql ? splitSql(options.seedSql) : [])];
	await database.batch(statements.map((statement) => database.prepare(statement)));
	if (options.seedObjects?.length) {
		// Every Worker's `ATTACHMENTS` names the same bucket; the user Worker is the one that serves files.
		const bucket = await mf.getR2Bucket("ATTACHMENTS", "techflunky-user-worker");
		for (const object of options.seedObjects) {
			await bucket.put(object.key, object.bytes, { httpMetadata: { contentType: object.contentType } });
		}
	}
	const directUrl = options.directSocket ? await mf.unsafeGetDirectURL(WORKERS[0].name) : undefined;
	const dispose = async () => {
		await stripe?.stop();
		await mail?.stop();
		await mf.dispose();
		rmSync(buildDir, { recursive: true, force: true });
	};
	return {
		url,
		...(directUrl ? { directUrl } : {}),
		...(stripe ? { stripe } : {}),
		...(mail ? { mail } : {}),
		mf,
		db,
		dispose,
	};
}
