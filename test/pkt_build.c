/* SPDX-License-Identifier: BSD-3-Clause */
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <string.h>

#include "pkt_build.h"

static int
put(struct frame *f, const void *p, size_t n)
{
	if (f->len + n > sizeof(f->b))
		return -1;
	memcpy(f->b + f->len, p, n);
	f->len += n;
	return 0;
}

static int
put16(struct frame *f, uint16_t v)
{
	v = htons(v);
	return put(f, &v, 2);
}

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

/* The L4 header and payload; returns its length or -1. */
static int
put_l4(const struct pkt_spec *s, struct frame *f, uint8_t proto)
{
	uint8_t h[20];
	size_t start = f->len;
	uint16_t i;

	memset(h, 0, sizeof(h));
	if (proto == IPPROTO_UDP) {
		h[0] = s->sport >> 8; h[1] = s->sport & 0xff;
		h[2] = s->dport >> 8; h[3] = s->dport & 0xff;
		h[4] = (8 + s->payload) >> 8; h[5] = (8 + s->payload) & 0xff;
		if (put(f, h, 8))
			return -1;
	} else if (proto == IPPROTO_TCP) {
		h[0] = s->sport >> 8; h[1] = s->sport & 0xff;
		h[2] = s->dport >> 8; h[3] = s->dport & 0xff;
		h[12] = 5 << 4;
		h[13] = s->tcp_flags ? s->tcp_flags : 0x02; /* SYN */
		h[14] = 0xff; h[15] = 0xff;
		if (put(f, h, 20))
			return -1;
	} else if (proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6) {
		h[0] = proto == IPPROTO_ICMP ? 8 : 128;	/* echo request */
		if (put(f, h, 8))
			return -1;
	}
	for (i = 0; i < s->payload; i++) {
		uint8_t c = 'a' + i % 26;

		if (put(f, &c, 1))
			return -1;
	}
	return (int)(f->len - start);
}

static int
build_ip4(const struct pkt_spec *s, struct frame *f, uint8_t proto)
{
	uint8_t ip[60];
	size_t hl = 20 + 4 * s->ip4_opt_words;
	int l4len;

	if (hl > sizeof(ip))
		return -1;
	memset(ip, 0, sizeof(ip));
	ip[0] = 0x40 | (hl / 4);
	ip[6] = s->ip4_frag >> 8;
	ip[7] = s->ip4_frag & 0xff;
	ip[8] = 64;
	ip[9] = proto;
	if (inet_pton(AF_INET, s->src ? s->src : "198.18.0.1", ip + 12) != 1 ||
	    inet_pton(AF_INET, s->dst ? s->dst : "198.18.0.2", ip + 16) != 1)
		return -1;
	for (size_t i = 20; i < hl; i++)
		ip[i] = 1;	/* NOP options */
	f->l3 = f->len;
	if (put(f, ip, hl))
		return -1;
	f->l4 = f->len;
	l4len = put_l4(s, f, proto);
	if (l4len < 0)
		return -1;
	f->b[f->l3 + 2] = (hl + l4len) >> 8;
	f->b[f->l3 + 3] = (hl + l4len) & 0xff;
	pkt_ip4_csum(f);
	return 0;
}

static int
build_ip6(const struct pkt_spec *s, struct frame *f, uint8_t proto)
{
	uint8_t ip[40];
	size_t plen;
	int i, n = 0;

	memset(ip, 0, sizeof(ip));
	ip[0] = 0x60;
	ip[7] = 64;
	if (inet_pton(AF_INET6, s->src ? s->src : "2001:db8:1::1", ip + 8) != 1 ||
	    inet_pton(AF_INET6, s->dst ? s->dst : "2001:db8:2::2", ip + 24) != 1)
		return -1;
	n = s->n_ext;
	if (n > PKT_MAX_EXT)
		return -1;
	ip[6] = n ? s->ext[0] : proto;
	f->l3 = f->len;
	if (put(f, ip, 40))
		return -1;
	for (i = 0; i < n; i++) {
		uint8_t e[8] = { 0 };
		uint8_t next = i + 1 < n ? s->ext[i + 1] : proto;

		e[0] = next;
		if (s->ext[i] == IPPROTO_FRAGMENT) {
			e[2] = s->ext_frag >> 8;
			e[3] = s->ext_frag & 0xff;
		} else if (s->ext[i] == IPPROTO_AH) {
			e[1] = 0;	/* (0 + 2) * 4 = 8 bytes */
		} else {
			e[1] = 0;	/* (0 + 1) * 8 = 8 bytes */
			e[2] = 1;	/* PadN covering the rest */
			e[3] = 4;
		}
		if (put(f, e, 8))
			return -1;
	}
	f->l4 = f->len;
	if (put_l4(s, f, proto) < 0)
		return -1;
	plen = f->len - f->l3 - 40;
	f->b[f->l3 + 4] = plen >> 8;
	f->b[f->l3 + 5] = plen & 0xff;
	return 0;
}

int
pkt_build(const struct pkt_spec *s, struct frame *f)
{
	static const uint8_t dmac[6] = { 0x02, 0, 0, 0, 0, 0x02 };
	static const uint8_t smac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	uint8_t proto = s->proto ? s->proto : IPPROTO_UDP;
	uint16_t et = s->ethertype;
	int i;

	memset(f, 0, sizeof(*f));
	if (et == 0)
		et = s->family == 6 ? ETH_P_IPV6 : s->family == 4 ? ETH_P_IP : ETH_P_ARP;
	if (put(f, dmac, 6) || put(f, smac, 6))
		return -1;
	for (i = 0; i < PKT_MAX_VLANS && s->vlan_tpid[i] != 0; i++)
		if (put16(f, s->vlan_tpid[i]) || put16(f, 100 + i))
			return -1;
	if (put16(f, et))
		return -1;
	f->l3 = f->len;
	if (s->family == 4)
		return build_ip4(s, f, proto);
	if (s->family == 6)
		return build_ip6(s, f, proto);
	/* non-IP: 28 bytes of ARP-looking body */
	for (i = 0; i < 28; i++) {
		uint8_t z = 0;

		if (put(f, &z, 1))
			return -1;
	}
	return 0;
}
