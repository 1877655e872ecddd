/**
 * The JSON test API (docs/architecture.md, Local stand-ins): what Stripe's side of a flow does — a seller finishing
 * onboarding, a buyer paying, a bank returning a debit, a card network opening and closing a
 * dispute, a refund from the dashboard — plus control over webhook delivery: list what was sent
 * with each delivery's result, redeliver an event, deliver a chosen list in a chosen order, hold
 * events and release them reversed. Each action sends the webhooks Stripe would, in its order.
 * No authentication: it exists only on the local stand-in.
 */
import { z } from "zod";
import { onboard } from "./accounts.ts";
import { expireDue, expireSession, failBankPayment, paySession, settleBankPayment } from "./checkout.ts";
import { invalidRequest } from "./errors.ts";
import { closeDispute, createRefund, openDispute } from "./money.ts";
import type { Store } from "./store.ts";
import type { EventRecord, WebhookDispatcher } from "./webhooks.ts";

export interface TestContext {
	store: Store;
	webhooks: WebhookDispatcher;
}

export interface TestResponse {
	status: number;
	body: unknown;
}

const bodies = {
	onboard: z.object({ outcome: z.enum(["complete", "pending"]).optional() }).strict(),
	pay: z.object({ method: z.enum(["card", "bank"]).optional() }).strict(),
	dispute: z.object({ reason: z.string().optional(), amount: z.number().int().positive().optional() }).strict(),
	close: z.object({ status: z.enum(["won", "lost"]) }).strict(),
	refund: z
		.object({
			amount: z.number().int().positive().optional(),
			reason: z.enum(["duplicate", "fraudulent", "requested_by_customer"]).optional(),
		})
		.strict(),
	redeliver: z.object({ times: z.number().int().min(1).max(10).optional() }).strict(),
	deliver: z.object({ events: z.array(z.string()).min(1) }).strict(),
	release: z.object({ order: z.union([z.enum(["sent", "reverse"]), z.array(z.string())]).optional() }).strict(),
	endpoint: z.object({ url: z.url().nullable() }).strict(),
	empty: z.object({}).strict(),
};

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
	const result = schema.safeParse(body ?? {});
	if (!result.success) {
		const issue = result.error.issues[0];
		const param = issue?.path.join(".") || undefined;
		throw invalidRequest(`Invalid test API body: ${issue?.message ?? "malformed"}`, param ? { param } : {});
	}
	return result.data;
}

/** An event as `GET /_test/events` lists it: the event itself and how each delivery went. */
export function describeEvent(record: EventRecord): Record<string, unknown> {
	return {
		id: record.event.id,
		type: record.event.type,
		created: record.event.created,
		state: record.state,
		deliveries: record.deliveries,
		event: record.event,
	};
}

type Action = (
	context: TestContext,
	ids: string[],
	body: unknown,
	query: URLSearchParams,
) => Promise<TestResponse> | TestResponse;

const ok = (body: unknown): TestResponse => ({ status: 200, body });

