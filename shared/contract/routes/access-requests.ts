/**
 * The access-requests routes' contract (see ../policy.ts): the NDA flow of docs/domain.md (Access requests). A buyer or
 * investor accepts a listing's current NDA and asks to see its confidential details; the
 * listing's seller approves, declines or later revokes; each side lists what concerns it.
 *
 * Route-level policy only: "the listing's seller" and "the caller's own requests" are object-level
 * rules the handler (workers/user/access-requests) enforces, answering 404 for anything else.
 */
import { z } from "@hono/zod-openapi";
import { buyerSide, type ContractRoute, defineRoute, sellerOnly, signedIn } from "../policy.ts";
import {
	accessRequestId,
	cursor,
	json,
	jsonBody,
	listingId,
	page,
	problems,
	signedInSecurity,
	tenantId,
	timestamp,
} from "../schemas.ts";

/** An access request's statuses; the data layer (shared/data/access-requests.ts) takes its type from here. */
export const accessRequestStatuses = ["pending", "approved", "declined", "revoked"] as const;
export type AccessRequestStatus = (typeof accessRequestStatuses)[number];

export const accessRequestStatus = z.enum(accessRequestStatuses);

/** What a buyer sends to ask: the NDA accepted, in the version they read. */
export const createAccessRequestBody = z
	.object({
		accept_nda: z.literal(true, { error: "accept the listing's NDA (true) to ask for access" }),
		nda_version: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
		message: z.string().trim().max(2000).optional(),
	})
	.strict()
	.openapi("CreateAccessRequest");

/** An access request as the API shows it: an allow-list, so internal columns (`buyer_user_id`) never leave. */
export const accessRequestView = z
	.object({
		id: accessRequestId,
		listing_id: listingId,
		buyer_tenant_id: tenantId,
		seller_tenant_id: tenantId,
		status: accessRequestStatus,
		message: z.string().nullable().openapi({ description: "`null` when the buyer sent none" }),
		nda_version: z.number().int().min(1),
		nda_accepted_at: timestamp,
		decided_at: timestamp.nullable(),
		created_at: timestamp,
		updated_at: timestamp,
	})
	.strict()
	.openapi("AccessRequest");

export type AccessRequestView = z.output<typeof accessRequestView>;

export const accessRequestPage = page(accessRequestView).strict().openapi("AccessRequestPage");

export const listAccessRequestsQuery = z
	.object({
		status: accessRequestStatus.optional(),
		listing_id: listingId.optional(),
		limit: z.coerce.number().int().min(1).max(100).default(20),
		cursor: cursor.optional(),
	})
	.strict();

const decisionRoute = <const D extends "approve" | "decline" | "revoke", const N extends string>(
	decision: D,
	operationId: N,
	summary: string,
	note: string,
) =>
	defineRoute({
		method: "post",
		path: `/api/v1/access-requests/{id}/${decision}`,
		operationId,
		tags: ["Access requests"],
		summary,
		description:
			"The listing's seller (anyone else: 404). pending → approved or declined; a decided request can be revoked, and access to the confidential details and files ends at once. Repeating the decision in force is 200; contradicting one is 409 (revoke instead).",
		security: signedInSecurity,
		request: { params: z.object({ id: accessRequestId }) },
		responses: {
			200: json(
				accessRequestView,
				"The request as it stands after the decision (unchanged if it was already in force)",
			),
			...problems(400, 401, 403, 404, 409, 429, 502),
		},
		"x-policy": {
			allow: sellerOnly,
			bucket: "caller",
			body: "none",
			credentials: "accepted",
			servedBy: "user",
			note,
		},
	});

export const accessRequestsRoutes = {
	createAccessRequest: defineRoute({
		method: "post",
		path: "/api/v1/listings/{id}/access-requests",
		operationId: "createAccessRequest",
		tags: ["Access requests"],
		summary: "Accept a listing's NDA and ask to see its confidential details",
		description:
			"Asking again answers 200 with the request as it stands, whatever its status. The listing must be active (404 when it is not visible, 409 under offer or sold); `nda_version` must be its current one (409 naming it). A caller whose e-mail address is not verified gets 403 `email-unverified`.",
		security: signedInSecurity,
		request: { params: z.object({ id: listingId }), body: jsonBody(createAccessRequestBody) },
		responses: {
			201: json(accessRequestView, "The request, created pending"),
			200: json(accessRequestView, "The caller's existing request for the listing, unchanged"),
			...problems(400, 401, 403, 404, 409, 415, 429, 502),
		},
		"x-policy": {
			allow: buyerSide,
			bucket: "caller",
			body: "json",
			credentials: "accepted",
			servedBy: "user",
			verifiedEmail: true,
		},
	}),
	listAccessRequests: defineRoute({
		method: "get",
		path: "/api/v1/access-requests",
		operationId: "listAccessRequests",
		tags: ["Access requests"],
		summary: "The access requests that concern the caller, newest first",
		description:
			"Sellers see the requests for their listings, buyers and investors their own, admins all; newest first.",
		security: signedInSecurity,
		request: { query: listAccessRequestsQuery },
		responses: {
			200: json(accessRequestPage, "A page of requests"),
			...problems(400, 401, 403, 429, 502),
		},
		"x-policy": {
			allow: signedIn,
			bucket: "caller",
			body: "none",
			credentials: "accepted",
			servedBy: "user",
			note: "sellers: requests for their listings; buyers: their own; ours",
		},
	}),
	approveAccessRequest: decisionRoute(
		"approve",
		"approveAccessRequest",
		"Approve a pending request",
		"the listing's seller",
	),
	declineAccessRequest: decisionRoute(
		"decline",
		"declineAccessRequest",
		"Decline a pending request",
		"the listing's seller",
	),
	revokeAccessRequest: decisionRoute(
		"revoke",
		"revokeAccessRequest",
		"Withdraw access granted (or close a declined request for good)",
		"the listing's seller; ours",
	),
} satisfies Record<string, ContractRoute>;
