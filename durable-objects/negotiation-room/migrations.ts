/** NegotiationRoom schema, append-only (see ../sqlite.ts). */
import type { Migration } from "../sqlite.ts";

export const migrations: readonly Migration[] = [
	{
		version: 1,
		name: "thread_history_outbox",
		up: (sql) => {
			// One row: the thread's current terms. `id = 1` keeps it a singleton.
			sql.exec(`CREATE TABLE thread (
				id INTEGER PRIMARY KEY CHECK (id = 1),
				offer_id TEXT NOT NULL,
				listing_id TEXT NOT NULL,
				buyer_tenant_id TEXT NOT NULL,
				seller_tenant_id TEXT NOT NULL,
				amount_cents INTEGER NOT NULL,
				currency TEXT NOT NULL,
				status TEXT NOT NULL,
				version INTEGER NOT NULL,
				last_actor TEXT NOT NULL,
				expires_at INTEGER,
				created_at INTEGER NOT NULL,
				updated_at INTEGER NOT NULL
			)`);
			sql.exec(`CREATE TABLE history (
				seq INTEGER PRIMARY KEY AUTOINCREMENT,
				version INTEGER NOT NULL,
				action TEXT NOT NULL,
				actor_tenant_id TEXT NOT NULL,
				amount_cents INTEGER,
				message TEXT,
				at INTEGER NOT NULL
			)`);
			// Messages recorded in the same transaction as the change they announce; the alarm
			// resends rows whose sent_at is still null.
			sql.exec(`CREATE TABLE outbox (
				event_id TEXT PRIMARY KEY,
				queue TEXT NOT NULL,
				body TEXT NOT NULL,
				created_at INTEGER NOT NULL,
				sent_at INTEGER
			)`);
		},
	},
	{
		version: 2,
		name: "hold_and_chat",
		up: (sql) => {
			// `last_actor` holds the side ('buyer' | 'seller') that made the latest proposal.
			sql.exec("ALTER TABLE thread ADD COLUMN on_hold INTEGER NOT NULL DEFAULT 0");
			sql.exec(`CREATE TABLE chat (
				seq INTEGER PRIMARY KEY AUTOINCREMENT,
				from_tenant_id TEXT NOT NULL,
				text TEXT NOT NULL,
				at INTEGER NOT NULL
			)`);
		},
	},
	{
		version: 3,
		name: "settlement",
		up: (sql) => {
			// The thread's payment as its PaymentObject last reported it; `settled_at` is set once it
			// is paid and never cleared: the thread is then closed for good.
			sql.exec("ALTER TABLE thread ADD COLUMN payment_id TEXT");
			sql.exec("ALTER TABLE thread ADD COLUMN payment_status TEXT");
			sql.exec("ALTER TABLE thread ADD COLUMN settled_at INTEGER");
		},
	},
];
