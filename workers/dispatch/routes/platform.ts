/** Platform routes served by the dispatch Worker itself. */
import { Hono } from "hono";
import type { DispatchHono } from "../types.ts";

export const platform = new Hono<DispatchHono>().get("/healthz", (c) => c.json({ status: "ok" }));
