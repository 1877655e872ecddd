/** Dispatch Worker entry: wires the Hono app and re-exports the Durable Object classes it hosts. */
import { app } from "./app.ts";

export { EdgeLimiter } from "../../durable-objects/edge-limiter/edge-limiter.ts";
export { NegotiationRoom } from "../../durable-objects/negotiation-room/negotiation-room.ts";
export { PaymentObject } from "../../durable-objects/payment/payment-object.ts";
export { TenantObject } from "../../durable-objects/tenant/tenant-object.ts";

export default {
	fetch: app.fetch,
} satisfies ExportedHandler<DispatchEnv>;
