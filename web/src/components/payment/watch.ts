/**
 * Waiting for Stripe, bounded: while a payment is `pending` the page asks the API
 * (`GET /api/v1/payments/{id}`) what the webhooks have said, first after `FIRST_MS` and then
 * half as often again each time (at most every `LONGEST_MS`), and stops after `FOR_MS` with a
 * sentence and a reload link instead of spinning forever. Every ask spends the visitor's bucket
 * like any API call (a buyer's burst is 50), so a webhook that is seconds away costs a handful of
 * asks and a minute's wait about a dozen; after a 429 it waits the longest. The redirect back from
 * Checkout proves nothing (anyone can type `?session=`), so only the API's status counts. A
 * refusal that will not change by waiting (401, 404) stops at once.
 */
import type { z } from "@hono/zod-openapi";
import { useEffect, useState } from "react";
import type { paymentView } from "../../../../shared/contract/routes/payments.ts";
import { send } from "../../lib/browser-api.ts";

export type PaymentView = z.output<typeof paymentView>;
export type Watch = "watching" | "stopped" | "idle";

const FIRST_MS = 1_000;
const LONGEST_MS = 10_000;
const FOR_MS = 90_000;

export function usePayment(initial: PaymentView): {
	payment: PaymentView;
	watch: Watch;
	problem: string | null;
	replace(next: PaymentView): void;
} {
	const [payment, setPayment] = useState(initial);
	const [watch, setWatch] = useState<Watch>(initial.status === "pending" ? "watching" : "idle");
	const [problem, setProblem] = useState<string | null>(null);
	const pending = payment.status === "pending";

	useEffect(() => {
		if (!pending) {
			setWatch("idle");
			return;
		}
		setWatch("watching");
		const started = Date.now();
		let timer: ReturnType<typeof setTimeout> | undefined;
		let stopped = false;
		let wait = FIRST_MS;
		const ask = async () => {
			const answer = await send<PaymentView>("GET", `/api/v1/payments/${initial.id}`);
			if (stopped) return;
			if (answer.ok) {
				setProblem(null);
				if (answer.body.status !== "pending" || answer.body.processing !== payment.processing) {
					setPayment(answer.body);
					if (answer.body.status !== "pending") return;
				}
			} else if (answer.status === 401 || answer.status === 404) {
				setProblem(answer.detail);
				setWatch("stopped");
				return;
			}
			if (Date.now() - started >= FOR_MS) {
				setWatch("stopped");
				return;
			}
			// A refusal for too many requests waits the longest; a token comes back every few seconds.
			wait = !answer.ok && answer.status === 429 ? LONGEST_MS : Math.min(wait * 1.5, LONGEST_MS);
			timer = setTimeout(ask, wait);
		};
		timer = setTimeout(ask, wait);
		return () => {
			stopped = true;
			clearTimeout(timer);
		};
	}, [pending, initial.id, payment.processing]);

	return { payment, watch, problem, replace: setPayment };
}
