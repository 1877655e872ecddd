/**
 * `npm start` itself: local secrets, migrations, demo data and every Worker in one `wrangler dev`,
 * answering on its port within a minute, without reaching for the internet, and firing the
 * Workers' crons on their schedule. Runs against a temporary state directory and port.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD, demoListingId } from "../../scripts/demo-data.ts";
import { executeSql, querySql } from "../../scripts/local-d1.ts";
import { ContractViolation } from "../../shared/contract/client.ts";
import { contract } from "../../shared/contract/table.ts";
import { E2eClient, expectStatus } from "./client.ts";

let child: ChildProcess;
let client: E2eClient;
let stateDir: string;
let port: number;
let output = "";

/** A GET to the dev server with another `Host` (browsers resolve `*.localhost` here; Node may not). */
function getOnHost(host: string, path: string): Promise<{ status: number; body: string }> {
	return new Promise((resolve, reject) => {
		const req = request({ host: "127.0.0.1", port, path, headers: { Host: `${host}:${port}` } }, (res) => {
			let body = "";
			res.setEncoding("utf8");
			res.on("data", (chunk) => (body += chunk));
			res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
		});
		req.on("error", reject);
		req.end();
	});
}

function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.listen(0, "127.0.0.1", () => {
			const address = server.address();
			server.close(() =>
				typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
			);
		});
	});
}

