/**
 * How the console reads and words the metrics route (`GET /api/v1/admin/metrics`): the window a
 * request to /admin/metrics asks for (a named range back from now, or a custom from/to typed in
 * UTC), and the figures as text (milliseconds, with the histogram's open last bucket as "≥ 5000",
 * rates as percentages, security events by their names). Pure, `now` passed in.
 */
import type { SecurityEventKind } from "../../../../queues/metrics.ts";

export const RANGES = [
	{ value: "1h", label: "Last hour", ms: 3_600_000 },
	{ value: "24h", label: "Last 24 hours", ms: 86_400_000 },
	{ value: "7d", label: "Last 7 days", ms: 7 * 86_400_000 },
	{ value: "custom", label: "From – to (below)", ms: 0 },
] as const;
export type RangeName = (typeof RANGES)[number]["value"];

export type Window =
	| { ok: true; range: RangeName; from: string; to: string }
	| { ok: false; range: RangeName; errors: Partial<Record<"range" | "from" | "to", string>> };

/**
 * A `datetime-local` value (`2026-12-01T12:00`, read as UTC) or a full ISO time, as ISO; else null.
 * Seconds are optional; an explicit offset is honoured.
 */
export function utcTime(text: string): string | null {
	const local = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(text) ? `${text}Z` : text;
	if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(local)) return null;
	const [year, month, day] = local.slice(0, 10).split("-").map(Number) as [number, number, number];
	// Date.parse rolls 30 February over into March; a day that does not exist is not a time.
	if (new Date(Date.UTC(year, month - 1, day)).getUTCDate() !== day || month > 12) return null;
	const ms = Date.parse(local);
	return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/**
 * The window of a request's `range`, `from` and `to`: a named range ends now; `custom` (or a
 * from/to without a range) needs both times. Whether from < to and the 31-day cap are the API's to
 * judge, so there is one rule and its 400 is shown as it words it.
 */
export function windowOf(params: { range: string; from: string; to: string }, now: number): Window {
	const range = (params.range || (params.from || params.to ? "custom" : "1h")) as RangeName;
	const named = RANGES.find((one) => one.value === range);
	if (!named) return { ok: false, range: "1h", errors: { range: "Choose a range from the list." } };
	if (range !== "custom")
		return { ok: true, range, from: new Date(now - named.ms).toISOString(), to: new Date(now).toISOString() };
	const from = utcTime(params.from);
	const to = utcTime(params.to);
	const errors: Partial<Record<"from" | "to", string>> = {};
	if (from === null) errors.from = "Enter the start as a date and time (UTC).";
	if (to === null) errors.to = "Enter the end as a date and time (UTC).";
	if (from === null || to === null) return { ok: false, range, errors };
	return { ok: true, range, from, to };
}

/** A latency figure: whole milliseconds; the histogram's last bucket has no top, so 5000 reads "≥ 5000 ms". */
export function ms(value: number | null): string {
	if (value === null) return "–";
	if (value >= 5000) return "≥ 5000 ms";
	return `${Math.round(value)} ms`;
}

export function percent(rate: number): string {
	if (rate === 0) return "0%";
	if (rate < 0.0001) return "< 0.01%";
	return `${(rate * 100).toFixed(2).replace(/\.?0+$/, "")}%`;
}

export const SECURITY_LABELS: Record<SecurityEventKind, string> = {
	sign_in_failed: "Failed sign-ins",
	token_rejected: "Rejected tokens or sessions",
	cross_tenant_denied: "Cross-tenant or portal denials",
	rate_limited: "Rate-limited requests",
	webhook_rejected: "Rejected webhook signatures",
	csrf_rejected: "CSRF refusals",
};
