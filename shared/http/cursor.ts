/**
 * Opaque, stable pagination cursors: the (time, id) of the last item on a page, e.g. a listing's
 * (published_at, id) or a tenant's (created_at, id). Because the order is total and the cursor
 * names a position rather than an offset, pages never skip or repeat an item while rows are added.
 */
import { z } from "zod";
import { fromBase64Url, toBase64Url, utf8 } from "../encoding.ts";

const positionSchema = z.tuple([z.string().min(1).max(40), z.string().min(1).max(64)]);
export type Position = z.infer<typeof positionSchema>;

export function encodeCursor(position: Position): string {
	return toBase64Url(utf8.encode(JSON.stringify(position)));
}

/** `null` when the cursor is not one we issued. */
export function decodeCursor(cursor: string): Position | null {
	try {
		const parsed = positionSchema.safeParse(JSON.parse(utf8.decode(fromBase64Url(cursor))));
		return parsed.success ? parsed.data : null;
	} catch {
		return null;
	}
}

/** A `cursor` query parameter: decoded to its position, or a 400 field error when it is not ours. */
export const cursorQuery = z
	.string()
	.max(512)
	.transform((value, ctx) => {
		const position = decodeCursor(value);
		if (!position) {
			ctx.addIssue({ code: "custom", message: "not a cursor this API issued" });
			return z.NEVER;
		}
		return position;
	});
