import { describe, expect, it } from "vitest";
import { reconcileEvents } from "./consumer-fault.ts";

const row = (offer_id: string, version: number, event_id = `${offer_id}-${version}`) => ({
	event_id,
	offer_id,
	version,
});

describe("reconcileEvents", () => {
	it("accepts every version consolidated once or dead-lettered once", () => {
		const result = reconcileEvents(
			new Map([
				["a", 3],
				["b", 2],
			]),
			[row("a", 1), row("a", 3), row("b", 1), row("b", 2)],
			[row("a", 2)],
		);
		expect(result).toMatchObject({ expected: 5, consolidated: 4, dead_lettered: 1, lost: 0, duplicated: 0 });
		expect(result.byOffer.get("a")).toEqual({ delivered: [1, 3], deadLettered: [2] });
	});

	it("counts a version in neither table as lost", () => {
		const result = reconcileEvents(new Map([["a", 3]]), [row("a", 1)], [row("a", 3)]);
		expect(result.lost).toBe(1);
		expect(result.examples).toEqual(["a v2: neither consolidated nor dead-lettered"]);
	});

	it("counts a version both consolidated and dead-lettered, or twice, as duplicated", () => {
		const result = reconcileEvents(
			new Map([["a", 2]]),
			[row("a", 1), row("a", 2), row("a", 2, "other-id")],
			[row("a", 1)],
		);
		expect(result).toMatchObject({ lost: 0, duplicated: 2 });
	});

	it("counts a version the room never made as duplicated", () => {
		expect(reconcileEvents(new Map([["a", 1]]), [row("a", 1), row("a", 2)], []).duplicated).toBe(1);
	});

	it("ignores threads it was not asked about", () => {
		const result = reconcileEvents(new Map([["a", 1]]), [row("a", 1), row("z", 1)], [row("z", 2)]);
		expect(result).toMatchObject({ expected: 1, consolidated: 1, dead_lettered: 0, lost: 0, duplicated: 0 });
	});
});
