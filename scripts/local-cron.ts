/**
 * The crons of `npm start`: `wrangler dev` serves the Workers but never fires their
 * `[triggers] crons`, so the outbox resend, the token sweep, the alert rules and the daily backup
 * would never run locally. This reads each Worker config's crons and, on their schedule (UTC, with
 * croner), runs that Worker's scheduled handler in the dev session.
 *
 * How it reaches the handler: Miniflare serves `/cdn-cgi/local/scheduled?cron=…` and picks the
 * Worker by the `MF-Route-Override` header, but on the dev port that header is consumed by
 * Wrangler's own proxy in front of the session (its Miniflare answers "No entrypoint worker
 * found"), and without it the run goes to the first Worker, dispatch. So this keeps a one-Worker
 * Miniflare of its own whose service bindings name the session's Workers through the dev registry
 * (the directory where `wrangler dev` publishes each Worker's local address; start.ts gives the
 * session a private one), and calls `scheduled()` on the binding — which Miniflare delivers as
 * that same request to the session's runtime, with the header, past the proxy. Local only: no
 * route of any deployed Worker is involved.
 *
 * It waits until the dev server answers before the first fire, and never throws: a failing run is
 * logged once (and its recovery once), so a broken step shows without flooding the terminal or
 * stopping `npm start`. `TECHFLUNKY_CRONS=off` turns it off.
 */
import { Cron } from "croner";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { unstable_readConfig } from "wrangler";

export interface CronTrigger {
	/** The Worker's `name`, as the dev session knows it. */
	worker: string;
	cron: string;
}

export interface WorkerConfig {
	name?: string | undefined;
	triggers?: { crons?: readonly string[] | undefined } | undefined;
}

/** A Wrangler config (TOML or JSON) as Wrangler itself reads it. */
export function readWorkerConfig(path: string): WorkerConfig {
	return unstable_readConfig({ config: path }, { hideWarnings: true });
}

/** Every (Worker, cron) of `configs`; a config without crons gives none, one without a name is refused. */
export function cronTriggers(
	configs: readonly string[],
	read: (path: string) => WorkerConfig = readWorkerConfig,
): CronTrigger[] {
	return configs.flatMap((path) => {
		const config = read(path);
		const crons = config.triggers?.crons ?? [];
		if (crons.length === 0) return [];
		if (!config.name) throw new Error(`${path} has crons but no Worker name`);
		const worker = config.name;
		return crons.map((cron) => {
			// Refuse a pattern croner cannot read now, rather than at its first fire.
			new Cron(cron, { timezone: "UTC", paused: true }).stop();
			return { worker, cron };
		});
	});
}

/** The triggers whose cron matches the minute of `at` (UTC). */
export function dueAt(triggers: readonly CronTrigger[], at: Date): CronTrigger[] {
	const minute = new Date(Math.floor(at.getTime() / 60_000) * 60_000);
	return triggers.filter((trigger) => {
		const job = new Cron(trigger.cron, { timezone: "UTC", paused: true });
		const matches = job.match(minute);
		job.stop();
		return matches;
	});
}

export function localCronsEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
	return env.TECHFLUNKY_CRONS?.trim().toLowerCase() !== "off";
}

/**
 * The bridge Worker: `GET /?worker=&cron=&time=` runs that Worker's scheduled handler through its
 * service binding (`TARGETS` maps Worker names to binding names): 200, or 500 with the reason.
 */
const BRIDGE_SCRIPT = `export default {
	async fetch(request, env) {
		const url = new URL(request.url);
		const binding = env.TARGETS[url.searchParams.get("worker")];
		if (!binding) return new Response("unknown worker", { status: 404 });
		try {
			await env[binding].scheduled({ cron: url.searchParams.get("cron"), scheduledTime: Number(url.searchParams.get("time")) });
			return new Response("ok");
		} catch (error) {
			return new Response(String(error?.message ?? error), { status: 500 });
		}
	},
};`;

