/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reject answers: a RST for TCP, ICMP port unreachable for the rest, as
 * whole frames for the ips path to send. Only headers the parser already
 * bounded are read (m's offsets lie within the frame); every length is
 * checked against cap before it is written.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "hyp_reject.h"

#define TCP_FIN	0x01
#define TCP_SYN	0x02
#define TCP_RST	0x04
#define TCP_ACK	0x10

#define ICMP4_QUOTE_TOTAL	576	/* RFC 1812 4.3.2.3: at most this much in all */
#define ICMP6_QUOTE_TOTAL	1280	/* RFC 4443 2.4 (c): the minimum MTU */
#define ANSWER_TTL		64

static bool
v4_unicast(const uint8_t a[16])
{
	/* ::ffff:a.b.c.d: not 0/8, not multicast 224/4 or the 240/4 above it */
	return a[12] != 0 && a[12] < 224;
}

static bool
v4_broadcast(const uint8_t a[16])
{
	return a[12] == 255 && a[13] == 255 && a[14] == 255 && a[15] == 255;
}

static bool
v6_unicast(const uint8_t a[16])
{
	static const uint8_t zero[16];

	return a[0] != 0xff && memcmp(a, zero, sizeof(zero)) != 0;
}

static bool
unicast(const struct hyp_pkt_meta *m, const uint8_t a[16])
{
	return m->family == 4 ? v4_unicast(a) && !v4_broadcast(a) : v6_unicast(a);
}

/* an ICMP message that is an error itself (RFC 1122 3.2.2, RFC 4443 2.4 (e)) */
static bool
icmp_error(const uint8_t *frame, const struct hyp_pkt_meta *m, uint32_t len)
{
	uint8_t type;

	if (m->l4_off >= len)
		return true;	/* no type to tell: do not answer */
	type = frame[m->l4_off];
	if (m->proto == IPPROTO_ICMPV6)
		return type < 128;
	return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

/* The IP header of the answer, after l2 bytes of L2: returns its length. */
static uint32_t
ip_header(uint8_t *out, const struct hyp_pkt_meta *m, const uint8_t *src, const uint8_t *dst,
	  uint8_t proto, uint32_t l4_len)
{
	if (m->family == 4) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)out;

		memset(ip, 0, sizeof(*ip));
		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + l4_len));
		ip->time_to_live = ANSWER_TTL;
		ip->next_proto_id = proto;
		memcpy(&ip->src_addr, src + 12, 4);
		memcpy(&ip->dst_addr, dst + 12, 4);
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		return sizeof(*ip);
	} else {
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)out;

		memset(ip, 0, sizeof(*ip));
		ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
		ip->payload_len = rte_cpu_to_be_16((uint16_t)l4_len);
		ip->proto = proto;
		ip->hop_limits = ANSWER_TTL;
		memcpy(ip->src_addr, src, 16);
		memcpy(ip->dst_addr, dst, 16);
		return sizeof(*ip);
	}
}

/* the L4 checksum over the pseudo header of the answer's IP header */
static uint16_t
l4_cksum(const struct hyp_pkt_meta *m, const uint8_t *ip, const void *l4)
{
	if (m->family == 4)
		return rte_ipv4_udptcp_cksum((const struct rte_ipv4_hdr *)ip, l4);
	return rte_ipv6_udptcp_cksum((const struct rte_ipv6_hdr *)ip, l4);
}

static int
rst(const uint8_t *frame, uint32_t len, const struct hyp_pkt_meta *m, bool to_src,
    uint8_t *out, uint32_t at)
{
	const struct rte_tcp_hdr *in;
	struct rte_tcp_hdr *t;
	uint8_t *ip = out + at;
	uint32_t seq, ack, seg_len;
	uint8_t flags;

	if (m->l4_off + sizeof(*in) > len)
		return -EINVAL;
	in = (const struct rte_tcp_hdr *)(frame + m->l4_off);
	if (m->tcp_flags & TCP_RST)
		return -EPERM;
	seq = rte_be_to_cpu_32(in->sent_seq);
	ack = rte_be_to_cpu_32(in->recv_ack);
	seg_len = m->payload_len + !!(m->tcp_flags & TCP_SYN) + !!(m->tcp_flags & TCP_FIN);
	at += ip_header(ip, m, to_src ? m->dst : m->src, to_src ? m->src : m->dst, IPPROTO_TCP,
			sizeof(*t));
	t = (struct rte_tcp_hdr *)(out + at);
	memset(t, 0, sizeof(*t));
	if (to_src) {
		/* RFC 9293 3.10.7.1: take its ACK as our sequence, or acknowledge it */
		t->src_port = in->dst_port;
		t->dst_port = in->src_port;
		if (m->tcp_flags & TCP_ACK) {
			t->sent_seq = rte_cpu_to_be_32(ack);
			flags = TCP_RST;
		} else {
			t->recv_ack = rte_cpu_to_be_32(seq + seg_len);
			flags = TCP_RST | TCP_ACK;
		}
	} else {
		/* as the sender: the receiver never got this segment, so its sequence is next */
		t->src_port = in->src_port;
		t->dst_port = in->dst_port;
		t->sent_seq = rte_cpu_to_be_32(seq);
		t->recv_ack = in->recv_ack;
		flags = TCP_RST | (m->tcp_flags & TCP_ACK);
	}
	t->data_off = (sizeof(*t) / 4) << 4;
	t->tcp_flags = flags;
	t->cksum = l4_cksum(m, ip, t);
	return (int)(at + sizeof(*t));
}

