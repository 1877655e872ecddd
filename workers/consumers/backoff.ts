/** Retry delay for a failed message: 2, 4, 8, … seconds by attempt, capped at 5 minutes. */
export function backoffSeconds(attempts: number): number {
	const exponent = Number.isFinite(attempts) ? Math.max(1, Math.floor(attempts)) : 1;
	return Math.min(300, 2 ** exponent);
}
