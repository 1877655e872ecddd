/**
 * Memory of the workerd processes Miniflare starts, read from Linux `/proc`: each Miniflare
 * instance runs one `workerd` child of this Node process. `VmHWM` is the peak resident set since
 * the process started, or since it was last reset by writing `5` to `/proc/<pid>/clear_refs`,
 * which is how a scenario measures its own peak. Elsewhere than Linux every reading is `null`
 * and the benchmark leaves the field out.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";

/** The pids of `workerd` processes below this one (children, grandchildren, …). */
export function workerdPids(root: number = process.pid): number[] {
	let table: string;
	try {
		table = execFileSync("ps", ["-eo", "pid=,ppid=,comm="], { encoding: "utf8" });
	} catch {
		return [];
	}
	const rows = table
		.split("\n")
		.map((line) => line.trim().split(/\s+/))
		.filter((cols) => cols.length >= 3)
		.map(([pid, ppid, comm]) => ({ pid: Number(pid), ppid: Number(ppid), comm: comm ?? "" }));
	const below = new Set([root]);
	// Parents come before children only by chance in `ps` output, so sweep until nothing is added.
	for (let grew = true; grew; ) {
		grew = false;
		for (const row of rows) {
			if (!below.has(row.pid) && below.has(row.ppid)) {
				below.add(row.pid);
				grew = true;
			}
		}
	}
	return rows.filter((row) => row.pid !== root && below.has(row.pid) && row.comm.includes("workerd")).map((r) => r.pid);
}

/** Peak resident set of `pid` in MiB, or `null` when it cannot be read. */
export function peakRssMb(pid: number): number | null {
	try {
		const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
		return match?.[1] ? Number(match[1]) / 1024 : null;
	} catch {
		return null;
	}
}

/** Current resident set of `pid` in MiB, or `null` when it cannot be read. */
export function rssMb(pid: number): number | null {
	try {
		const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
		return match?.[1] ? Number(match[1]) / 1024 : null;
	} catch {
		return null;
	}
}

/** Starts a new peak window for `pid`; false when the kernel does not allow it. */
export function resetPeakRss(pid: number): boolean {
	try {
		writeFileSync(`/proc/${pid}/clear_refs`, "5");
		return true;
	} catch {
		return false;
	}
}

/**
 * Runs `work` in a fresh peak window of `pids` and adds their summed `VmHWM` as `peak_rss_mb`;
 * left out where `/proc` cannot be reset or read.
 */
export async function withPeakRss<T extends object>(
	pids: readonly number[],
	work: () => Promise<T>,
): Promise<T & { peak_rss_mb?: number }> {
	const resettable = pids.length > 0 && pids.every(resetPeakRss);
	const result = await work();
	const peaks = pids.map(peakRssMb);
	if (!resettable || peaks.some((mb) => mb === null)) return result;
	const total = peaks.reduce<number>((sum, mb) => sum + (mb ?? 0), 0);
	return { ...result, peak_rss_mb: Math.round(total * 10) / 10 };
}
