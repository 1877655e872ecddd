/**
 * Connect Express accounts: `POST /v1/accounts`, `GET /v1/accounts/:id`, `POST /v1/account_links`,
 * and the onboarding that Stripe's hosted flow performs (the onboarding page and
 * `POST /_test/accounts/:acct/onboard`). A new account can receive nothing: its requested
 * capabilities are `inactive` and its requirements due. Onboarding submits the details, enables
 * charges and payouts and activates the capabilities (or, with the `pending` outcome, leaves
 * them pending verification), and sends `account.updated` as a Connect event (`account` set).
 */
import { invalidRequest } from "./errors.ts";
import { newId } from "./ids.ts";
import type { Account, AccountLink, CapabilityStatus, Requirements } from "./objects.ts";
import type { Store } from "./store.ts";
import type { Params } from "./subset.ts";

/** How long an onboarding link works, as Stripe's (five minutes). */
export const LINK_LIFETIME_SECONDS = 300;

const DUE_BEFORE_ONBOARDING = [
	"business_profile.url",
	"external_account",
	"individual.first_name",
	"individual.last_name",
	"tos_acceptance.date",
	"tos_acceptance.ip",
];

const CURRENCY_OF_COUNTRY: Record<string, string> = { US: "usd", GB: "gbp", CA: "cad", AU: "aud" };

function requirements(due: string[], pending: string[], disabledReason: string | null): Requirements {
	return {
		alternatives: [],
		current_deadline: null,
		currently_due: due,
		disabled_reason: disabledReason,
		errors: [],
		eventually_due: due,
		past_due: due,
		pending_verification: pending,
	};
}

export function createAccount(store: Store, params: Params): Account {
	const country = (params.country as string | undefined) ?? "US";
	if (!/^[A-Z]{2}$/.test(country)) {
		throw invalidRequest(
			`Country '${country}' is unknown. Try using a 2-character alphanumeric country code instead, such as 'US', 'EG', or 'GB'.`,
			{ param: "country" },
		);
	}
	const email = params.email as string | undefined;
	if (email !== undefined && !/^[^@\s]+@[^@\s]+$/.test(email)) {
		throw invalidRequest(`Invalid email address: ${email}`, { param: "email" });
	}
	const requested = (params.capabilities ?? {}) as Record<string, { requested?: boolean }>;
	const capabilities: Record<string, CapabilityStatus> = {};
	for (const [name, capability] of Object.entries(requested)) {
		if (capability.requested) capabilities[name] = "inactive";
	}
	return store.put<Account>({
		id: newId("acct"),
		object: "account",
		business_type: (params.business_type as string | undefined) ?? null,
		capabilities,
		charges_enabled: false,
		country,
		created: store.now(),
		default_currency: CURRENCY_OF_COUNTRY[country] ?? "usd",
		details_submitted: false,
		email: email ?? null,
		// `metadata=""` (unset) is allowed on create and leaves it empty.
		metadata: typeof params.metadata === "object" ? (params.metadata as Record<string, string>) : {},
		payouts_enabled: false,
		requirements: requirements([...DUE_BEFORE_ONBOARDING], [], "requirements.past_due"),
		type: "express",
	});
}

export function createAccountLink(store: Store, params: Params): AccountLink {
	const account = store.reference(params.account as string, "account", "account");
	const created = store.now();
	const expiresAt = created + LINK_LIFETIME_SECONDS;
	store.links.set(account.id, {
		returnUrl: params.return_url as string,
		refreshUrl: params.refresh_url as string,
		expiresAt,
		used: false,
	});
	return { object: "account_link", created, expires_at: expiresAt, url: `${store.baseUrl}/onboarding/${account.id}` };
}

export type OnboardingOutcome = "complete" | "pending";

/**
 * What Stripe's hosted onboarding does when the seller finishes it. `pending` stops at "details
 * submitted, verification pending": nothing enabled yet, capabilities `pending`.
 */
export function onboard(store: Store, id: string, outcome: OnboardingOutcome = "complete"): Account {
	const account = store.get(id, "account", "account");
	const before = structuredClone(account);
	const status: CapabilityStatus = outcome === "complete" ? "active" : "pending";
	account.details_submitted = true;
	account.charges_enabled = outcome === "complete";
	account.payouts_enabled = outcome === "complete";
	account.capabilities = Object.fromEntries(Object.keys(account.capabilities).map((name) => [name, status]));
	account.requirements =
		outcome === "complete"
			? requirements([], [], null)
			: requirements([], ["individual.verification.document"], "requirements.pending_verification");
	store.emit("account.updated", account, { account: account.id, previous_attributes: changed(before, account) });
	return account;
}

/** The top-level fields of `before` that differ in `after`, with their old values (`previous_attributes`). */
export function changed(before: object, after: object): Record<string, unknown> {
	const old = before as Record<string, unknown>;
	const now = after as Record<string, unknown>;
	return Object.fromEntries(
		Object.keys(old)
			.filter((key) => JSON.stringify(old[key]) !== JSON.stringify(now[key]))
			.map((key) => [key, old[key]]),
	);
}
