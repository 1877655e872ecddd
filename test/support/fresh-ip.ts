/**
 * Client addresses for tests, the bench and the soak run, which pose as many clients through
 * `CF-Connecting-IP`. Each fresh address is in a /24 of its own (10.0.0.0/8 has 65,536 of them,
 * after which they are reused with another host number), so the per-network ceilings of the
 * anonymous and sign-in buckets never make one client's test refuse another's.
 */
let counter = 0;

/** An address no other call of this process has used, in a /24 no recent call has used. */
export function freshIp(): string {
	counter += 1;
	return `10.${(counter >> 8) & 255}.${counter & 255}.${((counter >> 16) & 255) + 1}`;
}
