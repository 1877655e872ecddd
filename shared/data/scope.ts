/**
 * Whose data a request may touch, derived once from the verified tenant context. The data layer
 * (this folder) is the only code that turns it into SQL predicates; handlers never see the D1
 * binding, so they cannot write a query that forgets the tenant.
 */
import type { Role, TenantContext } from "../tenant-context.ts";

export interface Scope {
	/** The tenant the request acts for; `null` for a guest. */
	tenantId: string | null;
	userId: string | null;
	role: Role;
	/**
	 * Admins read and write every tenant's rows (docs/architecture.md, Tenants, roles and access);
	 * acting for a tenant is audited at the edge.
	 */
	isAdmin: boolean;
}

export function scopeOf(context: TenantContext): Scope {
	return {
		tenantId: context.tenant_id,
		userId: context.user_id,
		role: context.role,
		isAdmin: context.role === "admin",
	};
}

/**
 * `(<column> = ? OR <admin>)` with its bind value: the predicate every owner-or-admin query
 * carries. A guest owns nothing, so for a guest it matches no row.
 */
export function ownerPredicate(scope: Scope, column: string): { sql: string; binds: (string | number)[] } {
	if (scope.isAdmin) return { sql: "1 = 1", binds: [] };
	if (scope.tenantId === null) return { sql: "0 = 1", binds: [] };
	return { sql: `${column} = ?`, binds: [scope.tenantId] };
}
