/**
 * A socket message as a client frame, or the problem that refuses it — the same problems a REST
 * request with that body would get (413 over the size, 400 not JSON or not a frame), so the
 * room answers both through one `errorFrame` (../../shared/contract/outcomes.ts). Pure.
 */
import type { Problem } from "../../shared/http/problem.ts";
import { type ClientFrame, clientFrameSchema, MAX_FRAME_BYTES } from "../../shared/offers/protocol.ts";

export type FrameReading = { ok: true; frame: ClientFrame } | { ok: false; problem: Problem };

export function readClientFrame(message: string | ArrayBuffer): FrameReading {
	const size = typeof message === "string" ? new TextEncoder().encode(message).byteLength : message.byteLength;
	if (size > MAX_FRAME_BYTES) {
		return {
			ok: false,
			problem: {
				reason: "payload_too_large",
				limitBytes: MAX_FRAME_BYTES,
				detail: `Frames are limited to ${MAX_FRAME_BYTES} bytes.`,
			},
		};
	}
	if (typeof message !== "string") return refuse("Send JSON text frames.");
	let json: unknown;
	try {
		json = JSON.parse(message);
	} catch {
		return refuse("The frame is not valid JSON.");
	}
	const parsed = clientFrameSchema.safeParse(json);
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		return refuse(`The frame is not valid${issue ? `: ${issue.path.join(".") || "(frame)"} ${issue.message}` : "."}`);
	}
	return { ok: true, frame: parsed.data };
}

function refuse(detail: string): FrameReading {
	return { ok: false, problem: { reason: "bad_request", detail } };
}
