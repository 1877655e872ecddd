/**
 * The two e-mails of an operations alert (workers/consumers/alerts/), sent to every admin, both
 * essential (no unsubscribe: an admin cannot opt out of being told the platform is unwell): "alert
 * firing" when a rule starts firing and "alert resolved" when it stops. Each links to the admin
 * alerts page; the summary is the rule's own one-line account of what it measured.
 */
import { z } from "zod";
import { linkUrl, personName, type Rendered, render, shortText } from "./layout.ts";

const utc = (iso: string) =>
	new Date(iso)
		.toISOString()
		.replace("T", " ")
		.replace(/\.\d{3}Z$/, " UTC");

const alertData = {
	name: personName,
	/** What the rule watches, e.g. "p95 latency above 500 ms"; the subject line. */
	title: shortText,
	/** What was measured, e.g. "p95 latency 750 ms over the last 5 minutes (40 requests), above 500 ms". */
	summary: z.string().trim().min(1).max(500),
	fired_at: z.iso.datetime({ offset: true }),
	alerts_url: linkUrl,
};

export const alertFiredData = z.object(alertData).strict();

export function alertFired(data: z.output<typeof alertFiredData>): Rendered {
	return render({
		subject: `Alert firing: ${data.title}`,
		preheader: data.summary,
		heading: "An alert is firing",
		name: data.name,
		paragraphs: [`${data.title}, since ${utc(data.fired_at)}.`, data.summary],
		action: { label: "See the alerts", url: data.alerts_url },
		footnote: "You get one e-mail when an alert starts firing and one when it resolves, never more while it lasts.",
	});
}

export const alertResolvedData = z.object({ ...alertData, resolved_at: z.iso.datetime({ offset: true }) }).strict();

export function alertResolved(data: z.output<typeof alertResolvedData>): Rendered {
	return render({
		subject: `Alert resolved: ${data.title}`,
		preheader: `Resolved at ${utc(data.resolved_at)}.`,
		heading: "An alert resolved",
		name: data.name,
		paragraphs: [
			`${data.title}: fired at ${utc(data.fired_at)}, resolved at ${utc(data.resolved_at)}.`,
			`When it fired: ${data.summary}`,
		],
		action: { label: "See the alerts", url: data.alerts_url },
	});
}
