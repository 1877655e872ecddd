/**
 * Which daily backups retention deletes (the I/O is workers/consumers/backup/retention.ts): the
 * `backups/YYYY-MM-DD/` folders dated more than `KEEP_DAYS` days before the run's UTC date. A
 * folder whose name is not a real date, today's, or a future one is never selected.
 */
import { BACKUP_PREFIX, backupDate, parseBackupDate } from "./format.ts";

export const KEEP_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The dates among `folders` (`backups/YYYY-MM-DD/`) more than `keepDays` days before `now`'s UTC date. */
export function expiredDates(folders: readonly string[], now: Date, keepDays = KEEP_DAYS): string[] {
	const today = parseBackupDate(backupDate(now)) as Date;
	return folders.flatMap((folder) => {
		if (!folder.startsWith(BACKUP_PREFIX) || !folder.endsWith("/")) return [];
		const name = folder.slice(BACKUP_PREFIX.length, -1);
		const date = parseBackupDate(name);
		if (date === null) return [];
		const ageDays = Math.round((today.getTime() - date.getTime()) / DAY_MS);
		return ageDays > keepDays ? [name] : [];
	});
}