static int
unreachable(const uint8_t *frame, uint32_t len, const struct hyp_pkt_meta *m, bool to_src,
	    uint8_t *out, uint32_t at, uint32_t cap)
{
	uint32_t ip_len = m->family == 4 ? sizeof(struct rte_ipv4_hdr) :
					   sizeof(struct rte_ipv6_hdr);
	uint32_t total = m->family == 4 ? ICMP4_QUOTE_TOTAL : ICMP6_QUOTE_TOTAL;
	uint32_t quote = len - m->l3_off, l4_len;
	uint8_t *ip = out + at, *icmp;

	if ((m->proto == IPPROTO_ICMP || m->proto == IPPROTO_ICMPV6) && icmp_error(frame, m, len))
		return -EPERM;
	/* the datagram as it came, as much of it as fits the answer's bound */
	if (m->family == 4) {
		uint32_t dg = rte_be_to_cpu_16(((const struct rte_ipv4_hdr *)(frame + m->l3_off))->
					       total_length);

		if (dg < quote)
			quote = dg;	/* not the Ethernet padding */
	} else {
		uint32_t dg = sizeof(struct rte_ipv6_hdr) +
			      rte_be_to_cpu_16(((const struct rte_ipv6_hdr *)(frame + m->l3_off))->
					       payload_len);

		if (dg < quote)
			quote = dg;
	}
	if (quote > total - ip_len - 8)
		quote = total - ip_len - 8;
	l4_len = 8 + quote;
	if (at + ip_len + l4_len > cap)
		return -ENOSPC;
	at += ip_header(ip, m, to_src ? m->dst : m->src, to_src ? m->src : m->dst,
			m->family == 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6, l4_len);
	icmp = out + at;
	memset(icmp, 0, 8);
	icmp[0] = m->family == 4 ? 3 : 1;	/* destination unreachable */
	icmp[1] = m->family == 4 ? 3 : 4;	/* port unreachable */
	memcpy(icmp + 8, frame + m->l3_off, quote);
	if (m->family == 4) {
		uint16_t c = (uint16_t)~rte_raw_cksum(icmp, l4_len);

		memcpy(icmp + 2, &c, 2);
	} else {
		uint16_t c = l4_cksum(m, ip, icmp);

		memcpy(icmp + 2, &c, 2);
	}
	return (int)(at + l4_len);
}

int
hyp_reject_build(const uint8_t *frame, uint32_t len, const struct hyp_pkt_meta *m,
		 unsigned int to, uint8_t *out, uint32_t cap)
{
	bool to_src = to == HYP_REJECT_SRC;
	uint32_t ip_len = m->family == 4 ? sizeof(struct rte_ipv4_hdr) :
					   sizeof(struct rte_ipv6_hdr);

	if ((to != HYP_REJECT_SRC && to != HYP_REJECT_DST) || (m->family != 4 && m->family != 6) ||
	    m->l3_off < sizeof(struct rte_ether_hdr) || m->l3_off + ip_len > len ||
	    m->l4_off > len || m->payload_off > len)
		return -EINVAL;
	if ((m->frag.is && m->frag.offset != 0) || m->is_fragment)
		return -EPERM;
	if (!unicast(m, m->src) || !unicast(m, m->dst))
		return -EPERM;
	if (m->l3_off + ip_len + sizeof(struct rte_tcp_hdr) > cap)
		return -ENOSPC;
	memcpy(out, frame, m->l3_off);
	if (to_src) {
		/* back the way it came: the L2 addresses swapped */
		struct rte_ether_hdr *eh = (struct rte_ether_hdr *)out;
		struct rte_ether_addr a = eh->src_addr;

		eh->src_addr = eh->dst_addr;
		eh->dst_addr = a;
	}
	if (m->proto == IPPROTO_TCP)
		return rst(frame, len, m, to_src, out, m->l3_off);
	return unreachable(frame, len, m, to_src, out, m->l3_off, cap);
}
