/* SPDX-License-Identifier: (GPL-2.0 OR BSD-3-Clause) */
/*
 * Bounded header parsing: Ethernet, up to HYP_VLAN_MAX_DEPTH VLAN tags,
 * IPv4, IPv6 with up to HYP_IPV6_EXT_MAX extension headers, TCP, UDP, ICMP.
 * Every check is against both data_end (for the verifier) and the length the
 * IP header claims (for the packet's own consistency).
 */
#ifndef HYP_PARSE_BPF_H
#define HYP_PARSE_BPF_H

#ifndef HYP_XDP_SHARED_H
#error "include hyp_xdp_shared.h before hyp_parse.bpf.h"
#endif

#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define HYP_IP4_MF	0x2000
#define HYP_IP4_OFFMASK	0x1fff
#define HYP_IP6_OFFMASK	0xfff8
#define HYP_IP6_MF	0x0001
#define HYP_IP_MAXPACKET 65535
#define HYP_ICMP_HLEN	8


struct hyp_vlan_hdr {
	__be16 tci;
	__be16 encap_proto;
};

/* IPv6 extension header as it starts on the wire (RFC 8200 4.x). */
struct hyp_ip6_ext {
	__u8 nexthdr;
	__u8 hdrlen;
	__be16 frag_off;	/* fragment header only */
};

/* What the parser learnt about a packet. */
struct hyp_pkt {
	struct hyp_addr src;
	struct hyp_addr dst;
	__be16 sport;
	__be16 dport;
	__u8 family;	/* 0 for non-IP, 4 or 6 */
	__u8 proto;
	__u8 has_ports;	/* TCP/UDP ports were read (the rest of the header may be bad) */
	__u8 fragment;	/* part of a fragmented datagram (first or later) */
	__u16 ethertype; /* host order, after the VLAN tags; 0 for 802.3 length frames */
	__u16 pad;
};

static __always_inline int
hyp_is_vlan(__be16 proto)
{
	return proto == bpf_htons(ETH_P_8021Q) ||
	       proto == bpf_htons(ETH_P_8021AD);
}

static __always_inline void
hyp_addr_from_v4(struct hyp_addr *a, __be32 v4)
{
	__u32 *w = (__u32 *)a->a;

	w[0] = 0;
	w[1] = 0;
	w[2] = bpf_htonl(0x0000ffff);
	w[3] = v4;
}

/*
 * L4 header at l4, with l4_len bytes the IP header vouches for. A later
 * fragment carries no L4 header; a first fragment carries one, but its UDP
 * length describes the whole datagram, not this fragment.
 */
static __always_inline int
hyp_parse_l4(void *l4, void *end, __u32 l4_len, int later_frag, int frag,
	     struct hyp_pkt *p)
{
	p->fragment = frag;
	if (later_frag)
		return HYP_R_PASS;

	if (p->proto == IPPROTO_TCP) {
		struct tcphdr *th = l4;
		__u8 flags;

		if ((void *)(th + 1) > end || l4_len < sizeof(*th))
			return HYP_R_MAL_L4_TRUNC;
		/*
		 * ports first: a drop event of a bad segment still names them, and
		 * malformed: pass still sends a segment to a redirected port inward
		 */
		p->sport = th->source;
		p->dport = th->dest;
		p->has_ports = 1;
		if (th->doff < 5 || (__u32)th->doff * 4 > l4_len)
			return HYP_R_MAL_TCP_DOFF;
		flags = ((__u8 *)th)[13] & HYP_TCP_FLAGS_MASK;
		if (flags == 0 ||
		    (flags & (HYP_TCP_SYN | HYP_TCP_FIN)) == (HYP_TCP_SYN | HYP_TCP_FIN) ||
		    (flags & (HYP_TCP_SYN | HYP_TCP_RST)) == (HYP_TCP_SYN | HYP_TCP_RST))
			return HYP_R_MAL_TCP_FLAGS;
	} else if (p->proto == IPPROTO_UDP) {
		struct udphdr *uh = l4;
		__u32 ulen;

		if ((void *)(uh + 1) > end || l4_len < sizeof(*uh))
			return HYP_R_MAL_L4_TRUNC;
		p->sport = uh->source;
		p->dport = uh->dest;
		p->has_ports = 1;
		ulen = bpf_ntohs(uh->len);
		/*
		 * Not a branch on frag: the verifier would then walk the rest of
		 * the program once per value, doubling what it processes.
		 */
		if (ulen < sizeof(*uh) || ((ulen ^ l4_len) * (__u32)(1 - frag)) != 0)
			return HYP_R_MAL_UDP_LEN;
	} else if (p->proto == IPPROTO_ICMP || p->proto == IPPROTO_ICMPV6) {
		if (l4 + HYP_ICMP_HLEN > end || l4_len < HYP_ICMP_HLEN)
			return HYP_R_MAL_L4_TRUNC;
	}
	return HYP_R_PASS;
}

