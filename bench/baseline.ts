/**
 * What the benchmark measures the product against, all on the same workerd binary:
 *
 * - **raw workerd**: the hello-world Worker served by the `workerd` binary itself from a
 *   generated config, no Miniflare at all: what the harness is measured against.
 * - **the baseline** (`baseline_hello`): the same Worker in a Miniflare instance, served on a
 *   direct socket (`unsafeDirectSockets`), the way the topology's dispatch Worker is served.
 * - **through Miniflare's entry Worker**: the same Worker at Miniflare's own URL, which routes
 *   every request through an entry Worker first (what `wrangler dev` and the e2e tests use). The
 *   bench reports it to show why it does not measure through that entry.
 * - **runtime primitives**: Workers with no application logic that make exactly the calls a
 *   signed-in read makes (a Durable Object RPC with a SQLite read and upsert, a service-binding
 *   hop, a D1 point query, and all three composed): the floor the runtime puts under
 *   `listing_read_auth` on this machine and harness. Plus the same RPC to a new object every
 *   time, which is what an anonymous request from a client IP never seen before costs.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { sleep } from "./stats.ts";

const HELLO = `export default { fetch() { return new Response("ok"); } };`;

/** A Durable Object with the TenantObject's hot statements and nothing else. */
const FLOOR_EDGE = `
import { DurableObject } from "cloudflare:workers";
export class Bucket extends DurableObject {
	constructor(ctx, env) {
		super(ctx, env);
		ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS buckets (key TEXT PRIMARY KEY, tokens REAL NOT NULL, updated_at INTEGER NOT NULL)");
	}
	take(key, now) {
		const [row] = this.ctx.storage.sql.exec("SELECT tokens, updated_at FROM buckets WHERE key = ?", key).toArray();
		const tokens = row ? Math.min(1e9, row.tokens + (now - row.updated_at)) - 1 : 1e9;
		this.ctx.storage.sql.exec(
			"INSERT INTO buckets (key, tokens, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET tokens = excluded.tokens, updated_at = excluded.updated_at",
			key, tokens, now);
		return tokens >= 0;
	}
}
export default {
	async fetch(request, env) {
		const { pathname } = new URL(request.url);
		if (pathname === "/do") {
			await env.BUCKET.getByName("tenant").take("tenant", Date.now());
			return new Response("ok");
		}
		if (pathname === "/do-new") {
			await env.BUCKET.getByName(crypto.randomUUID()).take("client", Date.now());
			return new Response("ok");
		}
		if (pathname === "/service") return env.ORIGIN.fetch("http://origin/hello");
		if (pathname === "/d1") return env.ORIGIN.fetch("http://origin/d1");
		if (pathname === "/path") {
			await env.BUCKET.getByName("tenant").take("tenant", Date.now());
			return env.ORIGIN.fetch("http://origin/d1");
		}
		return new Response("not found", { status: 404 });
	},
};`;

/** The other side of the service binding: hello, or one D1 point query answered as JSON. */
const FLOOR_ORIGIN = `
export default {
	async fetch(request, env) {
		if (new URL(request.url).pathname === "/d1") {
			const row = await env.DB.prepare("SELECT id, title, summary FROM items WHERE id = ?").bind("item_1").first();
			return Response.json(row);
		}
		return new Response("ok");
	},
};`;

export interface Baseline {
	/** The hello-world Worker on its own direct socket: `baseline_hello`. */
	url: URL;
	/** The same Worker at Miniflare's URL, through its entry Worker. */
	entryUrl: URL;
	/** The primitives Worker (`/do`, `/do-new`, `/service`, `/d1`, `/path`) on its direct socket. */
	floorUrl: URL;
	mf: Miniflare;
}

export async function startBaseline(compatibilityDate: string): Promise<Baseline> {
	const direct = { unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }] };
	const mf = new Miniflare(
		convertV4MiniflareOptions({
			host: "127.0.0.1",
			port: 0,
			// The `Request.cf` placeholder, not a download (scripts/offline-env.ts).
			cf: false,
			workers: [
				{ name: "bench-hello", modules: true, script: HELLO, compatibilityDate, ...direct },
				{
					name: "bench-floor-edge",
					modules: true,
					script: FLOOR_EDGE,
					compatibilityDate,
					durableObjects: { BUCKET: { className: "Bucket", useSQLite: true } },
					serviceBindings: { ORIGIN: "bench-floor-origin" },
					...direct,
				},
				{
					name: "bench-floor-origin",
					modules: true,
					script: FLOOR_ORIGIN,
					compatibilityDate,
					d1Databases: { DB: "bench-floor" },
				},
			],
		} as Parameters<typeof convertV4MiniflareOptions>[0]),
	);
	const entryUrl = await mf.ready;
	const db = await mf.getD1Database("DB", "bench-floor-origin");
	await db.batch([
		db.prepare("CREATE TABLE items (id TEXT PRIMARY KEY, title TEXT NOT NULL, summary TEXT NOT NULL)"),
		db.prepare("INSERT INTO items (id, title, summary) VALUES ('item_1', 'Invoicely', 'Invoicing for dentists')"),
	]);
	return {
		url: await mf.unsafeGetDirectURL("bench-hello"),
		entryUrl,
		floorUrl: await mf.unsafeGetDirectURL("bench-floor-edge"),
		mf,
	};
}

export interface RawWorkerd {
	url: URL;
	pid: number;
	stop(): Promise<void>;
}

/** The hello-world Worker on the `workerd` binary alone, from a generated config. */
export async function startRawWorkerd(compatibilityDate: string): Promise<RawWorkerd> {
	const dir = mkdtempSync(join(tmpdir(), "techflunky-bench-"));
	const port = await freePort();
	writeFileSync(join(dir, "hello.js"), HELLO);
	writeFileSync(
		join(dir, "config.capnp"),
		`using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .hello) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const hello :Workerd.Worker = (
  modules = [ (name = "hello.js", esModule = embed "hello.js") ],
  compatibilityDate = "${compatibilityDate}",
);
`,
	);
	// The `workerd` package (Miniflare's own dependency) exports the path of its binary.
	const binary = (createRequire(import.meta.url)("workerd") as { default: string }).default;
	const child = spawn(binary, ["serve", join(dir, "config.capnp")], {
		stdio: ["ignore", "ignore", "inherit"],
	});
	const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
	for (let attempt = 0; !(await accepts(port)); attempt++) {
		if (attempt > 100 || child.exitCode !== null) throw new Error("raw workerd did not start");
		await sleep(50);
	}
	return {
		url: new URL(`http://127.0.0.1:${port}`),
		pid: child.pid ?? 0,
		stop: async () => {
			child.kill();
			await exited;
			rmSync(dir, { recursive: true, force: true });
		},
	};
}

function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.once("error", reject);
		server.listen(0, "127.0.0.1", () => {
			const address = server.address();
			server.close(() =>
				typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
			);
		});
	});
}

function accepts(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = connect(port, "127.0.0.1");
		socket.once("connect", () => {
			socket.destroy();
			resolve(true);
		});
		socket.once("error", () => resolve(false));
	});
}
