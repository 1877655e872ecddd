import { describe, expect, it } from "vitest";
import { refusalReasons } from "../../durable-objects/negotiation-room/machine.ts";
import { type Problem, problemBody } from "../http/problem.ts";
import { errorFrameSchema } from "../offers/protocol.ts";
import { errorFrame, type RefusalKind, refusalKinds, refusalProblem } from "./outcomes.ts";

/**
 * The status each refusal is answered with (docs/domain.md, Offer threads: stale version or wrong
 * turn 409; docs/architecture.md, Tenants, roles and access: invisible is 404).
 */
const STATUS: Record<RefusalKind, number> = {
	stale_version: 409,
	not_your_turn: 409,
	closed: 409,
	on_hold: 409,
	expired: 409,
	not_due: 409,
	not_accepted: 409,
	not_held: 409,
	listing_unavailable: 409,
	not_buyer: 403,
	not_seller: 403,
	admin_read_only: 403,
	invalid_amount: 400,
	invalid_move: 400,
	not_found: 404,
};

describe("refusalProblem and errorFrame", () => {
	it.each(refusalKinds)("answers %s with the same status and detail over REST and the socket", (kind) => {
		const problem = refusalProblem({ kind, detail: `Because of ${kind}.` });
		const body = problemBody(problem);
		const frame = errorFrame(problem);
		expect(body.status).toBe(STATUS[kind]);
		expect(frame.status).toBe(body.status);
		expect(frame).toEqual({ type: "error", status: body.status, detail: body.detail });
		expect(errorFrameSchema.parse(frame)).toEqual(frame);
	});

	it("passes the refusal's detail on, except a 404's, which says no more than that nothing is there", () => {
		for (const kind of refusalKinds) {
			const { detail } = problemBody(refusalProblem({ kind, detail: "Version 1 is stale." }));
			expect(detail).toBe(kind === "not_found" ? "No such resource." : "Version 1 is stale.");
		}
	});

	it("knows every reason the state machine refuses a move for", () => {
		for (const reason of refusalReasons) expect(refusalKinds).toContain(reason);
	});

	it.each([
		[{ reason: "rate_limited", retryAfterSeconds: 7 }, 429, "Rate limit exceeded; retry in 7 s."],
		[
			{ reason: "unauthorized", detail: "This session has ended; sign in again." },
			401,
			"This session has ended; sign in again.",
		],
		[
			{ reason: "payload_too_large", limitBytes: 8192, detail: "Frames are limited to 8192 bytes." },
			413,
			"Frames are limited to 8192 bytes.",
		],
	] satisfies [Problem, number, string][])(
		"frames the socket's own problems as REST answers them: %o",
		(problem, status, detail) => {
			expect(errorFrame(problem)).toEqual({ type: "error", status, detail });
		},
	);
});
