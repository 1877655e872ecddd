// The web app (docs/architecture.md, Web app): server-rendered on Cloudflare as its own Worker
// (`techflunky-web`, ./wrangler.toml), reached from the dispatch Worker's `WEB` binding, with
// React islands for what is interactive. Stylesheets are always files, never inlined, so the
// Content-Security-Policy (src/middleware.ts) only has Astro's own island loader to hash. No Astro
// sessions (the API's `__Host-session` cookie is the only session), so no KV binding either.
import { fileURLToPath } from "node:url";
import cloudflare from "@astrojs/cloudflare";
import react from "@astrojs/react";
import { defineConfig } from "astro/config";

/** `client:interaction` (src/directives/interaction.ts): hydrate an island when it is first reached for. */
const hydrateOnInteraction = {
	name: "techflunky:client-interaction",
	hooks: {
		"astro:config:setup": ({ addClientDirective }) => {
			addClientDirective({
				name: "interaction",
				entrypoint: fileURLToPath(new URL("./src/directives/interaction.ts", import.meta.url)),
			});
		},
	},
};

export default defineConfig({
	output: "server",
	// scripts/web-app.ts builds elsewhere when told to (parallel test runs); web/dist otherwise.
	outDir: process.env.TECHFLUNKY_WEB_DIST ?? "./dist",
	adapter: cloudflare({ imageService: "passthrough" }),
	integrations: [react(), hydrateOnInteraction],
	build: { inlineStylesheets: "never" },
	session: false,
	devToolbar: { enabled: false },
});
