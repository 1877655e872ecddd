/**
 * The admin console's charts as plain numbers: linear scales, "nice" axis ticks, time ticks, and
 * the `points` of SVG polylines, so a page draws a line chart as server-rendered inline SVG with
 * no chart library and no script in the browser. Pure (no DOM, no clock): everything it needs,
 * the time range included, comes in as arguments. A missing value (`null`, e.g. a percentile of a
 * minute without requests) breaks the line into segments rather than being drawn as zero, which
 * would read as "fast" or "no errors"; a series with no values at all is `empty`, which the page
 * says in words instead of drawing a flat line.
 */

export interface ChartPoint {
	/** Milliseconds since the epoch. */
	t: number;
	value: number | null;
}

export interface ChartSeries {
	name: string;
	points: readonly ChartPoint[];
}

export interface ChartBox {
	width: number;
	height: number;
	/** Room for the axes' labels: left (y labels), bottom (x labels), top and right. */
	padding: { top: number; right: number; bottom: number; left: number };
}

export interface Tick {
	value: number;
	/** Where it sits along its axis, in SVG units. */
	at: number;
	label: string;
}

export interface ChartLine {
	name: string;
	/** One `points` attribute per unbroken run of values (a lone value is a run of one). */
	segments: string[];
	/** Single values with no neighbour, drawn as dots so they are not lost. */
	dots: { x: number; y: number }[];
}

export interface LineChart {
	empty: boolean;
	box: ChartBox;
	/** The plotting area inside the padding. */
	plot: { left: number; right: number; top: number; bottom: number };
	xTicks: Tick[];
	yTicks: Tick[];
	lines: ChartLine[];
}

/** A function from `domain` onto `range`, linear; a zero-width domain maps everything to the range's start. */
export function linearScale(
	domain: readonly [number, number],
	range: readonly [number, number],
): (value: number) => number {
	const [d0, d1] = domain;
	const [r0, r1] = range;
	const span = d1 - d0;
	if (span === 0) return () => r0;
	return (value) => r0 + ((value - d0) / span) * (r1 - r0);
}

/** The step of about `count` ticks over `span`: 1, 2 or 5 times a power of ten. */
export function niceStep(span: number, count: number): number {
	if (!(span > 0) || count < 1) return 1;
	const raw = span / count;
	const power = 10 ** Math.floor(Math.log10(raw));
	const fraction = raw / power;
	// The thresholds are the geometric means of 1, 2, 5 and 10: the nearest nice step, not the next.
	const nice = fraction >= Math.sqrt(50) ? 10 : fraction >= Math.sqrt(10) ? 5 : fraction >= Math.sqrt(2) ? 2 : 1;
	return nice * power;
}

/**
 * Ticks from 0 (or below, for a negative minimum) up to the first nice value at or above `max`,
 * about `count` of them; the last tick is the axis' top. A max of 0 (nothing measured above zero)
 * still gets an axis from 0 to 1.
 */
export function niceTicks(min: number, max: number, count = 4): number[] {
	const low = Math.min(0, min);
	const high = max > low ? max : low + 1;
	const step = niceStep(high - low, count);
	const start = Math.floor(low / step) * step;
	const ticks: number[] = [];
	for (let i = 0; ; i++) {
		// Multiplying (not adding) keeps 0.1 + 0.2 errors out of the labels.
		const value = Number((start + i * step).toPrecision(12));
		ticks.push(value);
		if (value >= high) break;
	}
	return ticks;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const TIME_STEPS = [
	MINUTE,
	5 * MINUTE,
	10 * MINUTE,
	15 * MINUTE,
	30 * MINUTE,
	HOUR,
	2 * HOUR,
	3 * HOUR,
	6 * HOUR,
	12 * HOUR,
	DAY,
	2 * DAY,
	7 * DAY,
];

/** Round times (whole minutes, hours, days, in UTC) inside [from, to], at most about `count` of them. */
export function timeTicks(from: number, to: number, count = 6): number[] {
	if (!(to > from)) return [from];
	const step = TIME_STEPS.find((candidate) => (to - from) / candidate <= count) ?? 7 * DAY;
	const ticks: number[] = [];
	for (let t = Math.ceil(from / step) * step; t <= to; t += step) ticks.push(t);
	return ticks;
}

/** A time tick's label: the clock (UTC) for ranges within two days, else the date. */
export function timeLabel(t: number, spanMs: number): string {
	const iso = new Date(t).toISOString();
	if (spanMs <= 2 * DAY) return `${iso.slice(11, 16)}`;
	return iso.slice(5, 10);
}

const round = (value: number) => Math.round(value * 10) / 10;

/**
 * The line chart of `series` over [from, to] inside `box`: the y axis from 0 to a nice value at or
 * above the largest one (or `yMax` when given, e.g. 1 for a rate that should read against 100%),
 * its ticks labelled by `yLabel`.
 */
export function lineChart(input: {
	series: readonly ChartSeries[];
	from: number;
	to: number;
	box: ChartBox;
	yLabel?: (value: number) => string;
	yMax?: number;
}): LineChart {
	const { series, from, to, box } = input;
	const yLabel = input.yLabel ?? ((value: number) => String(value));
	const plot = {
		left: box.padding.left,
		right: box.width - box.padding.right,
		top: box.padding.top,
		bottom: box.height - box.padding.bottom,
	};
	const shown = (point: ChartPoint): point is ChartPoint & { value: number } =>
		point.value !== null && Number.isFinite(point.value) && point.t >= from && point.t <= to;
	const values = series.flatMap((one) => one.points.filter(shown).map((point) => point.value));
	const empty = values.length === 0;
	const highest = Math.max(input.yMax ?? 0, ...values, 0);
	const lowest = Math.min(0, ...values);
	const yValues = niceTicks(lowest, highest);
	const x = linearScale([from, to], [plot.left, plot.right]);
	const y = linearScale([yValues[0] ?? 0, yValues.at(-1) ?? 1], [plot.bottom, plot.top]);
	const span = to - from;
	const xTicks = timeTicks(from, to).map((t) => ({ value: t, at: round(x(t)), label: timeLabel(t, span) }));
	const yTicks = yValues.map((value) => ({ value, at: round(y(value)), label: yLabel(value) }));
	const lines = series.map((one) => {
		const runs: { x: number; y: number }[][] = [];
		let run: { x: number; y: number }[] = [];
		for (const point of [...one.points].sort((a, b) => a.t - b.t)) {
			if (!shown(point)) {
				if (run.length > 0) runs.push(run);
				run = [];
				continue;
			}
			run.push({ x: round(x(point.t)), y: round(y(point.value)) });
		}
		if (run.length > 0) runs.push(run);
		return {
			name: one.name,
			segments: runs.filter((r) => r.length > 1).map((r) => r.map((p) => `${p.x},${p.y}`).join(" ")),
			dots: runs.filter((r) => r.length === 1).map((r) => r[0] as { x: number; y: number }),
		};
	});
	return { empty, box, plot, xTicks, yTicks, lines };
}
