/**
 * Object ids shaped like Stripe's: the object's prefix, then random base62 (`acct_1Q…`,
 * `cs_test_a1…`, `pi_3P…`). Random rather than sequential so ids from two runs never collide in a
 * platform database that outlives the stand-in's memory.
 */
import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

function base62(length: number): string {
	const bytes = randomBytes(length);
	let out = "";
	for (const byte of bytes) out += ALPHABET[byte % ALPHABET.length];
	return out;
}

export type IdPrefix =
	| "acct"
	| "cs_test"
	| "pi"
	| "ch"
	| "txn"
	| "tr"
	| "trr"
	| "re"
	| "dp"
	| "evt"
	| "req"
	| "pm"
	| "py"
	| "pyr";

export function newId(prefix: IdPrefix): string {
	return `${prefix}_${base62(prefix === "cs_test" ? 56 : 24)}`;
}

/** Which store an id belongs to, by its prefix (`cs_test_…` before `cs_…`). */
export function prefixOf(id: string): string {
	if (id.startsWith("cs_")) return "cs";
	return id.slice(0, id.indexOf("_"));
}
