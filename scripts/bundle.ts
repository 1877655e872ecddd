/**
 * Bundles a Worker entry to one ES module the way Wrangler does (esbuild, workerd conditions,
 * `cloudflare:*` left to the runtime). Used where a Worker is loaded from a file rather than a
 * Wrangler config: the auxiliary user Worker in the dispatch tests, and the Miniflare topology
 * behind the cross-Worker tests and the benchmark.
 */
import { build } from "esbuild";

export async function bundleWorker(entry: string, outfile: string): Promise<void> {
	await build({
		entryPoints: [entry],
		outfile,
		bundle: true,
		format: "esm",
		platform: "neutral",
		target: "es2024",
		conditions: ["workerd", "worker", "browser"],
		mainFields: ["module", "main"],
		external: ["cloudflare:*", "node:*"],
		sourcemap: "inline",
		logLevel: "warning",
	});
}
