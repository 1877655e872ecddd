/**
 * A socket frame is admitted like a REST request, valid or not: the session must still be live
 * (logout and suspension end it at once) and the tenant's bucket must have room. One call to the
 * caller's TenantObject does both. A refusal is the problem REST would answer (401, 429), so the
 * room sends it through the same `errorFrame` as every other refusal.
 */
import type { TokenRole } from "../../shared/auth/jwt.ts";
import type { Problem } from "../../shared/http/problem.ts";
import { policyForRole } from "../../shared/rate-limit/policies.ts";
import type { Admission } from "../tenant/tenant-object.ts";

/** Who a socket belongs to, as the edge established it at the upgrade. */
export interface SocketCaller {
	tenantId: string;
	role: TokenRole;
	userId: string;
	sessionId: string;
}

/** `ended`: the socket must close after the problem is sent. */
export type FrameAdmission = { ok: true } | { ok: false; problem: Problem; ended: boolean };

export async function admitFrame(
	tenants: DispatchEnv["TenantObject"],
	caller: SocketCaller,
	now: number,
): Promise<FrameAdmission> {
	const ended: FrameAdmission = {
		ok: false,
		problem: { reason: "unauthorized", detail: "This session has ended; sign in again." },
		ended: true,
	};
	let admission: Admission;
	try {
		admission = await tenants.getByName(caller.tenantId).admit({
			session: { id: caller.sessionId, userId: caller.userId },
			key: "tenant",
			policy: policyForRole(caller.role),
			now,
		});
	} catch (cause) {
		// As at the edge: a signed-in caller whose session cannot be checked is refused.
		console.error("session check failed for a socket frame", cause);
		return ended;
	}
	switch (admission.outcome) {
		case "admitted":
			return { ok: true };
		case "limited":
			return {
				ok: false,
				problem: { reason: "rate_limited", retryAfterSeconds: admission.decision.retryAfterSeconds },
				ended: false,
			};
		case "unauthenticated":
		case "suspended":
			return ended;
	}
}
