/* SPDX-License-Identifier: BSD-3-Clause */
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <string.h>

#include "pkt_build.h"

/* ---- field by field ------------------------------------------------------- */

void
pkt_put8(struct frame *f, uint8_t v)
{
	if (f->len < sizeof(f->b))
		f->b[f->len++] = v;
	else
		f->overflow = true;
}

void
pkt_put16(struct frame *f, uint16_t v)
{
	pkt_put8(f, (uint8_t)(v >> 8));
	pkt_put8(f, (uint8_t)v);
}

void
pkt_putn(struct frame *f, const void *p, size_t n)
{
	const uint8_t *s = p;

	while (n-- > 0)
		pkt_put8(f, *s++);
}

void
pkt_fill(struct frame *f, uint8_t v, size_t n)
{
	while (n-- > 0)
		pkt_put8(f, v);
}

void
pkt_set16(struct frame *f, uint32_t off, uint16_t v)
{
	if (off + 2 > sizeof(f->b)) {
		f->overflow = true;
		return;
	}
	f->b[off] = (uint8_t)(v >> 8);
	f->b[off + 1] = (uint8_t)v;
}

static const uint8_t mac_src[6] = { 0x02, 0, 0, 0, 0, 1 };
static const uint8_t mac_dst[6] = { 0x02, 0, 0, 0, 0, 2 };

void
pkt_eth(struct frame *f, uint16_t type)
{
	memset(f, 0, sizeof(*f));
	pkt_putn(f, mac_dst, 6);
	pkt_putn(f, mac_src, 6);
	pkt_put16(f, type);
}

void
pkt_vlan(struct frame *f, uint16_t vid, uint16_t inner_type)
{
	pkt_put16(f, vid & 0x0fff);
	pkt_put16(f, inner_type);
}

uint32_t
pkt_ip4(struct frame *f, uint8_t proto, const uint8_t src[4], const uint8_t dst[4],
	unsigned int ihl_words, uint16_t frag)
{
	uint32_t at = f->len;
	unsigned int i;

	pkt_put8(f, (uint8_t)(0x40 | ihl_words));
	pkt_put8(f, 0);
	pkt_put16(f, 0);	/* total length: pkt_ip4_end() */
	pkt_put16(f, 0x1234);	/* id */
	pkt_put16(f, frag);
	pkt_put8(f, 64);
	pkt_put8(f, proto);
	pkt_put16(f, 0);	/* checksum: pkt_ip4_csum() where it matters */
	pkt_putn(f, src, 4);
	pkt_putn(f, dst, 4);
	for (i = 5; i < ihl_words; i++)
		pkt_fill(f, 1, 4);	/* NOP options */
	return at;
}

void
pkt_ip4_end(struct frame *f, uint32_t at)
{
	pkt_set16(f, at + 2, (uint16_t)(f->len - at));
}

uint32_t
pkt_ip6(struct frame *f, uint8_t nh, const uint8_t src[16], const uint8_t dst[16])
{
	uint32_t at = f->len;

	pkt_put8(f, 0x60);
	pkt_put8(f, 0);
	pkt_put16(f, 0);
	pkt_put16(f, 0);	/* payload length: pkt_ip6_end() */
	pkt_put8(f, nh);
	pkt_put8(f, 64);
	pkt_putn(f, src, 16);
	pkt_putn(f, dst, 16);
	return at;
}

void
pkt_ip6_end(struct frame *f, uint32_t at)
{
	pkt_set16(f, at + 4, (uint16_t)(f->len - at - 40));
}

void
pkt_ext6(struct frame *f, uint8_t nh, uint8_t units)
{
	pkt_put8(f, nh);
	pkt_put8(f, units);
	pkt_fill(f, 0, (size_t)units * 8 + 6);
}

void
pkt_ah6(struct frame *f, uint8_t nh, uint8_t len_field)
{
	pkt_put8(f, nh);
	pkt_put8(f, len_field);
	pkt_fill(f, 0, ((size_t)len_field + 2) * 4 - 2);
}

void
pkt_frag6(struct frame *f, uint8_t nh, uint16_t offset_units, bool more)
{
	pkt_put8(f, nh);
	pkt_put8(f, 0);
	pkt_put16(f, (uint16_t)(offset_units << 3 | (more ? 1 : 0)));
	pkt_put16(f, 0xabcd);	/* identification */
	pkt_put16(f, 0x0001);
}

void
pkt_tcp(struct frame *f, uint16_t sport, uint16_t dport, unsigned int doff_words,
	size_t payload)
{
	unsigned int i;

	pkt_put16(f, sport);
	pkt_put16(f, dport);
	pkt_put16(f, 0);
	pkt_put16(f, 1);	/* seq */
	pkt_put16(f, 0);
	pkt_put16(f, 0);	/* ack */
	pkt_put8(f, (uint8_t)(doff_words << 4));
	pkt_put8(f, 0x18);	/* PSH ACK */
	pkt_put16(f, 65535);
	pkt_put16(f, 0);
	pkt_put16(f, 0);
	for (i = 5; i < doff_words; i++)
		pkt_fill(f, 1, 4);	/* NOP options */
	pkt_fill(f, 'T', payload);
}

