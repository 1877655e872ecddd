/**
 * `npm run seed`: applies D1 migrations to the local state and loads the demo data (idempotent):
 * the rows into D1, the demo files into the local R2 bucket.
 */
import { fileURLToPath } from "node:url";
import { ATTACHMENTS_BUCKET, demoData, demoGuide } from "./demo-data.ts";
import { ensureDevVars } from "./dev-vars.ts";
import { applyMigrations, DEFAULT_STATE_DIR, executeSql, putObject, querySql } from "./local-d1.ts";

export async function seedLocal(stateDir = DEFAULT_STATE_DIR): Promise<void> {
	const vars = ensureDevVars();
	applyMigrations(stateDir);
	const demo = await demoData({
		pepper: vars.get("PASSWORD_PEPPER") ?? "",
		encryptionKey: vars.get("ENCRYPTION_KEY") ?? "",
	});
	executeSql(demo.sql, stateDir);
	// Put a demo file only while its row still names the demo bytes: re-putting them is harmless
	// (and restores an object missing from R2), but a file the seller has replaced stays theirs.
	const rows = querySql<{ r2_key: string; sha256: string }>("SELECT r2_key, sha256 FROM attachments", stateDir);
	const current = new Map(rows.map((row) => [row.r2_key, row.sha256]));
	for (const object of demo.objects) {
		if (current.get(object.key) === object.sha256) putObject(ATTACHMENTS_BUCKET, object, stateDir);
	}
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
	await seedLocal();
	console.log(`demo data ready\n${demoGuide()}`);
}
