/**
 * What a queue handler may throw to say more than "something failed, retry with backoff":
 * `RetryLater` names the delay (an upstream's `Retry-After`), `DeadLetter` says retrying cannot
 * help (an upstream refused the request for good), so `run-batch.ts` sends the message to the
 * queue's dead-letter queue at once instead of spending every retry on it.
 */
export class RetryLater extends Error {
	readonly delaySeconds: number;
	constructor(message: string, delaySeconds: number, options?: ErrorOptions) {
		super(message, options);
		this.name = "RetryLater";
		this.delaySeconds = delaySeconds;
	}
}

export class DeadLetter extends Error {
	constructor(message: string, options?: ErrorOptions) {
		super(message, options);
		this.name = "DeadLetter";
	}
}
