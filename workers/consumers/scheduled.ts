/**
 * The consumers Worker's scheduled work, by cron (workers/consumers/wrangler.toml `[triggers]`):
 * every minute the outbox resend and prune, the link-token sweep and the alert rules; once a day
 * the D1 backup to R2 and its retention. Each step runs even when an earlier one failed (one
 * broken step must not stop the others), and the run fails afterwards if any did, so the failure
 * shows in the Worker's logs and metrics.
 */
import { pruneSent, resendStale } from "../../shared/data/outbox.ts";
import { evaluateAlerts } from "./alerts/evaluate.ts";
import { dailyBackup } from "./backup/backup.ts";
import { sweepAccountTokens } from "./token-sweep.ts";

/** The crons of workers/consumers/wrangler.toml; `npm start` fires them on the same schedule. */
export const EVERY_MINUTE = "* * * * *";
export const DAILY = "17 3 * * *";

type Step = (env: ConsumersEnv, now: Date) => Promise<unknown>;

const everyMinute: Record<string, Step> = {
	async outbox(env, now) {
		const sent = await resendStale(
			env.DB,
			{
				"offer-events": env.OFFER_EVENTS,
				"payment-events": env.PAYMENT_EVENTS,
				"backoffice-jobs": env.BACKOFFICE_JOBS,
			},
			now.getTime(),
		);
		if (sent > 0) console.warn("outbox resent stale messages", sent);
		await pruneSent(env.DB, now.getTime());
	},
	tokens: (env, now) => sweepAccountTokens(env.DB, now.getTime()),
	alerts: (env, now) => evaluateAlerts(env, now),
};

const daily: Record<string, Step> = {
	backup: (env, now) => dailyBackup(env, now),
};

export function stepsFor(cron: string): Record<string, Step> {
	if (cron === DAILY) return daily;
	if (cron === EVERY_MINUTE) return everyMinute;
	throw new Error(`no scheduled work for cron "${cron}"`);
}

export async function runScheduled(cron: string, env: ConsumersEnv, now: Date): Promise<void> {
	const failed: string[] = [];
	for (const [name, step] of Object.entries(stepsFor(cron))) {
		try {
			await step(env, now);
		} catch (cause) {
			console.error("scheduled step failed", cron, name, cause);
			failed.push(name);
		}
	}
	if (failed.length > 0) throw new Error(`scheduled steps failed (${cron}): ${failed.join(", ")}`);
}
