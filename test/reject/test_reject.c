/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hyp_reject: the RST and ICMP unreachable answers, field by field, with
 * their checksums summed here independently of DPDK's helpers; what is
 * never answered (RSTs, ICMP errors, multicast, broadcast, unspecified
 * sources, later fragments); the size bounds (576, 1280); and 20,000
 * mutated frames, parsed and answered both ways, that must never write
 * past the answer's buffer. TAP.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hyp_reject.h"
#include "pkt_build.h"
#include "tap.h"

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* the one's complement sum of 16-bit words, folded */
static uint32_t
sum16(const uint8_t *p, size_t n, uint32_t s)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += be16(p + i);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

/* a valid L4 checksum sums to 0xffff with its pseudo header (none for ICMPv4) */
static bool
l4_ok(const uint8_t *ip, int family, uint8_t proto, const uint8_t *l4, size_t l4_len)
{
	uint8_t ph[40];
	uint32_t s;

	if (family == 4 && proto == IPPROTO_ICMP)
		return sum16(l4, l4_len, 0) == 0xffff;
	if (family == 4) {
		memcpy(ph, ip + 12, 8);
		ph[8] = 0;
		ph[9] = proto;
		ph[10] = (uint8_t)(l4_len >> 8);
		ph[11] = (uint8_t)l4_len;
		s = sum16(ph, 12, 0);
	} else {
		memcpy(ph, ip + 8, 32);
		memset(ph + 32, 0, 8);
		ph[34] = (uint8_t)(l4_len >> 8);
		ph[35] = (uint8_t)l4_len;
		ph[39] = proto;
		s = sum16(ph, 40, 0);
	}
	return sum16(l4, l4_len, s) == 0xffff;
}

static int
frame_of(const struct pkt_spec *s, struct frame *f, struct hyp_pkt_meta *m)
{
	if (pkt_build(s, f) != 0)
		return -1;
	return hyp_flow_parse(f->b, f->len, m);
}

#define SEQ 0x11223344u
#define ACK 0x55667788u

static void
test_rst(void)
{
	static const uint8_t flags[] = { 0x18 /* PA */, 0x02 /* S */, 0x11 /* FA */ };
	uint8_t out[HYP_REJECT_FRAME_MAX];
	struct hyp_pkt_meta m;
	struct frame f;
	unsigned int i, fam;

	for (fam = 4; fam <= 6; fam += 2)
		for (i = 0; i < sizeof(flags); i++) {
			struct pkt_spec s = { .family = (int)fam, .proto = IPPROTO_TCP,
					      .src = fam == 4 ? "198.18.0.1" : "2001:db8::1",
					      .dst = fam == 4 ? "198.18.1.2" : "2001:db8::2",
					      .sport = 40000, .dport = 80, .tcp_flags = flags[i],
					      .payload = 10 };
			uint32_t ipl = fam == 4 ? 20 : 40;
			const uint8_t *ip = out + 14, *t = out + 14 + ipl;
			bool has_ack = flags[i] & 0x10;
			uint32_t seg = 10 + !!(flags[i] & 0x02) + !!(flags[i] & 0x01);
			int n, k;

			if (frame_of(&s, &f, &m) != 0) {
				tap(false, "rst: frame", "family %u flags %#x", fam, flags[i]);
				continue;
			}
			put32(f.b + f.l4 + 4, SEQ);
			put32(f.b + f.l4 + 8, ACK);
			hyp_flow_parse(f.b, f.len, &m);
			n = hyp_reject_build(f.b, f.len, &m, HYP_REJECT_SRC, out, sizeof(out));
			tap(n == (int)(14 + ipl + 20) && memcmp(out, f.b + 6, 6) == 0 &&
			    memcmp(out + 6, f.b, 6) == 0 &&
			    memcmp(ip + (fam == 4 ? 12 : 8), f.b + f.l3 + (fam == 4 ? 16 : 24),
				   fam == 4 ? 4 : 16) == 0 &&
			    be16(t) == 80 && be16(t + 2) == 40000 &&
			    (has_ack ? be32(t + 4) == ACK && t[13] == 0x04 :
				       be32(t + 8) == SEQ + seg && t[13] == 0x14) &&
			    l4_ok(ip, (int)fam, IPPROTO_TCP, t, 20) &&
			    (fam == 6 || sum16(ip, 20, 0) == 0xffff),
			    "rst to the sender: addresses swapped, RFC 9293's seq/ack, checksums",
			    "family %u flags %#x: n %d flags %#x seq %#x ack %#x", fam, flags[i], n,
			    t[13], be32(t + 4), be32(t + 8));
			k = hyp_reject_build(f.b, f.len, &m, HYP_REJECT_DST, out, sizeof(out));
			tap(k == n && memcmp(out, f.b, 12) == 0 && be16(t) == 40000 &&
			    be16(t + 2) == 80 && be32(t + 4) == SEQ &&
			    t[13] == (has_ack ? 0x14 : 0x04) &&
			    l4_ok(ip, (int)fam, IPPROTO_TCP, t, 20),
			    "rst to the receiver: as the sender, at the dropped segment's seq",
			    "family %u flags %#x: %d flags %#x seq %#x", fam, flags[i], k, t[13],
			    be32(t + 4));
		}
}

