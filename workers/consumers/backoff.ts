/** Retry delay for a failed message: 2, 4, 8, … seconds by attempt, capped at 5 minutes. */
export function backoffSeconds(attempts: number): number {
	return Math.min(300, 2 ** Math.max(1, attempts));
}
