/**
 * The e-mail templates by name: each a zod schema for its data and a pure `render` to subject,
 * plain text and HTML (./layout.ts escapes). A queued `email.send` job names a template and carries
 * its data, never rendered bodies, so a template fix applies to jobs already queued and the queue
 * never holds markup.
 */
import type { z } from "zod";
import { accessRequest, accessRequestData } from "./access-request.ts";
import { alertFired, alertFiredData, alertResolved, alertResolvedData } from "./alert.ts";
import {
	emailChanged,
	emailChangedData,
	emailChangeRequested,
	emailChangeRequestedData,
	emailChangeVerify,
	emailChangeVerifyData,
} from "./email-change.ts";
import type { Rendered } from "./layout.ts";
import { listingModerated, listingModeratedData } from "./listing-moderated.ts";
import { offerReceived, offerReceivedData } from "./offer-received.ts";
import { offerUpdate, offerUpdateData } from "./offer-update.ts";
import { passwordChanged, passwordChangedData } from "./password-changed.ts";
import { passwordReset, passwordResetData } from "./password-reset.ts";
import { paymentPaid, paymentPaidData } from "./payment-paid.ts";
import { paymentUpdate, paymentUpdateData } from "./payment-update.ts";
import { savedSearchMatch, savedSearchMatchData } from "./saved-search-match.ts";
import { verifyEmail, verifyEmailData } from "./verify-email.ts";
import { watchlistChange, watchlistChangeData } from "./watchlist-change.ts";

export type { Rendered } from "./layout.ts";

interface Template<S extends z.ZodType> {
	data: S;
	render(data: z.output<S>): Rendered;
}

const template = <S extends z.ZodType>(data: S, render: (data: z.output<S>) => Rendered): Template<S> => ({
	data,
	render,
});

export const templates = {
	"verify-email": template(verifyEmailData, verifyEmail),
	"password-reset": template(passwordResetData, passwordReset),
	"password-changed": template(passwordChangedData, passwordChanged),
	"offer-received": template(offerReceivedData, offerReceived),
	"offer-update": template(offerUpdateData, offerUpdate),
	"payment-paid": template(paymentPaidData, paymentPaid),
	"payment-update": template(paymentUpdateData, paymentUpdate),
	"access-request": template(accessRequestData, accessRequest),
	"email-change-verify": template(emailChangeVerifyData, emailChangeVerify),
	"email-change-requested": template(emailChangeRequestedData, emailChangeRequested),
	"email-changed": template(emailChangedData, emailChanged),
	"saved-search-match": template(savedSearchMatchData, savedSearchMatch),
	"watchlist-change": template(watchlistChangeData, watchlistChange),
	"listing-moderated": template(listingModeratedData, listingModerated),
	"alert-fired": template(alertFiredData, alertFired),
	"alert-resolved": template(alertResolvedData, alertResolved),
} as const;

export type TemplateName = keyof typeof templates;
export type TemplateData<N extends TemplateName> = z.output<(typeof templates)[N]["data"]>;
export const templateNames = Object.keys(templates) as [TemplateName, ...TemplateName[]];

/** Renders `name` with `data`, which must already have passed the template's schema. */
export function renderTemplate<N extends TemplateName>(name: N, data: TemplateData<N>): Rendered {
	const entry = templates[name] as unknown as Template<z.ZodType<TemplateData<N>>>;
	return entry.render(data);
}
