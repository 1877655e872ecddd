/**
 * How a workerd test project gets a local stand-in (stand-ins/*) for its run. Miniflare's
 * bindings are fixed when the config is read, before any globalSetup runs, so the config
 * reserves a free port first (`reserveStandIn`, which names the port and the run's secrets in
 * the environment) and binds the stand-in's base URL; the project's globalSetup then starts the
 * stand-in on that port (`startReservedStandIn`).
 */
import { createServer } from "node:net";
import type { TestProject } from "vitest/node";

const envName = (kind: string, project: string) => `TEST_LOCAL_${kind.toUpperCase()}_${project.toUpperCase()}`;

function freePort(): Promise<number> {
	return new Promise<number>((resolve, reject) => {
		const server = createServer();
		server.once("error", reject);
		server.listen(0, "127.0.0.1", () => {
			const address = server.address();
			const found = typeof address === "object" && address ? address.port : 0;
			server.close(() => resolve(found));
		});
	});
}

/** A free port on 127.0.0.1 for `project`'s `kind` stand-in, kept with `settings`; its base URL. */
export async function reserveStandIn(kind: string, project: string, settings: object): Promise<string> {
	const port = await freePort();
	process.env[envName(kind, project)] = JSON.stringify({ port, ...settings });
	return `http://127.0.0.1:${port}`;
}

/** Starts the stand-in `reserveStandIn` reserved for this project, with the settings kept then. */
export async function startReservedStandIn<Settings, StandIn>(
	kind: string,
	project: TestProject,
	start: (port: number, settings: Settings) => Promise<StandIn>,
): Promise<StandIn> {
	const reserved = process.env[envName(kind, project.name)];
	if (!reserved) throw new Error(`no local ${kind} port reserved for project ${project.name}`);
	const { port, ...settings } = JSON.parse(reserved) as { port: number } & Settings;
	return start(port, settings as Settings);
}
