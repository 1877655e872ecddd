import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signTenantContext, type TenantContext, verifyTenantContext } from "./tenant-context.ts";

const SECRET = "a-test-secret-that-is-32-chars-!";
const OTHER_SECRET = "another-test-secret-of-32-chars!";
const ISSUED_AT = 1_767_225_600_000;

const context: TenantContext = {
	request_id: "req_0123456789abcdef",
	tenant_id: "tnt_0123456789abcdef",
	user_id: "usr_0123456789abcdef",
	role: "seller",
	client_ip: "203.0.113.7",
	actor_tenant_id: null,
	issued_at: ISSUED_AT,
};

/**
 * Builds a header by hand (base64url JSON payload, then base64url HMAC-SHA256 of that payload
 * text), independently of `signTenantContext`, so a payload the signer would never produce can
 * still carry a valid MAC.
 */
function signRaw(payloadJson: string, secret = SECRET): string {
	const payload = Buffer.from(payloadJson, "utf8").toString("base64url");
	const mac = createHmac("sha256", secret).update(payload).digest("base64url");
	return `${payload}.${mac}`;
}

describe("signTenantContext and verifyTenantContext", () => {
	it("round-trips a signed context", async () => {
		const header = await signTenantContext(context, SECRET);
		expect(await verifyTenantContext(header, SECRET, ISSUED_AT + 1_000)).toEqual(context);
	});

	it("round-trips an anonymous guest context", async () => {
		const guest: TenantContext = { ...context, tenant_id: null, user_id: null, role: "guest" };
		const header = await signTenantContext(guest, SECRET);
		expect(await verifyTenantContext(header, SECRET, ISSUED_AT)).toEqual(guest);
	});

	it("produces a header of two base64url segments", async () => {
		const header = await signTenantContext(context, SECRET);
		expect(header).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
	});

	it("accepts a header built as base64url JSON plus an HMAC-SHA256 of it", async () => {
		const header = signRaw(JSON.stringify(context));
		expect(await verifyTenantContext(header, SECRET, ISSUED_AT)).toEqual(context);
	});

	it("refuses to sign with a secret shorter than 32 characters", async () => {
		await expect(signTenantContext(context, "x".repeat(31))).rejects.toThrow(/at least 32 characters/);
	});

	it("signs with a secret of exactly 32 characters", async () => {
		const secret = "x".repeat(32);
		const header = await signTenantContext(context, secret);
		expect(await verifyTenantContext(header, secret, ISSUED_AT)).toEqual(context);
	});

	it("returns null rather than throwing when verifying with a short secret", async () => {
		const short = "x".repeat(31);
		const header = signRaw(JSON.stringify(context), short);
		expect(await verifyTenantContext(header, short, ISSUED_AT)).toBeNull();
	});
});

describe("verifyTenantContext", () => {
	it.each([null, undefined, ""])("rejects a missing header %j", async (header) => {
		expect(await verifyTenantContext(header, SECRET, ISSUED_AT)).toBeNull();
	});

	it("rejects a context signed with another secret", async () => {
		const header = await signTenantContext(context, OTHER_SECRET);
		expect(await verifyTenantContext(header, SECRET, ISSUED_AT)).toBeNull();
	});

	it("rejects a tampered payload that keeps the original MAC", async () => {
		const header = await signTenantContext(context, SECRET);
		const [, mac] = header.split(".");
		const forged = Buffer.from(JSON.stringify({ ...context, role: "admin" }), "utf8").toString("base64url");
		expect(await verifyTenantContext(`${forged}.${mac}`, SECRET, ISSUED_AT)).toBeNull();
	});

	it("rejects a tampered MAC", async () => {
		const header = await signTenantContext(context, SECRET);
		const [payload, mac = ""] = header.split(".");
		// Change the first character: the last one carries two padding bits that decoding ignores.
		const tampered = (mac[0] === "A" ? "B" : "A") + mac.slice(1);
		expect(await verifyTenantContext(`${payload}.${tampered}`, SECRET, ISSUED_AT)).toBeNull();
	});

	it("rejects a truncated MAC", async () => {
		const header = await signTenantContext(context, SECRET);
		expect(await verifyTenantContext(header.slice(0, -4), SECRET, ISSUED_AT)).toBeNull();
	});

	it("rejects a header without a MAC", async () => {
		const header = await signTenantContext(context, SECRET);
		const [payload] = header.split(".");
		expect(await verifyTenantContext(`${payload}.`, SECRET, ISSUED_AT)).toBeNull();
		expect(await verifyTenantContext(`${payload}`, SECRET, ISSUED_AT)).toBeNull();
	});

	it("accepts a context exactly 60 s old", async () => {
		const header = await signTenantContext(context, SECRET);
		expect(await verifyTenantContext(header, SECRET, ISSUED_AT + 60_000)).toEqual(context);
	});

	it("rejects a context older than 60 s", async () => {
		const header = await signTenantContext(context, SECRET);
		expect(await verifyTenantContext(header, SECRET, ISSUED_AT + 60_001)).toBeNull();
	});

	it("accepts a context issued up to 5 s in the future", async () => {
		const header = await signTenantContext(context, SECRET);
		expect(await verifyTenantContext(header, SECRET, ISSUED_AT - 5_000)).toEqual(context);
	});

	it("rejects a context issued more than 5 s in the future", async () => {
		const header = await signTenantContext(context, SECRET);
		expect(await verifyTenantContext(header, SECRET, ISSUED_AT - 5_001)).toBeNull();
	});

	it("rejects a header with extra segments", async () => {
		const header = await signTenantContext(context, SECRET);
		expect(await verifyTenantContext(`${header}.extra`, SECRET, ISSUED_AT)).toBeNull();
		expect(await verifyTenantContext(`${header}.`, SECRET, ISSUED_AT)).toBeNull();
	});

	it("rejects a correctly signed header longer than 2048 characters", async () => {
		// Control characters are escaped six-fold in JSON, so schema-valid fields make a long header.
		const padded = "\u0001".repeat(64);
		const big: TenantContext = {
			...context,
			request_id: padded,
			tenant_id: padded,
			user_id: padded,
			client_ip: padded,
		};
		const header = await signTenantContext(big, SECRET);
		expect(header.length).toBeGreaterThan(2048);
		expect(await verifyTenantContext(header, SECRET, ISSUED_AT)).toBeNull();
	});

	it.each(["!!!.???", "not base64.at all", "a.b", "....", "%%%%.%%%%"])(
		"rejects the garbage header %j",
		async (header) => {
			expect(await verifyTenantContext(header, SECRET, ISSUED_AT)).toBeNull();
		},
	);

	it("rejects a correctly signed payload that is not JSON", async () => {
		expect(await verifyTenantContext(signRaw("not json {"), SECRET, ISSUED_AT)).toBeNull();
	});

	it.each([
		["an extra field", { ...context, is_admin: true }],
		["an unknown role", { ...context, role: "owner" }],
		["a missing request id", { ...context, request_id: undefined }],
		["an empty request id", { ...context, request_id: "" }],
		["a tenant id over 64 characters", { ...context, tenant_id: "t".repeat(65) }],
		["a fractional issue time", { ...context, issued_at: ISSUED_AT + 0.5 }],
		["a string issue time", { ...context, issued_at: String(ISSUED_AT) }],
		["an array payload", [context]],
	])("rejects a correctly signed payload with %s", async (_label, payload) => {
		expect(await verifyTenantContext(signRaw(JSON.stringify(payload)), SECRET, ISSUED_AT)).toBeNull();
	});
});
