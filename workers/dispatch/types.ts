/** The dispatch Worker's Hono environment: bindings plus what middleware hands to handlers. */
import type { TenantContext } from "../../shared/tenant-context.ts";

export interface DispatchVariables {
	requestId: string;
	startedAt: number;
	clientIp: string;
	tenant: Omit<TenantContext, "issued_at">;
}

export interface DispatchHono {
	Bindings: DispatchEnv;
	Variables: DispatchVariables;
}
