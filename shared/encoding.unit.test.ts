import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { fromBase64Url, newId, toBase64Url, toHex, utf8 } from "./encoding.ts";

const lengths = [...Array.from({ length: 70 }, (_, i) => i), 255, 256, 1_000, 4_097, 65_536];

describe("toBase64Url and fromBase64Url", () => {
	it.each(lengths)("round-trips %i random bytes", (length) => {
		const bytes = new Uint8Array(randomBytes(length));
		const text = toBase64Url(bytes);
		expect(fromBase64Url(text)).toEqual(bytes);
	});

	it.each(lengths)("encodes %i random bytes as unpadded base64url", (length) => {
		const bytes = new Uint8Array(randomBytes(length));
		expect(toBase64Url(bytes)).toBe(Buffer.from(bytes).toString("base64url"));
	});

	it("encodes no bytes as the empty string and back", () => {
		expect(toBase64Url(new Uint8Array(0))).toBe("");
		expect(fromBase64Url("")).toEqual(new Uint8Array(0));
	});

	it("uses - and _ where base64 uses + and /", () => {
		expect(toBase64Url(new Uint8Array([0xfb, 0xff, 0xbf]))).toBe("-_-_");
		expect(fromBase64Url("-_-_")).toEqual(new Uint8Array([0xfb, 0xff, 0xbf]));
	});

	it.each(["ab+c", "ab/c", "abc=", "YQ==", "ab c", "ab.c", "ab\nc", "é"])("rejects %j", (text) => {
		expect(() => fromBase64Url(text)).toThrow();
	});

	it("rejects a length no encoding can produce", () => {
		expect(() => fromBase64Url("abcde")).toThrow();
	});
});

describe("utf8", () => {
	it("round-trips text outside ASCII", () => {
		const text = "Grüße, 世界 🚀";
		expect(utf8.decode(utf8.encode(text))).toBe(text);
		expect(utf8.encode(text)).toEqual(new Uint8Array(Buffer.from(text, "utf8")));
	});
});

describe("newId", () => {
	it("is the prefix, an underscore and 32 lowercase hex digits", () => {
		expect(newId("lst")).toMatch(/^lst_[0-9a-f]{32}$/);
		expect(newId("usr")).toMatch(/^usr_[0-9a-f]{32}$/);
	});

	it("returns a different id each time", () => {
		const ids = new Set(Array.from({ length: 10_000 }, () => newId("lst")));
		expect(ids.size).toBe(10_000);
	});
});

describe("toHex", () => {
	it("writes two lowercase digits per byte, keeping leading zeros", () => {
		expect(toHex(new Uint8Array([0, 1, 0xab, 0xff]))).toBe("0001abff");
		expect(toHex(new Uint8Array())).toBe("");
	});
});
