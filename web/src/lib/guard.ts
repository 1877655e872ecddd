/**
 * Pages that are someone's own (portals, account, the negotiation room, admin): who may open
 * them, decided on the server before anything renders. A guest is sent to sign in and brought
 * back (`next`); a signed-in visitor of another role gets this page's 403 with a sentence and a
 * way on, never a blank page. The API decides again on every call the page makes: this only
 * chooses what to render.
 */
import type { AstroGlobal } from "astro";
import { type Api, apiFor } from "./api.ts";
import { type Visitor, visitorOf } from "./session.ts";

export type Role = Visitor["role"];

export type Gate =
	| { ok: true; visitor: Visitor }
	| { ok: false; response: Response }
	| { ok: false; forbidden: string };

export function signInPath(url: URL): string {
	return `/sign-in?next=${encodeURIComponent(url.pathname + url.search)}`;
}

const PEOPLE: Record<Role, string> = { seller: "sellers", buyer: "buyers", investor: "investors", admin: "admins" };

/** Whether `visitor` may open a page for `roles`. */
export function gate(astro: AstroGlobal, visitor: Visitor | null, roles: readonly Role[]): Gate {
	if (!visitor) return { ok: false, response: astro.redirect(signInPath(astro.url), 303) };
	if (roles.includes(visitor.role)) return { ok: true, visitor };
	const who = roles.map((role) => PEOPLE[role]).join(" and ");
	astro.response.status = 403;
	return { ok: false, forbidden: `This page is for ${who}. You are signed in as a ${visitor.role}.` };
}

/**
 * A role-only page's first step: its API client, who the visitor is, and `gate`'s answer. The
 * page returns `access.response` (the guest's redirect) itself, since only a page can.
 */
export async function gatedPage(
	astro: AstroGlobal,
	roles: readonly Role[],
): Promise<{ api: Api; visitor: Visitor | null; access: Gate }> {
	const api = apiFor(astro.request);
	const visitor = await visitorOf(api, astro.request);
	return { api, visitor, access: gate(astro, visitor, roles) };
}
