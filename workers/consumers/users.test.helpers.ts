/**
 * A user row for the consumers' tests: notification e-mails are sent only to a user who exists
 * and is not deleted (shared/notifications/preferences.ts `isEnabled`), so a test of a gated
 * e-mail starts from a real row in the test D1, with its tenant.
 */
const hex = () => crypto.randomUUID().replaceAll("-", "");

export async function newUser(
	db: D1Database,
	label = "gate",
): Promise<{ id: string; email: string; tenantId: string }> {
	const at = new Date().toISOString();
	const tenantId = `seller_${hex().slice(0, 20)}`;
	const user = { id: `usr_${hex()}`, email: `${label}-${hex().slice(0, 8)}@example.test`, tenantId };
	await db.batch([
		db
			.prepare("INSERT INTO tenants (id, kind, name, created_at, updated_at) VALUES (?, 'seller', 'Gate', ?, ?)")
			.bind(tenantId, at, at),
		db
			.prepare(
				"INSERT INTO users (id, tenant_id, email, name, role, password_hash, created_at, updated_at) VALUES (?, ?, ?, 'Gate', 'seller', 'x', ?, ?)",
			)
			.bind(user.id, tenantId, user.email, at, at),
	]);
	return user;
}
