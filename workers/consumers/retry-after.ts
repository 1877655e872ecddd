/**
 * How long an upstream asked us to wait (`Retry-After`: delay-seconds or an HTTP date), capped so
 * a bad header cannot park a job for hours; `undefined` when absent or unreadable (the caller then
 * backs off exponentially). Pure: takes `now`.
 */
export const MAX_RETRY_AFTER_SECONDS = 600;

export function retryAfterSeconds(header: string | null | undefined, now: Date): number | undefined {
	const value = header?.trim();
	if (!value) return undefined;
	if (/^\d+$/.test(value)) return Math.min(MAX_RETRY_AFTER_SECONDS, Number(value));
	// An HTTP date (IMF-fixdate, or the obsolete RFC 850 form) ends in GMT; `Date.parse` alone
	// would also read "-5" or "1.5" as dates.
	const at = /^[A-Za-z]{3,9}, .+ GMT$/.test(value) ? Date.parse(value) : Number.NaN;
	if (Number.isNaN(at)) return undefined;
	return Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(0, Math.ceil((at - now.getTime()) / 1000)));
}
