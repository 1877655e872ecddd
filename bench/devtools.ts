/** A minimal Chrome DevTools protocol client over Node's WebSocket, for `npm run profile`. */
export class DevTools {
	readonly title: string;
	readonly #socket: WebSocket;
	readonly #pending = new Map<number, (result: unknown) => void>();
	#next = 0;

	private constructor(title: string, socket: WebSocket) {
		this.title = title;
		this.#socket = socket;
		socket.addEventListener("message", (event) => {
			const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown };
			if (message.id === undefined) return;
			this.#pending.get(message.id)?.(message.result);
			this.#pending.delete(message.id);
		});
	}

	static open(title: string, url: string): Promise<DevTools> {
		const socket = new WebSocket(url);
		return new Promise((resolve, reject) => {
			socket.addEventListener("open", () => resolve(new DevTools(title.replace(/^workerd: worker /, ""), socket)));
			socket.addEventListener("error", () => reject(new Error(`cannot open the inspector of ${title}`)));
		});
	}

	call(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
		this.#next += 1;
		const id = this.#next;
		return new Promise((resolve) => {
			this.#pending.set(id, resolve);
			this.#socket.send(JSON.stringify({ id, method, params }));
		});
	}

	close(): void {
		this.#socket.close();
	}
}
