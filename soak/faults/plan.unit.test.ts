import { describe, expect, it } from "vitest";
import {
	CONSUMER_FAULT_PERCENT,
	consumerFaultFor,
	databaseFails,
	fnv1a,
	parseUserFault,
	TRANSIENT_ATTEMPTS,
	USER_FAULT_PERIOD,
	userFaultFor,
} from "./plan.ts";

const hex = (n: number) => n.toString(16).padStart(32, "0");

describe("userFaultFor", () => {
	it("fails one call in ten, alternating before and after", () => {
		const faults = Array.from({ length: 10 * USER_FAULT_PERIOD }, (_, i) => userFaultFor(i + 1));
		expect(faults.filter((f) => f === "before")).toHaveLength(10);
		expect(faults.filter((f) => f === "after")).toHaveLength(10);
	});

	it("leaves the first four calls of every operation alone", () => {
		expect([1, 2, 3, 4].map(userFaultFor)).toEqual([null, null, null, null]);
		expect(userFaultFor(5)).toBe("before");
		expect(userFaultFor(15)).toBe("after");
	});
});

describe("parseUserFault", () => {
	it("reads only the two fault names", () => {
		expect(parseUserFault("before")).toBe("before");
		expect(parseUserFault("after")).toBe("after");
		expect(parseUserFault("BEFORE")).toBeNull();
		expect(parseUserFault("")).toBeNull();
		expect(parseUserFault(null)).toBeNull();
	});
});

describe("consumerFaultFor", () => {
	it("gives the same event the same fault every time", () => {
		const id = `evt_${hex(42)}`;
		expect(consumerFaultFor(id)).toBe(consumerFaultFor(id));
	});

	it("fails each share of random event ids within a point of its percentage", () => {
		const n = 50_000;
		const counts = { permanent: 0, transient: 0, redeliver: 0, none: 0 };
		for (let i = 0; i < n; i++) counts[consumerFaultFor(`evt_${crypto.randomUUID().replaceAll("-", "")}`) ?? "none"]++;
		for (const fault of ["permanent", "transient", "redeliver"] as const) {
			expect(Math.abs((counts[fault] / n) * 100 - CONSUMER_FAULT_PERCENT[fault])).toBeLessThan(1);
		}
	});
});

describe("databaseFails", () => {
	it("fails a transient message on its first deliveries only", () => {
		for (let attempts = 1; attempts <= TRANSIENT_ATTEMPTS; attempts++) {
			expect(databaseFails("transient", attempts)).toBe(true);
		}
		expect(databaseFails("transient", TRANSIENT_ATTEMPTS + 1)).toBe(false);
	});

	it("fails a permanent message on every delivery and no other message ever", () => {
		for (const attempts of [1, 2, 6, 100]) {
			expect(databaseFails("permanent", attempts)).toBe(true);
			expect(databaseFails("redeliver", attempts)).toBe(false);
			expect(databaseFails(null, attempts)).toBe(false);
		}
	});
});

describe("fnv1a", () => {
	it("matches the reference FNV-1a values", () => {
		expect(fnv1a("")).toBe(0x811c9dc5);
		expect(fnv1a("a")).toBe(0xe40c292c);
		expect(fnv1a("foobar")).toBe(0xbf9cf968);
	});
});
