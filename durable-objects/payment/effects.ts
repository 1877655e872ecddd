/**
 * Running one stored effect of the payment machine (shared/payments/machine.ts) after its
 * transition is committed: Stripe calls with the effect's idempotency key (so a re-run after a
 * crash or a failed answer is deduplicated by Stripe and money moves once), the listing's `sell`,
 * the room's `settle`. A throw means "retry later" (the object backs off); what Stripe's answer
 * settles at once comes back as a move the object applies itself (a webhook repeats it harmlessly).
 */
import type Stripe from "stripe";
import { platformListings } from "../../shared/data/listings.ts";
import { flushOutbox } from "../../shared/data/outbox.ts";
import type { PaymentMove } from "../../shared/payments/types.ts";
import { stripeClient } from "../../shared/stripe/client.ts";
import type { PaymentRow, StoredEffect } from "./store.ts";

export interface EffectOutcome {
	move?: PaymentMove;
	stripeFee?: { cents: number; chargeId: string };
}

export type PaymentEnv = Pick<
	DispatchEnv,
	"DB" | "NegotiationRoom" | "BACKOFFICE_JOBS" | "STRIPE_SECRET_KEY" | "STRIPE_API_BASE"
>;

export async function runEffect(
	env: PaymentEnv,
	row: PaymentRow,
	effect: StoredEffect,
	now: number,
): Promise<EffectOutcome> {
	const stripe = () => stripeClient(env);
	switch (effect.type) {
		case "transfer": {
			const source =
				effect.source_transaction ??
				row.state.charge_id ??
				row.charge_id ??
				(await chargeOf(stripe(), effect.payment_intent_id));
			const transfer = await stripe().transfers.create(
				{
					amount: effect.amount_cents,
					currency: effect.currency.toLowerCase(),
					destination: row.stripe_account_id,
					transfer_group: effect.transfer_group,
					...(source ? { source_transaction: source } : {}),
					metadata: { payment_id: effect.payment_id },
				},
				{ idempotencyKey: effect.idempotencyKey },
			);
			return { move: { type: "transfer_created", transfer_id: transfer.id } };
		}
		case "reverse_transfer":
			await stripe().transfers.createReversal(
				effect.transfer_id,
				{ amount: effect.amount_cents, metadata: { payment_id: effect.payment_id } },
				{ idempotencyKey: effect.idempotencyKey },
			);
			return {};
		case "refund": {
			const target = effect.charge_id
				? { charge: effect.charge_id }
				: effect.payment_intent_id
					? { payment_intent: effect.payment_intent_id }
					: null;
			if (target === null) throw new Error(`payment ${effect.payment_id} has no charge to refund`);
			await stripe().refunds.create(
				{ ...target, amount: effect.amount_cents, metadata: { payment_id: effect.payment_id } },
				{ idempotencyKey: effect.idempotencyKey },
			);
			return {};
		}
		case "mark_listing_sold":
			await sell(env, effect, now);
			return {};
		case "notify_room":
			await env.NegotiationRoom.getByName(effect.offer_id).settle({
				payment_id: effect.payment_id,
				status: effect.status,
				now,
			});
			return {};
		case "schedule_release":
			// The object sets its one alarm from the state after every change (release_at included).
			return {};
		case "record_charge": {
			const chargeId = row.state.charge_id ?? (await chargeOf(stripe(), row.state.payment_intent_id));
			if (!chargeId) throw new Error(`payment ${effect.payment_id} has no charge yet`);
			const charge = await stripe().charges.retrieve(chargeId, { expand: ["balance_transaction"] });
			const balance = charge.balance_transaction;
			if (balance === null || typeof balance === "string")
				throw new Error(`charge ${chargeId} has no balance transaction yet`);
			return { stripeFee: { cents: balance.fee, chargeId } };
		}
	}
}

async function chargeOf(stripe: Stripe, paymentIntentId: string | null): Promise<string | null> {
	if (paymentIntentId === null) return null;
	const intent = await stripe.paymentIntents.retrieve(paymentIntentId);
	const charge = intent.latest_charge;
	return charge === null ? null : typeof charge === "string" ? charge : charge.id;
}

/** The listing's `under_offer → sold`, guarded by this offer's claim; a listing already sold by it is done. */
async function sell(env: PaymentEnv, effect: Extract<StoredEffect, { type: "mark_listing_sold" }>, now: number) {
	const change = platformListings(env.DB).move(
		{
			id: effect.listing_id,
			seller_tenant_id: effect.seller_tenant_id,
			status: "under_offer",
			claimed_by_offer_id: effect.offer_id,
		},
		{ type: "sell", offer_id: effect.offer_id, payment_id: effect.payment_id },
		now,
		null,
	);
	if (!change.ok) throw new Error(`the lifecycle refused to sell listing ${effect.listing_id}: ${change.kind}`);
	const [update] = await env.DB.batch(change.statements);
	if ((update?.meta.changes ?? 0) > 0) {
		await flushOutbox(env.DB, { "backoffice-jobs": env.BACKOFFICE_JOBS }, [change.message.id], now);
		return;
	}
	const current = await env.DB.prepare("SELECT status, claimed_by_offer_id FROM listings WHERE id = ?")
		.bind(effect.listing_id)
		.first<{ status: string; claimed_by_offer_id: string | null }>();
	if (current?.status === "sold" && current.claimed_by_offer_id === effect.offer_id) return;
	// Paid for a listing this offer no longer holds: the money is still held; an admin must look.
	console.error("paid listing could not be marked sold", effect.listing_id, effect.payment_id, current);
}
