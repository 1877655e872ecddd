/**
 * `npm run mail:local`: the local mail stand-in on http://localhost:8025 for manual use (what
 * `npm start` also runs). It accepts any bearer key, or only `MAILERSEND_API_KEY` when that is set.
 *
 *   MAIL_LOCAL_PORT  8025
 */
import { startLocalMail } from "./server.ts";

const port = Number(process.env.MAIL_LOCAL_PORT || 8025);
const apiKey = process.env.MAILERSEND_API_KEY || undefined;

const mail = await startLocalMail({ port, ...(apiKey ? { apiKey } : {}), log: (message) => console.warn(message) });
console.log(`local mail on ${mail.url}`);
console.log(`  inbox:   ${mail.url}/`);
console.log(`  JSON:    curl ${mail.url}/api/messages`);
console.log(`  send:    POST ${mail.url}/v1/email (Authorization: Bearer <any key>)`);

const stop = async () => {
	await mail.stop();
	process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
