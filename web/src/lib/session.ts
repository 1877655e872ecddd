/** Who the visitor is, asked of the API (`GET /api/v1/me`) only when they carry a session cookie. */
import { authRoutes } from "../../../shared/contract/routes/auth.ts";
import { type Api, sessionCookie } from "./api.ts";

export interface Visitor {
	name: string;
	role: "seller" | "buyer" | "investor" | "admin";
	/** The visitor's tenant, to tell their own listings, threads and payments from others'. */
	tenantId: string;
	/** Whether their e-mail address is verified: publishing, asking for access and offering need it (VerifyBanner.astro). */
	emailVerified: boolean;
}

export async function visitorOf(api: Api, request: Request): Promise<Visitor | null> {
	if (sessionCookie(request.headers.get("Cookie")) === undefined) return null;
	try {
		const me = await api.call(authRoutes.getMe, {});
		return me.status === 200
			? {
					name: me.body.user.name,
					role: me.body.user.role,
					tenantId: me.body.user.tenant_id,
					emailVerified: me.body.user.email_verified,
				}
			: null;
	} catch (error) {
		// The header can show a guest; the page's own data decides whether the page works.
		console.warn("GET /api/v1/me failed", error);
		return null;
	}
}
