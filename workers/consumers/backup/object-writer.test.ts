/** The backup's object writer against R2 in workerd: one put when small, multipart when large. */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../../shared/backup/format.ts";
import { ObjectWriter } from "./object-writer.ts";

const { BACKUPS: bucket } = env as unknown as ConsumersEnv;
const MIB = 1024 * 1024;
const ndjson = { contentType: "application/x-ndjson; charset=utf-8" };

describe("ObjectWriter", () => {
	it("writes a small object in one put, with its size and SHA-256", async () => {
		const writer = new ObjectWriter(bucket, "writer-test/small.ndjson", ndjson);
		await writer.write('["id"]\n');
		await writer.write('["ü"]\n');
		const written = await writer.close();
		const text = '["id"]\n["ü"]\n';
		const stored = await bucket.get("writer-test/small.ndjson");
		expect(await stored?.text()).toBe(text);
		expect(stored?.httpMetadata?.contentType).toBe(ndjson.contentType);
		expect(written).toEqual({
			key: "writer-test/small.ndjson",
			bytes: new TextEncoder().encode(text).byteLength,
			sha256: await sha256Hex(text),
		});
	});

	it("writes a large object as equal multipart parts, byte for byte", async () => {
		const writer = new ObjectWriter(bucket, "writer-test/large.ndjson", ndjson, 5 * MIB);
		// Lines that do not divide the part size, with multi-byte characters across part boundaries.
		const line = `["${"é".repeat(3000)}${"x".repeat(1001)}"]\n`;
		const lines = Math.ceil((11 * MIB) / new TextEncoder().encode(line).byteLength);
		for (let i = 0; i < lines; i++) await writer.write(line);
		const written = await writer.close();
		const expected = line.repeat(lines);
		const stored = await bucket.get("writer-test/large.ndjson");
		const bytes = new Uint8Array((await stored?.arrayBuffer()) ?? new ArrayBuffer(0));
		expect(bytes.byteLength).toBe(written.bytes);
		expect(written.bytes).toBeGreaterThan(10 * MIB);
		expect(written.sha256).toBe(await sha256Hex(expected));
		expect(await sha256Hex(bytes)).toBe(written.sha256);
		// A multipart object's etag names its part count.
		expect(stored?.etag).toMatch(/-3$/);
	});
});
