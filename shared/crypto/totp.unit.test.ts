import { createHmac, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decodeBase32, encodeBase32, generateTotpSecret, otpauthUri, totpCode, totpStep, verifyTotp } from "./totp.ts";

/** ASCII "12345678901234567890", the RFC 6238 Appendix B SHA-1 secret, in base32. */
const RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
const NOW = 1_111_111_111_000;
const STEP = 37_037_037;

/** HOTP computed with node:crypto, independently of the module. */
function referenceCode(secret: Uint8Array, step: number): string {
	const counter = Buffer.alloc(8);
	counter.writeBigUInt64BE(BigInt(step));
	const mac = createHmac("sha1", secret).update(counter).digest();
	const offset = (mac.at(-1) ?? 0) & 0x0f;
	return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

/** A six-digit code that matches none of the given codes. */
function codeOtherThan(...codes: string[]): string {
	let candidate = 0;
	while (codes.includes(String(candidate).padStart(6, "0"))) candidate++;
	return String(candidate).padStart(6, "0");
}

describe("base32", () => {
	it.each([
		["", ""],
		["f", "MY"],
		["fo", "MZXQ"],
		["foo", "MZXW6"],
		["foob", "MZXW6YQ"],
		["fooba", "MZXW6YTB"],
		["foobar", "MZXW6YTBOI"],
		["12345678901234567890", RFC_SECRET],
	])("encodes %j as %j, the RFC 4648 value without padding", (text, encoded) => {
		expect(encodeBase32(Buffer.from(text))).toBe(encoded);
		expect(Buffer.from(decodeBase32(encoded)).toString()).toBe(text);
	});

	it.each([...Array.from({ length: 41 }, (_, i) => i), 255, 1_000])("round-trips %i random bytes", (length) => {
		const bytes = new Uint8Array(randomBytes(length));
		const text = encodeBase32(bytes);
		expect(text).toMatch(/^[A-Z2-7]*$/);
		expect(decodeBase32(text)).toEqual(bytes);
	});

	it.each(["mzxw6ytboi", "MzXw6YtBoI", "MZXW 6YTB OI", " mzxw6 ytboi ", "MZXW6YTBOI======"])(
		"decodes %j as foobar, ignoring case, spaces and padding",
		(text) => {
			expect(Buffer.from(decodeBase32(text)).toString()).toBe("foobar");
		},
	);

	it.each([
		"MZXW6YTBO1",
		"MZXW6YTBO0",
		"MZXW6YTBO8",
		"MZXW6YTBO9",
		"MZXW6-YTBOI",
		"MZXW6\tYTBOI",
		"MZXW6\nYTBOI",
		"MZ=XW6",
		"É",
	])("rejects %j", (text) => {
		expect(() => decodeBase32(text)).toThrow(/not base32/);
	});

	it.each(["A", "AAA", "AAAAAA", "AAAAAAAAA"])("rejects %j, a length no encoding can produce", (text) => {
		expect(() => decodeBase32(text)).toThrow(/impossible length/);
	});
});

describe("generateTotpSecret", () => {
	it("makes 20 random bytes as 32 base32 characters", () => {
		const secret = generateTotpSecret();
		expect(secret).toMatch(/^[A-Z2-7]{32}$/);
		expect(decodeBase32(secret)).toHaveLength(20);
	});

	it("makes a different secret each time", () => {
		const secrets = new Set(Array.from({ length: 50 }, () => generateTotpSecret()));
		expect(secrets.size).toBe(50);
	});
});

describe("totpStep", () => {
	it.each([
		[0, 0],
		[29_999, 0],
		[30_000, 1],
		[59_999, 1],
		[60_000, 2],
		[NOW, STEP],
		[20_000_000_000_000, 666_666_666],
	])("puts %i ms in step %i", (now, step) => {
		expect(totpStep(now)).toBe(step);
	});

	it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])("refuses the time %d", (now) => {
		expect(() => totpStep(now)).toThrow(RangeError);
	});
});

