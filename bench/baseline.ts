/**
 * The baseline: a bare module Worker answering "ok", in its own small Miniflare instance on the
 * same workerd, host and port style as the topology. The healthz scenario is read against it, so
 * what the harness itself costs (workerd's HTTP path, Miniflare's entry Worker, the load
 * generator) is visible apart from what the dispatch Worker adds.
 */
import { convertV4MiniflareOptions, Miniflare } from "miniflare";

const HELLO = `export default { fetch() { return new Response("ok"); } };`;

export async function startBaseline(compatibilityDate: string): Promise<{ url: URL; mf: Miniflare }> {
	const mf = new Miniflare(
		convertV4MiniflareOptions({
			host: "127.0.0.1",
			port: 0,
			name: "bench-hello",
			modules: true,
			script: HELLO,
			compatibilityDate,
		} as Parameters<typeof convertV4MiniflareOptions>[0]),
	);
	return { url: await mf.ready, mf };
}
