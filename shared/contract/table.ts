/**
 * Every route of the public contract, platform and tenant alike: what the edge reads for each
 * request's policy (../../workers/dispatch), what the Workers register their handlers on, what
 * the OpenAPI document (`GET /api/v1/openapi.json`) and the typed client are made from. A route
 * that is not in this table does not exist: the edge answers 404 before any Worker sees it.
 */

import type { ContractRoute } from "./policy.ts";
import { accessRequestsRoutes } from "./routes/access-requests.ts";
import { accountRoutes } from "./routes/account.ts";
import { adminRoutes } from "./routes/admin.ts";
import { adminAlertsRoutes } from "./routes/admin-alerts.ts";
import { adminMetricsRoutes } from "./routes/admin-metrics.ts";
import { attachmentsRoutes } from "./routes/attachments.ts";
import { authRoutes } from "./routes/auth.ts";
import { listingsRoutes } from "./routes/listings.ts";
import { notificationsRoutes } from "./routes/notifications.ts";
import { offersRoutes } from "./routes/offers.ts";
import { operationsRoutes } from "./routes/operations.ts";
import { paymentsRoutes } from "./routes/payments.ts";
import { platformRoutes } from "./routes/platform.ts";
import { recoveryRoutes } from "./routes/recovery.ts";
import { referenceRoutes } from "./routes/reference.ts";
import { storefrontsRoutes } from "./routes/storefronts.ts";
import { watchRoutes } from "./routes/watch.ts";

export const contract = {
	...platformRoutes,
	...referenceRoutes,
	...authRoutes,
	...recoveryRoutes,
	...notificationsRoutes,
	...accountRoutes,
	...adminRoutes,
	...adminAlertsRoutes,
	...adminMetricsRoutes,
	...operationsRoutes,
	...listingsRoutes,
	...attachmentsRoutes,
	...accessRequestsRoutes,
	...offersRoutes,
	createCheckout: paymentsRoutes.createCheckout,
	listPayments: paymentsRoutes.listPayments,
	getPayment: paymentsRoutes.getPayment,
	confirmHandover: paymentsRoutes.confirmHandover,
	openDispute: paymentsRoutes.openDispute,
	refundPayment: paymentsRoutes.refundPayment,
	decideDispute: paymentsRoutes.decideDispute,
	startSellerOnboarding: paymentsRoutes.startSellerOnboarding,
	getSellerAccount: paymentsRoutes.getSellerAccount,
	stripeWebhook: paymentsRoutes.stripeWebhook,
	...storefrontsRoutes,
	...watchRoutes,
} satisfies Record<string, ContractRoute>;

export const routeTable: readonly ContractRoute[] = Object.values(contract);