static __always_inline int
hyp_parse_ip4(void *pos, void *end, struct hyp_pkt *p)
{
	struct iphdr *ip = pos;
	__u32 hlen, tot, frag_off, frag;

	if ((void *)(ip + 1) > end)
		return HYP_R_MAL_IP4_TRUNC;
	/* addresses before the checks: drop events of bad headers name them */
	p->family = 4;
	p->proto = ip->protocol;
	hyp_addr_from_v4(&p->src, ip->saddr);
	hyp_addr_from_v4(&p->dst, ip->daddr);
	if (ip->version != 4)
		return HYP_R_MAL_IP4_VERSION;
	hlen = ip->ihl * 4;
	if (hlen < sizeof(*ip) || pos + hlen > end)
		return HYP_R_MAL_IP4_IHL;
	tot = bpf_ntohs(ip->tot_len);
	if (tot < hlen || tot > (__u32)(end - pos))
		return HYP_R_MAL_IP4_TOTLEN;
	frag_off = bpf_ntohs(ip->frag_off);
	/*
	 * 1 for any fragment (MF or an offset), without a branch: the flag
	 * lives until the redirect decision, and as one unknown value rather
	 * than two constants it does not split every state in between.
	 */
	frag = ((frag_off & (HYP_IP4_MF | HYP_IP4_OFFMASK)) + HYP_IP4_OFFMASK + HYP_IP4_MF - 1) >>
	       14;
	frag_off = (frag_off & HYP_IP4_OFFMASK) * 8;
	/* the classic ping of death: a fragment that reassembles past 64K */
	if (frag_off + tot - hlen > HYP_IP_MAXPACKET)
		return HYP_R_MAL_IP4_FRAG;

	return hyp_parse_l4(pos + hlen, end, tot - hlen, frag_off != 0, frag, p);
}

static __always_inline int
hyp_parse_ip6(void *pos, void *end, struct hyp_pkt *p)
{
	struct ipv6hdr *ip6 = pos;
	struct hyp_ip6_ext *ext;
	__u32 plen, len;
	__u8 nexthdr;
	int frag = 0, later_frag = 0;
	int i;

	if ((void *)(ip6 + 1) > end)
		return HYP_R_MAL_IP6_TRUNC;
	p->family = 6;
	p->proto = ip6->nexthdr;
	__builtin_memcpy(p->src.a, &ip6->saddr, sizeof(p->src.a));
	__builtin_memcpy(p->dst.a, &ip6->daddr, sizeof(p->dst.a));
	if (ip6->version != 6)
		return HYP_R_MAL_IP6_VERSION;
	plen = bpf_ntohs(ip6->payload_len);
	pos = ip6 + 1;
	if (plen > (__u32)(end - pos))
		return HYP_R_MAL_IP6_PLEN;
	nexthdr = ip6->nexthdr;

#pragma unroll
	for (i = 0; i < HYP_IPV6_EXT_MAX; i++) {
		ext = pos;
		if (nexthdr == IPPROTO_HOPOPTS || nexthdr == IPPROTO_ROUTING ||
		    nexthdr == IPPROTO_DSTOPTS) {
			if ((void *)(ext + 1) > end || plen < sizeof(*ext))
				return HYP_R_MAL_IP6_EXT;
			len = ((__u32)ext->hdrlen + 1) * 8;
		} else if (nexthdr == IPPROTO_FRAGMENT) {
			if ((void *)(ext + 1) > end || plen < 8)
				return HYP_R_MAL_IP6_EXT;
			len = 8;
			later_frag = (bpf_ntohs(ext->frag_off) & HYP_IP6_OFFMASK) != 0;
			/* an atomic fragment (offset 0, no more) is a whole datagram */
			/* 0 or 1 without a branch, as for IPv4 */
			frag = ((bpf_ntohs(ext->frag_off) & (HYP_IP6_OFFMASK | HYP_IP6_MF)) +
				0xffff) >> 16;
		} else if (nexthdr == IPPROTO_AH) {
			if ((void *)(ext + 1) > end || plen < sizeof(*ext))
				return HYP_R_MAL_IP6_EXT;
			len = ((__u32)ext->hdrlen + 2) * 4;
		} else {
			break;
		}
		if (len > plen || pos + len > end)
			return HYP_R_MAL_IP6_EXT;
		nexthdr = ext->nexthdr;
		pos += len;
		plen -= len;
		if (later_frag)
			break;
	}
	if (!later_frag && (nexthdr == IPPROTO_HOPOPTS || nexthdr == IPPROTO_ROUTING ||
	    nexthdr == IPPROTO_DSTOPTS || nexthdr == IPPROTO_FRAGMENT ||
	    nexthdr == IPPROTO_AH))
		return HYP_R_MAL_IP6_EXT;	/* more than we walk */

	p->proto = nexthdr;
	return hyp_parse_l4(pos, end, plen, later_frag, frag, p);
}

/*
 * Returns HYP_R_PASS for a well-formed IP packet (p filled in),
 * HYP_R_PASS_NON_IP for anything that is not IP, or a HYP_R_MAL_* reason.
 */
static __always_inline int
hyp_parse(void *data, void *end, struct hyp_pkt *p)
{
	struct ethhdr *eth = data;
	struct hyp_vlan_hdr *vh;
	void *pos;
	__be16 proto;
	int i;

	if ((void *)(eth + 1) > end)
		return HYP_R_MAL_ETH_TRUNC;
	proto = eth->h_proto;
	pos = eth + 1;

#pragma unroll
	for (i = 0; i < HYP_VLAN_MAX_DEPTH; i++) {
		if (!hyp_is_vlan(proto))
			break;
		vh = pos;
		if ((void *)(vh + 1) > end)
			return HYP_R_MAL_VLAN_TRUNC;
		proto = vh->encap_proto;
		pos = vh + 1;
	}
	if (hyp_is_vlan(proto))
		return HYP_R_MAL_VLAN_DEPTH;

	if (proto == bpf_htons(ETH_P_IP))
		return hyp_parse_ip4(pos, end, p);
	if (proto == bpf_htons(ETH_P_IPV6))
		return hyp_parse_ip6(pos, end, p);
	/* 802.3 frames carry a length here, not a type (LLC: STP, CDP...) */
	p->ethertype = bpf_ntohs(proto) < ETH_P_802_3_MIN ? HYP_ETHERTYPE_LLC : bpf_ntohs(proto);
	return HYP_R_PASS_NON_IP;
}

#endif /* HYP_PARSE_BPF_H */
