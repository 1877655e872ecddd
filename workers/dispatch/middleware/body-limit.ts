/**
 * Request body limits: 1 MiB for everything, 25 MiB only for routes whose policy takes an
 * `upload` (attachments). Bodies without a Content-Length are counted as they stream, so a
 * chunked upload cannot slip past.
 */
import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import { JSON_LIMIT_BYTES, UPLOAD_LIMIT_BYTES } from "../../../shared/http/limits.ts";
import { HttpProblem } from "../../../shared/http/problem.ts";
import type { DispatchHono } from "../types.ts";

function limit(maxSize: number) {
	return bodyLimit({
		maxSize,
		onError: () => {
			throw new HttpProblem({ reason: "payload_too_large", limitBytes: maxSize });
		},
	});
}

const jsonLimit = limit(JSON_LIMIT_BYTES);
const uploadLimit = limit(UPLOAD_LIMIT_BYTES);

export const bodyLimits = createMiddleware<DispatchHono>((c, next) =>
	c.get("route")?.["x-policy"].body === "upload" ? uploadLimit(c, next) : jsonLimit(c, next),
);