beforeAll(async () => {
	port = await freePort();
	client = new E2eClient(String(port));
	stateDir = mkdtempSync(join(tmpdir(), "techflunky-start-"));
	// Without vitest's NODE_ENV=test, as from a developer's shell: Miniflare skips its `Request.cf`
	// download under NODE_ENV=test, which would hide the network attempt this file checks for.
	const { NODE_ENV: _vitest, ...env } = process.env;
	child = spawn("node", ["scripts/start.ts", "--show-interactive-dev-session=false"], {
		env: { ...env, PORT: String(port), TECHFLUNKY_STATE_DIR: stateDir, TECHFLUNKY_CRONS: "on", CI: "true" },
		stdio: ["ignore", "pipe", "pipe"],
		detached: true,
	});
	child.stdout?.on("data", (chunk) => (output += chunk));
	child.stderr?.on("data", (chunk) => (output += chunk));
	const deadline = Date.now() + 60_000;
	for (;;) {
		try {
			// A request Wrangler holds while the Worker is not up must not outlast the deadline.
			const probe = client.api.call(contract.healthCheck, {});
			const waited = new Promise<undefined>((resolve) => setTimeout(resolve, 5_000));
			if ((await Promise.race([probe, waited]))?.status === 200) break;
		} catch (error) {
			if (error instanceof ContractViolation) throw error;
			// not listening yet
		}
		if (Date.now() > deadline || child.exitCode !== null) throw new Error(`npm start did not come up:\n${output}`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
	// What the consumers' every-minute cron acts on, seeded now so the wait for its next run overlaps
	// the other tests: an outbox message its request never sent, and a dead letter.
	executeSql(
		`INSERT INTO outbox (id, queue, body, created_at) VALUES ('${CRON_EVENT}', 'backoffice-jobs', '${JSON.stringify({
			id: CRON_EVENT,
			kind: "listing.event",
			type: "listing.updated",
			occurred_at: new Date(Date.now() - 600_000).toISOString(),
			listing_id: demoListingId("invoicely"),
			seller_tenant_id: "seller_e2ecron",
			actor_tenant_id: null,
		})}', '${new Date(Date.now() - 600_000).toISOString()}');
		 INSERT INTO dead_letters (message_id, queue, body, attempts, reason, recorded_at)
		 VALUES ('e2e-cron', '${CRON_QUEUE}', '{}', 1, 'retries exhausted', '${new Date().toISOString()}');`,
		stateDir,
	);
});

const CRON_EVENT = `evt_${"c0ffee".repeat(5)}ab`;
const CRON_QUEUE = "e2e-cron-queue";

/** The demo buyer approved for Invoicely (scripts/demo-data.ts). */
const BUYER = "barbara@buyer.techflunky.test";
let buyerToken: Promise<string> | undefined;

/** The buyer's bearer token, signed in once with the seeded password (sign-ins are rate-limited). */
function signInBuyer(): Promise<string> {
	buyerToken ??= client.signIn(BUYER, DEMO_PASSWORD).then((signedIn) => signedIn.token);
	return buyerToken;
}

afterAll(async () => {
	await client?.close();
	if (child?.pid) {
		try {
			process.kill(-child.pid, "SIGTERM");
		} catch {
			// already gone
		}
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
	if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

describe("npm start", () => {
	it("starts offline: no `Request.cf` download, update check or DNS error in its output", () => {
		expect(output).toContain("Ready on");
		expect(output).not.toMatch(/Request\.cf|workers\.cloudflare\.com|getaddrinfo|ENOTFOUND|EAI_AGAIN/);
		expect(output).not.toMatch(/update available|telemetry/i);
	});

	it("serves the documentation site on docs.localhost, with its API reference", async () => {
		const home = await getOnHost("docs.localhost", "/");
		expect(home.status).toBe(200);
		expect(home.body).toContain("TechFlunky");
		const reference = await getOnHost("docs.localhost", "/api/");
		expect(reference.status).toBe(200);
		expect(reference.body).toMatch(/listings/i);
	});

	it("serves /healthz with the security headers", async () => {
		const res = await client.api.call(contract.healthCheck, {});
		expect(res.body).toEqual({ status: "ok" });
		expect(res.headers.get("X-Request-Id")).toBeTruthy();
		expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
	});

	it("serves the demo marketplace through the user Worker", async () => {
		const { items } = expectStatus(await client.api.call(contract.browseListings, {}), 200).body;
		expect(items).toHaveLength(6);
	});

	it("signs a demo account in with the seeded password and knows who it is", async () => {
		const token = await signInBuyer();
		const me = await client.api.call(contract.getMe, { token });
		expect(me.status).toBe(200);
		expect(me.body).toMatchObject({ user: { email: BUYER, role: "buyer" } });
	});

	it("serves a seeded file from the local R2 bucket to the buyer approved for its listing", async () => {
		const token = await signInBuyer();
		// Raw: the typed client reads a file's body as text, and this test looks at its bytes.
		const res = await client.call(`/api/v1/listings/${demoListingId("invoicely")}/attachments/pitch-deck.pdf`, {
			token,
		});
		expect(res.status).toBe(200);
		expect(res.headers.get("Content-Type")).toMatch(/^application\/pdf\b/);
		expect(new TextDecoder().decode((await res.arrayBuffer()).slice(0, 5))).toBe("%PDF-");
	});

	it("fires the consumers' every-minute cron: the stale outbox message is resent and the dead letter alerts", async () => {
		// The first run is at the next whole minute: up to a minute after start-up.
		const deadline = Date.now() + 100_000;
		const ran = /local cron techflunky-consumers "\* \* \* \* \*": (ran|runs again) \(ok\)/;
		let recorded: unknown[] = [];
		let alerts: unknown[] = [];
		for (;;) {
			if (ran.test(output)) {
				recorded = querySql(`SELECT type FROM listing_events WHERE event_id = '${CRON_EVENT}'`, stateDir);
				alerts = querySql(
					`SELECT rule, status, value FROM alerts WHERE rule = 'dead_letters' AND subject = '${CRON_QUEUE}'`,
					stateDir,
				);
				if (recorded.length > 0 && alerts.length > 0) break;
			}
			if (Date.now() > deadline) throw new Error(`no scheduled run took effect:\n${output.slice(-4000)}`);
			await new Promise((resolve) => setTimeout(resolve, 3_000));
		}
		expect(recorded).toEqual([{ type: "listing.updated" }]);
		expect(alerts).toEqual([{ rule: "dead_letters", status: "firing", value: 1 }]);
		expect(output).toMatch(
			/local crons on their schedule \(UTC\): techflunky-consumers "\* \* \* \* \*", techflunky-consumers "17 3 \* \* \*"/,
		);
	}, 120_000);
});
