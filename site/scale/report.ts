/**
 * The scale chapter's generated tables (Markdown): the per-action costs of ./model.ts
 * (`costsMarkdown`, included by site/src/content/docs/scale/costs.mdx) and ./simulate.ts over
 * today's demo mix (`scaleMarkdown`, included by scale/simulation.mdx), written to
 * site/.generated/ before every build (scripts/docs-site.ts), so the pages always show what the
 * model holds and computes.
 */
import { ACTION_COSTS, type ActionName, DEMO_MIX, LIMITS, SCALES } from "./model.ts";
import { type ScaleRow, simulate } from "./simulate.ts";

/** Rounded for reading: three significant figures, thousands separated. */
export function figure(value: number): string {
	if (!Number.isFinite(value)) return "never";
	if (value === 0) return "0";
	const rounded = Number(value.toPrecision(3));
	return rounded.toLocaleString("en-US", { maximumFractionDigits: 6 });
}

/** A share as a percentage, two significant figures, never a long run of zeros. */
export function percent(share: number): string {
	const value = share * 100;
	if (value > 0 && value < 0.01) return "< 0.01\u00a0%";
	return `${Number(value.toPrecision(2)).toLocaleString("en-US", { maximumFractionDigits: 2 })}\u00a0%`;
}

/**
 * A wide table in a region of its own that scrolls sideways on a phone; keyboard users reach it
 * (`tabindex`), which a scrolling region needs (axe). Blank lines keep the table Markdown.
 */
function scrollable(label: string, table: string): string {
	return `<div class="wide-table" tabindex="0" role="region" aria-label="${label}">\n\n${table}\n\n</div>`;
}

function operationsTable(rows: ScaleRow[]): string {
	const lines = [
		`| per second | ${rows.map((row) => `${row.factor}×`).join(" | ")} |`,
		`|---|${rows.map(() => "---:").join("|")}|`,
	];
	const line = (label: string, value: (row: ScaleRow) => number) =>
		lines.push(`| ${label} | ${rows.map((row) => figure(value(row))).join(" | ")} |`);
	line("Worker invocations", (row) => row.totals.workerInvocations);
	line("Durable Object requests", (row) => row.totals.durableObjectRequests);
	line("Durable Object storage writes", (row) => row.totals.durableObjectWrites);
	line("D1 statements", (row) => row.totals.d1Statements);
	line("D1 searches", (row) => row.totals.d1Searches);
	line("offer-events messages", (row) => row.totals.queueMessages["offer-events"]);
	line("payment-events messages", (row) => row.totals.queueMessages["payment-events"]);
	line("backoffice-jobs messages", (row) => row.totals.queueMessages["backoffice-jobs"]);
	line("e-mails (MailerSend calls)", (row) => row.totals.mailerSendCalls);
	line("Stripe calls", (row) => row.totals.stripeCalls);
	return lines.join("\n");
}

function limitsTable(rows: ScaleRow[]): string {
	const [first] = rows;
	if (!first) return "";
	const lines = [
		`| limit | capacity | ${rows.map((row) => `${row.factor}×`).join(" | ")} | reached at |`,
		`|---|---|${rows.map(() => "---:").join("|")}|---:|`,
	];
	for (const [index, use] of first.uses.entries()) {
		const shares = rows.map((row) => {
			const share = row.uses[index]?.share ?? 0;
			return share >= 1 ? `**${percent(share)}**` : percent(share);
		});
		lines.push(`| ${use.limit.label} | ${use.limit.shown} | ${shares.join(" | ")} | ${figure(use.reachedAt)}× |`);
	}
	return lines.join("\n");
}

function verdicts(rows: ScaleRow[]): string {
	return rows
		.map((row) => {
			const broken = row.broken.map((use) => use.limit.label);
			const state =
				broken.length === 0
					? `nothing is past its limit; the nearest is ${row.first.limit.label} at ${percent(row.first.share)}`
					: `past the limit: ${broken.join("; ")}`;
			return `- **${row.factor}×**: ${state}.`;
		})
		.join("\n");
}

export function scaleMarkdown(): string {
	const rows = simulate(DEMO_MIX, SCALES);
	const mix = Object.entries(DEMO_MIX)
		.map(([action, rate]) => `\`${action}\` ${figure(rate)}/s`)
		.join(", ");
	return [
		`Mix at 1×: ${mix} (e-mails follow from the moves and payments).`,
		"",
		scrollable("Operations per second at each scale", operationsTable(rows)),
		"",
		"Each limit's load as a share of its capacity (bold: past it), and the factor at which it is reached:",
		"",
		scrollable("Each limit's share at each scale", limitsTable(rows)),
		"",
		verdicts(rows),
		"",
		`Sources of the limits: ${LIMITS.map((limit) => `[${limit.label}](${limit.source.split(" ")[0]})`).join(", ")}.`,
		"",
	].join("\n");
}

/** One row per action: what it costs, in the units the limits are counted in. */
export function costsMarkdown(): string {
	const lines = [
		"| action | Worker invocations | DO requests | DO storage writes | D1 statements | queue messages | Stripe calls | e-mails | D1 bytes kept |",
		"|---|---:|---:|---:|---:|---:|---:|---:|---:|",
	];
	const sources: string[] = [];
	for (const [name, cost] of Object.entries(ACTION_COSTS) as [ActionName, (typeof ACTION_COSTS)[ActionName]][]) {
		const queues = Object.entries(cost.queueMessages)
			.map(([queue, count]) => `${figure(count)} ${queue}`)
			.join(", ");
		const d1 =
			cost.d1Searches > 0 ? `${figure(cost.d1Statements)} + ${figure(cost.d1Searches)} FTS` : figure(cost.d1Statements);
		lines.push(
			`| ${cost.label} | ${figure(cost.workerInvocations)} | ${figure(cost.durableObjectRequests)} | ${figure(cost.durableObjectWrites)} | ${d1} | ${queues || "0"} | ${figure(cost.stripeCalls)} | ${figure(cost.emails + cost.mailerSendCalls)} | ${figure(cost.d1BytesStored)} |`,
		);
		sources.push(`- \`${name}\`: ${cost.source}.`);
	}
	return [scrollable("What each action costs", lines.join("\n")), "", "Counted in:", "", ...sources, ""].join("\n");
}