const ROUTES: { method: string; pattern: RegExp; action: Action }[] = [
	{
		method: "POST",
		pattern: /^\/_test\/accounts\/([^/]+)\/onboard$/,
		action: ({ store }, [id], body) => ok(store.render(onboard(store, id ?? "", parse(bodies.onboard, body).outcome))),
	},
	{
		method: "POST",
		pattern: /^\/_test\/checkout\/sessions\/([^/]+)\/pay$/,
		action: ({ store }, [id], body) => {
			expireDue(store);
			const method = parse(bodies.pay, body).method === "bank" ? "us_bank_account" : "card";
			return ok(store.render(paySession(store, id ?? "", method)));
		},
	},
	{
		method: "POST",
		pattern: /^\/_test\/checkout\/sessions\/([^/]+)\/settle$/,
		action: ({ store }, [id], body) => {
			parse(bodies.empty, body);
			return ok(store.render(settleBankPayment(store, id ?? "", "succeeded")));
		},
	},
	{
		method: "POST",
		pattern: /^\/_test\/checkout\/sessions\/([^/]+)\/fail$/,
		action: ({ store }, [id], body) => {
			parse(bodies.empty, body);
			expireDue(store);
			return ok(store.render(failBankPayment(store, id ?? "")));
		},
	},
	{
		method: "POST",
		pattern: /^\/_test\/checkout\/sessions\/([^/]+)\/expire$/,
		action: ({ store }, [id], body) => {
			parse(bodies.empty, body);
			expireDue(store);
			return ok(store.render(expireSession(store, id ?? "")));
		},
	},
	{
		method: "POST",
		pattern: /^\/_test\/payment_intents\/([^/]+)\/dispute$/,
		action: ({ store }, [id], body) => ok(store.render(openDispute(store, id ?? "", parse(bodies.dispute, body)))),
	},
	{
		method: "POST",
		pattern: /^\/_test\/disputes\/([^/]+)\/close$/,
		action: ({ store }, [id], body) =>
			ok(store.render(closeDispute(store, id ?? "", parse(bodies.close, body).status))),
	},
	{
		method: "POST",
		pattern: /^\/_test\/charges\/([^/]+)\/refund$/,
		action: ({ store }, [id], body) => {
			store.get(id ?? "", "charge", "charge");
			return ok(store.render(createRefund(store, { charge: id, ...parse(bodies.refund, body) })));
		},
	},
	{
		method: "GET",
		pattern: /^\/_test\/events$/,
		action: ({ webhooks }, _ids, _body, query) => {
			const type = query.get("type");
			const records = webhooks.list().filter((record) => type === null || record.event.type === type);
			return ok({ object: "list", data: records.map(describeEvent) });
		},
	},
	{
		method: "POST",
		pattern: /^\/_test\/events\/([^/]+)\/redeliver$/,
		action: async ({ webhooks }, [id], body) => {
			const times = parse(bodies.redeliver, body).times ?? 1;
			if (!webhooks.get(id ?? "")) throw invalidRequest(`No such event: '${id}'`, { param: "event" });
			return ok({ deliveries: await webhooks.redeliver(id ?? "", times) });
		},
	},
	{
		method: "POST",
		pattern: /^\/_test\/webhooks\/deliver$/,
		action: async ({ webhooks }, _ids, body) => {
			const { events } = parse(bodies.deliver, body);
			const missing = events.find((id) => !webhooks.get(id));
			if (missing) throw invalidRequest(`No such event: '${missing}'`, { param: "events" });
			return ok({ deliveries: await webhooks.deliver(events) });
		},
	},
	{
		method: "POST",
		pattern: /^\/_test\/webhooks\/hold$/,
		action: ({ webhooks }, _ids, body) => {
			parse(bodies.empty, body);
			webhooks.hold();
			return ok({ holding: true });
		},
	},
	{
		method: "POST",
		pattern: /^\/_test\/webhooks\/release$/,
		action: async ({ webhooks }, _ids, body) => {
			const released = await webhooks.release(parse(bodies.release, body).order ?? "sent");
			return ok({ released: released.map((record) => record.event.id) });
		},
	},
	{
		method: "POST",
		pattern: /^\/_test\/webhooks\/endpoint$/,
		action: ({ webhooks }, _ids, body) => {
			webhooks.setUrl(parse(bodies.endpoint, body).url ?? undefined);
			return ok({ url: webhooks.url ?? null });
		},
	},
	{
		method: "GET",
		pattern: /^\/_test\/webhooks\/idle$/,
		action: async ({ webhooks }) => {
			await webhooks.idle();
			return ok({ idle: true });
		},
	},
];

/** The test API's answer to a request, or null when no route matches (the server answers 404). */
export async function runTestApi(
	context: TestContext,
	method: string,
	pathname: string,
	query: URLSearchParams,
	body: unknown,
): Promise<TestResponse | null> {
	for (const route of ROUTES) {
		const match = route.pattern.exec(pathname);
		if (!match || route.method !== method) continue;
		return route.action(context, match.slice(1).map(decodeURIComponent), body, query);
	}
	return null;
}
