import { createDecipheriv, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { toBase64Url } from "../encoding.ts";
import { DecryptionError, decryptField, encryptField, type FieldBinding, importEncryptionKey } from "./aes-gcm.ts";

const KEY_BASE64 = randomBytes(32).toString("base64");
const OTHER_KEY_BASE64 = randomBytes(32).toString("base64");
const BINDING: FieldBinding = { tenantId: "ten_a", recordId: "lst_1", field: "financials" };

/** Opens an envelope with node:crypto, independently of the module, to pin the stored format. */
function referenceDecrypt(keyBase64: string, envelope: string, aad: string): string {
	const [, ivText = "", dataText = ""] = envelope.split(".");
	const data = Buffer.from(dataText, "base64url");
	const decipher = createDecipheriv("aes-256-gcm", Buffer.from(keyBase64, "base64"), Buffer.from(ivText, "base64url"));
	decipher.setAAD(Buffer.from(aad, "utf8"));
	decipher.setAuthTag(data.subarray(data.length - 16));
	return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString("utf8");
}

/** Rebuilds an envelope after changing its raw IV or ciphertext bytes. */
function withBytes(envelope: string, part: 1 | 2, change: (bytes: Uint8Array) => Uint8Array): string {
	const parts = envelope.split(".");
	parts[part] = toBase64Url(change(new Uint8Array(Buffer.from(parts[part] ?? "", "base64url"))));
	return parts.join(".");
}

async function expectDecryptionError(promise: Promise<unknown>, reason: string): Promise<void> {
	const error = await promise.then(
		() => null,
		(caught: unknown) => caught,
	);
	expect(error).toBeInstanceOf(DecryptionError);
	expect((error as DecryptionError).reason).toBe(reason);
}

describe("importEncryptionKey", () => {
	it("imports 32 base64 bytes as a non-extractable AES-256-GCM key", async () => {
		const key = await importEncryptionKey(KEY_BASE64);
		expect(key.extractable).toBe(false);
		expect(key.algorithm).toMatchObject({ name: "AES-GCM", length: 256 });
		expect([...key.usages].sort()).toEqual(["decrypt", "encrypt"]);
	});

	it("uses the decoded bytes as the key", async () => {
		const key = await importEncryptionKey(KEY_BASE64);
		const envelope = await encryptField(key, "secret", BINDING);
		const aad = JSON.stringify(["v1", BINDING.tenantId, BINDING.recordId, BINDING.field]);
		expect(referenceDecrypt(KEY_BASE64, envelope, aad)).toBe("secret");
	});

	it.each([0, 1, 16, 24, 31, 33, 64])("rejects a key of %i bytes", async (length) => {
		await expect(importEncryptionKey(randomBytes(length).toString("base64"))).rejects.toThrow(
			/exactly 32 bytes|standard base64/,
		);
	});

	it.each([
		["base64url", Buffer.alloc(32, 0xfb).toString("base64url")],
		["unpadded base64", KEY_BASE64.replace(/=+$/, "")],
		["hex", randomBytes(32).toString("hex")],
		["base64 with a trailing newline", `${KEY_BASE64}\n`],
	])("rejects a key given as %s", async (_label, text) => {
		await expect(importEncryptionKey(text)).rejects.toThrow(/ENCRYPTION_KEY/);
	});

	it("does not echo the key in its error", async () => {
		const short = randomBytes(31).toString("base64");
		const error = await importEncryptionKey(short).catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(Error);
		expect((error as Error).message).not.toContain(short);
	});
});

describe("encryptField and decryptField", () => {
	it.each([
		["ASCII", "MRR 12000 EUR, net margin 41%"],
		["the empty string", ""],
		["text outside ASCII", "Grüße, 世界 🚀 caf\u00e9 cafe\u0301"],
		["a long text", "x".repeat(100_000)],
	])("round-trips %s", async (_label, plaintext) => {
		const key = await importEncryptionKey(KEY_BASE64);
		const envelope = await encryptField(key, plaintext, BINDING);
		expect(await decryptField(key, envelope, BINDING)).toBe(plaintext);
	});

	it("writes v1, a 96-bit IV and the ciphertext with its 128-bit tag, all base64url", async () => {
		const key = await importEncryptionKey(KEY_BASE64);
		const envelope = await encryptField(key, "12345", BINDING);
		// 12 bytes of IV are 16 characters; 5 bytes of text plus a 16-byte tag are 28 characters.
		expect(envelope).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{28}$/);
	});

	it("binds the ciphertext to the JSON of version, tenant, record and field", async () => {
		const key = await importEncryptionKey(KEY_BASE64);
		const envelope = await encryptField(key, "bound", BINDING);
		expect(() => referenceDecrypt(KEY_BASE64, envelope, "")).toThrow();
		expect(referenceDecrypt(KEY_BASE64, envelope, '["v1","ten_a","lst_1","financials"]')).toBe("bound");
	});

	it("encrypts the same text differently each time, with a fresh IV", async () => {
		const key = await importEncryptionKey(KEY_BASE64);
		const envelopes = await Promise.all(Array.from({ length: 20 }, () => encryptField(key, "same", BINDING)));
		expect(new Set(envelopes).size).toBe(20);
		expect(new Set(envelopes.map((envelope) => envelope.split(".")[1])).size).toBe(20);
	});

	it("never puts the plaintext in the envelope", async () => {
		const key = await importEncryptionKey(KEY_BASE64);
		const plaintext = "legal name: Acme Widgets Holdings Ltd, bank IBAN DE89370400440532013000";
		const envelope = await encryptField(key, plaintext, BINDING);
		expect(envelope).not.toContain("Acme");
		expect(envelope).not.toContain(Buffer.from(plaintext).toString("base64url").slice(0, 16));
		expect(envelope).not.toContain(Buffer.from(plaintext).toString("base64").slice(0, 16));
	});

	it("fails for every single-bit change of the IV or ciphertext", async () => {
		const key = await importEncryptionKey(KEY_BASE64);
		const envelope = await encryptField(key, "tamper", BINDING);
		for (const part of [1, 2] as const) {
			const length = Buffer.from(envelope.split(".")[part] ?? "", "base64url").length;
			for (let index = 0; index < length; index++) {
				const tampered = withBytes(envelope, part, (bytes) => {
					bytes[index] = (bytes[index] ?? 0) ^ 0x01;
					return bytes;
				});
				await expectDecryptionError(decryptField(key, tampered, BINDING), "authentication_failed");
			}
		}
	});

	it.each<[string, (bytes: Uint8Array) => Uint8Array]>([
		["a truncated tag", (bytes) => bytes.subarray(0, bytes.length - 1)],
		["an appended byte", (bytes) => new Uint8Array([...bytes, 0])],
		["the tag alone", (bytes) => bytes.subarray(bytes.length - 16)],
	])("fails for a ciphertext with %s", async (_label, change) => {
		const key = await importEncryptionKey(KEY_BASE64);
		const envelope = await encryptField(key, "tamper", BINDING);
		await expectDecryptionError(decryptField(key, withBytes(envelope, 2, change), BINDING), "authentication_failed");
	});

	it.each<[string, FieldBinding]>([
		["tenant", { ...BINDING, tenantId: "ten_b" }],
		["record", { ...BINDING, recordId: "lst_2" }],
		["field", { ...BINDING, field: "legal_name" }],
	])("fails under another %s", async (_label, other) => {
		const key = await importEncryptionKey(KEY_BASE64);
		const envelope = await encryptField(key, "bound", BINDING);
		await expectDecryptionError(decryptField(key, envelope, other), "authentication_failed");
		expect(await decryptField(key, envelope, BINDING)).toBe("bound");
	});

	it("keeps bindings apart whose parts would join to the same text", async () => {
		const key = await importEncryptionKey(KEY_BASE64);
		const first: FieldBinding = { tenantId: 'a","b', recordId: "c", field: "d" };
		const second: FieldBinding = { tenantId: "a", recordId: 'b","c', field: "d" };
		const envelope = await encryptField(key, "bound", first);
		await expectDecryptionError(decryptField(key, envelope, second), "authentication_failed");
	});

	it("fails under another key", async () => {
		const key = await importEncryptionKey(KEY_BASE64);
		const otherKey = await importEncryptionKey(OTHER_KEY_BASE64);
		const envelope = await encryptField(key, "keyed", BINDING);
		await expectDecryptionError(decryptField(otherKey, envelope, BINDING), "authentication_failed");
	});

	it("refuses a binding with an empty part", async () => {
		const key = await importEncryptionKey(KEY_BASE64);
		await expect(encryptField(key, "x", { ...BINDING, tenantId: "" })).rejects.toThrow(/tenantId/);
		await expect(encryptField(key, "x", { ...BINDING, recordId: "" })).rejects.toThrow(/recordId/);
		await expect(encryptField(key, "x", { ...BINDING, field: "" })).rejects.toThrow(/field/);
		const envelope = await encryptField(key, "x", BINDING);
		await expect(decryptField(key, envelope, { ...BINDING, tenantId: "" })).rejects.toThrow(/tenantId/);
	});

	it("reports an envelope from a later version as unsupported", async () => {
		const key = await importEncryptionKey(KEY_BASE64);
		const envelope = await encryptField(key, "x", BINDING);
		await expectDecryptionError(decryptField(key, envelope.replace(/^v1\./, "v2."), BINDING), "unsupported_version");
	});

	// Each mutation applies to an otherwise valid envelope, so only the format check can reject it.
	it.each<[string, (parts: string[]) => string]>([
		["no version", ([, iv, data]) => `${iv}.${data}`],
		["an upper-case version", ([, iv, data]) => `V1.${iv}.${data}`],
		["an extra segment", (parts) => `${parts.join(".")}.extra`],
		["an empty trailing segment", (parts) => `${parts.join(".")}.`],
		["an empty IV", ([v, , data]) => `${v}..${data}`],
		["an empty ciphertext", ([v, iv]) => `${v}.${iv}.`],
		["a missing ciphertext", ([v, iv]) => `${v}.${iv}`],
		["an 11-byte IV", ([v, iv = "", data]) => `${v}.${toBase64Url(Buffer.from(iv, "base64url").subarray(1))}.${data}`],
		["a 16-byte IV", ([v, iv = "", data]) => `${v}.${iv}${toBase64Url(new Uint8Array(4))}.${data}`],
		["standard base64 characters", ([v, iv = "", data = ""]) => `${v}.${iv}.${data.replaceAll("-", "+")}+`],
		["padding", ([v, iv, data]) => `${v}.${iv}.${data}==`],
		["whitespace", ([v, iv, data]) => `${v}.${iv}.${data} `],
		["an impossible base64url length", ([v, iv, data]) => `${v}.${iv}.${data}A`],
		["a ciphertext shorter than the tag", ([v, iv]) => `${v}.${iv}.${toBase64Url(new Uint8Array(15))}`],
	])("refuses an envelope with %s as malformed", async (_label, mutate) => {
		const key = await importEncryptionKey(KEY_BASE64);
		const envelope = await encryptField(key, "12345", BINDING);
		await expectDecryptionError(decryptField(key, mutate(envelope.split(".")), BINDING), "malformed_envelope");
	});

	it("refuses a non-canonical base64url spelling of a valid ciphertext", async () => {
		const key = await importEncryptionKey(KEY_BASE64);
		// 4 bytes of text plus the tag are 20 bytes: 27 characters, the last carrying 2 spare bits.
		const envelope = await encryptField(key, "1234", BINDING);
		const [version, iv, data = ""] = envelope.split(".");
		const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
		const last = alphabet.indexOf(data.slice(-1));
		const respelled = `${data.slice(0, -1)}${alphabet[last ^ 0x01]}`;
		// The premise: both spellings decode to the same bytes.
		expect(Buffer.from(respelled, "base64url")).toEqual(Buffer.from(data, "base64url"));
		await expectDecryptionError(decryptField(key, `${version}.${iv}.${respelled}`, BINDING), "malformed_envelope");
		expect(await decryptField(key, envelope, BINDING)).toBe("1234");
	});

	it.each(["", "v1", "v1..", "v1.....", "plaintext", "v1.not*base64.abcd", "💥"])(
		"refuses the malformed envelope %j",
		async (envelope) => {
			const key = await importEncryptionKey(KEY_BASE64);
			await expectDecryptionError(decryptField(key, envelope, BINDING), "malformed_envelope");
		},
	);
});