static void
test_unreachable(void)
{
	uint8_t out[HYP_REJECT_FRAME_MAX];
	struct hyp_pkt_meta m;
	struct frame f;
	unsigned int fam;

	for (fam = 4; fam <= 6; fam += 2) {
		static const uint16_t sizes[] = { 12, 1400 };
		unsigned int i;

		for (i = 0; i < 2; i++) {
			struct pkt_spec s = { .family = (int)fam, .proto = IPPROTO_UDP,
					      .src = fam == 4 ? "198.18.0.1" : "2001:db8::1",
					      .dst = fam == 4 ? "198.18.1.2" : "2001:db8::2",
					      .sport = 40000, .dport = 5000, .payload = sizes[i] };
			uint32_t ipl = fam == 4 ? 20 : 40, dg, want;
			const uint8_t *ip = out + 14, *ic = out + 14 + ipl;
			int n;

			if (fam == 6) {
				s.ext[0] = 0;	/* hop-by-hop first: quoted as it came */
				s.n_ext = 1;
			}
			if (frame_of(&s, &f, &m) != 0) {
				tap(false, "unreachable: frame", "family %u", fam);
				continue;
			}
			dg = f.len - f.l3;
			want = dg + 8 + ipl > (fam == 4 ? 576u : 1280u) ?
				(fam == 4 ? 576u : 1280u) : dg + 8 + ipl;
			n = hyp_reject_build(f.b, f.len, &m, HYP_REJECT_SRC, out, sizeof(out));
			tap(n == (int)(14 + want) &&
			    ic[0] == (fam == 4 ? 3 : 1) && ic[1] == (fam == 4 ? 3 : 4) &&
			    memcmp(ic + 8, f.b + f.l3, want - ipl - 8) == 0 &&
			    (fam == 4 ? be16(ip + 2) == want && ip[9] == IPPROTO_ICMP &&
					sum16(ip, 20, 0) == 0xffff :
			     be16(ip + 4) == want - 40 && ip[6] == IPPROTO_ICMPV6) &&
			    l4_ok(ip, (int)fam, fam == 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6, ic,
				  want - ipl),
			    "unreachable: port, quoting the datagram, within the minimum MTU",
			    "family %u payload %u: n %d, want %u", fam, sizes[i], n, 14 + want);
		}
	}
}

static void
test_never(void)
{
	static const struct {
		const char *what;
		struct pkt_spec s;
	} c[] = {
		{ "a RST", { .family = 4, .proto = IPPROTO_TCP, .src = "198.18.0.1",
			     .dst = "198.18.1.2", .tcp_flags = 0x14 } },
		{ "a multicast destination", { .family = 4, .src = "198.18.0.1",
					       .dst = "224.0.0.251", .dport = 5353 } },
		{ "the broadcast address", { .family = 4, .src = "198.18.0.1",
					     .dst = "255.255.255.255", .dport = 67 } },
		{ "an unspecified source", { .family = 4, .src = "0.0.0.0",
					     .dst = "198.18.1.2", .dport = 67 } },
		{ "a v6 multicast destination", { .family = 6, .src = "2001:db8::1",
						  .dst = "ff02::1", .dport = 5000 } },
		{ "a v6 unspecified source", { .family = 6, .src = "::", .dst = "2001:db8::2",
					       .dport = 5000 } },
		{ "a later fragment", { .family = 4, .src = "198.18.0.1", .dst = "198.18.1.2",
					.ip4_frag = 100, .payload = 16 } },
		{ "an ICMP error", { .family = 4, .proto = IPPROTO_ICMP, .src = "198.18.0.1",
				     .dst = "198.18.1.2", .payload = 28 } },
		{ "an ICMPv6 error", { .family = 6, .proto = IPPROTO_ICMPV6, .src = "2001:db8::1",
				       .dst = "2001:db8::2", .payload = 48 } },
	};
	uint8_t out[HYP_REJECT_FRAME_MAX];
	struct hyp_pkt_meta m;
	struct frame f;
	unsigned int i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		int p, a, b;

		p = pkt_build(&c[i].s, &f);
		if (p == 0 && (c[i].s.proto == IPPROTO_ICMP || c[i].s.proto == IPPROTO_ICMPV6))
			f.b[f.l4] = c[i].s.proto == IPPROTO_ICMP ? 3 : 1;	/* an unreachable */
		if (p == 0)
			p = hyp_flow_parse(f.b, f.len, &m);
		a = p == 0 ? hyp_reject_build(f.b, f.len, &m, HYP_REJECT_SRC, out, sizeof(out)) : p;
		b = p == 0 ? hyp_reject_build(f.b, f.len, &m, HYP_REJECT_DST, out, sizeof(out)) : p;
		tap(a == -EPERM && b == -EPERM, "never answered", "%s: %d %d (parse %d)", c[i].what,
		    a, b, p);
	}
	{
		struct pkt_spec s = { .family = 4, .proto = IPPROTO_ICMP, .src = "198.18.0.1",
				      .dst = "198.18.1.2", .payload = 28 };
		int n = -1;

		/* an echo request is not an error: answered */
		if (pkt_build(&s, &f) == 0 && (f.b[f.l4] = 8, hyp_flow_parse(f.b, f.len, &m)) == 0)
			n = hyp_reject_build(f.b, f.len, &m, HYP_REJECT_SRC, out, sizeof(out));
		tap(n > 0, "an ICMP echo request is answered", "%d", n);
	}
}

