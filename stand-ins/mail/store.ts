/**
 * What the local mail stand-in keeps: every accepted message, in memory, newest first, and the
 * faults a test asked for (the next N sends answer 429, 5xx or 422). Nothing is persisted: a
 * restart empties the inbox, which is what a local run and a test want.
 */
import { randomBytes } from "node:crypto";
import type { Address, EmailRequest } from "./validate.ts";

export interface StoredMessage {
	/** MailerSend's message ids are 24 hex characters; so are these. */
	id: string;
	from: Address;
	to: Address[];
	cc: Address[];
	bcc: Address[];
	reply_to: Address | null;
	subject: string;
	text: string | null;
	html: string | null;
	tags: string[];
	headers: { name: string; value: string }[];
	created_at: string;
}

export const FAULT_STATUSES = [422, 429, 500, 503] as const;
export type FaultStatus = (typeof FAULT_STATUSES)[number];

export interface Fault {
	status: FaultStatus;
	/** How many more sends it answers. */
	times: number;
	retryAfterSeconds?: number;
	/** Only sends to this recipient (case-insensitive); every send when absent. */
	to?: string;
}

export class MailStore {
	readonly #messages: StoredMessage[] = [];
	#faults: Fault[] = [];
	readonly #limit: number;

	constructor(limit = 1000) {
		this.#limit = limit;
	}

	add(email: EmailRequest, now: Date): StoredMessage {
		const message: StoredMessage = {
			id: randomBytes(12).toString("hex"),
			from: email.from,
			to: email.to,
			cc: email.cc,
			bcc: email.bcc,
			reply_to: email.reply_to ?? null,
			subject: email.subject,
			text: email.text ?? null,
			html: email.html ?? null,
			tags: email.tags,
			headers: email.headers,
			created_at: now.toISOString(),
		};
		this.#messages.unshift(message);
		if (this.#messages.length > this.#limit) this.#messages.length = this.#limit;
		return message;
	}

	list(): readonly StoredMessage[] {
		return this.#messages;
	}

	get(id: string): StoredMessage | undefined {
		return this.#messages.find((m) => m.id === id);
	}

	clear(): void {
		this.#messages.length = 0;
	}

	addFault(fault: Fault): void {
		this.#faults.push(fault);
	}

	clearFaults(): void {
		this.#faults = [];
	}

	/** The fault this send meets, if any, spending one of its `times`. */
	takeFault(recipients: readonly string[]): Fault | undefined {
		const lower = recipients.map((r) => r.toLowerCase());
		const fault = this.#faults.find((f) => f.times > 0 && (f.to === undefined || lower.includes(f.to.toLowerCase())));
		if (!fault) return undefined;
		fault.times -= 1;
		this.#faults = this.#faults.filter((f) => f.times > 0);
		return fault;
	}
}
