/**
 * The one small interface between the dispatch Worker and the tenant user Worker.
 *
 * Production resolves the script in the `techflunky-tenants` dispatch namespace; local dev and
 * tests, where namespaces cannot run, reach the same Worker through the `USER_WORKER` service
 * binding. Either way the request carries a freshly signed tenant context and loses the caller's
 * credentials: the user Worker trusts the context, never a token.
 */
import { HttpProblem } from "../../shared/http/problem.ts";
import { HEADER, signTenantContext, type TenantContext } from "../../shared/tenant-context.ts";

export interface UserWorkerGateway {
	fetch(request: Request, script: string): Promise<Response>;
}

/** Per-invocation limits for tenant code in the namespace. */
const LIMITS = { cpuMs: 50, subRequests: 50 };

export function userWorkerGateway(env: DispatchEnv): UserWorkerGateway {
	const dispatcher = env.DISPATCHER;
	if (dispatcher) {
		return {
			async fetch(request, script) {
				try {
					const worker = dispatcher.get(script, {}, { limits: LIMITS });
					return await worker.fetch(request);
				} catch (cause) {
					if (cause instanceof Error && cause.message.startsWith("Worker not found")) {
						throw new HttpProblem({ reason: "not_found" }, { cause });
					}
					throw new HttpProblem({ reason: "bad_gateway" }, { cause });
				}
			},
		};
	}
	const service = env.USER_WORKER;
	if (service) {
		return {
			async fetch(request) {
				try {
					return await service.fetch(request);
				} catch (cause) {
					throw new HttpProblem({ reason: "bad_gateway" }, { cause });
				}
			},
		};
	}
	throw new Error("neither DISPATCHER nor USER_WORKER is bound");
}

/** The request the user Worker receives: same method, path and body; signed context; no credentials. */
export async function toUserWorkerRequest(original: Request, context: TenantContext, secret: string): Promise<Request> {
	const headers = new Headers(original.headers);
	headers.delete("Authorization");
	headers.delete("Cookie");
	headers.set(HEADER, await signTenantContext(context, secret));
	return new Request(original, { headers });
}
