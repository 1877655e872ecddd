/**
 * The local mail stand-in (stand-ins/mail) for the consumers workerd project, as a vitest
 * globalSetup. As with the Stripe stand-in (./local-stripe.ts), Miniflare's bindings are fixed
 * when the config is read, so the config reserves a free port first (`reserveLocalMail`), binds
 * `MAILERSEND_API_BASE = http://127.0.0.1:<port>` and names the port in the environment; this
 * setup then starts the stand-in on it with the run's `MAILERSEND_API_KEY`. Tests reach its
 * JSON and fault API over HTTP at the same base URL.
 */
import { createServer } from "node:net";
import type { TestProject } from "vitest/node";
import { startLocalMail } from "../../stand-ins/mail/server.ts";

const envName = (project: string) => `TEST_LOCAL_MAIL_${project.toUpperCase()}`;

/** A free port on 127.0.0.1, for one project's stand-in; `MAILERSEND_API_BASE` for its bindings. */
export async function reserveLocalMail(
	project: string,
	secrets: { MAILERSEND_API_KEY: string },
): Promise<{ MAILERSEND_API_BASE: string }> {
	const port = await new Promise<number>((resolve, reject) => {
		const server = createServer();
		server.once("error", reject);
		server.listen(0, "127.0.0.1", () => {
			const address = server.address();
			const found = typeof address === "object" && address ? address.port : 0;
			server.close(() => resolve(found));
		});
	});
	process.env[envName(project)] = JSON.stringify({ port, apiKey: secrets.MAILERSEND_API_KEY });
	return { MAILERSEND_API_BASE: `http://127.0.0.1:${port}` };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
	const reserved = process.env[envName(project.name)];
	if (!reserved) throw new Error(`no local mail port reserved for project ${project.name}`);
	const { port, apiKey } = JSON.parse(reserved) as { port: number; apiKey: string };
	const mail = await startLocalMail({ port, host: "127.0.0.1", apiKey, log: () => {} });
	return () => mail.stop();
}
