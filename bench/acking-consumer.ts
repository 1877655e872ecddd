/**
 * A consumers Worker that acknowledges every message and writes nothing: bundled in place of the
 * real one (startTopology `entries`) for `ws_counter_latency_no_consolidation` only, which asks how
 * fast the room path is when the consumer's D1 work does not share workerd's thread with the rooms
 * (in production D1 runs elsewhere; locally it runs in the same process). Never deployed.
 */
interface AckableBatch {
	ackAll(): void;
}

export default {
	async queue(batch: AckableBatch): Promise<void> {
		batch.ackAll();
	},
	async fetch(): Promise<Response> {
		return new Response(null, { status: 404 });
	},
};
