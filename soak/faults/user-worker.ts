/**
 * The soak's user Worker: the real one (workers/user) behind a test-only switch. A request with
 * `X-Soak-Fault: before` throws before the real handler runs (nothing may change); one with
 * `X-Soak-Fault: after` runs the real handler to the end — its writes are committed — and then
 * throws, so the response is lost. Either way the dispatch Worker must answer a 502 problem.
 * Bundled in place of workers/user/index.ts only by `npm run soak` (startTopology `entries`);
 * the product never sees the header.
 */
import worker from "../../workers/user/index.ts";
import { FAULT_HEADER, parseUserFault } from "./plan.ts";

interface FetchWorker {
	fetch(request: Request, env: unknown, ctx: unknown): Response | Promise<Response>;
}

const real: FetchWorker = worker;

export default {
	async fetch(request: Request, env: unknown, ctx: unknown): Promise<Response> {
		const fault = parseUserFault(request.headers.get(FAULT_HEADER));
		if (fault === "before") throw new Error("soak fault: the user Worker failed before handling the request");
		const response = await real.fetch(request, env, ctx);
		if (fault === "after") {
			await response.arrayBuffer();
			throw new Error(`soak fault: the user Worker failed after answering ${response.status}; the answer is lost`);
		}
		return response;
	},
};
