/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hyp_flow: the classifier on frames built byte by byte (hostile ones
 * included), key normalization, and the flow table. TAP. Every frame is
 * parsed from a heap copy of exactly its length, so a sanitizer or valgrind
 * run sees any read past the end.
 */
#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_hash_crc.h>
#include <rte_random.h>
#include <rte_lcore.h>
#include <rte_memory.h>

#include "frames.h"
#include "hyp_flow.h"
#include "pkt_build.h"
#include "tap.h"
#include "test_eal.h"

static const uint8_t v4a[4] = { 198, 18, 0, 1 };
static const uint8_t v4b[4] = { 198, 18, 0, 2 };
static const uint8_t v6a[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t v6b[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

#define IP_TCP	6
#define IP_UDP	17
#define IP_ICMP	1

static unsigned int n_parsed, n_frag_missed;

/* parse from an exact-size heap copy */
static int
parse(const struct frame *f, uint32_t len, struct hyp_pkt_meta *m)
{
	uint8_t *copy = malloc(len != 0 ? len : 1);
	int ret;

	if (copy == NULL) {
		printf("Bail out! malloc\n");
		exit(1);
	}
	memcpy(copy, f->b, len);
	ret = hyp_flow_parse(copy, len, m);
	/* the reassembler's shortcut may never pass a fragment by */
	n_parsed++;
	if (ret == 0 && m->frag.is && !hyp_flow_maybe_fragment(copy, len))
		n_frag_missed++;
	free(copy);
	return ret;
}

static bool
is_v4_mapped(const uint8_t a[16], const uint8_t v4[4])
{
	static const uint8_t pfx[12] = { [10] = 0xff, [11] = 0xff };

	return memcmp(a, pfx, 12) == 0 && memcmp(a + 12, v4, 4) == 0;
}

/* every success must describe bytes inside the frame */
static bool
meta_sane(const struct hyp_pkt_meta *m, uint32_t len)
{
	return m->l3_off <= m->l4_off && m->l4_off <= m->payload_off &&
	       (uint32_t)m->payload_off + m->payload_len <= len &&
	       (m->family == 4 || m->family == 6);
}

/* frames that must parse */

static void
build_ipv4_tcp(struct frame *f)
{
	uint32_t ip;

	pkt_eth(f, 0x0800);
	ip = pkt_ip4(f, IP_TCP, v4a, v4b, 5, 0x4000);
	pkt_tcp(f, 43000, 80, 5, 5);
	pkt_ip4_end(f, ip);
}

static void
test_parse_ipv4(void)
{
	struct hyp_pkt_meta m;
	struct frame f;
	uint32_t ip;
	int ret;

	build_ipv4_tcp(&f);
	ret = parse(&f, f.len, &m);
	tap(ret == 0 && m.family == 4 && m.proto == IP_TCP &&
	    m.sport == 43000 && m.dport == 80 && is_v4_mapped(m.src, v4a) &&
	    is_v4_mapped(m.dst, v4b) && m.l3_off == 14 && m.l4_off == 34 &&
	    m.payload_off == 54 && m.payload_len == 5 && !m.is_fragment,
	    "IPv4 TCP: ports, v4-mapped addresses, offsets",
	    "ret %d fam %u proto %u %u->%u l3 %u l4 %u pl %u+%u", ret,
	    m.family, m.proto, m.sport, m.dport, m.l3_off, m.l4_off,
	    m.payload_off, m.payload_len);

	/* TCP options move the payload */
	pkt_eth(&f, 0x0800);
	ip = pkt_ip4(&f, IP_TCP, v4a, v4b, 5, 0);
	pkt_tcp(&f, 1, 2, 8, 3);
	pkt_ip4_end(&f, ip);
	ret = parse(&f, f.len, &m);
	tap(ret == 0 && m.payload_off == 34 + 32 && m.payload_len == 3,
	    "IPv4 TCP with options: payload after data offset",
	    "ret %d pl %u+%u", ret, m.payload_off, m.payload_len);

	/* IP options move L4 */
	pkt_eth(&f, 0x0800);
	ip = pkt_ip4(&f, IP_UDP, v4a, v4b, 7, 0);
	pkt_udp(&f, 5353, 53, 0, 11);
	pkt_ip4_end(&f, ip);
	ret = parse(&f, f.len, &m);
	tap(ret == 0 && m.proto == IP_UDP && m.l4_off == 14 + 28 &&
	    m.payload_off == 14 + 28 + 8 && m.payload_len == 11 &&
	    m.sport == 5353 && m.dport == 53,
	    "IPv4 with options: L4 after IHL",
	    "ret %d l4 %u pl %u+%u", ret, m.l4_off, m.payload_off,
	    m.payload_len);

	/* padded to the Ethernet minimum: padding is not payload */
	pkt_eth(&f, 0x0800);
	ip = pkt_ip4(&f, IP_UDP, v4a, v4b, 5, 0);
	pkt_udp(&f, 1000, 53, 0, 4);
	pkt_ip4_end(&f, ip);
	pkt_fill(&f, 0xee, 60 - f.len);
	ret = parse(&f, f.len, &m);
	tap(ret == 0 && f.len == 60 && m.payload_len == 4,
	    "IPv4 padded frame: payload bounded by IP length",
	    "ret %d len %u payload %u", ret, f.len, m.payload_len);

	/* UDP length below the IP payload: UDP length wins */
	pkt_eth(&f, 0x0800);
	ip = pkt_ip4(&f, IP_UDP, v4a, v4b, 5, 0);
	pkt_udp(&f, 1000, 53, 8 + 2, 6);
	pkt_ip4_end(&f, ip);
	ret = parse(&f, f.len, &m);
	tap(ret == 0 && m.payload_len == 2,
	    "UDP length shorter than IP payload bounds the payload",
	    "ret %d payload %u", ret, m.payload_len);

	/* ICMP: no ports, payload is everything after IP */
	pkt_eth(&f, 0x0800);
	ip = pkt_ip4(&f, IP_ICMP, v4a, v4b, 5, 0);
	pkt_put8(&f, 8);
	pkt_put8(&f, 0);
	pkt_fill(&f, 0, 10);
	pkt_ip4_end(&f, ip);
	ret = parse(&f, f.len, &m);
	tap(ret == 0 && m.proto == IP_ICMP && m.sport == 0 && m.dport == 0 &&
	    m.payload_off == 34 && m.payload_len == 12,
	    "ICMP: no ports, payload after IP header",
	    "ret %d ports %u/%u pl %u+%u", ret, m.sport, m.dport,
	    m.payload_off, m.payload_len);
}

static void
test_parse_vlan(void)
{
	struct hyp_pkt_meta m;
	struct frame f;
	uint32_t ip;
	int ret;

	pkt_eth(&f, 0x8100);
	pkt_vlan(&f, 100, 0x0800);
	ip = pkt_ip4(&f, IP_UDP, v4a, v4b, 5, 0);
	pkt_udp(&f, 1, 53, 0, 3);
	pkt_ip4_end(&f, ip);
	ret = parse(&f, f.len, &m);
	tap(ret == 0 && m.l3_off == 18 && m.l4_off == 38 && m.dport == 53,
	    "802.1Q: IP after one tag", "ret %d l3 %u", ret, m.l3_off);

	pkt_eth(&f, 0x88a8);
	pkt_vlan(&f, 10, 0x8100);
	pkt_vlan(&f, 20, 0x86dd);
	ip = pkt_ip6(&f, IP_TCP, v6a, v6b);
	pkt_tcp(&f, 2000, 443, 5, 7);
	pkt_ip6_end(&f, ip);
	ret = parse(&f, f.len, &m);
	tap(ret == 0 && m.family == 6 && m.l3_off == 22 && m.l4_off == 62 &&
	    m.payload_len == 7 && m.dport == 443,
	    "QinQ (88a8 + 8100): IPv6 after two tags",
	    "ret %d l3 %u l4 %u", ret, m.l3_off, m.l4_off);

	pkt_eth(&f, 0x8100);
	pkt_vlan(&f, 1, 0x8100);
	pkt_vlan(&f, 2, 0x8100);
	pkt_vlan(&f, 3, 0x0800);
	ip = pkt_ip4(&f, IP_UDP, v4a, v4b, 5, 0);
	pkt_udp(&f, 1, 2, 0, 0);
	pkt_ip4_end(&f, ip);
	ret = parse(&f, f.len, &m);
	tap(ret == -EINVAL, "three VLAN tags: -EINVAL", "ret %d", ret);

	pkt_eth(&f, 0x8100);
	pkt_put16(&f, 5);		/* tag cut after its TCI */
	ret = parse(&f, f.len, &m);
	tap(ret == -EINVAL, "truncated VLAN tag: -EINVAL", "ret %d", ret);

	pkt_eth(&f, 0x0806);
	pkt_fill(&f, 0, 28);
	ret = parse(&f, f.len, &m);
	tap(ret == -ENOTSUP, "ARP: -ENOTSUP", "ret %d", ret);

	pkt_eth(&f, 0x8100);
	pkt_vlan(&f, 7, 0x0806);
	pkt_fill(&f, 0, 28);
	ret = parse(&f, f.len, &m);
	tap(ret == -ENOTSUP, "ARP in a VLAN: -ENOTSUP", "ret %d", ret);
}

static void
test_parse_ipv6(void)
{
	struct hyp_pkt_meta m;
	struct frame f;
	uint32_t ip;
	unsigned int i;
	int ret;

	pkt_eth(&f, 0x86dd);
	ip = pkt_ip6(&f, IP_UDP, v6a, v6b);
	pkt_udp(&f, 40000, 53, 0, 20);
	pkt_ip6_end(&f, ip);
	pkt_fill(&f, 0, 8);		/* trailing junk beyond the payload length */
	ret = parse(&f, f.len, &m);
	tap(ret == 0 && m.family == 6 && m.proto == IP_UDP &&
	    memcmp(m.src, v6a, 16) == 0 && memcmp(m.dst, v6b, 16) == 0 &&
	    m.l4_off == 54 && m.payload_off == 62 && m.payload_len == 20 &&
	    m.sport == 40000 && m.dport == 53,
	    "IPv6 UDP: addresses, ports, bounded by payload length",
	    "ret %d l4 %u pl %u+%u", ret, m.l4_off, m.payload_off,
	    m.payload_len);

	/* hop-by-hop 8 + routing 24 + dstopts 16 + AH 24 */
	pkt_eth(&f, 0x86dd);
	ip = pkt_ip6(&f, 0, v6a, v6b);
	pkt_ext6(&f, 43, 0);
	pkt_ext6(&f, 60, 2);
	pkt_ext6(&f, 51, 1);
	pkt_ah6(&f, IP_TCP, 4);
	pkt_tcp(&f, 1234, 22, 5, 9);
	pkt_ip6_end(&f, ip);
	ret = parse(&f, f.len, &m);
	tap(ret == 0 && m.proto == IP_TCP && m.l4_off == 54 + 8 + 24 + 16 + 24 &&
	    m.sport == 1234 && m.dport == 22 && m.payload_len == 9,
	    "IPv6 hop-by-hop, routing, dstopts, AH walked to TCP",
	    "ret %d proto %u l4 %u", ret, m.proto, m.l4_off);

	/* six extension headers are allowed (seven: the frame table) */
	pkt_eth(&f, 0x86dd);
	ip = pkt_ip6(&f, 60, v6a, v6b);
	for (i = 0; i < 5; i++)
		pkt_ext6(&f, 60, 0);
	pkt_ext6(&f, IP_UDP, 0);
	pkt_udp(&f, 1, 2, 0, 1);
	pkt_ip6_end(&f, ip);
	ret = parse(&f, f.len, &m);
	tap(ret == 0 && m.dport == 2 && m.l4_off == 54 + 48,
	    "IPv6: six extension headers", "ret %d", ret);

	/* first fragment: ports, payload as carried */
	pkt_eth(&f, 0x86dd);
	ip = pkt_ip6(&f, 44, v6a, v6b);
	pkt_frag6(&f, IP_UDP, 0, true);
	pkt_udp(&f, 5000, 53, 1400, 100);
	pkt_ip6_end(&f, ip);
	ret = parse(&f, f.len, &m);
	tap(ret == 0 && !m.is_fragment && m.proto == IP_UDP &&
	    m.sport == 5000 && m.dport == 53 && m.payload_len == 100,
	    "IPv6 first fragment: ports, payload as carried",
	    "ret %d frag %u ports %u/%u payload %u", ret, m.is_fragment,
	    m.sport, m.dport, m.payload_len);

	/* later fragment: no ports, no payload */
	pkt_eth(&f, 0x86dd);
	ip = pkt_ip6(&f, 0, v6a, v6b);
	pkt_ext6(&f, 44, 0);
	pkt_frag6(&f, IP_UDP, 175, false);
	pkt_fill(&f, 0xaa, 64);
	pkt_ip6_end(&f, ip);
	ret = parse(&f, f.len, &m);
	tap(ret == 0 && m.is_fragment && m.proto == IP_UDP && m.sport == 0 &&
	    m.dport == 0 && m.payload_len == 0 && m.l4_off == 54 + 16,
	    "IPv6 later fragment: is_fragment, no ports, no payload",
	    "ret %d frag %u proto %u ports %u/%u payload %u", ret,
	    m.is_fragment, m.proto, m.sport, m.dport, m.payload_len);

	/* atomic fragment (offset 0, no more): a whole datagram */
	pkt_eth(&f, 0x86dd);
	ip = pkt_ip6(&f, 44, v6a, v6b);
	pkt_frag6(&f, IP_UDP, 0, false);
	pkt_udp(&f, 5000, 53, 108, 100);
	pkt_ip6_end(&f, ip);
	ret = parse(&f, f.len, &m);
	tap(ret == 0 && m.payload_len == 100,
	    "IPv6 atomic fragment parses whole", "ret %d", ret);
}

static void
test_parse_ipv4_frag(void)
{
	struct hyp_pkt_meta m;
	struct frame f;
	uint32_t ip;
	int ret;

	pkt_eth(&f, 0x0800);
	ip = pkt_ip4(&f, IP_UDP, v4a, v4b, 5, 0x2000);	/* MF, offset 0 */
	pkt_udp(&f, 7000, 53, 3000, 64);
	pkt_ip4_end(&f, ip);
	ret = parse(&f, f.len, &m);
	tap(ret == 0 && !m.is_fragment && m.sport == 7000 &&
	    m.dport == 53 && m.payload_len == 64,
	    "IPv4 first fragment: ports, payload as carried",
	    "ret %d frag %u payload %u", ret, m.is_fragment, m.payload_len);

	pkt_eth(&f, 0x0800);
	ip = pkt_ip4(&f, IP_UDP, v4a, v4b, 5, 185);		/* offset 1480 */
	pkt_fill(&f, 0x55, 100);
	pkt_ip4_end(&f, ip);
	ret = parse(&f, f.len, &m);
	tap(ret == 0 && m.is_fragment && m.proto == IP_UDP && m.sport == 0 &&
	    m.dport == 0 && m.payload_len == 0 && m.l4_off == 34,
	    "IPv4 later fragment: is_fragment, no ports, no payload",
	    "ret %d frag %u ports %u/%u payload %u", ret, m.is_fragment,
	    m.sport, m.dport, m.payload_len);

	pkt_eth(&f, 0x0800);
	ip = pkt_ip4(&f, IP_UDP, v4a, v4b, 5, 0x1fff);	/* offset 65528 */
	pkt_fill(&f, 0x55, 16);
	pkt_ip4_end(&f, ip);
	ret = parse(&f, f.len, &m);
	tap(ret == -EINVAL, "IPv4 fragment past 65535 bytes: -EINVAL",
	    "ret %d", ret);
}

/*
 * Every frame of the shared table (test/frames.c), good and hostile: the
 * verdict the slow path owes it. test_xdp_parsers runs the same table
 * through the XDP program too, as root.
 */
/* the fragment shortcut on the frames every other test parses, and its own cases */
static void
test_maybe_fragment(void)
{
	struct frame f;
	uint32_t ip;

	pkt_eth(&f, 0x0800);
	ip = pkt_ip4(&f, IP_UDP, v4a, v4b, 5, 0x4000);	/* DF: whole */
	pkt_udp(&f, 7000, 53, 30, 8);
	pkt_ip4_end(&f, ip);
	tap(!hyp_flow_maybe_fragment(f.b, f.len), "maybe_fragment: IPv4 with DF is none", NULL);
	pkt_eth(&f, 0x0800);
	ip = pkt_ip4(&f, IP_UDP, v4a, v4b, 5, 0x2000);	/* MF */
	pkt_udp(&f, 7000, 53, 30, 8);
	pkt_ip4_end(&f, ip);
	tap(hyp_flow_maybe_fragment(f.b, f.len), "maybe_fragment: IPv4 MF may be", NULL);
	pkt_eth(&f, 0x0800);
	ip = pkt_ip4(&f, IP_UDP, v4a, v4b, 5, 0x0001);	/* an offset, no MF */
	pkt_fill(&f, 0x55, 16);
	pkt_ip4_end(&f, ip);
	tap(hyp_flow_maybe_fragment(f.b, f.len), "maybe_fragment: IPv4 last fragment may be", NULL);
	tap(hyp_flow_maybe_fragment(f.b, 14 + 19), "maybe_fragment: a truncated IPv4 header: parse decides",
	    NULL);
	pkt_eth(&f, 0x0806);
	pkt_fill(&f, 0, 28);
	tap(!hyp_flow_maybe_fragment(f.b, f.len), "maybe_fragment: ARP is none", NULL);
	tap(n_parsed > 50 && n_frag_missed == 0,
	    "maybe_fragment: true for every fragment of every frame parsed so far",
	    "%u of %u frames: a fragment it called none", n_frag_missed, n_parsed);
}

static void
test_parse_table(void)
{
	struct hyp_pkt_meta m;
	struct frame f;
	unsigned int i;
	int ret, want;

	for (i = 0; i < n_frame_cases; i++) {
		const struct frame_case *c = &frame_cases[i];

		memset(&f, 0, sizeof(f));
		c->build(&f);
		want = frame_slow_want(c);
		ret = parse(&f, f.len, &m);
		tap(ret == want, c->name, "hyp_flow_parse %d, want %d", ret,
		    want);
	}
	tap(hyp_flow_parse(NULL, 100, &m) == -EINVAL,
	    "NULL frame: -EINVAL", NULL);
}

/* xorshift: reproducible, no libc state */
static uint32_t
rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void
test_parse_hostile(void)
{
	struct hyp_pkt_meta m;
	struct frame base[4], f;
	unsigned int i, bad = 0, ok = 0, k;
	uint32_t len, s = 0x1234567;
	uint32_t ip;

	build_ipv4_tcp(&base[0]);
	pkt_eth(&base[1], 0x88a8);
	pkt_vlan(&base[1], 1, 0x8100);
	pkt_vlan(&base[1], 2, 0x86dd);
	ip = pkt_ip6(&base[1], 0, v6a, v6b);
	pkt_ext6(&base[1], 44, 1);
	pkt_frag6(&base[1], 51, 0, true);
	pkt_ah6(&base[1], IP_UDP, 2);
	pkt_udp(&base[1], 53, 53, 0, 30);
	pkt_ip6_end(&base[1], ip);
	pkt_eth(&base[2], 0x0800);
	ip = pkt_ip4(&base[2], IP_UDP, v4a, v4b, 9, 0);
	pkt_udp(&base[2], 9, 9, 0, 40);
	pkt_ip4_end(&base[2], ip);
	pkt_eth(&base[3], 0x86dd);
	ip = pkt_ip6(&base[3], IP_TCP, v6a, v6b);
	pkt_tcp(&base[3], 1, 2, 15, 10);
	pkt_ip6_end(&base[3], ip);

	/* every truncation of valid frames */
	for (k = 0; k < 4; k++) {
		if (parse(&base[k], base[k].len, &m) != 0 ||
		    !meta_sane(&m, base[k].len))
			bad++;
		for (len = 0; len < base[k].len; len++) {
			int ret = parse(&base[k], len, &m);

			if (ret == 0 && !meta_sane(&m, len))
				bad++;
		}
	}
	tap(bad == 0, "every truncation: error or in-bounds result",
	    "%u bad", bad);

	/* random byte flips: never out of bounds */
	bad = 0;
	for (i = 0; i < 50000; i++) {
		unsigned int flips = 1 + rnd(&s) % 4, j;

		f = base[i % 4];
		for (j = 0; j < flips; j++)
			f.b[rnd(&s) % f.len] = (uint8_t)rnd(&s);
		len = f.len - rnd(&s) % 8;
		if (parse(&f, len, &m) == 0) {
			ok++;
			if (!meta_sane(&m, len))
				bad++;
		}
	}
	tap(bad == 0 && ok > 0, "50000 mutated frames: results in bounds",
	    "%u bad, %u parsed", bad, ok);
}

/* normalization */

static void
meta_of(struct hyp_pkt_meta *m, int family, const uint8_t *src,
	const uint8_t *dst, uint16_t sport, uint16_t dport, uint8_t proto)
{
	static const uint8_t pfx[12] = { [10] = 0xff, [11] = 0xff };

	memset(m, 0, sizeof(*m));
	m->family = (uint8_t)family;
	m->proto = proto;
	m->sport = sport;
	m->dport = dport;
	if (family == 4) {
		memcpy(m->src, pfx, 12);
		memcpy(m->src + 12, src, 4);
		memcpy(m->dst, pfx, 12);
		memcpy(m->dst + 12, dst, 4);
	} else {
		memcpy(m->src, src, 16);
		memcpy(m->dst, dst, 16);
	}
}

/* a flow a spoofing attacker can send: source ::ffff:10.x.y.z, port p, to 198.18.0.2:53 */
static void
attacker_key(struct hyp_flow5 *k, uint32_t src, uint16_t port)
{
	memset(k, 0, sizeof(*k));
	k->addr_a[10] = k->addr_b[10] = 0xff;
	k->addr_a[11] = k->addr_b[11] = 0xff;
	k->addr_a[12] = 10;
	k->addr_a[13] = (uint8_t)(src >> 16);
	k->addr_a[14] = (uint8_t)(src >> 8);
	k->addr_a[15] = (uint8_t)src;
	memcpy(k->addr_b + 12, v4b, 4);
	k->port_a = port;
	k->port_b = 53;
	k->proto = IP_UDP;
	k->family = 4;
}

/*
 * rte_hash_crc() over a key as the table hashed it before: through a copy
 * in words, since the inline CRC reads its argument as uint64_t (a key
 * read that way in place was seen to hash as if unwritten at -O2).
 */
static uint32_t
crc_of(const struct hyp_flow5 *k, uint32_t seed)
{
	uint64_t w[sizeof(*k) / sizeof(uint64_t)];

	memcpy(w, k, sizeof(w));
	return rte_hash_crc(w, sizeof(w), seed);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

#define CRC_SEARCH	(1u << 18)

/*
 * Two attacker keys with one CRC32-C under seed 0, by the birthday bound
 * over 2^18 random (source, port) pairs (about 8 expected; the search is
 * seeded, so the same each run). A CRC is linear: their
 * difference has a zero CRC, so they collide under every seed.
 */
static bool
crc_twins(struct hyp_flow5 *a, struct hyp_flow5 *b, unsigned int round)
{
	uint64_t *v = malloc(CRC_SEARCH * sizeof(*v));
	uint32_t *src = malloc(CRC_SEARCH * sizeof(*src));
	uint16_t *port = malloc(CRC_SEARCH * sizeof(*port));
	uint64_t x = 0x9e3779b97f4a7c15ull * (round + 1);
	bool found = false;
	unsigned int i;

	for (i = 0; v != NULL && src != NULL && port != NULL && i < CRC_SEARCH; i++) {
		struct hyp_flow5 k;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		src[i] = (uint32_t)x & 0xffffff;
		port[i] = (uint16_t)(x >> 40);
		attacker_key(&k, src[i], port[i]);
		v[i] = (uint64_t)crc_of(&k, 0) << 32 | i;
	}
	if (i == CRC_SEARCH) {
		qsort(v, CRC_SEARCH, sizeof(*v), cmp_u64);
		for (i = 1; i < CRC_SEARCH && !found; i++) {
			uint32_t p = (uint32_t)v[i - 1], q = (uint32_t)v[i];

			if (v[i] >> 32 != v[i - 1] >> 32 || (src[p] == src[q] && port[p] == port[q]))
				continue;
			attacker_key(a, src[p], port[p]);
			attacker_key(b, src[q], port[q]);
			found = true;
		}
	}
	free(v);
	free(src);
	free(port);
	return found;
}

/*
 * The flow hash against an attacker who spoofs: keys built to collide
 * under CRC32-C for every seed (what rte_hash_crc gave the table before)
 * spread under hyp_flow5_hash, whose collisions depend on its secret.
 */
static void
test_hash_collisions(void)
{
	struct hyp_flow5 d[6][2], fam[64];
	uint32_t hs[64];
	unsigned int i, j, n_d = 0, crc_same = 0, distinct = 0;
	bool all_seeds = true;

	for (i = 0; i < 6; i++)
		n_d += crc_twins(&d[i][0], &d[i][1], i);
	for (i = 0; i < n_d; i++)
		for (j = 0; j < 4; j++) {
			uint32_t seed = (uint32_t)rte_rand();

			all_seeds &= crc_of(&d[i][0], seed) == crc_of(&d[i][1], seed);
		}
	tap(n_d == 6 && all_seeds,
	    "CRC32-C: 6 pairs of spoofable flows that collide under any seed (birthday search)",
	    "found %u", n_d);
	/* every sum of the six differences: 64 keys, one CRC for any seed */
	for (i = 0; i < 64; i++) {
		uint8_t *f = (uint8_t *)&fam[i];

		fam[i] = d[0][0];
		for (j = 0; j < 6 && n_d == 6; j++) {
			const uint8_t *p = (const uint8_t *)&d[j][0], *q = (const uint8_t *)&d[j][1];
			unsigned int b;

			if (!(i & (1u << j)))
				continue;
			for (b = 0; b < sizeof(fam[i]); b++)
				f[b] ^= p[b] ^ q[b];
		}
		crc_same += crc_of(&fam[i], 12345) == crc_of(&fam[0], 12345);
		hs[i] = hyp_flow5_hash(&fam[i]);
	}
	for (i = 0; i < 64; i++) {
		for (j = 0; j < i && hs[j] != hs[i]; j++)
			;
		distinct += j == i;
	}
	tap(crc_same == 64 && distinct == 64,
	    "64 flows with one CRC for every seed get 64 flow hashes",
	    "crc_same %u distinct %u", crc_same, distinct);
}

static void
test_normalize(void)
{
	struct hyp_pkt_meta fwd, rev, m6;
	struct hyp_flow5 kf, kr, k6, kp;
	static const uint8_t pad_zero[sizeof(((struct hyp_flow5 *)0)->pad)];
	uint8_t mapped_a[16] = { [10] = 0xff, [11] = 0xff };
	uint8_t mapped_b[16] = { [10] = 0xff, [11] = 0xff };
	int df, dr;

	meta_of(&fwd, 4, v4b, v4a, 43000, 53, IP_UDP);
	meta_of(&rev, 4, v4a, v4b, 53, 43000, IP_UDP);
	memset(&kf, 0xff, sizeof(kf));
	df = hyp_flow5_from_meta(&fwd, &kf);
	dr = hyp_flow5_from_meta(&rev, &kr);
	tap(memcmp(&kf, &kr, sizeof(kf)) == 0 &&
	    hyp_flow5_hash(&kf) == hyp_flow5_hash(&kr),
	    "A->B and B->A: same key, same hash", NULL);
	tap(df == 1 && dr == 0, "A->B and B->A: opposite directions",
	    "fwd %d rev %d", df, dr);
	tap(kf.port_a == 53 && kf.port_b == 43000 &&
	    kf.addr_a[15] == 1 && kf.addr_b[15] == 2 &&
	    memcmp(kf.pad, pad_zero, sizeof(pad_zero)) == 0 && kf.family == 4 &&
	    kf.proto == IP_UDP,
	    "side A is the lower address; padding zeroed", NULL);
	{
		/*
		 * Lower by the first byte that differs, as memcmp() orders:
		 * 10.0.0.2 < 11.0.0.1, though 2 > 1 in the last byte (a word
		 * compare in host order would say the opposite).
		 */
		static const uint8_t lo[4] = { 10, 0, 0, 2 }, hi[4] = { 11, 0, 0, 1 };
		struct hyp_pkt_meta mo;
		struct hyp_flow5 ko;

		meta_of(&mo, 4, hi, lo, 1000, 2000, IP_UDP);
		tap(hyp_flow5_from_meta(&mo, &ko) == 1 && ko.addr_a[12] == 10 && ko.port_a == 2000,
		    "side A by the first differing byte: 10.0.0.2 below 11.0.0.1", NULL);
	}

	/* the same bytes as IPv6 addresses: still a different flow */
	memcpy(mapped_a + 12, v4a, 4);
	memcpy(mapped_b + 12, v4b, 4);
	meta_of(&m6, 6, mapped_b, mapped_a, 43000, 53, IP_UDP);
	hyp_flow5_from_meta(&m6, &k6);
	tap(memcmp(&kf, &k6, sizeof(kf)) != 0,
	    "IPv4 and IPv6 with the same address bytes differ", NULL);

	meta_of(&fwd, 6, v6a, v6b, 1000, 80, IP_TCP);
	hyp_flow5_from_meta(&fwd, &kf);
	meta_of(&fwd, 6, v6a, v6b, 1001, 80, IP_TCP);
	hyp_flow5_from_meta(&fwd, &kp);
	tap(memcmp(&kf, &kp, sizeof(kf)) != 0 &&
	    hyp_flow5_hash(&kf) != hyp_flow5_hash(&kp),
	    "same addresses, different ports: different key and hash", NULL);

	meta_of(&fwd, 6, v6a, v6b, 1000, 80, IP_UDP);
	hyp_flow5_from_meta(&fwd, &kp);
	tap(memcmp(&kf, &kp, sizeof(kf)) != 0,
	    "same endpoints, different protocol: different key", NULL);

	/* one address on both sides: the port decides */
	meta_of(&fwd, 6, v6a, v6a, 9000, 80, IP_TCP);
	meta_of(&rev, 6, v6a, v6a, 80, 9000, IP_TCP);
	df = hyp_flow5_from_meta(&fwd, &kf);
	dr = hyp_flow5_from_meta(&rev, &kr);
	tap(memcmp(&kf, &kr, sizeof(kf)) == 0 && df == 1 && dr == 0 &&
	    kf.port_a == 80,
	    "same address both ends: lower port is side A", NULL);
}

/* table */

static void
flow_n(struct hyp_flow5 *k, uint32_t n)
{
	struct hyp_pkt_meta m;
	uint8_t src[4] = { 10, (uint8_t)(n >> 16), (uint8_t)(n >> 8),
			   (uint8_t)n };

	meta_of(&m, 4, src, v4b, (uint16_t)(1024 + n % 50000), 443, IP_TCP);
	hyp_flow5_from_meta(&m, k);
}

static struct hyp_flow_entry *
get_n(struct hyp_flow_table *t, uint32_t n, uint64_t now)
{
	struct hyp_flow5 k;

	flow_n(&k, n);
	return hyp_flow_lookup_or_add(t, &k, hyp_flow5_hash(&k), now);
}

/* the burst's prefetch: found or not, over 64 at a time, it changes nothing */
static void
test_table_prefetch(void)
{
	struct hyp_flow5 k[150];
	const struct hyp_flow5 *kp[150];
	uint32_t h[150];
	struct hyp_flow_entry *before[100], *e;
	struct hyp_flow_table *t = hyp_flow_table_create("tf_prefetch", 1024, SOCKET_ID_ANY);
	unsigned int i, bad = 0;
	int32_t pos[150];
	uint64_t stamp;

	if (t == NULL) {
		tap(false, "prefetch: table", "rte_errno %d", rte_errno);
		return;
	}
	for (i = 0; i < 100; i++) {
		before[i] = get_n(t, i, 10);
		before[i]->packets[0] = i;
	}
	/* 100 known flows and 50 unknown ones: three bulk calls */
	for (i = 0; i < 150; i++) {
		flow_n(&k[i], i);
		kp[i] = &k[i];
		h[i] = hyp_flow5_hash(&k[i]);
	}
	stamp = hyp_flow_prefetch(t, kp, h, 150, pos);
	hyp_flow_prefetch(t, kp, h, 0, pos);
	for (i = 0; i < 100; i++)
		if (get_n(t, i, 20) != before[i] || before[i]->packets[0] != i ||
		    before[i]->first_tsc != 10)
			bad++;
	tap(bad == 0 && hyp_flow_table_count(t) == 100,
	    "prefetch of 100 known and 50 unknown flows adds, moves and changes none",
	    "bad %u count %u", bad, hyp_flow_table_count(t));
	for (i = 0, bad = 0; i < 150; i++)
		if ((i < 100) != (pos[i] >= 0))
			bad++;
	for (i = 0; i < 100; i++)
		if (hyp_flow_lookup_or_add_hinted(t, &k[i], h[i], pos[i], stamp, 30) != before[i] ||
		    before[i]->last_tsc != 30)
			bad++;
	/* an unknown flow's hint: added once, then found by the second packet */
	e = hyp_flow_lookup_or_add_hinted(t, &k[120], h[120], pos[120], stamp, 30);
	if (e == NULL || e->first_tsc != 30 ||
	    hyp_flow_lookup_or_add_hinted(t, &k[120], h[120], pos[120], stamp, 31) != e)
		bad++;
	tap(bad == 0 && hyp_flow_table_count(t) == 101,
	    "prefetch hints: the known flows' entries, an unknown one added once", "bad %u", bad);

	/*
	 * Flow 5 expires and the table fills up, so its position holds another
	 * flow: the old hint, under the old stamp, must not hand that flow out.
	 */
	for (i = 0; i < 150; i++)
		if (i != 5)
			get_n(t, i, 1000);
	hyp_flow_table_expire(t, 1000, 500, 1024);
	for (i = 1000; hyp_flow_table_count(t) < hyp_flow_table_capacity(t); i++)
		get_n(t, i, 1000);
	e = hyp_flow_lookup_or_add_hinted(t, &k[5], h[5], pos[5], stamp, 2000);
	tap(e != NULL && memcmp(&e->key, &k[5], sizeof(k[5])) == 0 && e->first_tsc == 2000,
	    "a hint made before a removal is not trusted: the flow is looked up again",
	    "entry %p", (void *)e);
	hyp_flow_table_free(t);
}

/* how many of flows [from, from + n) the table holds under hash h(i), by prefetch */
static unsigned int
held(struct hyp_flow_table *t, uint32_t from, unsigned int n, uint32_t (*h)(uint32_t))
{
	struct hyp_flow5 k[64];
	const struct hyp_flow5 *kp[64];
	uint32_t hs[64];
	int32_t pos[64];
	unsigned int i, found = 0;

	for (i = 0; i < n && i < 64; i++) {
		flow_n(&k[i], from + i);
		kp[i] = &k[i];
		hs[i] = h(from + i);
	}
	hyp_flow_prefetch(t, kp, hs, i, pos);
	while (i-- > 0)
		found += pos[i] >= 0;
	return found;
}

/* three hashes that share a home bucket in any table of 16 buckets or fewer */
static uint32_t
chain_hash(uint32_t i)
{
	return (i % 3) * 16 + 5;
}

static uint32_t
spread_hash(uint32_t i)
{
	struct hyp_flow5 k;

	flow_n(&k, i);
	return hyp_flow5_hash(&k);
}

static struct hyp_flow_entry *
get_h(struct hyp_flow_table *t, uint32_t n, uint32_t hash, uint64_t now)
{
	struct hyp_flow5 k;

	flow_n(&k, n);
	return hyp_flow_lookup_or_add(t, &k, hash, now);
}

/*
 * Flows whose hashes all lead to one bucket (as if an attacker knew the
 * seed): they chain into the buckets after it, three signatures for 64
 * keys. Every flow stays findable through removals from the middle of the
 * chain, re-adds and evictions, and a table emptied of them holds spread
 * flows as before.
 */
static void
test_table_chains(void)
{
	struct hyp_flow_table *t = hyp_flow_table_create("tf_chain", 64, SOCKET_ID_ANY);
	struct hyp_flow_entry *first[64];
	unsigned int i, bad = 0;

	if (t == NULL) {
		tap(false, "chains: table", "rte_errno %d", rte_errno);
		return;
	}
	for (i = 0; i < 64; i++)
		first[i] = get_h(t, i, chain_hash(i), 10);
	for (i = 0; i < 64; i++)
		if (first[i] == NULL || get_h(t, i, chain_hash(i), i % 2 ? 10 : 1000) != first[i])
			bad++;
	tap(bad == 0 && hyp_flow_table_count(t) == 64 && held(t, 0, 64, chain_hash) == 64,
	    "64 flows on one home bucket: each found where it was added", "bad %u count %u",
	    bad, hyp_flow_table_count(t));

	/* the odd ones expire: holes all along the chain */
	hyp_flow_table_expire(t, 1000, 500, 64);
	for (i = 0, bad = 0; i < 64; i += 2)
		if (get_h(t, i, chain_hash(i), 1000) != first[i])
			bad++;
	tap(bad == 0 && hyp_flow_table_count(t) == 32 && held(t, 0, 64, chain_hash) == 32,
	    "removals from the middle of a chain: the flows past them are still found",
	    "bad %u count %u held %u", bad, hyp_flow_table_count(t), held(t, 0, 64, chain_hash));
	for (i = 1, bad = 0; i < 64; i += 2) {
		struct hyp_flow_entry *e = get_h(t, i, chain_hash(i), 2000);

		if (e == NULL || e->first_tsc != 2000 || get_h(t, i, chain_hash(i), 2001) != e)
			bad++;
	}
	tap(bad == 0 && hyp_flow_table_count(t) == 64 && held(t, 0, 64, chain_hash) == 64,
	    "the removed flows come back once each, into the holes", "bad %u count %u", bad,
	    hyp_flow_table_count(t));

	/* full: 32 new chained flows evict 32 of the old ones, the rest stay */
	for (i = 100, bad = 0; i < 132; i++)
		if (get_h(t, i, chain_hash(i), 3000) == NULL)
			bad++;
	tap(bad == 0 && hyp_flow_table_count(t) == 64 &&
	    held(t, 100, 32, chain_hash) == 32 && held(t, 0, 64, chain_hash) == 32,
	    "evictions on a full chain: every flow kept is found, none twice",
	    "bad %u count %u old %u new %u", bad, hyp_flow_table_count(t),
	    held(t, 0, 64, chain_hash), held(t, 100, 32, chain_hash));

	/* emptied, the buckets take spread flows as a new table would */
	hyp_flow_table_expire(t, 1u << 20, 1, 64);
	for (i = 0, bad = 0; i < 64; i++)
		if (get_h(t, 200 + i, spread_hash(200 + i), 5000) == NULL)
			bad++;
	tap(bad == 0 && hyp_flow_table_count(t) == 64 && held(t, 200, 64, spread_hash) == 64 &&
	    held(t, 0, 64, chain_hash) == 0,
	    "a table emptied of a chain holds spread flows, and none of the chain",
	    "bad %u count %u", bad, hyp_flow_table_count(t));
	hyp_flow_table_free(t);
}

static void
test_table_basic(void)
{
	struct hyp_flow_entry *e, *e2;
	struct hyp_flow_table *t;
	unsigned int i, bad = 0;
	char longname[64];

	t = hyp_flow_table_create("tf_basic", 64, SOCKET_ID_ANY);
	tap(t != NULL && hyp_flow_table_count(t) == 0 &&
	    hyp_flow_table_capacity(t) == 64, "create: empty, capacity 64",
	    "rte_errno %d", rte_errno);
	if (t == NULL)
		return;

	for (i = 0; i < 10; i++) {
		e = get_n(t, i, 100 + i);
		if (e == NULL || e->first_tsc != 100 + i ||
		    e->verdict != HYP_FLOW_VERDICT_NONE ||
		    e->packets[0] != 0 || e->bytes[1] != 0)
			bad++;
		else
			e->packets[0] = i;
	}
	tap(bad == 0 && hyp_flow_table_count(t) == 10,
	    "ten new flows: zeroed entries, count 10", "bad %u count %u",
	    bad, hyp_flow_table_count(t));

	e = get_n(t, 3, 500);
	e2 = get_n(t, 3, 600);
	tap(e != NULL && e == e2 && e->packets[0] == 3 &&
	    e->first_tsc == 103 && e->last_tsc == 600 &&
	    hyp_flow_table_count(t) == 10,
	    "lookup finds the same entry, refreshes last_tsc only", NULL);

	{
		struct hyp_pkt_meta m;
		struct hyp_flow5 k;

		/* reverse direction of flow 3 */
		meta_of(&m, 4, v4b, (const uint8_t[]){ 10, 0, 0, 3 }, 443,
			1024 + 3, IP_TCP);
		hyp_flow5_from_meta(&m, &k);
		e2 = hyp_flow_lookup_or_add(t, &k, hyp_flow5_hash(&k), 700);
		tap(e2 == e && hyp_flow_table_count(t) == 10,
		    "the reply direction finds the same entry", NULL);
	}

	tap(hyp_flow_table_create("tf_basic", 64, SOCKET_ID_ANY) == NULL &&
	    rte_errno == EEXIST, "duplicate name refused (EEXIST)",
	    "rte_errno %d", rte_errno);
	memset(longname, 'x', sizeof(longname) - 1);
	longname[HYP_FLOW_NAME_MAX + 1] = '\0';
	tap(hyp_flow_table_create(longname, 64, SOCKET_ID_ANY) == NULL &&
	    rte_errno == EINVAL, "name too long refused (EINVAL)",
	    "rte_errno %d", rte_errno);
	tap(hyp_flow_table_create("tf_small", 4, SOCKET_ID_ANY) == NULL &&
	    rte_errno == EINVAL, "4 entries refused (EINVAL)",
	    "rte_errno %d", rte_errno);
	hyp_flow_table_free(t);
	hyp_flow_table_free(NULL);
}

static void
test_table_full_expire(void)
{
	struct hyp_flow_table *t;
	struct hyp_flow_entry *e;
	unsigned int i, bad = 0, removed, calls, total;
	const uint32_t cap = 64;

	t = hyp_flow_table_create("tf_full", cap, SOCKET_ID_ANY);
	if (t == NULL) {
		tap(false, "create tf_full", "rte_errno %d", rte_errno);
		return;
	}
	for (i = 0; i < cap; i++)
		if (get_n(t, i, 100) == NULL)
			bad++;
	tap(bad == 0 && hyp_flow_table_count(t) == cap,
	    "exactly capacity flows fit", "%u refused, count %u", bad,
	    hyp_flow_table_count(t));
	e = get_n(t, 5, 100);
	tap(e != NULL && e->first_tsc == 100,
	    "full table: existing flows still found", NULL);

	/* even flows active at 1000, odd ones idle since 100 */
	for (i = 0; i < cap; i += 2)
		get_n(t, i, 1000);
	removed = hyp_flow_table_expire(t, 1100, 500, 10);
	tap(removed <= 10 && removed > 0,
	    "expire examines at most budget slots", "removed %u", removed);
	total = removed;
	for (calls = 1; calls < 100 && total < cap / 2; calls++)
		total += hyp_flow_table_expire(t, 1100, 500, 10);
	tap(total == cap / 2 && hyp_flow_table_count(t) == cap / 2 &&
	    calls <= (cap + 9) / 10 + 1,
	    "incremental sweep removes every idle flow, resuming",
	    "total %u calls %u count %u", total, calls,
	    hyp_flow_table_count(t));

	bad = 0;
	for (i = 0; i < cap; i += 2) {
		e = get_n(t, i, 1100);
		if (e == NULL || e->first_tsc != 100)
			bad++;
	}
	tap(bad == 0 && hyp_flow_table_count(t) == cap / 2,
	    "active flows kept", "%u lost", bad);

	tap(hyp_flow_table_expire(t, 1100, 500, 1000) == 0,
	    "nothing idle: nothing removed", NULL);
	tap(hyp_flow_table_expire(t, 50, 0, 1000) == 0,
	    "clock behind last_tsc: nothing removed", NULL);

	bad = 0;
	for (i = 0; i < cap / 2; i++)
		if (get_n(t, 1000 + i, 1200) == NULL)
			bad++;
	{
		struct hyp_flow_table_stats fs;

		hyp_flow_table_get_stats(t, &fs);
		tap(bad == 0 && hyp_flow_table_count(t) == cap &&
		    fs.evicted[0] + fs.evicted[1] + fs.evicted[2] == 0,
		    "expiry frees room for exactly as many new flows, none evicted",
		    "%u refused", bad);
		tap(get_n(t, 5000, 1200) != NULL && hyp_flow_table_count(t) == cap,
		    "one more evicts one: the count stays at capacity", NULL);
	}

	removed = hyp_flow_table_expire(t, 1000000, 1, cap);
	tap(removed == cap && hyp_flow_table_count(t) == 0,
	    "one full sweep empties an idle table", "removed %u", removed);
	hyp_flow_table_free(t);
}

/*
 * The sweep's budget is exact: in a full table of idle flows every slot it
 * examines holds a flow to remove, so removed == budget, call after call,
 * until the remainder.
 */
static void
test_table_expire_budget(void)
{
	const uint32_t cap = 64, budget = 10;
	struct hyp_flow_table *t;
	unsigned int i, calls = 0, removed, exact = 0, left = cap;

	t = hyp_flow_table_create("tf_budget", cap, SOCKET_ID_ANY);
	if (t == NULL) {
		tap(false, "create tf_budget", "rte_errno %d", rte_errno);
		return;
	}
	for (i = 0; i < cap; i++)
		get_n(t, i, 100);
	removed = hyp_flow_table_expire(t, 1000, 500, budget);
	tap(removed == budget && hyp_flow_table_count(t) == cap - budget,
	    "expire examines exactly budget slots (all idle: removes 10 of 64)",
	    "removed %u, count %u", removed, hyp_flow_table_count(t));
	left -= removed;
	while (left > 0 && calls < 2 * cap) {
		removed = hyp_flow_table_expire(t, 1000, 500, budget);
		calls++;
		if (removed == RTE_MIN(budget, left))
			exact++;
		left -= RTE_MIN(removed, left);
	}
	/* 54 more: five calls of 10, one of 4 */
	tap(calls == (cap - budget + budget - 1) / budget && exact == calls &&
	    hyp_flow_table_count(t) == 0,
	    "each later call removes exactly budget, resuming where the last stopped",
	    "%u calls, %u exact, count %u", calls, exact, hyp_flow_table_count(t));
	tap(hyp_flow_table_expire(t, 1000, 500, budget) == 0,
	    "an empty table: nothing removed", NULL);
	hyp_flow_table_free(t);
}

static void
test_table_big(void)
{
	const uint32_t cap = 65536;
	struct hyp_flow_table *t;
	unsigned int i, bad = 0;

	t = hyp_flow_table_create("tf_big", cap, SOCKET_ID_ANY);
	if (t == NULL) {
		tap(false, "65536-flow table fills exactly", "create: %d",
		    rte_errno);
		return;
	}
	for (i = 0; i < cap; i++)
		if (get_n(t, i, 1) == NULL)
			bad++;
	tap(bad == 0 && hyp_flow_table_count(t) == cap, "65536-flow table fills exactly",
	    "%u refused", bad);
	{
		struct hyp_flow_table_stats fs;

		tap(get_n(t, cap, 2) != NULL && hyp_flow_table_count(t) == cap,
		    "the 65537th flow evicts one", NULL);
		hyp_flow_table_get_stats(t, &fs);
		tap(fs.added == cap + 1 && fs.evicted[0] == 1 && fs.full == 0,
		    "counted: 65537 added, 1 evicted, none refused",
		    "added %llu evicted %llu full %llu", (unsigned long long)fs.added,
		    (unsigned long long)fs.evicted[0], (unsigned long long)fs.full);
	}
	hyp_flow_table_free(t);
}

/*
 * Eviction from a full table: of a sample (here the whole table, its size
 * is the sample's), flows without a verdict and not established go first,
 * the longest idle of them; then established ones; flows with a verdict
 * last. A flood of spoofed SYNs evicts its own kind, not the cached drops.
 */
static void
test_table_evict(void)
{
	const uint32_t cap = 32;
	struct hyp_flow_table *t;
	struct hyp_flow_table_stats fs;
	struct hyp_flow_entry *e;
	unsigned int i, kept = 0;

	t = hyp_flow_table_create("tf_evict", cap, SOCKET_ID_ANY);
	if (t == NULL) {
		tap(false, "create tf_evict", "rte_errno %d", rte_errno);
		return;
	}
	for (i = 0; i < cap; i++) {
		e = get_n(t, i, 100);
		if (e == NULL)
			continue;
		if (i == 3) {
			e->verdict = 1;		/* a cached verdict */
		} else if (i == 4) {
			/* both ways (UDP), the handshake seen (TCP) */
			e->packets[0] = e->packets[1] = 1;
			e->tcp_hs = HYP_FLOW_HS_DONE;
		} else if (i == 5) {
			e->last_tsc = 50;	/* the longest idle */
		}
	}
	e = get_n(t, 100, 200);
	hyp_flow_table_get_stats(t, &fs);
	tap(e != NULL && hyp_flow_table_count(t) == cap && fs.evicted[0] == 1,
	    "a new flow in a full table evicts one without a verdict", NULL);
	e = get_n(t, 5, 300);
	tap(e != NULL && e->first_tsc == 300, "the longest idle one went (flow 5 is new again)",
	    "first_tsc %llu", e ? (unsigned long long)e->first_tsc : 0ULL);
	/* make every flow but 3 (verdict) and 4 (established) verdict-less and idle */
	for (i = 0; i < 40; i++)
		get_n(t, 1000 + i, 400 + i);
	e = get_n(t, 3, 500);
	kept += e != NULL && e->first_tsc == 100;
	e = get_n(t, 4, 500);
	kept += e != NULL && e->first_tsc == 100;
	hyp_flow_table_get_stats(t, &fs);
	tap(kept == 2 && fs.evicted[1] == 0 && fs.evicted[2] == 0,
	    "41 new flows later the cached verdict and the established flow are still there",
	    "kept %u, evicted established %llu verdict %llu", kept,
	    (unsigned long long)fs.evicted[1], (unsigned long long)fs.evicted[2]);
	hyp_flow_table_free(t);

	/* only established flows and verdicts left: the established go first */
	t = hyp_flow_table_create("tf_evict2", cap, SOCKET_ID_ANY);
	if (t == NULL)
		return;
	for (i = 0; i < cap; i++) {
		e = get_n(t, i, 100);
		if (e != NULL && i == 0) {
			e->packets[0] = e->packets[1] = 1;
			e->tcp_hs = HYP_FLOW_HS_DONE;
		}
		else if (e != NULL)
			e->verdict = 1;
	}
	get_n(t, 100, 200);
	get_n(t, 101, 200);
	hyp_flow_table_get_stats(t, &fs);
	tap(fs.evicted[1] == 1 && fs.evicted[0] == 1 && fs.evicted[2] == 0,
	    "the established flow goes before verdicts; then the new flow; no verdict evicted",
	    "evicted %llu/%llu/%llu", (unsigned long long)fs.evicted[0],
	    (unsigned long long)fs.evicted[1], (unsigned long long)fs.evicted[2]);
	hyp_flow_table_free(t);
}

/* The sweep by time: capacity slots per period, bounded per call, the rest owed. */
static void
test_table_sweep(void)
{
	const uint32_t cap = 64;
	const uint64_t period = 6400;	/* 100 ticks a slot */
	struct hyp_flow_table *t;
	unsigned int i, r0, r1, r2, r3, r4;

	t = hyp_flow_table_create("tf_sweep", cap, SOCKET_ID_ANY);
	if (t == NULL) {
		tap(false, "create tf_sweep", "rte_errno %d", rte_errno);
		return;
	}
	for (i = 0; i < cap; i++)
		get_n(t, i, 1);
	r0 = hyp_flow_table_sweep(t, 10000, 10, period, 1000);	/* starts the clock */
	r1 = hyp_flow_table_sweep(t, 10050, 10, period, 1000);	/* half a slot owed */
	r2 = hyp_flow_table_sweep(t, 10000 + period / 2, 10, period, 1000);
	tap(r0 == 0 && r1 == 0 && r2 == cap / 2 && hyp_flow_table_count(t) == cap / 2,
	    "half a period sweeps half the table (idle flows: 32 removed)",
	    "%u %u %u", r0, r1, r2);
	r3 = hyp_flow_table_sweep(t, 10000 + period, 10, period, 8);
	r4 = hyp_flow_table_sweep(t, 10000 + period, 10, period, 8);
	tap(r3 == 8 && r4 == 8, "a call examines at most max_budget; what is left is owed",
	    "%u %u", r3, r4);
	while (hyp_flow_table_sweep(t, 10000 + period, 10, period, 8) != 0)
		;
	tap(hyp_flow_table_count(t) == 0, "the owed slots are paid: the table is empty",
	    "%u left", hyp_flow_table_count(t));
	tap(hyp_flow_table_sweep(t, 5, 10, period, 8) == 0,
	    "a clock that went back restarts the count", NULL);
	hyp_flow_table_free(t);
}

/* Who began a flow, and how far its handshake went (hyp_flow_note). */
static void
test_flow_note(void)
{
	struct hyp_flow_entry e;

	memset(&e, 0, sizeof(e));
	e.key.proto = 6;
	e.initiator = HYP_FLOW_DIR_UNKNOWN;
	hyp_flow_note(&e, 1, 6, HYP_TCP_SYN);
	tap(e.initiator == 1 && e.tcp_hs == HYP_FLOW_HS_SYN && !hyp_flow_established(&e),
	    "a SYN names its sender the initiator", NULL);
	hyp_flow_note(&e, 1, 6, HYP_TCP_ACK);
	tap(e.tcp_hs == HYP_FLOW_HS_SYN, "the initiator's ACK before a SYN-ACK proves nothing",
	    NULL);
	hyp_flow_note(&e, 0, 6, HYP_TCP_SYN | HYP_TCP_ACK);
	hyp_flow_note(&e, 1, 6, HYP_TCP_ACK);
	tap(e.tcp_hs == HYP_FLOW_HS_DONE && hyp_flow_established(&e),
	    "SYN, SYN-ACK, ACK: established", NULL);

	memset(&e, 0, sizeof(e));
	e.key.proto = 6;
	e.initiator = HYP_FLOW_DIR_UNKNOWN;
	hyp_flow_note(&e, 0, 6, HYP_TCP_SYN | HYP_TCP_ACK);
	tap(e.initiator == 1 && e.tcp_hs == 0,
	    "a SYN-ACK seen first: the other side began", NULL);
	hyp_flow_note(&e, 0, 6, HYP_TCP_ACK);
	hyp_flow_note(&e, 1, 6, HYP_TCP_ACK);
	tap(!hyp_flow_established(&e), "no SYN seen: never established by ACKs alone", NULL);

	memset(&e, 0, sizeof(e));
	e.key.proto = 6;
	e.initiator = HYP_FLOW_DIR_UNKNOWN;
	hyp_flow_note(&e, 0, 6, HYP_TCP_SYN);
	hyp_flow_note(&e, 0, 6, HYP_TCP_SYN | HYP_TCP_ACK);
	hyp_flow_note(&e, 0, 6, HYP_TCP_ACK);
	tap(!hyp_flow_established(&e), "a forger's own SYN-ACK (same side) establishes nothing",
	    NULL);

	memset(&e, 0, sizeof(e));
	e.key.proto = 17;
	e.initiator = HYP_FLOW_DIR_UNKNOWN;
	hyp_flow_note(&e, 0, 17, 0);
	e.packets[0] = 3;
	tap(e.initiator == 0 && !hyp_flow_established(&e), "UDP one way: not established",
	    NULL);
	e.packets[1] = 1;
	tap(hyp_flow_established(&e), "UDP both ways: established", NULL);
}

static void
test_table_top(void)
{
	struct hyp_flow_entry out[8];
	struct hyp_flow_table *t;
	struct hyp_flow_entry *e;
	unsigned int i;
	bool order = true;
	int n;

	t = hyp_flow_table_create("tf_top", 256, SOCKET_ID_ANY);
	if (t == NULL) {
		tap(false, "create tf_top", "rte_errno %d", rte_errno);
		return;
	}
	tap(hyp_flow_table_top(t, out, 5) == 0, "top of an empty table: 0",
	    NULL);

	/* scrambled sizes: flow i has (i * 37) % 200 * 10 + i % 3 bytes */
	for (i = 0; i < 200; i++) {
		e = get_n(t, i, 1);
		if (e == NULL)
			break;
		e->bytes[0] = (uint64_t)((i * 37) % 200) * 10;
		e->bytes[1] = i % 3 == 0 ? 0 : 1;
		e->packets[0] = i;
	}
	n = hyp_flow_table_top(t, out, 5);
	for (i = 1; i < 5 && n == 5; i++)
		if (out[i - 1].bytes[0] + out[i - 1].bytes[1] <
		    out[i].bytes[0] + out[i].bytes[1])
			order = false;
	tap(n == 5 && order && out[0].bytes[0] == 1990 &&
	    out[4].bytes[0] == 1950,
	    "top 5: the largest by total bytes, largest first",
	    "n %d first %lu last %lu", n,
	    n > 0 ? (unsigned long)out[0].bytes[0] : 0,
	    n > 4 ? (unsigned long)out[4].bytes[0] : 0);
	tap(n == 5 && (out[0].packets[0] * 37) % 200 == 199,
	    "top entries are copies of the right flows", NULL);

	hyp_flow_table_expire(t, 1000, 1, 256);
	for (i = 0; i < 3; i++) {
		e = get_n(t, i, 2000);
		if (e != NULL)
			e->bytes[1] = 100 * (i + 1);
	}
	n = hyp_flow_table_top(t, out, 8);
	tap(n == 3 && out[0].bytes[1] == 300 && out[2].bytes[1] == 100,
	    "n above the count: all flows, ordered", "n %d", n);
	tap(hyp_flow_table_top(t, out, 0) == 0 &&
	    hyp_flow_table_top(t, NULL, 3) == -EINVAL,
	    "n = 0 gives 0; NULL out gives -EINVAL", NULL);
	hyp_flow_table_free(t);
}

int
main(void)
{
	int ret = test_eal_init("test_flow");

	if (ret != 0)
		return ret;

	test_parse_ipv4();
	test_parse_vlan();
	test_parse_ipv6();
	test_parse_ipv4_frag();
	test_parse_table();
	test_parse_hostile();
	test_maybe_fragment();
	test_normalize();
	test_hash_collisions();
	test_table_basic();
	test_table_prefetch();
	test_table_chains();
	test_table_full_expire();
	test_table_evict();
	test_table_sweep();
	test_flow_note();
	test_table_expire_budget();
	test_table_big();
	test_table_top();

	printf("1..%u\n", test_no);
	test_eal_cleanup();
	return failed;
}
