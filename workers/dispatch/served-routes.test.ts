/**
 * The route table is what is served, and all of it: every route the two Workers register is in
 * the table (so the edge knows its policy, and a route added without one fails here), and every
 * route in the table is registered by the Worker its policy names.
 */
import { describe, expect, it } from "vitest";
import { policyOf, routingPath } from "../../shared/contract/policy.ts";
import { routeTable } from "../../shared/contract/table.ts";
import { app as userApp } from "../user/app.ts";
import { app as dispatchApp } from "./app.ts";

/** `METHOD /path` of every handler registered on `routes`, middleware and the tenant proxy left out. */
function served(routes: readonly { method: string; path: string }[]): string[] {
	return [
		...new Set(routes.filter((route) => route.method !== "ALL").map((route) => `${route.method} ${route.path}`)),
	].sort();
}

const declared = (worker: "dispatch" | "user") =>
	routeTable
		.filter((route) => policyOf(route).servedBy === worker)
		.map((route) => `${route.method.toUpperCase()} ${routingPath(route)}`)
		.sort();

describe("the route table and the Workers' routes", () => {
	it("has every route the dispatch Worker serves, and the dispatch Worker serves every one of its routes", () => {
		expect(served(dispatchApp.routes)).toEqual(declared("dispatch"));
		expect(declared("dispatch").length).toBeGreaterThanOrEqual(12);
	});

	it("has every route the user Worker serves, and the user Worker serves every one of its routes", () => {
		expect(served(userApp.routes)).toEqual(declared("user"));
		expect(declared("user").length).toBeGreaterThanOrEqual(25);
	});

	it("forwards to the user Worker only what the table says the user Worker serves", () => {
		const proxied = dispatchApp.routes.filter((route) => route.method === "ALL" && route.path === "/api/v1/*");
		expect(proxied).toHaveLength(1);
		for (const route of routeTable.filter((r) => policyOf(r).servedBy === "user")) {
			expect(route.path.startsWith("/api/v1/")).toBe(true);
		}
	});
});
