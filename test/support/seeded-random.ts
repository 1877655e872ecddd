/**
 * mulberry32: a tiny seeded PRNG, good enough to drive property tests reproducibly (a failing
 * run names its seed, and the same seed replays the same sequence).
 */
export function mulberry32(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

export interface Draws {
	/** The run's own seed, for the failure message that replays it. */
	seed: number;
	random: () => number;
	/** A whole number in [0, below). */
	int: (below: number) => number;
	chance: (p: number) => boolean;
	pick: <T>(items: readonly T[]) => T;
}

/** The draws of property-test run `index` of a suite seeded with `base`: each run has a seed of its own. */
export function seededDraws(base: number, index: number): Draws {
	const seed = (base + Math.imul(index, 0x9e3779b9)) >>> 0;
	const random = mulberry32(seed);
	const int = (below: number) => Math.floor(random() * below);
	return {
		seed,
		random,
		int,
		chance: (p: number) => random() < p,
		pick: <T>(items: readonly T[]): T => items[int(items.length)] as T,
	};
}
