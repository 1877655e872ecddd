import { describe, expect, it } from "vitest";
import { type ChartBox, linearScale, lineChart, niceStep, niceTicks, timeLabel, timeTicks } from "./chart.ts";

const BOX: ChartBox = { width: 600, height: 200, padding: { top: 10, right: 10, bottom: 30, left: 50 } };
const T0 = Date.UTC(2026, 11, 1, 12, 0);
const MINUTE = 60_000;

describe("linearScale", () => {
	it("maps the domain's ends onto the range's ends and points between proportionally", () => {
		const scale = linearScale([0, 100], [200, 0]);
		expect(scale(0)).toBe(200);
		expect(scale(100)).toBe(0);
		expect(scale(25)).toBe(150);
	});

	it("maps everything to the range's start when the domain has no width", () => {
		expect(linearScale([5, 5], [10, 90])(5)).toBe(10);
	});
});

describe("niceTicks", () => {
	it("steps by 1, 2 or 5 times a power of ten", () => {
		expect(niceStep(1000, 4)).toBe(200);
		expect(niceStep(1400, 4)).toBe(500);
		expect(niceStep(70, 4)).toBe(20);
		expect(niceStep(0.05, 5)).toBe(0.01);
	});

	it("starts at zero and ends at the first nice value at or above the maximum", () => {
		expect(niceTicks(0, 870)).toEqual([0, 200, 400, 600, 800, 1000]);
		expect(niceTicks(0, 1600)).toEqual([0, 500, 1000, 1500, 2000]);
		expect(niceTicks(3, 7)).toEqual([0, 2, 4, 6, 8]);
	});

	it("labels fractions without floating-point noise", () => {
		expect(niceTicks(0, 0.03)).toEqual([0, 0.01, 0.02, 0.03]);
	});

	it("gives an axis from 0 to 1 when nothing is above zero", () => {
		expect(niceTicks(0, 0)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
	});
});

describe("timeTicks", () => {
	it("puts round times inside the range, about as many as asked", () => {
		const ticks = timeTicks(T0 + 3 * MINUTE, T0 + 63 * MINUTE, 6);
		expect(ticks).toEqual([
			T0 + 10 * MINUTE,
			T0 + 20 * MINUTE,
			T0 + 30 * MINUTE,
			T0 + 40 * MINUTE,
			T0 + 50 * MINUTE,
			T0 + 60 * MINUTE,
		]);
	});

	it("steps by days over a week", () => {
		const from = Date.UTC(2026, 10, 24, 7);
		const ticks = timeTicks(from, from + 7 * 24 * 60 * MINUTE, 8);
		expect(ticks).toHaveLength(7);
		expect(ticks.every((t) => t % (24 * 60 * MINUTE) === 0)).toBe(true);
	});

	it("answers the start alone for an empty range", () => {
		expect(timeTicks(T0, T0)).toEqual([T0]);
	});

	it("labels by the clock within two days and by the date beyond", () => {
		expect(timeLabel(T0 + 5 * MINUTE, 60 * MINUTE)).toBe("12:05");
		expect(timeLabel(T0, 7 * 24 * 60 * MINUTE)).toBe("12-01");
	});
});

describe("lineChart", () => {
	const points = (values: (number | null)[]) => values.map((value, i) => ({ t: T0 + i * MINUTE, value }));

	it("draws each series as a polyline inside the plotting area, the largest value under the top tick", () => {
		const chart = lineChart({
			series: [{ name: "p95", points: points([100, 400, 250]) }],
			from: T0,
			to: T0 + 2 * MINUTE,
			box: BOX,
			yLabel: (value) => `${value} ms`,
		});
		expect(chart.empty).toBe(false);
		expect(chart.yTicks.map((tick) => tick.label)).toEqual(["0 ms", "100 ms", "200 ms", "300 ms", "400 ms"]);
		expect(chart.yTicks[0]?.at).toBe(170);
		expect(chart.yTicks.at(-1)?.at).toBe(10);
		expect(chart.lines).toEqual([{ name: "p95", segments: ["50,130 320,10 590,70"], dots: [] }]);
	});

	it("breaks a line where a value is missing instead of drawing it as zero", () => {
		const chart = lineChart({
			series: [{ name: "p50", points: points([10, 20, null, 40, null, 10]) }],
			from: T0,
			to: T0 + 5 * MINUTE,
			box: BOX,
		});
		const [line] = chart.lines;
		expect(line?.segments).toHaveLength(1);
		expect(line?.segments[0]?.split(" ")).toHaveLength(2);
		// The lone values on either side of a gap are dots, not lost.
		expect(line?.dots).toHaveLength(2);
		expect(line?.dots.map((dot) => dot.x)).toEqual([50 + (540 * 3) / 5, 590]);
	});

	it("is empty when no series has a value, with an axis still from zero", () => {
		const chart = lineChart({
			series: [
				{ name: "p50", points: points([null, null]) },
				{ name: "p99", points: [] },
			],
			from: T0,
			to: T0 + MINUTE,
			box: BOX,
		});
		expect(chart.empty).toBe(true);
		expect(chart.lines.every((line) => line.segments.length === 0 && line.dots.length === 0)).toBe(true);
		expect(chart.yTicks[0]?.value).toBe(0);
	});

	it("reads a rate against the floor it is given, and leaves out points outside the range", () => {
		const chart = lineChart({
			series: [{ name: "errors", points: [{ t: T0 - MINUTE, value: 0.5 }, ...points([0.001, 0.002])] }],
			from: T0,
			to: T0 + MINUTE,
			box: BOX,
			yMax: 0.05,
		});
		expect(chart.yTicks.at(-1)?.value).toBe(0.05);
		expect(chart.lines[0]?.segments[0]?.split(" ")).toHaveLength(2);
	});
});
