/**
 * Sign out: `POST /api/v1/auth/logout` from the page, same origin, so the browser sends the
 * `__Host-session` cookie and an `Origin` the CSRF rule accepts; the API ends the session and
 * clears the cookie, then the page reloads as a guest's.
 */
import { useState } from "react";

export default function SignOutButton() {
	const [state, setState] = useState<"idle" | "busy" | "failed">("idle");
	async function signOut() {
		setState("busy");
		try {
			const res = await fetch("/api/v1/auth/logout", { method: "POST", credentials: "same-origin" });
			// 401: the session had already ended; the visitor is signed out either way.
			if (res.ok || res.status === 401) {
				window.location.assign("/");
				return;
			}
			setState("failed");
		} catch {
			setState("failed");
		}
	}
	return (
		<>
			<button type="button" className="link-button" onClick={signOut} disabled={state === "busy"}>
				{state === "busy" ? "Signing out…" : "Sign out"}
			</button>
			{state === "failed" && (
				<span role="alert" className="inline-error">
					Could not sign out. Try again.
				</span>
			)}
		</>
	);
}