static void
test_bounds(void)
{
	struct pkt_spec s = { .family = 4, .proto = IPPROTO_TCP, .src = "198.18.0.1",
			      .dst = "198.18.1.2", .tcp_flags = 0x18, .payload = 4,
			      .vlan_tpid = { 0x8100, 0x8100 } };
	uint8_t out[HYP_REJECT_FRAME_MAX];
	struct hyp_pkt_meta m;
	struct frame f;
	int a = -1, b = -1, c = -1, d = -1;

	if (frame_of(&s, &f, &m) == 0) {
		a = hyp_reject_build(f.b, f.len, &m, HYP_REJECT_SRC, out, sizeof(out));
		b = hyp_reject_build(f.b, f.len, &m, HYP_REJECT_SRC, out, 14 + 8 + 20 + 19);
		c = hyp_reject_build(f.b, f.len, &m, 3, out, sizeof(out));
		d = hyp_reject_build(f.b, m.l3_off + 10, &m, HYP_REJECT_SRC, out, sizeof(out));
	}
	tap(a == 14 + 8 + 40 && memcmp(out + 12, f.b + 12, 10) == 0,
	    "two VLAN tags kept, the answer after them", "%d", a);
	tap(b == -ENOSPC && c == -EINVAL && d == -EINVAL,
	    "too small a buffer, both sides at once, a frame shorter than its meta: refused",
	    "%d %d %d", b, c, d);
}

/* mutated frames, parsed, answered both ways into a buffer with a guard after it */
static void
test_mutations(void)
{
	static const struct pkt_spec base[] = {
		{ .family = 4, .proto = IPPROTO_TCP, .src = "198.18.0.1", .dst = "198.18.1.2",
		  .payload = 40, .ip4_opt_words = 2 },
		{ .family = 6, .src = "2001:db8::1", .dst = "2001:db8::2", .payload = 300,
		  PKT_EXT(0, 60) },
		{ .family = 4, .proto = IPPROTO_ICMP, .src = "198.18.0.1", .dst = "198.18.1.2",
		  .payload = 64 },
	};
	static uint8_t out[HYP_REJECT_FRAME_MAX + 64];
	unsigned int i, k, answered = 0, guard_hit = 0, parsed = 0;
	struct hyp_pkt_meta m;
	struct frame f, g;

	srand(7);
	for (i = 0; i < 20000; i++) {
		if (pkt_build(&base[i % 3], &f) != 0)
			break;
		g = f;
		for (k = 0; k < 1 + (unsigned int)rand() % 6; k++)
			g.b[(unsigned int)rand() % g.len] = (uint8_t)rand();
		if (rand() % 4 == 0)
			g.len = (uint32_t)rand() % g.len;
		if (hyp_flow_parse(g.b, g.len, &m) != 0)
			continue;
		parsed++;
		memset(out + HYP_REJECT_FRAME_MAX, 0xa5, 64);
		for (k = HYP_REJECT_SRC; k <= HYP_REJECT_DST; k++) {
			int n = hyp_reject_build(g.b, g.len, &m, k, out, HYP_REJECT_FRAME_MAX);

			answered += n > 0;
			if (n > HYP_REJECT_FRAME_MAX)
				guard_hit++;
		}
		for (k = 0; k < 64; k++)
			guard_hit += out[HYP_REJECT_FRAME_MAX + k] != 0xa5;
	}
	tap(guard_hit == 0 && parsed > 1000 && answered > 0,
	    "20,000 mutated frames: nothing written past the buffer",
	    "%u parsed, %u answers, %u past", parsed, answered, guard_hit);
}

int
main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	test_rst();
	test_unreachable();
	test_never();
	test_bounds();
	test_mutations();
	printf("1..%u\n", test_no);
	return failed;
}