describe("totpCode", () => {
	it.each([
		[59, "287082"],
		[1_111_111_109, "081804"],
		[1_111_111_111, "050471"],
		[1_234_567_890, "005924"],
		[2_000_000_000, "279037"],
		[20_000_000_000, "353130"],
	])("gives the RFC 6238 SHA-1 code at %i s: %s", async (seconds, code) => {
		expect(await totpCode(RFC_SECRET, totpStep(seconds * 1000))).toBe(code);
	});

	it.each([0, 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32 + 5, 2 ** 40 + 12_345])(
		"matches an independent HOTP at step %i",
		async (step) => {
			const secret = new Uint8Array(randomBytes(20));
			expect(await totpCode(encodeBase32(secret), step)).toBe(referenceCode(secret, step));
		},
	);

	it("refuses a secret shorter than 128 bits", async () => {
		await expect(totpCode(encodeBase32(new Uint8Array(randomBytes(15))), 1)).rejects.toThrow(/at least 16 bytes/);
		await expect(totpCode("", 1)).rejects.toThrow(/at least 16 bytes/);
	});

	it("refuses a secret that is not base32", async () => {
		await expect(totpCode("not a base32 secret!", 1)).rejects.toThrow(/not base32/);
	});

	it.each([-1, 1.5, Number.NaN, 2 ** 53])("refuses the step %d", async (step) => {
		await expect(totpCode(RFC_SECRET, step)).rejects.toThrow(RangeError);
	});
});

describe("verifyTotp", () => {
	it("accepts the current code and returns its step", async () => {
		expect(await verifyTotp(RFC_SECRET, "050471", NOW, null)).toEqual({ valid: true, step: STEP });
	});

	it.each([-1, 1])("accepts the code from %i step away and returns that step", async (offset) => {
		const code = await totpCode(RFC_SECRET, STEP + offset);
		expect(await verifyTotp(RFC_SECRET, code, NOW, null)).toEqual({ valid: true, step: STEP + offset });
	});

	it.each([-2, 2, -3, 3])("refuses the code from %i steps away", async (offset) => {
		const code = await totpCode(RFC_SECRET, STEP + offset);
		const near = await Promise.all([-1, 0, 1].map((near) => totpCode(RFC_SECRET, STEP + near)));
		// The premise: the far code does not happen to equal a code inside the window.
		expect(near).not.toContain(code);
		expect(await verifyTotp(RFC_SECRET, code, NOW, null)).toEqual({ valid: false, step: null });
	});

	it("refuses a code that matches no step in the window", async () => {
		const near = await Promise.all([-1, 0, 1].map((offset) => totpCode(RFC_SECRET, STEP + offset)));
		expect(await verifyTotp(RFC_SECRET, codeOtherThan(...near), NOW, null)).toEqual({ valid: false, step: null });
	});

	it.each([0, 1, 2, 3, 4, 5])("refuses the current code with digit %i changed", async (position) => {
		const near = await Promise.all([-1, 0, 1].map((offset) => totpCode(RFC_SECRET, STEP + offset)));
		const digit = (Number("050471"[position]) + 1) % 10;
		const changed = `${"050471".slice(0, position)}${digit}${"050471".slice(position + 1)}`;
		expect(near).not.toContain(changed);
		expect(await verifyTotp(RFC_SECRET, changed, NOW, null)).toEqual({ valid: false, step: null });
	});

	it("refuses the same code again once its step is recorded", async () => {
		const first = await verifyTotp(RFC_SECRET, "050471", NOW, null);
		expect(first).toEqual({ valid: true, step: STEP });
		expect(await verifyTotp(RFC_SECRET, "050471", NOW, first.step)).toEqual({ valid: false, step: null });
		expect(await verifyTotp(RFC_SECRET, "050471", NOW + 29_000, first.step)).toEqual({ valid: false, step: null });
	});

	it("refuses a code from a step before the last one used", async () => {
		const previous = await totpCode(RFC_SECRET, STEP - 1);
		expect(await verifyTotp(RFC_SECRET, previous, NOW, STEP)).toEqual({ valid: false, step: null });
	});

	it("accepts the next step's code after the current one was used", async () => {
		const next = await totpCode(RFC_SECRET, STEP + 1);
		expect(await verifyTotp(RFC_SECRET, next, NOW, STEP)).toEqual({ valid: true, step: STEP + 1 });
	});

	it("returns the later step when one code matches two steps, so the code cannot pass twice", async () => {
		// Found by search: with the RFC secret, steps 37079356 and 37079357 share the code 186519.
		const later = 37_079_357;
		expect(await totpCode(RFC_SECRET, later - 1)).toBe("186519");
		expect(await totpCode(RFC_SECRET, later)).toBe("186519");
		const first = await verifyTotp(RFC_SECRET, "186519", later * 30_000, null);
		expect(first).toEqual({ valid: true, step: later });
		expect(await verifyTotp(RFC_SECRET, "186519", later * 30_000, first.step)).toEqual({ valid: false, step: null });
	});

	it("accepts a code at step 0, where the window has no earlier step", async () => {
		const code = await totpCode(RFC_SECRET, 0);
		expect(await verifyTotp(RFC_SECRET, code, 1_000, null)).toEqual({ valid: true, step: 0 });
	});

	it("verifies codes for a freshly generated secret against an independent HOTP", async () => {
		const secret = generateTotpSecret();
		const code = referenceCode(decodeBase32(secret), STEP);
		expect(await verifyTotp(secret, code, NOW, null)).toEqual({ valid: true, step: STEP });
	});

	// Each variant spells the valid current code, so only the format check can refuse it.
	it.each<[string, (code: string) => string]>([
		["a leading space", (code) => ` ${code}`],
		["a trailing newline", (code) => `${code}\n`],
		["a space inside", (code) => `${code.slice(0, 3)} ${code.slice(3)}`],
		["a leading plus sign", (code) => `+${code}`],
		["a seventh digit", (code) => `${code}0`],
		["a missing digit", (code) => code.slice(1)],
		["full-width digits", (code) => code.replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d)))],
		["Arabic-Indic digits", (code) => code.replace(/[0-9]/g, (d) => String.fromCharCode(0x0660 + Number(d)))],
	])("refuses the current code written with %s", async (_label, respell) => {
		expect(await verifyTotp(RFC_SECRET, respell("050471"), NOW, null)).toEqual({ valid: false, step: null });
		expect(await verifyTotp(RFC_SECRET, "050471", NOW, null)).toEqual({ valid: true, step: STEP });
	});

	it.each(["", "abcdef", "12345a", "1e5000", "-12345", "      "])("refuses the code %j", async (code) => {
		expect(await verifyTotp(RFC_SECRET, code, NOW, null)).toEqual({ valid: false, step: null });
	});
});

