/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The frames both packet parsers are judged on (see frames.h), built field
 * by field, well-formed and malformed.
 */
#include <errno.h>
#include <netinet/in.h>

#include "frames.h"

static const uint8_t a4[4] = { 198, 18, 0, 1 }, b4[4] = { 198, 18, 0, 2 };
static const uint8_t a6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t b6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

/* ---- frames -------------------------------------------------------------- */

/*
 * The IP header at f->l3 (a4 -> b4, a6 -> b6); ip_end() then sets its
 * length field from what follows, whichever version it is.
 */
static void
ip4(struct frame *f, uint8_t proto, unsigned int ihl, uint16_t frag)
{
	f->l3 = pkt_ip4(f, proto, a4, b4, ihl, frag);
}

static void
ip6(struct frame *f, uint8_t nh)
{
	f->l3 = pkt_ip6(f, nh, a6, b6);
}

static void
ip_end(struct frame *f)
{
	if (f->b[f->l3] >> 4 == 4)
		pkt_ip4_end(f, f->l3);
	else
		pkt_ip6_end(f, f->l3);
}

static void eth_ip4(struct frame *f, uint8_t proto, unsigned int ihl, uint16_t frag)
{ pkt_eth(f, 0x0800); ip4(f, proto, ihl, frag); }
static void eth_ip6(struct frame *f, uint8_t nh) { pkt_eth(f, 0x86dd); ip6(f, nh); }

static void udp4(struct frame *f, uint16_t dport, size_t payload)
{ eth_ip4(f, IPPROTO_UDP, 5, 0); pkt_udp(f, 40000, dport, 0, payload); ip_end(f); }
static void tcp4(struct frame *f, unsigned int doff, size_t payload)
{ eth_ip4(f, IPPROTO_TCP, 5, 0); pkt_tcp(f, 41000, 80, doff, payload); ip_end(f); }
static void udp6(struct frame *f, size_t payload)
{ eth_ip6(f, IPPROTO_UDP); pkt_udp(f, 40000, 53, 0, payload); ip_end(f); }

static void f_udp4(struct frame *f) { udp4(f, 53, 30); }
static void f_tcp4(struct frame *f) { tcp4(f, 5, 10); }
static void f_tcp4_opts(struct frame *f) { tcp4(f, 8, 0); }
static void f_udp6(struct frame *f) { udp6(f, 12); }
static void f_arp(struct frame *f) { pkt_eth(f, 0x0806); pkt_fill(f, 0, 28); }
static void f_lldp(struct frame *f) { pkt_eth(f, 0x88cc); pkt_fill(f, 0, 30); }
static void f_runt(struct frame *f) { pkt_eth(f, 0x0800); f->len = 10; }
static void f_13(struct frame *f) { pkt_eth(f, 0x0800); f->len = 13; }
static void f_eth_only(struct frame *f) { pkt_eth(f, 0x0800); }
static void f_vlan(struct frame *f)
{ pkt_eth(f, 0x8100); pkt_vlan(f, 7, 0x0800); ip4(f, IPPROTO_UDP, 5, 0);
  pkt_udp(f, 40000, 9, 0, 4); ip_end(f); }
static void f_qinq(struct frame *f)
{ pkt_eth(f, 0x88a8); pkt_vlan(f, 1, 0x8100); pkt_vlan(f, 2, 0x86dd); ip6(f, IPPROTO_TCP);
  pkt_tcp(f, 41000, 443, 5, 3); ip_end(f); }
static void f_three_tags(struct frame *f)
{ pkt_eth(f, 0x88a8); pkt_vlan(f, 1, 0x8100); pkt_vlan(f, 2, 0x8100); pkt_vlan(f, 3, 0x0800);
  pkt_fill(f, 0, 40); }
