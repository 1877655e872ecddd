/**
 * Generates binding types from the Wrangler configs, so `Env` is never hand-written.
 *
 * `wrangler types` is made for a project with one Worker: besides the `XEnv` interface it emits a
 * global `Cloudflare` namespace (`Env`, `GlobalProps`) that would collide across our three Workers
 * in one TypeScript program. We keep each Worker's own interface (`DispatchEnv`, `UserEnv`,
 * `ConsumersEnv`) and drop those global blocks; runtime types are generated once.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";

const workers = [
	{ config: "wrangler.toml", out: "workers/dispatch/env.d.ts", iface: "DispatchEnv" },
	{ config: "workers/user/wrangler.toml", out: "workers/user/env.d.ts", iface: "UserEnv" },
	{
		config: "workers/consumers/wrangler.toml",
		out: "workers/consumers/env.d.ts",
		iface: "ConsumersEnv",
	},
];

function wrangler(args: string[]): void {
	execFileSync("wrangler", args, { stdio: ["ignore", "ignore", "inherit"] });
}

wrangler(["types", "types/runtime.d.ts", "--include-env=false", "-c", "wrangler.toml"]);

for (const { config, out, iface } of workers) {
	wrangler(["types", out, "--include-runtime=false", `--env-interface=${iface}`, "-c", config]);
	const generated = readFileSync(out, "utf8");
	const kept = generated
		.replace(/^declare namespace Cloudflare \{\n[\s\S]*?^\}\n/m, "")
		.replace(/^type StringifyValues[\s\S]*?^\};\n/m, "")
		.replace(/^declare namespace NodeJS \{\n[\s\S]*?^\}\n/m, "")
		.replace(/^declare module "[^"]+" \{\n[\s\S]*?^\}\n?/gm, "");
	writeFileSync(out, kept);
}
