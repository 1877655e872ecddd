/** Random secrets for Workers under test (workerd projects and the e2e topology). */
import { randomBytes } from "node:crypto";

export function testSecrets() {
	return {
		JWT_SECRET: randomBytes(32).toString("hex"),
		TENANT_CONTEXT_SECRET: randomBytes(32).toString("hex"),
		PASSWORD_PEPPER: randomBytes(32).toString("hex"),
		ENCRYPTION_KEY: randomBytes(32).toString("base64"),
		STRIPE_SECRET_KEY: `sk_test_${randomBytes(12).toString("hex")}`,
		STRIPE_WEBHOOK_SECRET: `whsec_${randomBytes(24).toString("base64")}`,
		MAILERSEND_API_KEY: `mlsn.test_${randomBytes(12).toString("hex")}`,
		UNSUBSCRIBE_SECRET: randomBytes(32).toString("hex"),
	};
}
