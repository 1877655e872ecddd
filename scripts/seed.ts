/** `npm run seed`: applies D1 migrations to the local state and loads the demo data (idempotent). */
import { fileURLToPath } from "node:url";
import { DEMO_PASSWORD, demoDataSql, demoUsers } from "./demo-data.ts";
import { ensureDevVars } from "./dev-vars.ts";
import { applyMigrations, DEFAULT_STATE_DIR, executeSql } from "./local-d1.ts";

export async function seedLocal(stateDir = DEFAULT_STATE_DIR): Promise<void> {
	const vars = ensureDevVars();
	applyMigrations(stateDir);
	executeSql(await demoDataSql(vars.get("PASSWORD_PEPPER") ?? ""), stateDir);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
	await seedLocal();
	console.log(`demo data ready; sign in as any of ${demoUsers.map((u) => u.email).join(", ")}`);
	console.log(`demo password: ${DEMO_PASSWORD}`);
}
