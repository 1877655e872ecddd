/**
 * The contract check of every raw answer the e2e tests receive (`E2eClient.call`, which the
 * attack suite uses for malformed requests the typed client would never build). A request that is
 * a declared route (matched as the edge matches it, shared/contract/match.ts) must be answered
 * with a status that route declares and a body that fits its schema; a request that is no route
 * must be answered with a problem, as the edge answers every 404 and 405. A violation throws, so
 * the test that received it fails where it made the call.
 *
 * Not checked: CORS preflights (`OPTIONS`, answered by the CORS layer before any route is looked
 * up; the document describes no preflight) and WebSocket handshakes (their frames are no HTTP).
 */
import { ContractViolation, checkAnswer } from "../../shared/contract/client.ts";
import { createRouteMatcher } from "../../shared/contract/match.ts";
import { problem } from "../../shared/contract/schemas.ts";
import { routeTable } from "../../shared/contract/table.ts";

const routes = createRouteMatcher(routeTable);

export interface RawExchange {
	method: string;
	/** The request's path and query, as sent. */
	path: string;
	requestHeaders: Headers;
	status: number;
	contentType: string | null;
	/** The answer's body, read whole. */
	text: string;
}

export function checkRawAnswer(exchange: RawExchange): void {
	const method = exchange.method.toUpperCase();
	if (method === "OPTIONS") return;
	if (exchange.requestHeaders.get("Upgrade")?.toLowerCase() === "websocket") return;
	const { pathname } = new URL(exchange.path, "http://localhost");
	const match = routes.match(method, pathname);
	const { status, contentType, text } = exchange;
	if (match.route) {
		// A HEAD answer is its GET's status and headers, without the body.
		if (method !== "HEAD") checkAnswer(match.route, status, contentType, text);
		else if (!(status in match.route.responses)) {
			throw new ContractViolation(`HEAD ${match.route.path} answered ${status}, which its GET does not declare`);
		}
		return;
	}
	const what = `${method} ${pathname} (no route) answered ${status}`;
	if (!/^application\/problem\+json\b/i.test(contentType ?? "")) {
		throw new ContractViolation(`${what} as ${contentType}, not a problem`);
	}
	const parsed = problem.safeParse(JSON.parse(text));
	if (!parsed.success) {
		throw new ContractViolation(`${what}, a problem that does not fit: ${JSON.stringify(parsed.error.issues)}`);
	}
	if (parsed.data.status !== status) throw new ContractViolation(`${what}, a problem saying ${parsed.data.status}`);
}
