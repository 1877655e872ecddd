/**
 * The hosted pages a browser sees: Checkout (`/checkout/cs_…`) and Connect onboarding
 * (`/onboarding/acct_…`). Plain HTML with inline styles and no scripts or external assets; every
 * action is a form POST, so they work from a browser test or curl. Controls carry real labels
 * (button text, `aria-describedby` for why one is disabled) for the browser tests to come.
 */
import { escapeHtml, htmlDocument } from "../../shared/html.ts";
import { formatMoney } from "./errors.ts";
import { CARD_MAX_AMOUNT } from "./fees.ts";
import type { Account, CheckoutSession } from "./objects.ts";

const STYLE = `
body{font-family:system-ui,sans-serif;background:#f6f8fa;color:#1a1f36;margin:0}
main{max-width:32rem;margin:3rem auto;background:#fff;border-radius:12px;padding:2rem;box-shadow:0 2px 12px #0001}
h1{font-size:1.4rem;margin:0 0 .5rem}
.mode{display:inline-block;background:#ffde92;color:#6b4c00;border-radius:4px;padding:.1rem .5rem;font-size:.8rem}
.total{font-size:2rem;font-weight:600;margin:1rem 0}
ul{padding-left:1.2rem}
form{display:grid;gap:.6rem;margin-top:1.5rem}
button{font:inherit;padding:.7rem;border-radius:6px;border:1px solid #635bff;background:#635bff;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#635bff}
button.danger{background:#fff;color:#c0123c;border-color:#c0123c}
button:disabled{opacity:.45;cursor:not-allowed}
.note{font-size:.85rem;color:#59617d}
code{font-size:.8rem}`;

function page(title: string, body: string): string {
	return htmlDocument(title, `<main aria-labelledby="page-title">\n${body}\n</main>`, { style: STYLE });
}

export function checkoutPage(
	session: CheckoutSession,
	lines: { name: string; quantity: number; unitAmount: number }[],
): string {
	const total = formatMoney(session.amount_total, session.currency);
	const items = lines
		.map(
			(line) =>
				`<li>${escapeHtml(line.name)} × ${line.quantity} — ${formatMoney(line.unitAmount * line.quantity, session.currency)}</li>`,
		)
		.join("\n");
	const header = `<h1 id="page-title">Checkout</h1>
<p><span class="mode">Local Stripe · test mode</span></p>
<section aria-label="Order summary">
<ul>${items}</ul>
<p class="total" aria-label="Total due">${total}</p>
</section>
<p class="note">Session <code>${escapeHtml(session.id)}</code></p>`;
	if (session.status !== "open") {
		return page(
			`Checkout ${session.status}`,
			`${header}
<p role="status">This Checkout Session is ${escapeHtml(session.status)}${session.status === "complete" ? ` (payment ${escapeHtml(session.payment_status)})` : ""}.</p>`,
		);
	}
	const card = session.payment_method_types.includes("card");
	const bank = session.payment_method_types.includes("us_bank_account");
	const cardTooLarge = card && session.amount_total > CARD_MAX_AMOUNT;
	const cardNote = !card
		? "Cards are not accepted for this payment."
		: cardTooLarge
			? `Cards top out at ${formatMoney(CARD_MAX_AMOUNT, session.currency)}; pay by bank instead.`
			: "";
	const bankNote = bank ? "" : "Bank payments are not accepted for this payment.";
	return page(
		`Checkout — ${total}`,
		`${header}
<form method="post" action="/checkout/${encodeURIComponent(session.id)}" aria-label="Payment">
<button type="submit" name="action" value="card"${card && !cardTooLarge ? "" : ` disabled aria-describedby="card-note"`}>Pay by card</button>
${cardNote ? `<p class="note" id="card-note">${escapeHtml(cardNote)}</p>` : ""}
<button type="submit" name="action" value="bank" class="secondary"${bank ? "" : ` disabled aria-describedby="bank-note"`}>Pay by bank (ACH)</button>
<button type="submit" name="action" value="bank_fail" class="danger"${bank ? "" : ` disabled aria-describedby="bank-note"`}>Bank payment fails</button>
${bankNote ? `<p class="note" id="bank-note">${escapeHtml(bankNote)}</p>` : ""}
<button type="submit" name="action" value="cancel" class="secondary">Cancel</button>
</form>
<p class="note">A card payment succeeds at once. A bank payment completes now and settles (or fails) a little later, as ACH does.</p>`,
	);
}

export function onboardingPage(account: Account, linkExpired: boolean): string {
	const header = `<h1 id="page-title">Set up payouts</h1>
<p><span class="mode">Local Stripe · test mode</span></p>
<p>Connect onboarding for <strong>${escapeHtml(account.email ?? account.id)}</strong></p>
<p class="note">Account <code>${escapeHtml(account.id)}</code> · details ${account.details_submitted ? "submitted" : "not submitted"} · transfers ${escapeHtml(account.capabilities.transfers ?? "not requested")}</p>`;
	if (linkExpired)
		return page("Onboarding link expired", `${header}<p role="alert">This onboarding link has expired.</p>`);
	return page(
		"Set up payouts",
		`${header}
<form method="post" action="/onboarding/${encodeURIComponent(account.id)}" aria-label="Onboarding">
<button type="submit" name="action" value="complete">Complete onboarding</button>
<button type="submit" name="action" value="pending" class="secondary">Submit details (verification pending)</button>
</form>`,
	);
}

export function messagePage(title: string, message: string): string {
	return page(title, `<h1 id="page-title">${escapeHtml(title)}</h1>\n<p role="alert">${escapeHtml(message)}</p>`);
}

/** Stripe's substitution in `success_url`: the literal `{CHECKOUT_SESSION_ID}` becomes the session id. */
export function withSessionId(url: string, sessionId: string): string {
	return url.replaceAll("{CHECKOUT_SESSION_ID}", sessionId);
}
