import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ifNoneMatchHits, parseIfNoneMatch, strongEtag } from "./conditional.ts";

const TAG = '"n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg"';

describe("strongEtag", () => {
	it("is the quoted base64url SHA-256 of the exact bytes", async () => {
		const bytes = new TextEncoder().encode('{"items":[],"next_cursor":null}');
		const expected = createHash("sha256").update(bytes).digest("base64url");
		expect(await strongEtag(bytes)).toBe(`"${expected}"`);
	});

	it("changes with a single byte and is strong (no W/)", async () => {
		const a = await strongEtag(new TextEncoder().encode('{"asking_price_cents":100}'));
		const b = await strongEtag(new TextEncoder().encode('{"asking_price_cents":101}'));
		expect(a).not.toBe(b);
		expect(a).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
	});

	it("hashes a body over 256 KiB whole, not in chunks", async () => {
		const bytes = new Uint8Array(600 * 1024).map((_, i) => i % 251);
		expect(await strongEtag(bytes)).toBe(`"${createHash("sha256").update(bytes).digest("base64url")}"`);
	});
});

describe("parseIfNoneMatch", () => {
	it("reads `*`, one tag, and lists with optional whitespace and empty members", () => {
		expect(parseIfNoneMatch("*")).toBe("*");
		expect(parseIfNoneMatch(' "abc" ')).toEqual(["abc"]);
		expect(parseIfNoneMatch('"a", W/"b",,  "c"')).toEqual(["a", "b", "c"]);
		expect(parseIfNoneMatch('""')).toEqual([""]);
	});

	it("keeps a comma inside a quoted tag as part of the tag", () => {
		expect(parseIfNoneMatch('"a,b", "c"')).toEqual(["a,b", "c"]);
	});

	it("refuses what the grammar does not allow", () => {
		for (const field of ["abc", '"abc', 'w/"abc"', '"a" "b"', '"a b"', '*, "a"', "", " , ", '"a"x']) {
			expect(parseIfNoneMatch(field), field).toBeNull();
		}
	});
});

describe("ifNoneMatchHits", () => {
	it("hits on the same tag, alone or anywhere in a list", () => {
		expect(ifNoneMatchHits(TAG, TAG)).toBe(true);
		expect(ifNoneMatchHits(`"older", ${TAG}`, TAG)).toBe(true);
	});

	it("compares weakly: W/ on either side still hits", () => {
		expect(ifNoneMatchHits(`W/${TAG}`, TAG)).toBe(true);
		expect(ifNoneMatchHits(TAG, `W/${TAG}`)).toBe(true);
	});

	it("hits on `*` for any current representation", () => {
		expect(ifNoneMatchHits("*", TAG)).toBe(true);
	});

	it("misses on another tag, a missing field or one that does not parse", () => {
		expect(ifNoneMatchHits('"older"', TAG)).toBe(false);
		expect(ifNoneMatchHits(undefined, TAG)).toBe(false);
		expect(ifNoneMatchHits(null, TAG)).toBe(false);
		expect(ifNoneMatchHits(TAG.slice(1, -1), TAG)).toBe(false);
		expect(ifNoneMatchHits(`${TAG} junk`, TAG)).toBe(false);
	});
});
