// SPDX-License-Identifier: (GPL-2.0 OR BSD-3-Clause)
/*
 * hyperion-blast's engine. Run through BPF_PROG_RUN with
 * BPF_F_TEST_XDP_LIVE_FRAMES, XDP_TX becomes a redirect back out of the
 * context's ingress_ifindex, so every copy of the frame the kernel makes is
 * transmitted.
 *
 * One BPF_PROG_RUN call sends many copies of one frame. So that flow hashing
 * on the receiver still sees many flows, the program can give each copy the
 * next (source address, UDP source port) of ports x addresses (IPv4; IP and
 * UDP checksums updated incrementally from what the recycled page holds), or
 * turn it into the next frame of a capture (blast_frames). hyperion-blast
 * sets blast_cfg before loading; left zero, the program rewrites nothing and
 * the verifier prunes the rewrite.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "xdp_tx_shared.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile struct blast_cfg blast_cfg = {};
__u64 sport_next;	/* only ever run by BPF_PROG_RUN on one CPU at a time */
__u64 frame_next;	/* likewise: the copy count of a replay (no wrap in a run) */

/*
 * A capture's frames, for --pcap: one call of BPF_PROG_RUN sends copies of
 * one input frame, so a replay in file order at the template's rate needs
 * each copy rewritten into the next frame here. hyperion-blast sizes the
 * map to the file before loading.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct blast_frame);
} blast_frames SEC(".maps");

static __always_inline __u16
csum_replace16(__u16 check, __u16 from, __u16 to)
{
	/* RFC 1624: HC' = ~(~HC + ~m + m'), byte order does not matter */
	__u32 sum = (__u16)~check + (__u32)(__u16)~from + to;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

/* a 32-bit field (an address) replaced under a checksum, as two 16-bit halves */
static __always_inline __u16
csum_replace32(__u16 check, __u32 from, __u32 to)
{
	check = csum_replace16(check, (__u16)from, (__u16)to);
	return csum_replace16(check, (__u16)(from >> 16), (__u16)(to >> 16));
}

/*
 * The copy's source port and address, from one count over ports x
 * addresses: every copy is rewritten, since each page the kernel recycles
 * carries whatever its last copy had. Checksums are updated from what the
 * page holds (RFC 1624), so they stay right whatever that was.
 */
static __always_inline void
next_tuple(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	struct udphdr *udp;
	__u32 np = blast_cfg.sport_n ? blast_cfg.sport_n : 1, from, to;
	/* 64 bits: 65,536 ports x 2^24 addresses is past 2^32 */
	__u64 i = sport_next, n = (__u64)np * (blast_cfg.src_n ? blast_cfg.src_n : 1);
	__u16 port, ucheck;

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) ||
	    ip->protocol != IPPROTO_UDP || ip->ihl != 5)
		return;
	udp = (void *)(ip + 1);
	if ((void *)(udp + 1) > end)
		return;
	if (i >= n)
		i = 0;
	sport_next = i + 1;
	ucheck = udp->check;
	if (blast_cfg.sport_n > 1) {
		port = bpf_htons((__u16)(blast_cfg.sport_lo + i % np));
		ucheck = csum_replace16(ucheck, udp->source, port);
		udp->source = port;
	}
	if (blast_cfg.src_n > 1) {
		from = ip->saddr;
		to = bpf_htonl(blast_cfg.src_lo + (__u32)(i / np));
		ip->check = csum_replace32(ip->check, from, to);
		ucheck = csum_replace32(ucheck, from, to);
		ip->saddr = to;
	}
	if (udp->check)	/* 0: sent without checksum, stays so */
		udp->check = ucheck ? ucheck : 0xffff;
}

/*
 * A replayed frame of round n_round: the captured client becomes the round's
 * client, as source or as destination. Frames of anyone else, and what is
 * not IPv4 TCP or UDP without options in the way, go as captured.
 */
