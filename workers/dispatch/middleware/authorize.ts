/**
 * Route-level access, enforced here and nowhere else: the route's declared policy
 * (shared/contract/table.ts, `x-policy.allow`) decides. A route the table does not know is a 404 before it reaches any
 * handler or the user Worker (default deny); a guest on a signed-in route is a 401, a signed-in
 * caller of the wrong role a 403. Object-level rules (owner, party, approved buyer) stay with the
 * handlers, which answer 404 for objects the caller may not see.
 *
 * A route whose policy says `verifiedEmail` (publish, ask for access, make an offer) also needs the
 * caller's address verified, else 403 `email-unverified`. D1's `users.email_verified_at` is asked
 * on those routes only (one primary-key read), rather than carried in the token or the session,
 * so a verification counts from the very next request and nothing has to be kept in step; if D1
 * cannot answer, the request is refused (503), never let through unchecked.
 *
 * An admin acting for another tenant (`X-Tenant-ID`) is audited here, once the session is known
 * live and the route allowed, and before the request is served: if the audit record cannot be
 * queued the request is refused (503) rather than served unaudited.
 */
import { createMiddleware } from "hono/factory";
import { accessOutcome } from "../../../shared/access/matrix.ts";
import { HttpProblem } from "../../../shared/http/problem.ts";
import { recordAudit } from "../audit.ts";
import { isEmailVerified } from "../identity/accounts.ts";
import { noteSecurityEvent } from "../metrics/security.ts";
import type { DispatchHono } from "../types.ts";
import { routes } from "./route.ts";

export const authorize = createMiddleware<DispatchHono>(async (c, next) => {
	const principal = c.get("principal");
	const outcome = accessOutcome(
		principal?.role ?? "guest",
		c.get("route"),
		() => routes.allowedMethods(c.req.path).length > 0,
	);
	switch (outcome) {
		case "allow":
			break;
		case "unauthenticated":
			throw new HttpProblem(
				{ reason: "unauthorized", detail: "Sign in to do this." },
				{ headers: { "WWW-Authenticate": 'Bearer realm="techflunky"' } },
			);
		case "forbidden":
			noteSecurityEvent(c, "cross_tenant_denied");
			throw new HttpProblem({ reason: "forbidden", detail: "Your account type may not do this." });
		case "method_not_allowed":
			throw new HttpProblem(
				{ reason: "method_not_allowed" },
				{ headers: { Allow: routes.allowedMethods(c.req.path).join(", ") } },
			);
		case "not_found":
			throw new HttpProblem({ reason: "not_found" });
		default: {
			const unreachable: never = outcome;
			throw new Error(`unknown access outcome ${String(unreachable)}`);
		}
	}
	if (principal && c.get("route")?.["x-policy"].verifiedEmail) {
		let verified: boolean;
		try {
			verified = await isEmailVerified(c.env.DB, principal.userId);
		} catch (cause) {
			throw new HttpProblem({ reason: "service_unavailable" }, { cause });
		}
		if (!verified) throw new HttpProblem({ reason: "email_unverified" });
	}
	const tenant = c.get("tenant");
	if (tenant.actor_tenant_id) {
		try {
			await recordAudit(c, {
				action: "admin.act_for_tenant",
				subjectTenantId: tenant.tenant_id,
				detail: { method: c.req.method, path: c.req.path },
			});
		} catch (cause) {
			throw new HttpProblem({ reason: "service_unavailable" }, { cause });
		}
	}
	await next();
});
