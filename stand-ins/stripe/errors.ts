/**
 * Stripe-shaped API errors: `{ error: { type, code?, message, param?, doc_url? } }` with the
 * status Stripe would answer, so the `stripe` SDK raises the same error classes
 * (StripeInvalidRequestError, StripeAuthenticationError, StripeIdempotencyError, …) it raises
 * against Stripe. Messages follow Stripe's wording where the stand-in knows it; they are for
 * people, so tests should match on `type`, `code`, `param` and the status.
 */

export type StripeErrorType = "invalid_request_error" | "idempotency_error" | "api_error";

export interface StripeErrorBody {
	error: {
		type: StripeErrorType;
		message: string;
		code?: string;
		param?: string;
		doc_url?: string;
	};
}

export class StripeApiError extends Error {
	readonly status: number;
	readonly type: StripeErrorType;
	readonly code: string | undefined;
	readonly param: string | undefined;

	constructor(status: number, type: StripeErrorType, message: string, options: { code?: string; param?: string } = {}) {
		super(message);
		this.name = "StripeApiError";
		this.status = status;
		this.type = type;
		this.code = options.code;
		this.param = options.param;
	}

	toBody(): StripeErrorBody {
		return {
			error: {
				type: this.type,
				message: this.message,
				...(this.code === undefined
					? {}
					: { code: this.code, doc_url: `https://stripe.com/docs/error-codes/${this.code.replaceAll("_", "-")}` }),
				...(this.param === undefined ? {} : { param: this.param }),
			},
		};
	}
}

/** A 400 `invalid_request_error`, the answer to most bad calls. */
export function invalidRequest(message: string, options: { code?: string; param?: string } = {}): StripeApiError {
	return new StripeApiError(400, "invalid_request_error", message, options);
}

export function unknownParameter(param: string): StripeApiError {
	return invalidRequest(`Received unknown parameter: ${param}`, { code: "parameter_unknown", param });
}

export function missingParameter(param: string): StripeApiError {
	return invalidRequest(`Missing required param: ${param}.`, { code: "parameter_missing", param });
}

/** A path id that names nothing: 404, as Stripe answers `GET /v1/charges/ch_missing`. */
export function noSuchObject(kind: string, id: string, param: string): StripeApiError {
	return new StripeApiError(404, "invalid_request_error", `No such ${kind}: '${id}'`, {
		code: "resource_missing",
		param,
	});
}

/** A body parameter that names nothing (`destination=acct_missing`): 400 with the parameter. */
export function noSuchReference(kind: string, id: string, param: string): StripeApiError {
	return invalidRequest(`No such ${kind}: '${id}'`, { code: "resource_missing", param });
}

export function authentication(message: string): StripeApiError {
	return new StripeApiError(401, "invalid_request_error", message);
}

export function idempotencyMismatch(key: string): StripeApiError {
	return new StripeApiError(
		400,
		"idempotency_error",
		`Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
	);
}

export function unrecognizedUrl(method: string, path: string): StripeApiError {
	return new StripeApiError(
		404,
		"invalid_request_error",
		`Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
	);
}

/** Money as Stripe prints it in messages: `$1,234.56` for usd, `1234.56 EUR` otherwise. */
export function formatMoney(amount: number, currency: string): string {
	const major = (amount / 100).toFixed(2);
	return currency === "usd"
		? `$${Number(major).toLocaleString("en-US", { minimumFractionDigits: 2 })}`
		: `${major} ${currency.toUpperCase()}`;
}
