/**
 * The local mail stand-in (stand-ins/mail) for the consumers workerd project, as a vitest
 * globalSetup (see ./local-stand-in.ts): the config reserves a free port (`reserveLocalMail`) and
 * binds `MAILERSEND_API_BASE = http://127.0.0.1:<port>`; this setup then starts the stand-in on it
 * with the run's `MAILERSEND_API_KEY`. Tests reach its JSON and fault API over HTTP at the same
 * base URL.
 */
import type { TestProject } from "vitest/node";
import { startLocalMail } from "../../stand-ins/mail/server.ts";
import { reserveStandIn, startReservedStandIn } from "./local-stand-in.ts";

/** A free port on 127.0.0.1, for one project's stand-in; `MAILERSEND_API_BASE` for its bindings. */
export async function reserveLocalMail(
	project: string,
	secrets: { MAILERSEND_API_KEY: string },
): Promise<{ MAILERSEND_API_BASE: string }> {
	return { MAILERSEND_API_BASE: await reserveStandIn("mail", project, { apiKey: secrets.MAILERSEND_API_KEY }) };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
	const mail = await startReservedStandIn("mail", project, (port, { apiKey }: { apiKey: string }) =>
		startLocalMail({ port, host: "127.0.0.1", apiKey, log: () => {} }),
	);
	return () => mail.stop();
}