static void f_vlan_cut(struct frame *f) { pkt_eth(f, 0x8100); pkt_put16(f, 7); }
static void f_ip4_cut(struct frame *f) { udp4(f, 9, 4); f->len = 14 + 10; }
static void f_ip4_v5(struct frame *f) { udp4(f, 9, 4); f->b[14] = 0x55; }
static void f_ip4_ihl4(struct frame *f) { udp4(f, 9, 4); f->b[14] = 0x44; }
static void f_ip4_ihl15(struct frame *f) { udp4(f, 9, 4); f->b[14] = 0x4f; }
static void f_ip4_tot_big(struct frame *f) { udp4(f, 9, 4); pkt_set16(f, 16, f->len - 14 + 1); }
static void f_ip4_tot_small(struct frame *f) { udp4(f, 9, 4); pkt_set16(f, 16, 19); }
/* the last fragment's end past 65535 (ping of death) */
static void f_ip4_pod(struct frame *f)
{ eth_ip4(f, IPPROTO_ICMP, 5, 8189); pkt_fill(f, 0, 100); ip_end(f); }
static void f_ip4_opts(struct frame *f)
{ eth_ip4(f, IPPROTO_UDP, 8, 0); pkt_udp(f, 40000, 53, 0, 8); ip_end(f); }
/* UDP's length is the whole datagram's, not this fragment's */
static void f_ip4_first_frag(struct frame *f)
{ eth_ip4(f, IPPROTO_UDP, 5, 0x2000); pkt_udp(f, 40000, 53, 1000, 16); ip_end(f); }
static void f_ip4_later_frag(struct frame *f)
{ eth_ip4(f, IPPROTO_UDP, 5, 0x2000 | 185); pkt_fill(f, 'x', 64); ip_end(f); }
static void f_ip4_padded(struct frame *f) { udp4(f, 9, 0); pkt_fill(f, 0, 60 - f->len); }
static void f_tcp_cut(struct frame *f) { tcp4(f, 5, 0); f->len = 14 + 20 + 10; pkt_set16(f, 16, 30); }
static void f_tcp_doff4(struct frame *f) { tcp4(f, 5, 4); f->b[14 + 20 + 12] = 0x40; }
static void f_tcp_doff15(struct frame *f) { tcp4(f, 5, 4); f->b[14 + 20 + 12] = 0xf0; }
static void f_tcp_synfin(struct frame *f) { tcp4(f, 5, 0); f->b[14 + 20 + 13] = 0x03; }
static void f_tcp_noflags(struct frame *f) { tcp4(f, 5, 0); f->b[14 + 20 + 13] = 0; }
static void f_udp_cut(struct frame *f) { udp4(f, 9, 0); f->len = 14 + 20 + 6; pkt_set16(f, 16, 26); }
static void f_udp_len7(struct frame *f) { udp4(f, 9, 4); pkt_set16(f, 14 + 20 + 4, 7); }
static void f_udp_len_big(struct frame *f) { udp4(f, 9, 4); pkt_set16(f, 14 + 20 + 4, 13); }
static void f_udp_len_short(struct frame *f) { udp4(f, 9, 4); pkt_set16(f, 14 + 20 + 4, 11); }
/* a UDP header cut short inside IP, which Ethernet padding must not complete */
static void f_udp_padded(struct frame *f)
{ eth_ip4(f, IPPROTO_UDP, 5, 0); pkt_fill(f, 0, 4); ip_end(f); pkt_fill(f, 0, 20); }
static void f_ip6_cut(struct frame *f) { udp6(f, 4); f->len = 14 + 20; }
static void f_ip6_v4(struct frame *f) { udp6(f, 4); f->b[14] = 0x40; }
static void f_ip6_plen_big(struct frame *f) { udp6(f, 4); pkt_set16(f, 18, f->len - 54 + 1); }
/* hop-by-hop, routing (16 bytes), destination options */
static void f_ip6_exts(struct frame *f)
{ eth_ip6(f, 0); pkt_ext6(f, 43, 1); pkt_ext6(f, 60, 0); pkt_ext6(f, IPPROTO_UDP, 0);
  pkt_udp(f, 40000, 53, 0, 10); ip_end(f); }
static void f_ip6_ah(struct frame *f)
{ eth_ip6(f, 51); pkt_ah6(f, IPPROTO_TCP, 4); pkt_tcp(f, 41000, 80, 5, 0); ip_end(f); }
/* n destination-options headers in a row; the parsers stop at six */
static void
ip6_dstopts(struct frame *f, int n)
{
	int i;

	eth_ip6(f, 60);
	for (i = 0; i < n; i++)
		pkt_ext6(f, i < n - 1 ? 60 : IPPROTO_UDP, 0);
	pkt_udp(f, 40000, 53, 0, 4);
	ip_end(f);
}
static void f_ip6_six_exts(struct frame *f) { ip6_dstopts(f, 6); }
static void f_ip6_seven_exts(struct frame *f) { ip6_dstopts(f, 7); }
/* 2 of a hop-by-hop header's 8 bytes */
static void f_ip6_ext_cut(struct frame *f) { eth_ip6(f, 0); pkt_put16(f, 0x1100); ip_end(f); }
/* a hop-by-hop header claiming 40 bytes in a 16-byte payload */
static void f_ip6_ext_long(struct frame *f)
{ eth_ip6(f, 0); pkt_put8(f, IPPROTO_UDP); pkt_put8(f, 4); pkt_fill(f, 0, 14); ip_end(f); }
/* an atomic fragment (offset 0, no more) is a whole datagram: UDP's length must fit */
static void f_ip6_atomic_udp_big(struct frame *f)
{ eth_ip6(f, 44); pkt_frag6(f, IPPROTO_UDP, 0, false); pkt_udp(f, 5000, 53, 1400, 100); ip_end(f); }
static void f_ip6_first_frag(struct frame *f)
{ eth_ip6(f, 44); pkt_frag6(f, IPPROTO_UDP, 0, true); pkt_udp(f, 40000, 53, 1000, 16); ip_end(f); }
static void f_ip6_later_frag(struct frame *f)
{ eth_ip6(f, 44); pkt_frag6(f, IPPROTO_UDP, 3, false); pkt_fill(f, 'x', 40); ip_end(f); }

/* ---- the table ------------------------------------------------------------ */

