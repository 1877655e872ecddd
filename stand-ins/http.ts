/**
 * What the stand-in servers (./mail, ./stripe) share around `node:http`: reading a bounded
 * request body, writing a response with its length, and listening on a host and port with a
 * `close()` that also drops open (keep-alive) connections, so a test's stop is immediate.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** The request body as UTF-8; rejects with `tooLarge()` (and drops the request) past `maxBytes`. */
export function readBody(req: IncomingMessage, maxBytes: number, tooLarge: () => Error): Promise<string> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		req.on("data", (chunk: Buffer) => {
			size += chunk.length;
			if (size > maxBytes) {
				reject(tooLarge());
				req.destroy();
			} else chunks.push(chunk);
		});
		req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
		req.on("error", reject);
	});
}

export function send(res: ServerResponse, status: number, body: string, headers: Record<string, string>): void {
	res.writeHead(status, { "Content-Length": String(Buffer.byteLength(body)), ...headers });
	res.end(body);
}

/** Pretty-printed JSON with a trailing newline, as the real APIs' bodies read in a terminal. */
export function sendJson(
	res: ServerResponse,
	status: number,
	value: unknown,
	headers: Record<string, string> = {},
): void {
	send(res, status, `${JSON.stringify(value, null, 2)}\n`, { "Content-Type": "application/json", ...headers });
}

export interface Listening {
	/** The bound port (the free one picked when asked for 0). */
	port: number;
	/** Stops listening and closes open connections; rejects if the server was not running. */
	close(): Promise<void>;
}

/** Starts `server` on `host`:`port`; rejects if it cannot bind (e.g. the port is taken). */
export async function listen(server: Server, port: number, host: string): Promise<Listening> {
	await new Promise<void>((resolve, reject) => {
		server.once("error", reject);
		server.listen(port, host, () => {
			server.off("error", reject);
			resolve();
		});
	});
	return {
		port: (server.address() as AddressInfo).port,
		close: () =>
			new Promise<void>((resolve, reject) => {
				server.close((error) => (error ? reject(error) : resolve()));
				server.closeAllConnections();
			}),
	};
}
