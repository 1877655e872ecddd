/**
 * Writes one backup object without holding it whole: text goes in line by line, is hashed as it
 * arrives (workerd's `crypto.DigestStream`) and leaves in R2 multipart parts of one fixed size
 * (R2 wants every part but the last the same size, and at least 5 MiB). An object smaller than
 * one part, every table of this database today, is a single `put` instead: no upload to
 * create, complete or abandon. A failed write aborts its upload, so no parts are left behind.
 */
import { toHex, utf8 } from "../../../shared/encoding.ts";

export const PART_BYTES = 8 * 1024 * 1024;

export interface WrittenObject {
	key: string;
	bytes: number;
	sha256: string;
}

export class ObjectWriter {
	readonly #bucket: R2Bucket;
	readonly #key: string;
	readonly #options: R2HTTPMetadata;
	readonly #partBytes: number;
	readonly #digest = new crypto.DigestStream("SHA-256");
	readonly #hash = this.#digest.getWriter();
	#pending: Uint8Array[] = [];
	#pendingBytes = 0;
	#bytes = 0;
	#upload: R2MultipartUpload | null = null;
	readonly #parts: R2UploadedPart[] = [];

	constructor(bucket: R2Bucket, key: string, httpMetadata: R2HTTPMetadata, partBytes = PART_BYTES) {
		this.#bucket = bucket;
		this.#key = key;
		this.#options = httpMetadata;
		this.#partBytes = partBytes;
	}

	async write(text: string): Promise<void> {
		const bytes = utf8.encode(text);
		await this.#hash.write(bytes);
		this.#pending.push(bytes);
		this.#pendingBytes += bytes.byteLength;
		this.#bytes += bytes.byteLength;
		try {
			while (this.#pendingBytes >= this.#partBytes) await this.#sendPart(this.#take(this.#partBytes));
		} catch (error) {
			await this.abort();
			throw error;
		}
	}

	/** Sends what is left and finishes the object; answers its size and digest. */
	async close(): Promise<WrittenObject> {
		await this.#hash.close();
		const sha256 = toHex(new Uint8Array(await this.#digest.digest));
		const rest = this.#take(this.#pendingBytes);
		try {
			if (this.#upload === null) {
				await this.#bucket.put(this.#key, rest, { httpMetadata: this.#options });
			} else {
				if (rest.byteLength > 0) await this.#sendPart(rest);
				await this.#upload.complete(this.#parts);
			}
		} catch (error) {
			await this.abort();
			throw error;
		}
		return { key: this.#key, bytes: this.#bytes, sha256 };
	}

	async abort(): Promise<void> {
		const upload = this.#upload;
		this.#upload = null;
		await upload?.abort().catch(() => {});
	}

	async #sendPart(part: Uint8Array): Promise<void> {
		this.#upload ??= await this.#bucket.createMultipartUpload(this.#key, { httpMetadata: this.#options });
		this.#parts.push(await this.#upload.uploadPart(this.#parts.length + 1, part));
	}

	/** The first `size` pending bytes as one array; the remainder stays pending. */
	#take(size: number): Uint8Array {
		const out = new Uint8Array(size);
		let filled = 0;
		while (filled < size) {
			const head = this.#pending[0] as Uint8Array;
			const used = Math.min(head.byteLength, size - filled);
			out.set(head.subarray(0, used), filled);
			filled += used;
			if (used === head.byteLength) this.#pending.shift();
			else this.#pending[0] = head.subarray(used);
		}
		this.#pendingBytes -= size;
		return out;
	}
}
