import { describe, expect, it, vi } from "vitest";
import { cursorOf, listPage, pageHref, queryText } from "./paging.ts";

const at = (path: string) => new URL(path, "https://techflunky.test");

describe("queryText and cursorOf", () => {
	it("reads a parameter trimmed, and an absent one as empty", () => {
		const text = queryText(at("/admin/audit?action=%20admin.tenant_updated%20"));
		expect(text("action")).toBe("admin.tenant_updated");
		expect(text("tenant")).toBe("");
	});

	it("answers the cursor of a later page, and nothing for a missing or blank one", () => {
		expect(cursorOf(at("/buyer/offers?cursor=abc_-1"))).toBe("abc_-1");
		expect(cursorOf(at("/buyer/offers?cursor=%20%20"))).toBeUndefined();
		expect(cursorOf(at("/buyer/offers"))).toBeUndefined();
	});
});

describe("pageHref", () => {
	it("keeps the view's filters in place and sets or replaces the cursor", () => {
		const url = at("/admin/dead-letters?queue=backoffice-jobs&cursor=old&status=all");
		expect(pageHref(url, "new")).toBe("/admin/dead-letters?queue=backoffice-jobs&cursor=new&status=all");
		expect(pageHref(at("/admin/alerts"), "eyJhIjoxfQ")).toBe("/admin/alerts?cursor=eyJhIjoxfQ");
	});

	it("drops the cursor for the first page, and the query with it when nothing else is left", () => {
		expect(pageHref(at("/admin/tenants?status=active&cursor=old"), null)).toBe("/admin/tenants?status=active");
		expect(pageHref(at("/admin/alerts?cursor=old"), null)).toBe("/admin/alerts");
	});
});

describe("listPage", () => {
	it("reads a list answer into its items and next cursor", async () => {
		const page = await listPage<number>(Promise.resolve({ status: 200, body: { items: [1, 2], next_cursor: "n" } }));
		expect(page).toEqual({ items: [1, 2], next: "n" });
	});

	it("answers a refused cursor as this page's 400 with a way back", async () => {
		const page = await listPage(Promise.resolve({ status: 400, body: { detail: "cursor: not a cursor" } }));
		expect(page).toEqual({ status: 400, message: "That page of the list does not exist. Start from the first page." });
	});

	it("answers a thrown call as the API not answering", async () => {
		const quiet = vi.spyOn(console, "error").mockImplementation(() => {});
		const page = await listPage(Promise.reject(new Error("binding gone")));
		expect(page).toEqual({
			status: 503,
			message: "The marketplace is not answering right now. Try again in a moment.",
		});
		quiet.mockRestore();
	});
});
