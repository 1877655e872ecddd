/**
 * The room island's state: the thread as the room last said it, its history, the chat lines (the
 * room sends the conversation so far on connect, then each new line), the link's status, and the one move or chat line in flight.
 *
 * Moves go over the socket while it is live (the room answers every party at once) and over REST
 * (`POST /api/v1/offers/{id}/…`) while it is not, so a visitor can still answer on a network that
 * drops WebSockets; both drive the same state machine in the room. A socket move has no reply of
 * its own: it is done when a `state` frame passes the version it was made against, refused when an
 * `error` frame comes first, and given up after `ANSWER_TIMEOUT_MS`. Only one is in flight at a
 * time (the controls wait), which is what makes that pairing sound. State frames carry no history,
 * so a new version is followed by one `GET /api/v1/offers/{id}` for the entries (and their
 * messages); a 409 ("the thread moved on") fetches it too, so the visitor sees the new state.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import type { HistoryEntry, OfferView } from "../../../../shared/offers/protocol.ts";
import { type Problem, send } from "../../lib/browser-api.ts";
import { type Connection, type Link, openLink } from "./link.ts";
import type { ChatLine, Viewer } from "./thread.ts";

export type MoveKind = "counter" | "accept" | "reject" | "withdraw";
export type ActionKind = MoveKind | "chat";

export interface Refused {
	action: ActionKind | null;
	status: number;
	detail: string;
}

interface InFlight {
	action: ActionKind;
	version: number;
	text?: string;
	resolve(done: boolean): void;
	timer: ReturnType<typeof setTimeout>;
}

const ANSWER_TIMEOUT_MS = 10_000;

export interface Room {
	offer: OfferView;
	history: HistoryEntry[];
	chat: ChatLine[];
	connection: Connection;
	busy: ActionKind | null;
	refused: Refused | null;
	move(action: MoveKind, input?: { amount_cents: number; message?: string }): Promise<boolean>;
	say(text: string): Promise<boolean>;
	retry(): void;
	dismiss(): void;
}

export function useRoom(initial: OfferView, viewer: Viewer): Room {
	const [offer, setOffer] = useState<OfferView>(initial);
	const [history, setHistory] = useState<HistoryEntry[]>(initial.history ?? []);
	const [chat, setChat] = useState<ChatLine[]>([]);
	const [connection, setConnection] = useState<Connection>("connecting");
	const [busy, setBusy] = useState<ActionKind | null>(null);
	const [refused, setRefused] = useState<Refused | null>(null);
	const current = useRef(initial);
	const historyVersion = useRef(initial.version);
	const inFlight = useRef<InFlight | null>(null);
	const link = useRef<Link | null>(null);
	const fetching = useRef(false);
	const me = viewer === "buyer" ? initial.buyer_tenant_id : viewer === "seller" ? initial.seller_tenant_id : null;

	const show = useCallback((next: OfferView) => {
		// REST views have no `online`; keep what the room last said about who is here.
		const merged = { ...next, online: next.online ?? current.current.online };
		current.current = merged;
		setOffer(merged);
	}, []);

	const settle = useCallback((done: boolean, refusal?: Refused) => {
		const flight = inFlight.current;
		if (!flight) return;
		clearTimeout(flight.timer);
		inFlight.current = null;
		setBusy(null);
		if (refusal) setRefused(refusal);
		flight.resolve(done);
	}, []);

	const refresh = useCallback(async () => {
		if (fetching.current) return;
		fetching.current = true;
		try {
			const answer = await send<OfferView>("GET", `/api/v1/offers/${initial.id}`);
			if (!answer.ok) return;
			if (answer.body.version >= current.current.version) show(answer.body);
			historyVersion.current = answer.body.version;
			setHistory(answer.body.history ?? []);
		} finally {
			fetching.current = false;
		}
		// A change that came in while this one was on its way.
		if (current.current.version > historyVersion.current) void refresh();
	}, [initial.id, show]);

	useEffect(() => {
		const opened = openLink(initial.id, {
			state(next) {
				if (next.version >= current.current.version) show(next);
				else show({ ...current.current, ...(next.online ? { online: next.online } : {}) });
				if (next.version > historyVersion.current) void refresh();
				const flight = inFlight.current;
				if (flight && flight.action !== "chat" && next.version > flight.version) settle(true);
			},
			chat(message) {
				// The room replays the conversation to every socket that connects, so a reconnect
				// repeats lines this page already shows: one line per sender, instant and text.
				setChat((lines) =>
					lines.some(
						(line) =>
							line.at === message.at && line.from_tenant_id === message.from_tenant_id && line.text === message.text,
					)
						? lines
						: [...lines, message],
				);
				const flight = inFlight.current;
				if (flight?.action === "chat" && message.from_tenant_id === me && message.text === flight.text) settle(true);
			},
			problem(error) {
				const detail = error.detail;
				const status = error.kind === "server" ? error.status : 400;
				const action = inFlight.current?.action ?? null;
				if (inFlight.current) settle(false, { action, status, detail });
				else setRefused({ action: null, status, detail });
				if (status === 409) void refresh();
			},
			connection: setConnection,
		});
		link.current = opened;
		return () => {
			opened.close();
			link.current = null;
		};
	}, [initial.id, me, refresh, settle, show]);

	const overSocket = useCallback(
		(action: ActionKind, sendFrame: (version: number) => boolean, text?: string): Promise<boolean> => {
			const version = current.current.version;
			return new Promise<boolean>((resolve) => {
				const timer = setTimeout(() => {
					settle(false, {
						action,
						status: 0,
						detail: "The room did not answer in time. Check the thread below before you try again.",
					});
					void refresh();
				}, ANSWER_TIMEOUT_MS);
				inFlight.current = { action, version, resolve, timer, ...(text === undefined ? {} : { text }) };
				setBusy(action);
				setRefused(null);
				if (!sendFrame(version)) settle(false);
			});
		},
		[refresh, settle],
	);

	const overRest = useCallback(
		async (action: MoveKind, body: Record<string, unknown>): Promise<boolean> => {
			setBusy(action);
			setRefused(null);
			const answer = await send<OfferView>("POST", `/api/v1/offers/${initial.id}/${action}`, body);
			setBusy(null);
			if (answer.ok) {
				show(answer.body);
				historyVersion.current = answer.body.version;
				setHistory(answer.body.history ?? []);
				return true;
			}
			setRefused(refusalOf(action, answer));
			if (answer.status === 409) void refresh();
			return false;
		},
		[initial.id, refresh, show],
	);

	const move = useCallback(
		(action: MoveKind, input?: { amount_cents: number; message?: string }): Promise<boolean> => {
			if (inFlight.current) return Promise.resolve(false);
			const live = link.current?.status() === "live" ? link.current.client : null;
			const version = current.current.version;
			const counter = { amount_cents: input?.amount_cents ?? 0, ...(input?.message ? { message: input.message } : {}) };
			if (!live) return overRest(action, action === "counter" ? { ...counter, version } : { version });
			return overSocket(action, (at) => {
				if (action === "counter") return live.counter(counter.amount_cents, at, counter.message);
				if (action === "withdraw") return live.withdraw(at);
				return action === "accept" ? live.accept(at) : live.reject(at);
			});
		},
		[overRest, overSocket],
	);

	const say = useCallback(
		(text: string): Promise<boolean> => {
			const live = link.current?.status() === "live" ? link.current.client : null;
			if (!live || inFlight.current) return Promise.resolve(false);
			return overSocket("chat", () => live.chat(text), text.trim());
		},
		[overSocket],
	);

	return {
		offer,
		history,
		chat,
		connection,
		busy,
		refused,
		move,
		say,
		retry: () => link.current?.retry(),
		dismiss: () => setRefused(null),
	};
}

function refusalOf(action: ActionKind, problem: Problem): Refused {
	return { action, status: problem.status, detail: problem.detail };
}
