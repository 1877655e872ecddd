/** The user Worker's Hono environment. */
import type { TenantContext } from "../../shared/tenant-context.ts";

export interface UserHono {
	Bindings: UserEnv;
	Variables: { tenant: TenantContext };
}