static __always_inline void
rotate_client(struct xdp_md *ctx, __u64 n_round)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	__u32 np = blast_cfg.sport_n ? blast_cfg.sport_n : 1;
	__u32 ns = blast_cfg.src_n ? blast_cfg.src_n : 1;
	__u32 to, *addr;
	__u64 r;
	__u16 pto, *port, *l4check;
	int src_side;

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5)
		return;
	if (ip->protocol == IPPROTO_TCP) {
		struct tcphdr *th = (void *)(ip + 1);

		if ((void *)(th + 1) > end)
			return;
		src_side = ip->saddr == blast_cfg.client_addr && th->source == blast_cfg.client_port;
		if (!src_side && !(ip->daddr == blast_cfg.client_addr &&
				   th->dest == blast_cfg.client_port))
			return;
		port = src_side ? &th->source : &th->dest;
		l4check = &th->check;
	} else if (ip->protocol == IPPROTO_UDP) {
		struct udphdr *uh = (void *)(ip + 1);

		if ((void *)(uh + 1) > end)
			return;
		src_side = ip->saddr == blast_cfg.client_addr && uh->source == blast_cfg.client_port;
		if (!src_side && !(ip->daddr == blast_cfg.client_addr &&
				   uh->dest == blast_cfg.client_port))
			return;
		port = src_side ? &uh->source : &uh->dest;
		l4check = uh->check ? &uh->check : NULL;	/* 0: no checksum, stays so */
	} else {
		return;
	}
	r = n_round % ((__u64)np * ns);
	pto = blast_cfg.sport_n > 1 ? bpf_htons((__u16)(blast_cfg.sport_lo + r % np)) : *port;
	to = bpf_htonl(bpf_ntohl(blast_cfg.client_addr) + (__u32)(r / np));
	addr = src_side ? &ip->saddr : &ip->daddr;
	ip->check = csum_replace32(ip->check, *addr, to);
	if (l4check) {
		/* the pseudo header's address, then the port */
		__u16 c = csum_replace16(csum_replace32(*l4check, *addr, to), *port, pto);

		*l4check = c || ip->protocol == IPPROTO_TCP ? c : 0xffff;
	}
	*addr = to;
	*port = pto;
}

/*
 * The copy becomes the next frame of the capture: cut to its length (the
 * input frame is the longest of the file, so the tail only shrinks), then
 * its bytes, then the round's client. A frame that cannot be written is
 * not sent.
 */
static __always_inline int
next_frame(struct xdp_md *ctx)
{
	__u64 i = frame_next;
	__u32 k, len, have;
	struct blast_frame *f;

	frame_next = i + 1;
	k = (__u32)((i / blast_cfg.frames_repeat) % blast_cfg.frames_n);
	f = bpf_map_lookup_elem(&blast_frames, &k);
	if (!f)
		return XDP_ABORTED;
	len = f->len;
	if (len < ETH_HLEN || len > BLAST_FRAME_MAX)
		return XDP_ABORTED;
	have = ctx->data_end - ctx->data;
	if (have != len && bpf_xdp_adjust_tail(ctx, (int)len - (int)have))
		return XDP_ABORTED;
	if (bpf_xdp_store_bytes(ctx, 0, f->data, len))
		return XDP_ABORTED;
	if (blast_cfg.sport_n > 1 || blast_cfg.src_n > 1)
		rotate_client(ctx, i / blast_cfg.frames_repeat / blast_cfg.frames_n);
	return XDP_TX;
}

SEC("xdp")
int
xdp_tx(struct xdp_md *ctx)
{
	/* a replay: the loader set frames_repeat too (the verifier sees the division) */
	if (blast_cfg.frames_n > 0 && blast_cfg.frames_repeat > 0)
		return next_frame(ctx);
	if (blast_cfg.sport_n > 1 || blast_cfg.src_n > 1)
		next_tuple(ctx);
	return XDP_TX;
}
