import { describe, expect, it } from "vitest";
import { clientKeys, parseIpv4, parseIpv6 } from "./client-address.ts";

describe("clientKeys", () => {
	it("keys an IPv4 client on its address and its network on the /24", () => {
		expect(clientKeys("203.0.113.7")).toEqual({ client: "v4:203.0.113.7", network: "v4:203.0.113.0/24" });
	});

	it("puts every address of one IPv6 /64 in one client bucket", () => {
		const a = clientKeys("2001:db8:1:2:aaaa:bbbb:cccc:dddd");
		const b = clientKeys("2001:0db8:0001:0002::1");
		const c = clientKeys("2001:db8:1:2:ffff:ffff:ffff:ffff");
		expect(a).toEqual({ client: "v6:2001:db8:1:2::/64", network: "v6:2001:db8:1::/48" });
		expect(b).toEqual(a);
		expect(c).toEqual(a);
	});

	it("gives another /64 of the same /48 its own client bucket but the same network", () => {
		const a = clientKeys("2001:db8:1:2::1");
		const b = clientKeys("2001:db8:1:3::1");
		expect(b.client).not.toBe(a.client);
		expect(b.network).toBe(a.network);
	});

	it("writes one form whatever the case and compression of the address", () => {
		expect(clientKeys("2001:DB8:0:0:1::1")).toEqual(clientKeys("2001:db8::1:0:0:1"));
		expect(clientKeys("::1")).toEqual({ client: "v6:0:0:0:0::/64", network: "v6:0:0:0::/48" });
	});

	it("keys an IPv4-mapped IPv6 address as the IPv4 it carries", () => {
		expect(clientKeys("::ffff:203.0.113.7")).toEqual(clientKeys("203.0.113.7"));
		expect(clientKeys("::ffff:cb00:7107")).toEqual(clientKeys("203.0.113.7"));
	});

	it("ignores a zone index", () => {
		expect(clientKeys("fe80::1%eth0")).toEqual(clientKeys("fe80::1"));
	});

	it("keeps a value that is not an address as its own client and network", () => {
		expect(clientKeys("unknown")).toEqual({ client: "raw:unknown", network: "raw:unknown" });
		expect(clientKeys("203.0.113.7-x").client).toBe("raw:203.0.113.7-x");
		expect(clientKeys("x".repeat(100)).client).toHaveLength(4 + 64);
	});
});

describe("parseIpv4", () => {
	it.each(["1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.-4", "a.b.c.d", "", "1..2.3"])("refuses %j", (text) =>
		expect(parseIpv4(text)).toBeNull(),
	);

	it("reads the four octets", () => {
		expect(parseIpv4("0.255.10.1")).toEqual([0, 255, 10, 1]);
	});
});

describe("parseIpv6", () => {
	it.each([
		"1:2:3:4:5:6:7",
		"1:2:3:4:5:6:7:8:9",
		"1::2::3",
		"12345::1",
		"g::1",
		"1:2:3:4:5:6:7::8",
		":::",
		"::1.2.3",
		"",
		"1:2:3:4:5:6:1.2.3.4:5",
	])("refuses %j", (text) => expect(parseIpv6(text)).toBeNull());

	it("expands :: and an embedded IPv4 tail", () => {
		expect(parseIpv6("::")).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
		expect(parseIpv6("1::")).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
		expect(parseIpv6("64:ff9b::192.0.2.33")).toEqual([0x64, 0xff9b, 0, 0, 0, 0, 0xc000, 0x0221]);
		expect(parseIpv6("1:2:3:4:5:6:7:8")).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
	});
});
