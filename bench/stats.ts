/** Latency summaries for the benchmark: nearest-rank percentiles over raw samples, in milliseconds. */

export interface LatencySummary {
	p50_ms: number;
	p95_ms: number;
	p99_ms: number;
}

/** Nearest-rank percentile of already sorted samples (no interpolation: every value was observed). */
export function percentile(sorted: readonly number[], p: number): number {
	if (sorted.length === 0) return Number.NaN;
	const rank = Math.ceil((p / 100) * sorted.length);
	return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN;
}

export function summarize(samples: readonly number[]): LatencySummary {
	const sorted = [...samples].sort((a, b) => a - b);
	return {
		p50_ms: round(percentile(sorted, 50), 2),
		p95_ms: round(percentile(sorted, 95), 2),
		p99_ms: round(percentile(sorted, 99), 2),
	};
}

export function round(value: number, digits: number): number {
	const scale = 10 ** digits;
	return Math.round(value * scale) / scale;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
