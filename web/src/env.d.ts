/// <reference types="astro/client" />
/// <reference types="@astrojs/cloudflare/types.d.ts" />

/** The web Worker's bindings (../wrangler.toml); only what the pages use. */
declare module "cloudflare:workers" {
	export const env: {
		/** The dispatch Worker: every API call goes through it, as any client's would. */
		API?: { fetch(input: Request | string, init?: RequestInit): Promise<Response> };
	};
}
