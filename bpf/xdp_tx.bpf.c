// SPDX-License-Identifier: (GPL-2.0 OR BSD-3-Clause)
/*
 * hyperion-blast's engine. Run through BPF_PROG_RUN with
 * BPF_F_TEST_XDP_LIVE_FRAMES, XDP_TX becomes a redirect back out of the
 * context's ingress_ifindex, so every copy of the frame the kernel makes is
 * transmitted.
 *
 * One BPF_PROG_RUN call sends many copies of one frame. So that flow hashing
 * on the receiver still sees many flows, the program can give each copy the
 * next UDP source port of a range (IPv4, UDP checksum updated incrementally;
 * the page a copy lives in is recycled with its last port and checksum, a
 * consistent pair). hyperion-blast sets blast_cfg before loading; left zero,
 * the program rewrites nothing and the verifier prunes the rewrite.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* the layout hyperion-blast writes into .rodata */
struct blast_cfg {
	__u16 sport_lo;		/* first source port, host order */
	__u16 pad;
	__u32 sport_n;		/* ports in the range; 0: rewrite nothing */
};

const volatile struct blast_cfg blast_cfg = {};
__u32 sport_next;	/* only ever run by BPF_PROG_RUN on one CPU at a time */

static __always_inline __u16
csum_replace16(__u16 check, __u16 from, __u16 to)
{
	/* RFC 1624: HC' = ~(~HC + ~m + m'), byte order does not matter */
	__u32 sum = (__u16)~check + (__u32)(__u16)~from + to;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

static __always_inline void
next_sport(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	struct udphdr *udp;
	__u32 i = sport_next;
	__u16 port;

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) ||
	    ip->protocol != IPPROTO_UDP || ip->ihl != 5)
		return;
	udp = (void *)(ip + 1);
	if ((void *)(udp + 1) > end)
		return;
	if (i >= blast_cfg.sport_n)
		i = 0;
	sport_next = i + 1;
	port = bpf_htons((__u16)(blast_cfg.sport_lo + i));
	if (udp->check) {	/* 0: sent without checksum, stays so */
		__u16 c = csum_replace16(udp->check, udp->source, port);

		udp->check = c ? c : 0xffff;
	}
	udp->source = port;
}

SEC("xdp")
int
xdp_tx(struct xdp_md *ctx)
{
	if (blast_cfg.sport_n > 1)
		next_sport(ctx);
	return XDP_TX;
}
