import { describe, expect, it } from "vitest";
import { processingFee } from "./fees.ts";

describe("Stripe's processing fees", () => {
	it("charges 2.9% + 30¢ on a card, rounded half up", () => {
		expect(processingFee(10_000, "card")).toBe(320);
		expect(processingFee(500, "card")).toBe(45); // 14.5 rounds up
		expect(processingFee(100_000_00, "card")).toBe(290_030);
	});

	it("charges 0.8% on a bank debit, capped at $5", () => {
		expect(processingFee(10_000, "us_bank_account")).toBe(80);
		expect(processingFee(62_500, "us_bank_account")).toBe(500);
		expect(processingFee(250_000_000, "us_bank_account")).toBe(500);
	});
});
