/** Types for the app's own client directives (../../astro.config.mjs registers them). */
export {};

declare module "astro" {
	interface AstroClientDirectives {
		/** Hydrate when the visitor first reaches for the island (./interaction.ts). */
		"client:interaction"?: boolean;
	}
}
