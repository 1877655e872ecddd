import { describe, expect, it } from "vitest";
import { UPLOAD_LIMIT_BYTES } from "../http/limits.ts";
import { ATTACHMENT_CAPS, capRefusal } from "./attachment-caps.ts";

const MiB = 1024 * 1024;

describe("ATTACHMENT_CAPS", () => {
	it("holds the product's numbers in MiB: 20 files, 25 MiB each, 100 MiB in all", () => {
		expect(ATTACHMENT_CAPS).toEqual({ maxFiles: 20, maxFileBytes: 25 * MiB, maxListingBytes: 100 * MiB });
	});

	it("lets the edge pass every file the cap admits", () => {
		expect(ATTACHMENT_CAPS.maxFileBytes).toBeLessThanOrEqual(UPLOAD_LIMIT_BYTES);
	});
});

describe("capRefusal", () => {
	const caps = { maxFiles: 3, maxFileBytes: 50, maxListingBytes: 100 };

	it("admits a file that fits every cap, up to each cap exactly", () => {
		expect(capRefusal(caps, { files: 0, bytes: 0 }, 1)).toBeNull();
		expect(capRefusal(caps, { files: 2, bytes: 50 }, 50)).toBeNull();
	});

	it("refuses a file over the per-file cap first", () => {
		expect(capRefusal(caps, { files: 3, bytes: 100 }, 51)).toEqual({ cap: "file_bytes", limit: 50, size: 51 });
	});

	it("refuses a file past the count", () => {
		expect(capRefusal(caps, { files: 3, bytes: 0 }, 1)).toEqual({ cap: "files", limit: 3, files: 3 });
	});

	it("refuses a file past the listing total", () => {
		expect(capRefusal(caps, { files: 1, bytes: 60 }, 41)).toEqual({
			cap: "listing_bytes",
			limit: 100,
			bytes: 60,
			size: 41,
		});
	});
});
