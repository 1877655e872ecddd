/**
 * `ws_idle_2000`: how much the topology's workerd holds for idle negotiation-room sockets. The
 * rooms of `ws_counter_latency` are reused: each gets `perParty` more sockets from its seller and
 * as many from its buyer (100 rooms × 20 = 2,000), opened a few dozen at a time, each counted once
 * its first `state` frame arrives (the room has registered it). They are then held idle for
 * `holdMs` and closed.
 *
 * Memory is the topology workerd's resident set (`/proc`): `VmRSS` once the previous scenario
 * has settled and again at the end of the hold, and `VmHWM` (peak) reset just before opening.
 * Every handshake spends one token of the connecting tenant's bucket; with 5 rooms per seller a
 * seller spends 50 here on top of the 37 of `ws_counter_latency`, under its burst of 100.
 */
import { WebSocket } from "undici";
import { type Account, freshIp } from "./api-client.ts";
import { peakRssMb, resetPeakRss, rssMb } from "./processes.ts";
import { round, sleep } from "./stats.ts";

export interface WsIdleOptions {
	port: string;
	threads: readonly { offerId: string; seller: Account; buyer: Account }[];
	perParty: number;
	holdMs: number;
	pids: readonly number[];
}

export interface WsIdleResult {
	sockets: number;
	rooms: number;
	/** Sockets that were refused, dropped or sent no state frame within 10 s. */
	errors: number;
	open_s: number;
	hold_s: number;
	rss_before_mb?: number;
	rss_held_mb?: number;
	peak_rss_mb?: number;
	/** (RSS at the end of the hold − RSS before opening) ÷ sockets open. */
	kb_per_socket?: number;
}

const OPEN_TIMEOUT_MS = 10_000;

function open(port: string, offerId: string, account: Account): Promise<WebSocket> {
	const url = `ws://127.0.0.1:${port}/parties/negotiation-room/${offerId}?token=${encodeURIComponent(account.token)}`;
	const socket = new WebSocket(url, { headers: { "CF-Connecting-IP": freshIp() } });
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error("no state frame within 10 s")), OPEN_TIMEOUT_MS);
		socket.addEventListener("message", (event) => {
			const frame = JSON.parse(String(event.data)) as { type: string };
			if (frame.type === "state") {
				clearTimeout(timer);
				resolve(socket);
			}
		});
		socket.addEventListener("close", (event) => {
			clearTimeout(timer);
			reject(new Error(`socket closed (${event.code} ${event.reason})`));
		});
	});
}

const sum = (values: (number | null)[]) =>
	values.every((v) => v !== null) ? values.reduce<number>((total, v) => total + (v ?? 0), 0) : undefined;

export async function wsIdle(options: WsIdleOptions): Promise<WsIdleResult> {
	const jobs = options.threads.flatMap(({ offerId, seller, buyer }) =>
		Array.from({ length: options.perParty * 2 }, (_, i) => ({ offerId, account: i % 2 === 0 ? seller : buyer })),
	);
	const before = sum(options.pids.map(rssMb));
	const resettable = options.pids.length > 0 && options.pids.every(resetPeakRss);
	const sockets: WebSocket[] = [];
	let errors = 0;
	const started = performance.now();
	let next = 0;
	const worker = async () => {
		while (next < jobs.length) {
			const job = jobs[next++];
			if (!job) break;
			try {
				sockets.push(await open(options.port, job.offerId, job.account));
			} catch (error) {
				errors += 1;
				if (errors <= 5) console.warn(`idle socket on ${job.offerId}: ${(error as Error).message}`);
			}
		}
	};
	await Promise.all(Array.from({ length: 40 }, worker));
	const openSeconds = (performance.now() - started) / 1000;
	await sleep(options.holdMs);
	const held = sum(options.pids.map(rssMb));
	const peak = resettable ? sum(options.pids.map(peakRssMb)) : undefined;
	for (const socket of sockets) socket.close();
	return {
		sockets: sockets.length,
		rooms: options.threads.length,
		errors,
		open_s: round(openSeconds, 2),
		hold_s: round(options.holdMs / 1000, 1),
		...(before === undefined ? {} : { rss_before_mb: round(before, 1) }),
		...(held === undefined ? {} : { rss_held_mb: round(held, 1) }),
		...(peak === undefined ? {} : { peak_rss_mb: round(peak, 1) }),
		...(before === undefined || held === undefined || sockets.length === 0
			? {}
			: { kb_per_socket: round(((held - before) * 1024) / sockets.length, 1) }),
	};
}
