import { describe, expect, it } from "vitest";
import { seededDraws } from "../../test/support/seeded-random.ts";
import {
	addSample,
	BUCKET_COUNT,
	bucketIndex,
	bucketLowerBound,
	emptyCell,
	LATENCY_BOUNDS_MS,
	mergeCell,
	percentile,
} from "./histogram.ts";

function histogramOf(samples: readonly number[]): number[] {
	const counts = new Array<number>(BUCKET_COUNT).fill(0);
	for (const sample of samples) counts[bucketIndex(sample)] = (counts[bucketIndex(sample)] ?? 0) + 1;
	return counts;
}

/** The nearest-rank percentile of the samples themselves. */
function exactPercentile(samples: readonly number[], q: number): number {
	const sorted = [...samples].sort((a, b) => a - b);
	const rank = Math.max(1, Math.ceil(q * sorted.length));
	return sorted[rank - 1] as number;
}

/** The width of the bucket `ms` falls in (the open last bucket has none: it answers its lower bound). */
function widthAt(ms: number): number {
	const i = bucketIndex(ms);
	return i >= LATENCY_BOUNDS_MS.length ? 0 : (LATENCY_BOUNDS_MS[i] as number) - bucketLowerBound(i);
}

describe("bucketIndex", () => {
	it("puts a latency in the first bucket whose upper bound is above it", () => {
		expect(bucketIndex(0)).toBe(0);
		expect(bucketIndex(4.99)).toBe(0);
		expect(bucketIndex(5)).toBe(1);
		expect(bucketIndex(99.9)).toBe(5);
		expect(bucketIndex(100)).toBe(6);
		expect(bucketIndex(4999)).toBe(14);
	});

	it("puts 5000 ms and above in the open last bucket", () => {
		expect(bucketIndex(5000)).toBe(15);
		expect(bucketIndex(60_000)).toBe(15);
		expect(bucketIndex(Number.POSITIVE_INFINITY)).toBe(15);
	});

	it("counts negative and NaN latencies as 0 ms", () => {
		expect(bucketIndex(-3)).toBe(0);
		expect(bucketIndex(Number.NaN)).toBe(0);
	});

	it("has 16 buckets", () => {
		expect(BUCKET_COUNT).toBe(16);
		expect(LATENCY_BOUNDS_MS).toHaveLength(15);
	});
});

describe("percentile", () => {
	it("answers null without samples", () => {
		expect(percentile(new Array(16).fill(0), 0.5)).toBeNull();
		expect(percentile([], 0.99)).toBeNull();
	});

	it("reads 1000 samples spread evenly over 0–1000 ms as p50 500 and p95 950", () => {
		const samples = Array.from({ length: 1000 }, (_, i) => i + 0.5);
		const counts = histogramOf(samples);
		expect(percentile(counts, 0.5)).toBeCloseTo(500, 6);
		expect(percentile(counts, 0.95)).toBeCloseTo(950, 6);
		expect(percentile(counts, 0.99)).toBeCloseTo(990, 6);
	});

	it("interpolates inside the one bucket that holds every sample", () => {
		const counts = histogramOf(new Array(10).fill(120));
		expect(percentile(counts, 0)).toBe(100);
		expect(percentile(counts, 0.5)).toBe(125);
		expect(percentile(counts, 1)).toBe(150);
	});

	it("answers 5000 (≥ 5000 ms) for a rank in the open last bucket", () => {
		const counts = histogramOf([10, 20, 7000, 9000]);
		expect(percentile(counts, 0.99)).toBe(5000);
		expect(percentile(counts, 1)).toBe(5000);
	});

	it("answers the lower bound of the first non-empty bucket for q = 0 and the upper of the last for q = 1", () => {
		const counts = histogramOf([30, 40, 260]);
		expect(percentile(counts, 0)).toBe(25);
		expect(percentile(counts, 1)).toBe(300);
	});

	it("refuses a quantile outside [0, 1]", () => {
		const counts = histogramOf([1]);
		expect(() => percentile(counts, -0.1)).toThrow(RangeError);
		expect(() => percentile(counts, 1.5)).toThrow(RangeError);
		expect(() => percentile(counts, Number.NaN)).toThrow(RangeError);
	});

	it("stays within a bucket's width of the exact percentile on seeded random latencies", () => {
		for (let run = 0; run < 50; run++) {
			const draws = seededDraws(0x5eed, run);
			const n = 1 + draws.int(2000);
			// Log-normal-ish: most requests fast, a long tail, some over 5 s.
			const samples = Array.from({ length: n }, () => Math.exp(draws.random() * 9.5) - 1);
			const counts = histogramOf(samples);
			for (const q of [0.5, 0.9, 0.95, 0.99]) {
				const exact = exactPercentile(samples, q);
				const estimate = percentile(counts, q) as number;
				const label = `seed ${draws.seed}, n ${n}, q ${q}`;
				if (exact >= 5000) {
					expect(estimate, label).toBe(5000);
				} else {
					expect(Math.abs(estimate - exact), label).toBeLessThanOrEqual(widthAt(exact));
				}
			}
		}
	});
});

describe("request cells", () => {
	it("count requests, errors, limits, latency sum and maximum, and the histogram", () => {
		const cell = emptyCell();
		addSample(cell, { status: 200, latencyMs: 12 });
		addSample(cell, { status: 503, latencyMs: 7000 });
		addSample(cell, { status: 429, latencyMs: 3 });
		expect(cell).toMatchObject({ requests: 3, errors: 1, limited: 1, latencySumMs: 7015, latencyMaxMs: 7000 });
		expect(cell.histogram[0]).toBe(1);
		expect(cell.histogram[2]).toBe(1);
		expect(cell.histogram[15]).toBe(1);
		expect(cell.histogram.reduce((a, b) => a + b, 0)).toBe(3);
	});

	it("merge by adding counts and keeping the larger maximum", () => {
		const a = emptyCell();
		const b = emptyCell();
		addSample(a, { status: 200, latencyMs: 40 });
		addSample(b, { status: 500, latencyMs: 90 });
		addSample(b, { status: 200, latencyMs: 45 });
		mergeCell(a, b);
		expect(a).toMatchObject({ requests: 3, errors: 1, limited: 0, latencySumMs: 175, latencyMaxMs: 90 });
		expect(a.histogram[3]).toBe(2);
		expect(a.histogram[5]).toBe(1);
	});
});
