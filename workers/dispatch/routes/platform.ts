/** Platform routes served by the dispatch Worker itself. */
import { contractApp } from "../../../shared/contract/app.ts";
import { platformRoutes as r } from "../../../shared/contract/routes/platform.ts";
import type { DispatchHono } from "../types.ts";

export const platform = contractApp<DispatchHono>().openapi(r.healthCheck, (c) =>
	c.json({ status: "ok" } as const, 200),
);