/** The bridge's service bindings, one per Worker with crons: `T0`, `T1`, … → the Worker's name. */
export function bridgeBindings(triggers: readonly CronTrigger[]): Record<string, string> {
	const workers = [...new Set(triggers.map((trigger) => trigger.worker))];
	return Object.fromEntries(workers.map((worker, i) => [`T${i}`, worker]));
}

export interface LocalCronOptions {
	/** The dev server, polled until it answers before the first fire. */
	origin: string;
	/** The dev registry directory the `wrangler dev` session publishes its Workers in. */
	registryPath: string;
	/** The Worker configs of the session, read for their crons once the dev server answers. */
	configs: readonly string[];
	log?: Pick<Console, "log" | "warn">;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function answering(origin: string, stopped: () => boolean): Promise<boolean> {
	while (!stopped()) {
		try {
			const res = await fetch(origin, { signal: AbortSignal.timeout(5_000) });
			await res.body?.cancel();
			return true;
		} catch {
			await delay(500);
		}
	}
	return false;
}

/** Fires `triggers` on their schedules in the dev session, until `stop()`. */
export function startLocalCron(options: LocalCronOptions): { ready: Promise<boolean>; stop(): Promise<void> } {
	const log = options.log ?? console;
	const jobs: Cron[] = [];
	let stopped = false;
	let bridge: Miniflare | null = null;
	/** Per trigger: the last outcome logged (none before its first run). */
	const last = new Map<CronTrigger, "ok" | "failed">();
	let triggers: CronTrigger[] = [];

	async function fire(trigger: CronTrigger, at: Date): Promise<void> {
		const label = `${trigger.worker} "${trigger.cron}"`;
		let failure: string | null = null;
		try {
			if (!bridge) throw new Error("not started");
			const query = new URLSearchParams({ worker: trigger.worker, cron: trigger.cron, time: String(at.getTime()) });
			const res = await bridge.dispatchFetch(`http://local-cron/?${query}`);
			const body = (await res.text()).trim().slice(0, 300);
			if (!res.ok) failure = `${res.status} ${body}`;
		} catch (error) {
			failure = (error as Error).message;
		}
		if (stopped) return;
		const before = last.get(trigger);
		if (failure === null) {
			if (before !== "ok") log.log(`local cron ${label}: ${before === "failed" ? "runs again" : "ran"} (ok)`);
			last.set(trigger, "ok");
		} else {
			if (before !== "failed") log.warn(`local cron ${label} failed: ${failure} (logged once until it recovers)`);
			last.set(trigger, "failed");
		}
	}

	const ready = (async () => {
		if (!(await answering(options.origin, () => stopped))) return false;
		triggers = cronTriggers(options.configs);
		if (triggers.length === 0) return false;
		const bindings = bridgeBindings(triggers);
		bridge = new Miniflare(
			convertV4MiniflareOptions({
				unsafeDevRegistryPath: options.registryPath,
				workers: [
					{
						name: "techflunky-local-cron",
						modules: true,
						compatibilityDate: "2026-10-01",
						script: BRIDGE_SCRIPT,
						bindings: { TARGETS: Object.fromEntries(Object.entries(bindings).map(([b, w]) => [w, b])) },
						serviceBindings: bindings,
					},
				],
			}),
		);
		await bridge.ready;
		if (stopped) return false;
		for (const trigger of triggers) {
			jobs.push(
				new Cron(trigger.cron, { timezone: "UTC", protect: true }, () =>
					fire(trigger, new Date(Math.floor(Date.now() / 60_000) * 60_000)),
				),
			);
		}
		const list = triggers.map((t) => `${t.worker} "${t.cron}"`).join(", ");
		log.log(`local crons on their schedule (UTC): ${list}; TECHFLUNKY_CRONS=off turns them off`);
		return true;
	})().catch((error: unknown) => {
		log.warn(`local crons could not start: ${(error as Error).message}`);
		return false;
	});

	return {
		ready,
		async stop() {
			stopped = true;
			for (const job of jobs) job.stop();
			await bridge?.dispose();
		},
	};
}