const struct frame_case frame_cases[] = {
	{ "IPv4 UDP", f_udp4, HYP_R_PASS },
	{ "IPv4 TCP", f_tcp4, HYP_R_PASS },
	{ "IPv4 TCP with options", f_tcp4_opts, HYP_R_PASS },
	{ "IPv6 UDP", f_udp6, HYP_R_PASS },
	{ "802.1Q IPv4 UDP", f_vlan, HYP_R_PASS },
	{ "QinQ IPv6 TCP", f_qinq, HYP_R_PASS },
	{ "IPv4 with options", f_ip4_opts, HYP_R_PASS },
	{ "IPv4 first fragment", f_ip4_first_frag, HYP_R_PASS },
	{ "IPv4 later fragment", f_ip4_later_frag, HYP_R_PASS },
	{ "IPv4 with Ethernet padding", f_ip4_padded, HYP_R_PASS },
	{ "IPv6 hop-by-hop, routing, dest-opts", f_ip6_exts, HYP_R_PASS },
	{ "IPv6 AH then TCP", f_ip6_ah, HYP_R_PASS },
	{ "IPv6 first fragment", f_ip6_first_frag, HYP_R_PASS },
	{ "IPv6 later fragment", f_ip6_later_frag, HYP_R_PASS },
	{ "ARP", f_arp, HYP_R_PASS_NON_IP },
	{ "LLDP", f_lldp, HYP_R_PASS_NON_IP },
	{ "runt: 10 bytes", f_runt, HYP_R_MAL_ETH_TRUNC },
	{ "Ethernet header and nothing", f_eth_only, HYP_R_MAL_IP4_TRUNC },
	{ "three VLAN tags", f_three_tags, HYP_R_MAL_VLAN_DEPTH },
	{ "VLAN tag cut", f_vlan_cut, HYP_R_MAL_VLAN_TRUNC },
	{ "IPv4 cut at 10 bytes", f_ip4_cut, HYP_R_MAL_IP4_TRUNC },
	{ "IPv4 version 5", f_ip4_v5, HYP_R_MAL_IP4_VERSION },
	{ "IPv4 IHL 4", f_ip4_ihl4, HYP_R_MAL_IP4_IHL },
	{ "IPv4 IHL 15 past the frame", f_ip4_ihl15, HYP_R_MAL_IP4_IHL },
	{ "IPv4 total length past the frame", f_ip4_tot_big, HYP_R_MAL_IP4_TOTLEN },
	{ "IPv4 total length below the header", f_ip4_tot_small, HYP_R_MAL_IP4_TOTLEN },
	{ "IPv4 fragment past 64K", f_ip4_pod, HYP_R_MAL_IP4_FRAG },
	{ "TCP header cut", f_tcp_cut, HYP_R_MAL_L4_TRUNC },
	{ "TCP data offset 4", f_tcp_doff4, HYP_R_MAL_TCP_DOFF },
	{ "TCP data offset 15", f_tcp_doff15, HYP_R_MAL_TCP_DOFF },
	{ "TCP SYN+FIN", f_tcp_synfin, HYP_R_MAL_TCP_FLAGS, true },
	{ "TCP no flags", f_tcp_noflags, HYP_R_MAL_TCP_FLAGS, true },
	{ "UDP header cut", f_udp_cut, HYP_R_MAL_L4_TRUNC },
	{ "UDP length 7", f_udp_len7, HYP_R_MAL_UDP_LEN },
	{ "UDP length past the IP payload", f_udp_len_big, HYP_R_MAL_UDP_LEN },
	{ "UDP length short of the IP payload", f_udp_len_short, HYP_R_MAL_UDP_LEN, true },
	{ "IPv6 cut at 20 bytes", f_ip6_cut, HYP_R_MAL_IP6_TRUNC },
	{ "IPv6 version 4", f_ip6_v4, HYP_R_MAL_IP6_VERSION },
	{ "IPv6 payload length past the frame", f_ip6_plen_big, HYP_R_MAL_IP6_PLEN },
	{ "IPv6 six extension headers", f_ip6_six_exts, HYP_R_PASS },
	{ "IPv6 seven extension headers", f_ip6_seven_exts, HYP_R_MAL_IP6_EXT },
	{ "IPv6 extension header cut", f_ip6_ext_cut, HYP_R_MAL_IP6_EXT },
	{ "IPv6 extension header past the payload", f_ip6_ext_long, HYP_R_MAL_IP6_EXT },
	{ "IPv6 atomic fragment, UDP length past the packet", f_ip6_atomic_udp_big,
	  HYP_R_MAL_UDP_LEN },
	{ "13 bytes", f_13, HYP_R_MAL_ETH_TRUNC },
	{ "UDP header completed only by Ethernet padding", f_udp_padded, HYP_R_MAL_L4_TRUNC },
};
const unsigned int n_frame_cases = sizeof(frame_cases) / sizeof(frame_cases[0]);

int
frame_slow_want(const struct frame_case *c)
{
	if (c->xdp == HYP_R_PASS)
		return 0;
	if (c->xdp == HYP_R_PASS_NON_IP)
		return -ENOTSUP;
	return c->xdp_only ? 0 : -EINVAL;
}
