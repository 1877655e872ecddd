/**
 * `npm start`: local secrets, D1 migrations and demo data, then every Worker in one `wrangler dev`
 * (dispatch first, so it serves http://localhost:8787; the user and consumer Workers run beside
 * it with their service binding, cross-script Durable Objects and queues wired locally). Nothing
 * here reaches the internet (./offline-env.ts).
 */
import { spawn } from "node:child_process";
import { demoGuide } from "./demo-data.ts";
import { DEFAULT_STATE_DIR } from "./local-d1.ts";
import { OFFLINE_WRANGLER_ENV } from "./offline-env.ts";
import { seedLocal } from "./seed.ts";

export const WORKER_CONFIGS = ["wrangler.toml", "workers/user/wrangler.toml", "workers/consumers/wrangler.toml"];

const port = process.env.PORT ?? "8787";

await seedLocal();
console.log(demoGuide(`http://localhost:${port}`));

const dev = spawn(
	"wrangler",
	[
		"dev",
		...WORKER_CONFIGS.flatMap((config) => ["-c", config]),
		"--persist-to",
		DEFAULT_STATE_DIR,
		"--port",
		port,
		"--ip",
		"127.0.0.1",
		...process.argv.slice(2),
	],
	{ stdio: "inherit", env: { ...OFFLINE_WRANGLER_ENV, ...process.env } },
);
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => dev.kill(signal));
dev.on("exit", (code) => process.exit(code ?? 0));
