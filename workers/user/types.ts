/**
 * The user Worker's Hono environment. Handlers get the bindings without `DB`: every D1 read and
 * write goes through `c.var.data`, the tenant-scoped data layer (shared/data), built once per
 * request from the verified tenant context.
 */
import type { TenantData } from "../../shared/data/index.ts";
import type { TenantContext } from "../../shared/tenant-context.ts";

export interface UserHono {
	Bindings: Omit<UserEnv, "DB">;
	Variables: { tenant: TenantContext; data: TenantData };
}
