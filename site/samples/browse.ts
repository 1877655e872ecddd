/**
 * Sign in and browse (the getting-started guide): a bearer token from `POST /api/v1/auth/login`,
 * who you are from `GET /api/v1/me`, and the newest active listings from `GET /api/v1/listings`.
 * Plain `fetch`, so it runs in Node 22, a browser or a Worker; errors are RFC 9457 problems.
 */
export interface Listing {
	id: string;
	title: string;
	asking_price_cents: number;
	currency: string;
}

export async function signInAndBrowse(baseUrl: string, email: string, password: string) {
	const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
		method: "POST",
		headers: { "Content-Type": "application/json" },
		body: JSON.stringify({ email, password }),
	});
	if (!login.ok) throw new Error(`sign-in failed: ${login.status} ${await login.text()}`);
	const { token } = (await login.json()) as { token: string };

	const auth = { Authorization: `Bearer ${token}` };
	const { user } = (await (await fetch(`${baseUrl}/api/v1/me`, { headers: auth })).json()) as {
		user: { id: string; email: string; role: string; tenant_id: string };
	};
	const page = await fetch(`${baseUrl}/api/v1/listings?limit=3`, { headers: auth });
	const { items } = (await page.json()) as { items: Listing[] };
	return { token, user, listings: items };
}
