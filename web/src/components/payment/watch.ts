/**
 * Waiting for Stripe, bounded: while a payment is `pending` the page asks the API
 * (`GET /api/v1/payments/{id}`) every `EVERY_MS` what the webhooks have said, and stops after
 * `FOR_MS` with a sentence and a reload link instead of spinning forever. The redirect back from
 * Checkout proves nothing (anyone can type `?session=`), so only the API's status counts. A
 * refusal that will not change by waiting (401, 404) stops at once.
 */
import type { z } from "@hono/zod-openapi";
import { useEffect, useState } from "react";
import type { paymentView } from "../../../../shared/contract/routes/payments.ts";
import { send } from "../../lib/browser-api.ts";

export type PaymentView = z.output<typeof paymentView>;
export type Watch = "watching" | "stopped" | "idle";

const EVERY_MS = 1_500;
const FOR_MS = 60_000;

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
			timer = setTimeout(ask, EVERY_MS);
		};
		timer = setTimeout(ask, EVERY_MS);
		return () => {
			stopped = true;
			clearTimeout(timer);
		};
	}, [pending, initial.id, payment.processing]);

	return { payment, watch, problem, replace: setPayment };
}
