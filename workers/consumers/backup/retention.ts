/**
 * Backup retention: the daily job keeps 30 days of `backups/YYYY-MM-DD/` folders and deletes
 * older ones, after that day's backup succeeded (a run whose backup failed deletes nothing, so
 * an outage never eats the last good copies). A folder whose name is not a real date, today's,
 * or one dated in the future is never touched: retention deletes only what it understands.
 * The manifest goes first, so a folder half-deleted by a failing run reads as incomplete and is
 * never restored.
 */
import { BACKUP_PREFIX, backupKeys } from "../../../shared/backup/format.ts";
import { expiredDates, KEEP_DAYS } from "../../../shared/backup/retention.ts";

/** Every `backups/<date>/` folder in the bucket (listed by delimiter, page by page). */
export async function listBackupFolders(bucket: R2Bucket): Promise<string[]> {
	const folders: string[] = [];
	let cursor: string | undefined;
	do {
		const page = await bucket.list({ prefix: BACKUP_PREFIX, delimiter: "/", ...(cursor ? { cursor } : {}) });
		folders.push(...page.delimitedPrefixes);
		cursor = page.truncated ? page.cursor : undefined;
	} while (cursor);
	return folders;
}

/** Deletes one day's backup: its manifest first, then every object under the folder. */
export async function deleteBackup(
	bucket: R2Bucket,
	date: string,
	keep: ReadonlySet<string> = new Set(),
): Promise<number> {
	if (!keep.has(backupKeys.manifest(date))) await bucket.delete(backupKeys.manifest(date));
	let deleted = 0;
	let cursor: string | undefined;
	do {
		const page = await bucket.list({ prefix: backupKeys.folder(date), ...(cursor ? { cursor } : {}) });
		const keys = page.objects.map((object) => object.key).filter((key) => !keep.has(key));
		if (keys.length > 0) await bucket.delete(keys);
		deleted += keys.length;
		cursor = page.truncated ? page.cursor : undefined;
	} while (cursor);
	return deleted;
}

/** Deletes the backups older than `keepDays`; answers the dates it deleted. */
export async function pruneBackups(bucket: R2Bucket, now: Date, keepDays = KEEP_DAYS): Promise<string[]> {
	const expired = expiredDates(await listBackupFolders(bucket), now, keepDays);
	for (const date of expired) await deleteBackup(bucket, date);
	return expired;
}
