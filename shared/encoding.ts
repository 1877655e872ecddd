/** Base64url and byte helpers shared by the crypto modules (no Node Buffer in Workers). */

export function toBase64Url(bytes: Uint8Array): string {
	let binary = "";
	for (const byte of bytes) binary += String.fromCharCode(byte);
	return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
	if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error("not base64url");
	const padded = text.replaceAll("-", "+").replaceAll("_", "/") + "=".repeat((4 - (text.length % 4)) % 4);
	const binary = atob(padded);
	const bytes = new Uint8Array(binary.length);
	for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
	return bytes;
}

export const utf8 = {
	encode: (text: string): Uint8Array<ArrayBuffer> => new Uint8Array(new TextEncoder().encode(text)),
	decode: (bytes: Uint8Array): string => new TextDecoder().decode(bytes),
};

/** Random identifier with a readable prefix, e.g. `lst_3f9c…` (122 random bits: a v4 UUID without dashes). */
export function newId(prefix: string): string {
	return `${prefix}_${crypto.randomUUID().replaceAll("-", "")}`;
}

export function toHex(bytes: Uint8Array): string {
	let hex = "";
	for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
	return hex;
}
