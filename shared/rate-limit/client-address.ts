/**
 * What an anonymous caller's buckets are keyed on: the block of addresses one client controls,
 * not the single address it happens to use, so rotating addresses inside its own block buys an
 * attacker nothing.
 *
 * - IPv4: the address itself (`/32`). One subscriber rarely holds more than one, and a client
 *   that rents a block (a `/29` from a host, a pool of cloud addresses) meets the network bucket.
 * - IPv6: the `/64`. It is the smallest block an ISP or cloud hands one subscriber or one LAN
 *   (SLAAC and privacy extensions rotate the low 64 bits at will), so every address of one home,
 *   phone or VM subnet lands in one bucket.
 * - Around those, a looser network bucket per IPv4 `/24` and per IPv6 `/48` (a site's whole
 *   allocation; RIRs recommend /48 or /56 per customer), so a client that controls many /64s or
 *   many addresses of a /24 still meets a ceiling: the network policy, a multiple of the client's.
 *
 * Trade-offs (documented in docs/architecture.md): clients behind one shared NAT or a carrier's
 * CGNAT share one IPv4 bucket, and every anonymous caller of a /24 or /48 shares the network
 * ceiling. Both apply to anonymous callers only; signing in moves a person to their tenant's own
 * bucket. IPv4-mapped IPv6 (`::ffff:a.b.c.d`) is keyed as the IPv4 it carries.
 *
 * A value that is not an IP address (only tests and local tools send one; Cloudflare's edge
 * always sets a real address) is its own client and its own network.
 */

export interface ClientKeys {
	/** The block one client controls: `v4:203.0.113.7` or `v6:2001:db8:1:2::/64`. */
	client: string;
	/** The surrounding network: `v4:203.0.113.0/24` or `v6:2001:db8:1::/48`. */
	network: string;
}

export function clientKeys(address: string): ClientKeys {
	const v4 = parseIpv4(address);
	if (v4) return ipv4Keys(v4);
	const v6 = parseIpv6(address);
	if (v6) {
		// ::ffff:a.b.c.d is an IPv4 client reaching us over a dual stack.
		if (v6.slice(0, 5).every((group) => group === 0) && v6[5] === 0xffff) {
			const [high = 0, low = 0] = [v6[6], v6[7]];
			return ipv4Keys([high >> 8, high & 255, low >> 8, low & 255]);
		}
		const hex = v6.map((group) => group.toString(16));
		return { client: `v6:${hex.slice(0, 4).join(":")}::/64`, network: `v6:${hex.slice(0, 3).join(":")}::/48` };
	}
	const raw = `raw:${address.slice(0, 64)}`;
	return { client: raw, network: raw };
}

function ipv4Keys(octets: readonly number[]): ClientKeys {
	return { client: `v4:${octets.join(".")}`, network: `v4:${octets.slice(0, 3).join(".")}.0/24` };
}

/** The four octets of a dotted-quad IPv4 address (no leading zeros, as Cloudflare writes it), or `null`. */
export function parseIpv4(text: string): number[] | null {
	const parts = text.split(".");
	if (parts.length !== 4) return null;
	const octets: number[] = [];
	for (const part of parts) {
		if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return null;
		const value = Number(part);
		if (value > 255) return null;
		octets.push(value);
	}
	return octets;
}

/** The eight 16-bit groups of an IPv6 address (with `::`, an embedded IPv4 tail, a `%zone`), or `null`. */
export function parseIpv6(text: string): number[] | null {
	const unzoned = text.split("%", 1)[0] ?? "";
	if (unzoned.length === 0 || unzoned.length > 45) return null;
	const halves = unzoned.split("::");
	if (halves.length > 2) return null;
	const parseSide = (side: string): number[] | null => {
		if (side === "") return [];
		const groups: number[] = [];
		const pieces = side.split(":");
		for (const [index, piece] of pieces.entries()) {
			if (index === pieces.length - 1 && piece.includes(".")) {
				const v4 = parseIpv4(piece);
				if (!v4) return null;
				groups.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
				continue;
			}
			if (!/^[0-9a-fA-F]{1,4}$/.test(piece)) return null;
			groups.push(Number.parseInt(piece, 16));
		}
		return groups;
	};
	const head = parseSide(halves[0] ?? "");
	const tail = halves.length === 2 ? parseSide(halves[1] ?? "") : [];
	if (!head || !tail) return null;
	if (halves.length === 1) return head.length === 8 ? head : null;
	const missing = 8 - head.length - tail.length;
	if (missing < 1) return null;
	return [...head, ...new Array<number>(missing).fill(0), ...tail];
}
