import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor, type Position } from "./cursor.ts";

/** A cursor-shaped string around any JSON value, as a client could craft one. */
function craft(value: unknown): string {
	return Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
}

const position: Position = ["2026-03-01T12:34:56.789Z", "lst_0123456789abcdef0123456789abcdef"];

describe("encodeCursor and decodeCursor", () => {
	it("round-trips a position", () => {
		expect(decodeCursor(encodeCursor(position))).toEqual(position);
	});

	it("encodes a URL-safe opaque string", () => {
		expect(encodeCursor(position)).toMatch(/^[A-Za-z0-9_-]+$/);
	});

	it("round-trips values at their maximum lengths", () => {
		const longest: Position = ["p".repeat(40), "i".repeat(64)];
		expect(decodeCursor(encodeCursor(longest))).toEqual(longest);
	});
});

describe("decodeCursor", () => {
	it.each(["", "!!!", "not a cursor", "a", "%7B%7D", `${craft([]).slice(0, -1)}*`])(
		"rejects the garbage %j",
		(cursor) => {
			expect(decodeCursor(cursor)).toBeNull();
		},
	);

	it("rejects base64url text that is not JSON", () => {
		expect(decodeCursor(Buffer.from("hello world", "utf8").toString("base64url"))).toBeNull();
	});

	it.each<[string, unknown]>([
		["an object", { published_at: position[0], id: position[1] }],
		["a bare string", position[0]],
		["null", null],
		["an empty array", []],
		["a single element", [position[0]]],
		["three elements", [...position, "extra"]],
		["a number where a string belongs", [1_767_225_600_000, position[1]]],
		["an empty published_at", ["", position[1]]],
		["an empty id", [position[0], ""]],
	])("rejects a cursor holding %s", (_label, value) => {
		expect(decodeCursor(craft(value))).toBeNull();
	});

	it("rejects a published_at longer than 40 characters", () => {
		expect(decodeCursor(craft(["p".repeat(41), position[1]]))).toBeNull();
	});

	it("rejects an id longer than 64 characters", () => {
		expect(decodeCursor(craft([position[0], "i".repeat(65)]))).toBeNull();
	});
});