describe("otpauthUri", () => {
	it("writes the Key Uri Format with issuer, account, secret and the SHA1/6/30 profile", () => {
		expect(otpauthUri(RFC_SECRET, "alice@example.com")).toBe(
			`otpauth://totp/TechFlunky:alice%40example.com?secret=${RFC_SECRET}&issuer=TechFlunky&algorithm=SHA1&digits=6&period=30`,
		);
	});

	it("percent-encodes the issuer and the account so they read back unchanged", () => {
		const uri = otpauthUri(RFC_SECRET, "a+b&c=d@example.com", "TechFlunky Staging & Co");
		expect(uri).toContain("/TechFlunky%20Staging%20%26%20Co:a%2Bb%26c%3Dd%40example.com?");
		const url = new URL(uri);
		expect(url.protocol).toBe("otpauth:");
		expect(url.host).toBe("totp");
		const [issuer, account] = url.pathname.slice(1).split(":").map(decodeURIComponent);
		expect(issuer).toBe("TechFlunky Staging & Co");
		expect(account).toBe("a+b&c=d@example.com");
		expect(Object.fromEntries(url.searchParams)).toEqual({
			secret: RFC_SECRET,
			issuer: "TechFlunky Staging & Co",
			algorithm: "SHA1",
			digits: "6",
			period: "30",
		});
	});

	it("writes the secret in canonical upper-case base32", () => {
		expect(
			new URL(otpauthUri("gezd gnbv gy3t qojq gezd gnbv gy3t qojq", "a@example.com")).searchParams.get("secret"),
		).toBe(RFC_SECRET);
	});

	it("refuses an issuer with a colon, an empty issuer, an empty account or a secret that is not base32", () => {
		expect(() => otpauthUri(RFC_SECRET, "a@example.com", "Tech:Flunky")).toThrow(/issuer/);
		expect(() => otpauthUri(RFC_SECRET, "a@example.com", "")).toThrow(/issuer/);
		expect(() => otpauthUri(RFC_SECRET, "")).toThrow(/account/);
		expect(() => otpauthUri("GEZD0", "a@example.com")).toThrow(/not base32/);
	});
});
