// The web app (docs/architecture.md, Web app): server-rendered on Cloudflare as its own Worker
// (`techflunky-web`, ./wrangler.toml), reached from the dispatch Worker's `WEB` binding, with
// React islands for what is interactive. Stylesheets are always files, never inlined, so the
// Content-Security-Policy (src/middleware.ts) only has Astro's own island loader to hash. No Astro
// sessions (the API's `__Host-session` cookie is the only session), so no KV binding either.
import cloudflare from "@astrojs/cloudflare";
import react from "@astrojs/react";
import { defineConfig } from "astro/config";

export default defineConfig({
	output: "server",
	// scripts/web-app.ts builds elsewhere when told to (parallel test runs); web/dist otherwise.
	outDir: process.env.TECHFLUNKY_WEB_DIST ?? "./dist",
	adapter: cloudflare({ imageService: "passthrough" }),
	integrations: [react()],
	build: { inlineStylesheets: "never" },
	session: false,
	devToolbar: { enabled: false },
});
