import { describe, expect, it } from "vitest";
import { problemBody } from "../../shared/http/problem.ts";
import { MAX_FRAME_BYTES } from "../../shared/offers/protocol.ts";
import { readClientFrame } from "./frames.ts";

const statusOf = (message: string | ArrayBuffer) => {
	const reading = readClientFrame(message);
	return reading.ok ? null : problemBody(reading.problem).status;
};

describe("readClientFrame", () => {
	it("reads a valid move and a chat line, trimmed", () => {
		expect(readClientFrame(JSON.stringify({ type: "accept", version: 3 }))).toEqual({
			ok: true,
			frame: { type: "accept", version: 3 },
		});
		expect(readClientFrame(JSON.stringify({ type: "chat", text: "  hi  " }))).toEqual({
			ok: true,
			frame: { type: "chat", text: "hi" },
		});
	});

	it("refuses a frame over the size limit with 413, before reading it", () => {
		expect(statusOf(`"${"x".repeat(MAX_FRAME_BYTES)}"`)).toBe(413);
		expect(statusOf(new ArrayBuffer(MAX_FRAME_BYTES + 1))).toBe(413);
	});

	it.each([
		["a binary frame", new TextEncoder().encode("{}").buffer as ArrayBuffer],
		["text that is not JSON", "{not json"],
		["an unknown type", JSON.stringify({ type: "bid", amount_cents: 5 })],
		["a field the protocol does not have", JSON.stringify({ type: "accept", version: 1, admin: true })],
		["an amount that is not whole cents", JSON.stringify({ type: "counter", amount_cents: 1.5, version: 1 })],
	])("refuses %s with 400", (_name, message) => {
		expect(statusOf(message)).toBe(400);
	});

	it("names the offending field in the detail", () => {
		const reading = readClientFrame(JSON.stringify({ type: "counter", amount_cents: -1, version: 1 }));
		expect(reading.ok).toBe(false);
		if (!reading.ok) expect(problemBody(reading.problem).detail).toMatch(/^The frame is not valid: amount_cents /);
	});
});
