/** A page's reading of an API answer that is not the data it wanted: what to tell the visitor, and with which status. */
export interface Failure {
	status: number;
	message: string;
}

export function failure(status: number, detail?: string): Failure {
	if (status === 429) return { status, message: "Too many requests from your network. Wait a minute and try again." };
	if (status === 400) return { status, message: detail ?? "That search is not valid." };
	return {
		status: status >= 500 ? 503 : status,
		message: "The marketplace is not answering right now. Try again in a moment.",
	};
}

/** Any thrown error (the binding, a contract violation) is the API not answering. */
export function unavailable(error: unknown): Failure {
	console.error("API call failed", error);
	return { status: 503, message: "The marketplace is not answering right now. Try again in a moment." };
}
