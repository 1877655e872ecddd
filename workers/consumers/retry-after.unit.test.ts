import { describe, expect, it } from "vitest";
import { MAX_RETRY_AFTER_SECONDS, retryAfterSeconds } from "./retry-after.ts";

const now = new Date("2026-12-01T12:00:00.000Z");

describe("retryAfterSeconds", () => {
	it("reads delay-seconds", () => {
		expect(retryAfterSeconds("7", now)).toBe(7);
		expect(retryAfterSeconds(" 0 ", now)).toBe(0);
	});

	it("reads an HTTP date as the seconds until it, rounded up", () => {
		expect(retryAfterSeconds("Tue, 01 Dec 2026 12:00:30 GMT", now)).toBe(30);
		expect(retryAfterSeconds(new Date(now.getTime() + 1500).toUTCString(), now)).toBe(1);
	});

	it("waits nothing for a date in the past", () => {
		expect(retryAfterSeconds("Tue, 01 Dec 2026 11:00:00 GMT", now)).toBe(0);
	});

	it("caps a long wait", () => {
		expect(retryAfterSeconds("86400", now)).toBe(MAX_RETRY_AFTER_SECONDS);
		expect(retryAfterSeconds("Wed, 02 Dec 2026 12:00:00 GMT", now)).toBe(MAX_RETRY_AFTER_SECONDS);
	});

	it("gives nothing for an absent or unreadable header", () => {
		expect(retryAfterSeconds(null, now)).toBeUndefined();
		expect(retryAfterSeconds("", now)).toBeUndefined();
		expect(retryAfterSeconds("soon", now)).toBeUndefined();
		expect(retryAfterSeconds("-5", now)).toBeUndefined();
		expect(retryAfterSeconds("1.5", now)).toBeUndefined();
	});
});
