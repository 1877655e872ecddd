import { describe, expect, it } from "vitest";
import { encodeForm, parseForm, splitKey } from "./form.ts";

describe("Stripe's form encoding", () => {
	it("splits bracketed keys into their segments", () => {
		expect(splitKey("line_items[0][price_data][currency]")).toEqual(["line_items", "0", "price_data", "currency"]);
		expect(splitKey("expand[]")).toEqual(["expand", ""]);
		expect(splitKey("email")).toEqual(["email"]);
		expect(splitKey("broken[key")).toBeNull();
	});

	it("parses nested hashes and indexed lists into a tree of strings", () => {
		const form = parseForm(
			"mode=payment&line_items[0][price_data][currency]=usd&line_items[0][quantity]=1&metadata[deal]=d%201&payment_intent_data[metadata][k]=a+b",
		);
		expect(form).toEqual({
			mode: "payment",
			line_items: { "0": { price_data: { currency: "usd" }, quantity: "1" } },
			metadata: { deal: "d 1" },
			payment_intent_data: { metadata: { k: "a b" } },
		});
	});

	it("numbers `expand[]=` entries in order", () => {
		expect(parseForm("expand[]=latest_charge&expand[]=customer")).toEqual({
			expand: { "0": "latest_charge", "1": "customer" },
		});
	});

	it("keeps a malformed key whole, so it is reported as unknown", () => {
		expect(parseForm("a[b=1")).toEqual({ "a[b": "1" });
	});

	it("encodes as the SDK does and parses back to the same tree", () => {
		const body = encodeForm({
			capabilities: { transfers: { requested: true } },
			allowed_payment_method_types: ["card", "us_bank_account"],
			success_url: "https://example.test/ok?cs={CHECKOUT_SESSION_ID}",
			skipped: undefined,
		});
		expect(body).toBe(
			"capabilities[transfers][requested]=true&allowed_payment_method_types[0]=card&allowed_payment_method_types[1]=us_bank_account&success_url=https%3A%2F%2Fexample.test%2Fok%3Fcs%3D%7BCHECKOUT_SESSION_ID%7D",
		);
		expect(parseForm(body)).toEqual({
			capabilities: { transfers: { requested: "true" } },
			allowed_payment_method_types: { "0": "card", "1": "us_bank_account" },
			success_url: "https://example.test/ok?cs={CHECKOUT_SESSION_ID}",
		});
	});
});
