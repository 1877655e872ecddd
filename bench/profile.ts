/**
 * `npm run profile [-- listing|healthz|search]`: where the CPU goes on one request path, per
 * Worker. It starts the topology (as `npm run bench` does: direct socket, no Wrangler proxy) with
 * workerd's V8 inspector open, puts a steady load on the path, and takes a sampling CPU profile
 * of every Worker isolate over the same window through the DevTools protocol. It prints each
 * busy isolate's functions by self time and writes `.wrangler/profiles/<isolate>.cpuprofile`,
 * which Chrome DevTools (Performance → Load profile) opens as a flame chart.
 *
 * The profiler slows everything it samples, so read shares, not rates. Miniflare's own service
 * isolates (D1, queues, R2) appear too: their time is the local simulation's, not the product's.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { testSecrets } from "../test/topology/secrets.ts";
import { seededAdmin } from "../test/topology/seed.ts";
import { startTopology } from "../test/topology/topology.ts";
import { ApiClient, freshIp, verifyInDatabase } from "./api-client.ts";
import { DevTools } from "./devtools.ts";
import { httpLoad } from "./http-load.ts";

const INSPECTOR_PORT = 9229;
const LOAD = { connections: 20, warmupMs: 1_000, durationMs: 3_000 };
const SAMPLING_INTERVAL_US = 100;
const OUT = resolve(import.meta.dirname, "../.wrangler/profiles");

interface ProfileNode {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
	nodes: ProfileNode[];
	samples: number[];
}

const path = process.argv[2] ?? "listing";
if (!["listing", "healthz", "search"].includes(path)) {
	console.error("usage: npm run profile -- [listing|healthz|search]");
	process.exit(2);
}

const secrets = testSecrets();
const admin = await seededAdmin(secrets.PASSWORD_PEPPER, "profile");
const topology = await startTopology({
	secrets,
	seedSql: admin.sql,
	directSocket: true,
	inspectorPort: INSPECTOR_PORT,
});
const direct = topology.directUrl ?? topology.url;
const client = new ApiClient(direct.port, verifyInDatabase(topology.db));
try {
	const adminToken = (await client.login(admin.email, admin.password)).token;
	const seller = await client.register("seller");
	const listingId = await client.createListing(seller);
	const buyer = await client.register("buyer");
	await client.raiseLimit(adminToken, buyer.tenant.id);
	const host = `localhost:${direct.port}`;
	const target = {
		listing: {
			path: `/api/v1/listings/${listingId}`,
			headers: () => ({ host, "cf-connecting-ip": "10.0.0.1", authorization: `Bearer ${buyer.token}` }),
		},
		healthz: { path: "/healthz", headers: () => ({ host, "cf-connecting-ip": "10.0.0.1" }) },
		search: { path: "/api/v1/listings?q=invoicing", headers: () => ({ host, "cf-connecting-ip": freshIp() }) },
	}[path as "listing" | "healthz" | "search"];

	await httpLoad({
		origin: direct.origin,
		...target,
		connections: LOAD.connections,
		durationMs: LOAD.warmupMs,
		warmupMs: 0,
	});
	const isolates = (await (await fetch(`http://127.0.0.1:${INSPECTOR_PORT}/json/list`)).json()) as {
		title: string;
		webSocketDebuggerUrl: string;
	}[];
	const sessions = await Promise.all(
		isolates.map((isolate) => DevTools.open(isolate.title, isolate.webSocketDebuggerUrl)),
	);
	for (const session of sessions) {
		await session.call("Profiler.enable");
		await session.call("Profiler.setSamplingInterval", { interval: SAMPLING_INTERVAL_US });
		await session.call("Profiler.start");
	}
	const result = await httpLoad({ origin: direct.origin, ...target, ...LOAD, warmupMs: 0 });
	console.log(`${path}: ${result.requests} requests (${result.errors} errors) under the profiler\n`);
	mkdirSync(OUT, { recursive: true });
	for (const session of sessions) {
		const { profile } = (await session.call("Profiler.stop")) as { profile: Profile };
		session.close();
		const busy = report(session.title, profile);
		if (busy) writeFileSync(resolve(OUT, `${session.title.replace(/\W+/g, "_")}.cpuprofile`), JSON.stringify(profile));
	}
	console.log(`profiles written to ${OUT}`);
} finally {
	await client.close();
	await topology.dispose();
}

/** Prints the isolate's top functions by self time; false if it was idle throughout. */
function report(title: string, profile: Profile): boolean {
	const byId = new Map(profile.nodes.map((node) => [node.id, node]));
	const self = new Map<string, number>();
	let busy = 0;
	for (const id of profile.samples) {
		const frame = byId.get(id)?.callFrame;
		const name = frame?.functionName || "(anonymous)";
		if (name === "(idle)") continue;
		busy += 1;
		const where = frame?.url ? ` ${frame.url.split("/").slice(-2).join("/")}:${frame.lineNumber + 1}` : "";
		self.set(`${name}${where}`, (self.get(`${name}${where}`) ?? 0) + 1);
	}
	if (busy < 50) return false;
	console.log(`${title}: ${busy} busy samples`);
	for (const [name, count] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
		console.log(`  ${((100 * count) / busy).toFixed(1).padStart(5)} %  ${name}`);
	}
	console.log("");
	return true;
}
