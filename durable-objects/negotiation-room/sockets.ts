/**
 * The room's WebSocket side, apart from the thread it serves: who a socket is (the identity the
 * dispatch Worker put on the upgrade, checked again against the thread's own parties, kept in the
 * connection state so it survives hibernation) and what one incoming frame comes to — admitted
 * like a REST request (./admission.ts), read (./frames.ts), handed to the room's `chat` or `act`,
 * and a refusal answered as the error frame of the problem REST would answer. The room keeps the
 * state; this module only decides who may speak and how a frame reaches it.
 */
import type { Connection } from "partyserver";
import { z } from "zod";
import { tokenRoles } from "../../shared/auth/jwt.ts";
import { errorFrame, type Refused, refusalProblem } from "../../shared/contract/outcomes.ts";
import type { Problem } from "../../shared/http/problem.ts";
import type { ClientFrame } from "../../shared/offers/protocol.ts";
import { admitFrame, type SocketCaller } from "./admission.ts";
import { readClientFrame } from "./frames.ts";
import { sideOf, type ThreadRow } from "./thread-store.ts";

/** Header names the dispatch Worker sets on a WebSocket upgrade after authenticating the caller. */
export const ACTOR_HEADER = "X-TechFlunky-Actor";
export const ROLE_HEADER = "X-TechFlunky-Role";
export const USER_HEADER = "X-TechFlunky-User";
export const SESSION_HEADER = "X-TechFlunky-Session";

const tokenRoleSchema = z.enum(tokenRoles);

export interface SocketState extends SocketCaller {
	admin: boolean;
}

/** The socket's identity from its upgrade's headers; `null` when incomplete or not a party (an admin may watch). */
export function socketStateOf(headers: Headers, row: ThreadRow | null): SocketState | null {
	const tenantId = headers.get(ACTOR_HEADER);
	const role = tokenRoleSchema.safeParse(headers.get(ROLE_HEADER));
	const userId = headers.get(USER_HEADER);
	const sessionId = headers.get(SESSION_HEADER);
	const admin = role.success && role.data === "admin";
	// The edge checked membership already; the room checks again against its own parties.
	if (!tenantId || !role.success || !userId || !sessionId || !row || (!admin && sideOf(row, tenantId) === null)) {
		return null;
	}
	return { tenantId, admin, role: role.data, userId, sessionId };
}

type FrameResult = { ok: true } | Refused;

/** The room's moves a frame can make, as its RPC methods take them. */
export interface FrameHandlers {
	chat(actor: { tenantId: string; admin: boolean }, text: string, now: number): FrameResult;
	act(
		actor: { tenantId: string; admin: boolean },
		frame: Exclude<ClientFrame, { type: "chat" }>,
		now: number,
	): Promise<FrameResult>;
}

/** One incoming frame: admitted, read and handed to the room; any refusal answered on the socket. */
export async function answerFrame(
	connection: Connection<SocketState>,
	message: string | ArrayBuffer,
	tenants: DispatchEnv["TenantObject"],
	room: FrameHandlers,
): Promise<void> {
	const state = connection.state;
	if (!state) return;
	// Every error frame is the problem REST would answer, status and detail alike.
	const fail = (problem: Problem) => connection.send(JSON.stringify(errorFrame(problem)));
	// Every frame is a request, valid or not: admitted (session, bucket) before it is read.
	const admission = await admitFrame(tenants, state, Date.now());
	if (!admission.ok) {
		fail(admission.problem);
		if (admission.ended) connection.close(4001, "session ended");
		return;
	}
	const reading = readClientFrame(message);
	if (!reading.ok) return fail(reading.problem);
	const actor = { tenantId: state.tenantId, admin: state.admin };
	const frame = reading.frame;
	const result =
		frame.type === "chat" ? room.chat(actor, frame.text, Date.now()) : await room.act(actor, frame, Date.now());
	if (!result.ok) fail(refusalProblem(result.refusal));
}
