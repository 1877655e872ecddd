/** The dispatch Worker's Hono environment: bindings plus what middleware hands to handlers. */
import type { TokenRole } from "../../shared/auth/jwt.ts";
import type { ContractRoute } from "../../shared/contract/policy.ts";
import type { Credentials, HostKind } from "../../shared/http/origins.ts";
import type { TenantContext } from "../../shared/tenant-context.ts";
import type { SecurityNote } from "./metrics/security.ts";

/** The signed-in caller, from a verified token whose session is live. */
export interface Principal {
	userId: string;
	/** The caller's own tenant (the token's `tid`). */
	tenantId: string;
	role: TokenRole;
	sessionId: string;
	/** Where the token came from: a cookie makes writes subject to the CSRF check. */
	credentials: Exclude<Credentials, "none">;
}

export interface DispatchVariables {
	requestId: string;
	startedAt: number;
	clientIp: string;
	host: HostKind;
	/** `null` for anonymous callers. */
	principal: Principal | null;
	/** What the user Worker is told: the effective tenant (an admin may act for another). */
	tenant: Omit<TenantContext, "issued_at">;
	/** The contract route the request is (shared/contract/table.ts), or `null` for none. */
	route: ContractRoute | null;
	/** A page's own Content-Security-Policy, set over the default one on the way out. */
	contentSecurityPolicy?: string;
	/** Security events this request caused, noted where each was decided (./metrics/security.ts). */
	securityEvents?: SecurityNote[];
}

export interface DispatchHono {
	Bindings: DispatchEnv;
	Variables: DispatchVariables;
}