void
pkt_udp(struct frame *f, uint16_t sport, uint16_t dport, uint16_t len, size_t payload)
{
	pkt_put16(f, sport);
	pkt_put16(f, dport);
	pkt_put16(f, len != 0 ? len : (uint16_t)(8 + payload));
	pkt_put16(f, 0);
	pkt_fill(f, 'U', payload);
}

/* ---- from a description -------------------------------------------------- */

static uint16_t
csum16(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (p[i] << 8) | p[i + 1];
	if (n & 1)
		s += p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

void
pkt_ip4_csum(struct frame *f)
{
	uint8_t *ip = f->b + f->l3;
	size_t hl = (ip[0] & 0xf) * 4;
	uint16_t c;

	ip[10] = ip[11] = 0;
	c = csum16(ip, hl);
	ip[10] = c >> 8;
	ip[11] = c & 0xff;
}

/* The L4 header and payload of a description; returns its length. */
static uint32_t
put_l4(const struct pkt_spec *s, struct frame *f, uint8_t proto)
{
	uint32_t start = f->len;
	uint16_t i;

	if (proto == IPPROTO_UDP) {
		pkt_put16(f, s->sport);
		pkt_put16(f, s->dport);
		pkt_put16(f, 8 + s->payload);
		pkt_put16(f, 0);
	} else if (proto == IPPROTO_TCP) {
		pkt_put16(f, s->sport);
		pkt_put16(f, s->dport);
		pkt_fill(f, 0, 8);	/* seq, ack */
		pkt_put8(f, 5 << 4);
		pkt_put8(f, s->tcp_flags ? s->tcp_flags : 0x02);	/* SYN */
		pkt_put16(f, 0xffff);
		pkt_fill(f, 0, 4);
	} else if (proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6) {
		pkt_put8(f, proto == IPPROTO_ICMP ? 8 : 128);	/* echo request */
		pkt_fill(f, 0, 7);
	}
	for (i = 0; i < s->payload; i++)
		pkt_put8(f, 'a' + i % 26);
	return f->len - start;
}

static int
build_ip4(const struct pkt_spec *s, struct frame *f, uint8_t proto)
{
	uint8_t src[4], dst[4];

	if (20 + 4 * s->ip4_opt_words > 60 ||
	    inet_pton(AF_INET, s->src ? s->src : "198.18.0.1", src) != 1 ||
	    inet_pton(AF_INET, s->dst ? s->dst : "198.18.0.2", dst) != 1)
		return -1;
	f->l3 = pkt_ip4(f, proto, src, dst, 5 + s->ip4_opt_words, s->ip4_frag);
	f->b[f->l3 + 4] = f->b[f->l3 + 5] = 0;	/* id 0 */
	f->l4 = f->len;
	put_l4(s, f, proto);
	pkt_ip4_end(f, f->l3);
	pkt_ip4_csum(f);
	return 0;
}

static int
build_ip6(const struct pkt_spec *s, struct frame *f, uint8_t proto)
{
	uint8_t src[16], dst[16];
	int i, n = s->n_ext;

	if (n > PKT_MAX_EXT ||
	    inet_pton(AF_INET6, s->src ? s->src : "2001:db8:1::1", src) != 1 ||
	    inet_pton(AF_INET6, s->dst ? s->dst : "2001:db8:2::2", dst) != 1)
		return -1;
	f->l3 = pkt_ip6(f, n ? s->ext[0] : proto, src, dst);
	for (i = 0; i < n; i++) {
		uint8_t next = i + 1 < n ? s->ext[i + 1] : proto;

		if (s->ext[i] == IPPROTO_FRAGMENT) {
			pkt_put8(f, next);
			pkt_put8(f, 0);
			pkt_put16(f, s->ext_frag);
			pkt_fill(f, 0, 4);
		} else if (s->ext[i] == IPPROTO_AH) {
			pkt_ah6(f, next, 0);	/* (0 + 2) * 4 = 8 bytes */
		} else {
			pkt_put8(f, next);
			pkt_put8(f, 0);		/* (0 + 1) * 8 = 8 bytes */
			pkt_put8(f, 1);		/* PadN covering the rest */
			pkt_put8(f, 4);
			pkt_fill(f, 0, 4);
		}
	}
	f->l4 = f->len;
	put_l4(s, f, proto);
	pkt_ip6_end(f, f->l3);
	return 0;
}

int
pkt_build(const struct pkt_spec *s, struct frame *f)
{
	uint8_t proto = s->proto ? s->proto : IPPROTO_UDP;
	uint16_t et = s->ethertype;
	int i, ret = 0;

	if (et == 0)
		et = s->family == 6 ? ETH_P_IPV6 : s->family == 4 ? ETH_P_IP : ETH_P_ARP;
	/* the tags go between the addresses and the type */
	pkt_eth(f, s->vlan_tpid[0] != 0 ? s->vlan_tpid[0] : et);
	for (i = 0; i < PKT_MAX_VLANS && s->vlan_tpid[i] != 0; i++)
		pkt_vlan(f, 100 + i, i + 1 < PKT_MAX_VLANS && s->vlan_tpid[i + 1] != 0 ?
			 s->vlan_tpid[i + 1] : et);
	f->l3 = f->len;
	if (s->family == 4)
		ret = build_ip4(s, f, proto);
	else if (s->family == 6)
		ret = build_ip6(s, f, proto);
	else
		pkt_fill(f, 0, 28);	/* non-IP: an ARP-looking body */
	return ret < 0 || f->overflow ? -1 : 0;
}
