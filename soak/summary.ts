/**
 * The soak's report on stdout: every status it saw, then one line per figure of the run and the
 * first examples of whatever went wrong. soak/run.ts gathers the figures and writes
 * soak/results.json; this only prints them.
 */
import type { SoakClient } from "./client.ts";
import type { checkActivityCounters, checkConsumerFault, consumerFaults, reconcileEvents } from "./consumer-fault.ts";
import type { paymentReport } from "./payments-check.ts";
import type { checkQueueFault } from "./queue-fault.ts";
import type { UserFaultChecks } from "./user-fault.ts";

export interface Summary {
	statuses: Record<string, number>;
	result: Record<string, unknown>;
	fiveXx: number;
	client: SoakClient;
	userFaultInjected: number;
	ids: readonly string[];
	changes: readonly unknown[];
	reconciliation: { by_action: Record<string, number>; by_channel: { rest: number; ws: number } };
	events: ReturnType<typeof reconcileEvents>;
	activity: Awaited<ReturnType<typeof checkActivityCounters>>;
	problems: readonly unknown[];
	queueFault: Awaited<ReturnType<typeof checkQueueFault>>;
	faults: Record<string, unknown>;
	userFaults: UserFaultChecks;
	consumerStats: Awaited<ReturnType<typeof consumerFaults>>;
	eventRows: { dead: readonly unknown[] };
	consumerCheck: Awaited<ReturnType<typeof checkConsumerFault>>;
	paid: ReturnType<typeof paymentReport>;
	exitCode: number;
	failures: readonly string[];
}

export function printSummary({
	statuses,
	result,
	fiveXx,
	client,
	userFaultInjected,
	ids,
	changes,
	reconciliation,
	events,
	activity,
	problems,
	queueFault,
	faults,
	userFaults,
	consumerStats,
	eventRows,
	consumerCheck,
	paid,
	exitCode,
	failures,
}: Summary): void {
	console.log("\nstatus counts (op status: n)");
	for (const [key, n] of Object.entries(statuses)) console.log(`  ${key.padEnd(28)} ${n}`);
	console.log("\nsummary");
	const rows: [string, unknown][] = [
		["requests", result.requests],
		["real 5xx / unexpected / injected 502", `${fiveXx} / ${client.unexpected.length} / ${userFaultInjected}`],
		["threads driven", ids.length],
		["client changes (created/countered/accepted)", `${changes.length} (${JSON.stringify(reconciliation.by_action)})`],
		["changes over REST / WS", `${reconciliation.by_channel.rest} / ${reconciliation.by_channel.ws}`],
		[
			"events expected / consolidated / dead-lettered",
			`${events.expected} / ${events.consolidated} / ${events.dead_lettered}`,
		],
		["lost / duplicated events", `${events.lost} / ${events.duplicated}`],
		["activity counters: tenants / mismatched", `${activity.tenants} / ${activity.mismatched}`],
		["reconciliation problems", problems.length],
		["queue fault: events / dupes sent", `${queueFault.events} / ${queueFault.duplicates_sent}`],
		[
			"queue fault: lost / dup rows / deals mismatched",
			`${queueFault.lost} / ${queueFault.duplicated} / ${queueFault.deals_mismatched}`,
		],
		[
			"restart fault: open threads / changed",
			`${(faults.do_eviction as { open_threads: number }).open_threads} / ${(faults.do_eviction as { threads_changed: number }).threads_changed}`,
		],
		[
			"user fault: 502s / unchanged / whole / refused",
			`${userFaultInjected} / ${userFaults.total("unchanged")} / ${userFaults.total("whole")} / ${userFaults.total("refused")}`,
		],
		["user fault: problems", userFaults.problems.length],
		[
			"consumer fault: retried / dead-lettered / redelivered",
			`${consumerStats.transient} / ${eventRows.dead.length} / ${consumerStats.redelivered_messages} in ${consumerStats.redelivered_batches} batches`,
		],
		[
			"consumer fault: unexpected DLQ / not DLQ'd / not consolidated",
			`${consumerCheck.unexpected_dead_letters} / ${consumerCheck.permanent_not_dead_lettered} / ${consumerCheck.transient_not_consolidated}`,
		],
		["payments: made / by status", `${paid.payments} (${JSON.stringify(paid.by_status)})`],
		[
			"payments: held / reversed / redelivered events",
			`${paid.payments_held} in ${paid.held_rounds} rounds / ${paid.events_released_reversed} / ${paid.events_redelivered} (${paid.redeliveries} times)`,
		],
		[
			"payments: stripe events / rows / transfers / poison",
			`${paid.stripe_events} / ${paid.stripe_events_rows} / ${paid.transfers} / ${paid.poison_injected} dead-lettered, ${paid.unexpected_dead_letters} others`,
		],
		["payments: problems", paid.problems],
		["result", exitCode === 0 ? "PASS" : `FAIL: ${failures.join("; ")}`],
	];
	for (const [label, value] of rows) console.log(`  ${label.padEnd(48)} ${value}`);
	if (client.unexpected.length) console.log("\nunexpected:", client.unexpected.slice(0, 10));
	if (problems.length) console.log("\nproblems:", problems.slice(0, 10));
	if (userFaults.problems.length) console.log("\nuser fault problems:", userFaults.problems.slice(0, 10));
	if (consumerCheck.examples.length) console.log("\nconsumer fault problems:", consumerCheck.examples);
	if (paid.examples.length) console.log("\npayment problems:", paid.examples);
}
