/** PaymentObject schema, append-only (see ../sqlite.ts). */
import type { Migration } from "../sqlite.ts";

export const migrations: readonly Migration[] = [
	{
		version: 1,
		name: "payment_effects_outbox",
		up: (sql) => {
			// One row: the machine's state as JSON, beside what the machine does not know (the
			// checkout page, the seller's account, the buyer's reason, Stripe's processing fee and the
			// charge it was read from).
			sql.exec(`CREATE TABLE payment (
				id INTEGER PRIMARY KEY CHECK (id = 1),
				payment_id TEXT NOT NULL,
				state TEXT NOT NULL,
				checkout_url TEXT NOT NULL,
				stripe_account_id TEXT NOT NULL,
				dispute_reason TEXT,
				stripe_fee_cents INTEGER,
				charge_id TEXT
			)`);
			// Effects stored with the transition that asks for them; run after, retried by the alarm
			// until done. A Stripe call's idempotency key is in its body, so a re-run is deduplicated.
			sql.exec(`CREATE TABLE effects (
				seq INTEGER PRIMARY KEY AUTOINCREMENT,
				type TEXT NOT NULL,
				body TEXT NOT NULL,
				attempts INTEGER NOT NULL DEFAULT 0,
				next_at INTEGER NOT NULL,
				last_error TEXT,
				done_at INTEGER
			)`);
			sql.exec(`CREATE TABLE outbox (
				event_id TEXT PRIMARY KEY,
				queue TEXT NOT NULL,
				body TEXT NOT NULL,
				created_at INTEGER NOT NULL,
				sent_at INTEGER
			)`);
		},
	},
];
