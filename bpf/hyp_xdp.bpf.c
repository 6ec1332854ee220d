// SPDX-License-Identifier: (GPL-2.0 OR BSD-3-Clause)
/*
 * dpdk-hyperion fast path.
 *
 * One entry point, no tail calls: the DPDK af_xdp PMD attaches the first
 * program of the object it is given and keeps no handle with which to fill
 * a program array. Order of decisions, cheapest and most certain first:
 *
 *   parse -> (not IP: pass, or in IPS only listed EtherTypes)
 *   -> CIDR blocklist src/dst -> auto-block -> rate limit   (whenever the
 *      addresses could be read, malformed or not)
 *   -> malformed? (drop; or pass, and inward if aimed at a redirected port)
 *   -> redirect to AF_XDP (fail mode when no socket, stale heartbeat or the
 *      queue over its budget) -> flow accounting -> pass
 *
 * "pass" depends on HYP_CFG_IPS. A sensor (IDS) passes to the kernel stack.
 * A bump in the wire (IPS) runs one instance on each of two interfaces and
 * forwards to the other one through tx_port instead: the stack of this host
 * is not where the packet was going.
 *
 * Every packet is counted under exactly one enum hyp_reason.
 */
#include "hyp_xdp_shared.h"
#include "hyp_maps.bpf.h"
#include "hyp_parse.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

static __always_inline __u64
hyp_cfg(__u32 key)
{
	__u64 *v = bpf_map_lookup_elem(&config_map, &key);

	return v ? *v : 0;
}

/*
 * CLOCK_MONOTONIC_COARSE, read once per packet and only by the paths that
 * need it: flow timestamps, auto-block expiry and the watchdog live with a
 * tick of resolution, and the precise clock costs ~25 ns a read on kvm-clock.
 * The rate limiter, which needs sub-tick intervals, reads the precise one.
 */
static __always_inline __u64
hyp_now(__u64 *now)
{
	if (*now == 0)
		*now = bpf_ktime_get_coarse_ns();
	return *now;
}

static __always_inline void
hyp_aux_inc(__u32 key)
{
	__u64 *v = bpf_map_lookup_elem(&aux_stats, &key);

	if (v)
		*v += 1;
}

static __always_inline void
hyp_emit_event(struct xdp_md *ctx, const struct hyp_pkt *p, __u32 reason,
	       __u32 action, __u32 len)
{
	struct hyp_event *e;
	__u64 n = hyp_cfg(HYP_CFG_EVENT_SAMPLE);

	if (n == 0 || (n > 1 && bpf_get_prandom_u32() % n != 0))
		return;
	e = bpf_ringbuf_reserve(&telemetry_rb, sizeof(*e), 0);
	if (e == NULL) {
		hyp_aux_inc(HYP_AUX_EVENTS_LOST);
		return;
	}
	e->ts_ns = bpf_ktime_get_ns();
	e->reason = reason;
	e->pkt_len = len;
	e->ifindex = ctx->ingress_ifindex;
	e->rx_queue = ctx->rx_queue_index;
	e->src = p->src;
	e->dst = p->dst;
	e->sport = p->sport;
	e->dport = p->dport;
	e->proto = p->proto;
	e->family = p->family;
	e->action = action;
	e->pad = 0;
	bpf_ringbuf_submit(e, 0);
	hyp_aux_inc(HYP_AUX_EVENTS_SENT);
}

static __always_inline int
hyp_verdict(struct xdp_md *ctx, const struct hyp_pkt *p, __u32 reason,
	    int action, __u32 len)
{
	struct hyp_counter *c = bpf_map_lookup_elem(&reason_stats, &reason);

	if (c) {
		c->packets++;
		c->bytes += len;
		if (action == XDP_DROP)
			c->dropped++;
	}
	if (action == XDP_DROP)
		hyp_emit_event(ctx, p, reason, action, len);
	return action;
}

/* Longest-prefix match of one address in the trie of its family. */
static __always_inline void *
hyp_lpm_lookup(const struct hyp_pkt *p, const struct hyp_addr *a,
		 void *trie_v4, void *trie_v6)
{
	if (p->family == 4) {
		struct hyp_lpm_v4 k = { .prefixlen = 32 };

		__builtin_memcpy(k.addr, &a->a[12], 4);
		return bpf_map_lookup_elem(trie_v4, &k);
	} else {
		struct hyp_lpm_v6 k = { .prefixlen = 128 };

		__builtin_memcpy(k.addr, a->a, 16);
		return bpf_map_lookup_elem(trie_v6, &k);
	}
}

/*
 * One GCRA step on a bucket: 1 if it is empty. Bounded: two lost races in a
 * row let the packet through.
 */
static __always_inline int
hyp_gcra_over(struct hyp_rl_state *st, __u64 now, __u64 iv, __u64 tol)
{
	__u64 old, base;
	int i;

	for (i = 0; i < 2; i++) {
		old = *(volatile __u64 *)&st->tat_ns;
		base = old > now ? old : now;
		if (base - now > tol)
			return 1;
		if (__sync_val_compare_and_swap(&st->tat_ns, old, base + iv) == old)
			return 0;
	}
	return 0;
}

/* Keep the first bits of a 16-byte address (IPv4: bits counts from a[12]). */
static __always_inline void
hyp_mask_addr(struct hyp_addr *a, __u32 bits)
{
	__u32 *w = (__u32 *)a->a;
	int i;

#pragma unroll
	for (i = 0; i < 4; i++) {
		if (bits >= 32) {
			bits -= 32;
			continue;
		}
		w[i] = bits ? w[i] & bpf_htonl(~0U << (32 - bits)) : 0;
		bits = 0;
	}
}

/*
 * 1 if the source's token bucket is empty (see struct hyp_rl_rule). The
 * bucket is the address, an IPv6 /ipv6_mask (one host owns a /64, and
 * rotating through it must not buy a fresh bucket per address), or with
 * scope prefix one bucket for the whole CIDR of the rule.
 */
static __always_inline int
hyp_rate_limited(const struct hyp_pkt *p)
{
	struct hyp_rl_rule *rule;
	struct hyp_rl_state *st;
	struct hyp_src_key k = { .addr = p->src, .family = p->family };
	__u64 iv, tol, now;
	__u32 bits;

	rule = hyp_lpm_lookup(p, &p->src, &rl_rules_v4, &rl_rules_v6);
	if (rule) {
		iv = rule->interval_ns;
		tol = rule->tolerance_ns;
		k.scope = rule->scope;
		bits = rule->scope == HYP_RL_SCOPE_PREFIX ? rule->prefixlen :
		       p->family == 4 ? 32 : rule->ipv6_mask;
	} else {
		iv = hyp_cfg(HYP_CFG_RL_INTERVAL_NS);
		tol = hyp_cfg(HYP_CFG_RL_TOLERANCE_NS);
		bits = p->family == 4 ? 32 : hyp_cfg(HYP_CFG_RL_IPV6_MASK);
	}
	if (iv == 0)
		return 0;
	if (bits > 128)
		bits = 128;
	k.prefixlen = bits;
	/* an IPv4 prefix counts from the v4-mapped address's 97th bit */
	hyp_mask_addr(&k.addr, p->family == 4 ? bits + 96 : bits);

	now = bpf_ktime_get_ns();
	st = bpf_map_lookup_elem(&rl_state, &k);
	if (st == NULL) {
		struct hyp_rl_state fresh = { .tat_ns = now + iv };

		if (bpf_map_update_elem(&rl_state, &k, &fresh, BPF_NOEXIST) == 0) {
			hyp_aux_inc(HYP_AUX_RL_INSERTED);
			return 0;
		}
		/* another CPU inserted it first, or the table is full */
		st = bpf_map_lookup_elem(&rl_state, &k);
		if (st == NULL) {
			hyp_aux_inc(HYP_AUX_RL_FULL);
			return 0;
		}
	}
	return hyp_gcra_over(st, now, iv, tol);
}

/*
 * 1 if this rx queue is over its redirect budget. The AF_XDP ring drops
 * what it has no room for whatever fail_mode says; a budget below what the
 * slow path drains keeps the ring from filling and lets the fail mode
 * decide instead, counted.
 */
static __always_inline int
hyp_redirect_over_budget(struct xdp_md *ctx)
{
	__u64 iv = hyp_cfg(HYP_CFG_REDIRECT_BUDGET_NS);
	__u32 q = ctx->rx_queue_index;
	struct hyp_rl_state *st;

	if (iv == 0)
		return 0;
	st = bpf_map_lookup_elem(&redirect_budget, &q);
	if (st == NULL)
		return 0;	/* a queue past HYP_XSKS_MAX_ENTRIES has no socket anyway */
	return hyp_gcra_over(st, bpf_ktime_get_ns(), iv, hyp_cfg(HYP_CFG_REDIRECT_BUDGET_TOL_NS));
}

/*
 * Plain increments: RSS keeps a flow on one queue and so on one CPU, and a
 * lost update under the rare cross-CPU race costs one packet of accounting,
 * where an atomic costs every packet.
 */
static __always_inline void
hyp_flow_account(const struct hyp_pkt *p, __u32 len, __u64 now)
{
	struct hyp_flow_key k = {
		.src = p->src,
		.dst = p->dst,
		.sport = p->sport,
		.dport = p->dport,
		.proto = p->proto,
		.family = p->family,
	};
	struct hyp_flow_val *v = bpf_map_lookup_elem(&flow_map, &k);

	if (v) {
		v->packets++;
		v->bytes += len;
		v->last_seen = now;
	} else {
		struct hyp_flow_val nv = {
			.packets = 1, .bytes = len,
			.first_seen = now, .last_seen = now,
		};

		if (bpf_map_update_elem(&flow_map, &k, &nv, BPF_NOEXIST) == 0)
			hyp_aux_inc(HYP_AUX_FLOW_INSERTED);
		else if (bpf_map_lookup_elem(&flow_map, &k) == NULL)
			hyp_aux_inc(HYP_AUX_FLOW_FULL);
	}
}

/*
 * 0 (not wanted), HYP_R_REDIRECT, or HYP_R_REDIRECT_SHED when the port's
 * priority class is shed (the slow path is overloaded: the control plane
 * chose what goes uninspected, not the kernel's full rings).
 */
static __always_inline __u32
hyp_wants_redirect(const struct hyp_pkt *p, __u64 in_use)
{
	struct hyp_l4port_key k;
	__u32 *prio;
	__u64 shed;

	if (hyp_cfg(HYP_CFG_REDIRECT_ALL))
		return HYP_R_REDIRECT;
	if (!p->has_ports || !(in_use & HYP_USE_REDIRECT_PORTS))
		return 0;
	k.port = bpf_ntohs(p->dport);
	k.proto = p->proto;
	k.pad = 0;
	prio = bpf_map_lookup_elem(&redirect_ports, &k);
	if (prio == NULL)
		return 0;
	shed = hyp_cfg(HYP_CFG_SHED_FROM);
	if (shed != 0 && *prio >= shed)
		return HYP_R_REDIRECT_SHED;
	return HYP_R_REDIRECT;
}

/*
 * IPS: out of the peer interface. Without a peer the packet is dropped, not
 * passed: a bump in the wire has no business handing transit traffic to its
 * own stack.
 */
static __always_inline int
hyp_forward(struct xdp_md *ctx, const struct hyp_pkt *p, __u32 reason, __u32 len)
{
	if (bpf_redirect_map(&tx_port, HYP_TX_PORT_PEER, 0) == XDP_REDIRECT)
		return hyp_verdict(ctx, p, reason, XDP_REDIRECT, len);
	return hyp_verdict(ctx, p, HYP_R_FORWARD_FAIL, XDP_DROP, len);
}

/*
 * Whatever needs no (more) inspection. IDS mode keeps the reason it is
 * given; IPS mode counts plain traffic as forward and keeps the reasons that
 * say why a packet got here (malformed in pass mode, fail-open), so that
 * those counters mean the same in both modes.
 */
static __always_inline int
hyp_pass(struct xdp_md *ctx, const struct hyp_pkt *p, __u32 ids_reason,
	 __u32 ips_reason, __u32 len)
{
	if (hyp_cfg(HYP_CFG_IPS) == HYP_IPS_ON)
		return hyp_forward(ctx, p, ips_reason, len);
	return hyp_verdict(ctx, p, ids_reason, XDP_PASS, len);
}

/* A shed redirect candidate: the fail mode, as for a full budget. */
static __always_inline int
hyp_shed(struct xdp_md *ctx, const struct hyp_pkt *p, __u32 len)
{
	if (hyp_cfg(HYP_CFG_FAIL_MODE) == HYP_FAIL_CLOSED)
		return hyp_verdict(ctx, p, HYP_R_REDIRECT_SHED, XDP_DROP, len);
	return hyp_pass(ctx, p, HYP_R_REDIRECT_SHED, HYP_R_REDIRECT_SHED, len);
}

/* To the slow path, counted under why (HYP_R_REDIRECT, _FRAG_ or _MAL_REDIRECT). */
static __always_inline int
hyp_redirect(struct xdp_md *ctx, const struct hyp_pkt *p, __u64 *now, __u32 len, __u32 why)
{
	__u64 limit = hyp_cfg(HYP_CFG_WATCHDOG_NS);
	__u32 reason = HYP_R_WATCHDOG;

	/*
	 * A replay: the caller of BPF_PROG_TEST_RUN takes what is redirected, no
	 * socket needed (so a replay binds nothing on any interface of the host),
	 * and a clock that is not the capture's decides neither budget nor
	 * watchdog.
	 */
	if (hyp_cfg(HYP_CFG_OFFLINE))
		return hyp_verdict(ctx, p, why, XDP_REDIRECT, len);
	if (hyp_redirect_over_budget(ctx))
		reason = HYP_R_REDIRECT_OVERLOAD;
	/* signed: a heartbeat written after we read the clock is fresh */
	else if (!limit || (__s64)(hyp_now(now) - hyp_cfg(HYP_CFG_HEARTBEAT_NS)) <= (__s64)limit) {
		/* flags 0: the fail mode is decided below, for IDS and IPS alike */
		if (bpf_redirect_map(&xsks_map, ctx->rx_queue_index, 0) == XDP_REDIRECT)
			return hyp_verdict(ctx, p, why, XDP_REDIRECT, len);
		reason = HYP_R_REDIRECT_FALLBACK;
	}
	if (hyp_cfg(HYP_CFG_FAIL_MODE) == HYP_FAIL_CLOSED)
		return hyp_verdict(ctx, p, reason, XDP_DROP, len);
	return hyp_pass(ctx, p, reason, reason, len);
}

/*
 * Blocklists, auto-block and rate limit of a packet whose addresses could
 * be read: HYP_R_PASS, or the reason to drop it. A global function, so the
 * verifier checks it once for every way the parser can return (each
 * malformed reason, each header shape) instead of once per way: inlined,
 * it multiplied the instructions the verifier processes sevenfold.
 */
__attribute__((noinline)) int
hyp_source_checks(const struct hyp_pkt *p)
{
	struct hyp_block_val *b;
	struct hyp_autoblock_val *ab;
	__u64 now;

	if (p == NULL)
		return HYP_R_PASS;
	b = hyp_lpm_lookup(p, &p->src, &block_src_v4, &block_src_v6);
	if (b) {
		__sync_fetch_and_add(&b->hits, 1);
		return HYP_R_BLOCK_SRC;
	}
	b = hyp_lpm_lookup(p, &p->dst, &block_dst_v4, &block_dst_v6);
	if (b) {
		__sync_fetch_and_add(&b->hits, 1);
		return HYP_R_BLOCK_DST;
	}
	if (hyp_cfg(HYP_CFG_MAPS_IN_USE) & HYP_USE_AUTOBLOCK) {
		struct hyp_src_key k = { .addr = p->src, .family = p->family };

		ab = bpf_map_lookup_elem(&autoblock_map, &k);
		if (ab) {
			now = bpf_ktime_get_coarse_ns();
			if (ab->expires_ns == 0 || now < ab->expires_ns) {
				__sync_fetch_and_add(&ab->hits, 1);
				return HYP_R_AUTOBLOCK;
			}
			if (bpf_map_delete_elem(&autoblock_map, &k) == 0)
				hyp_aux_inc(HYP_AUX_AUTOBLOCK_EXPIRED);
		}
	}
	if (hyp_rate_limited(p))
		return HYP_R_RATELIMIT;
	return HYP_R_PASS;
}

/*
 * Not IP. A sensor passes it to the stack. A bump in the wire forwards only
 * the EtherTypes the policy lists (ARP, LLDP...): anything else would cross
 * it unchecked.
 */
static __always_inline int
hyp_non_ip(struct xdp_md *ctx, const struct hyp_pkt *p, __u32 len)
{
	__u32 et = p->ethertype;

	if (hyp_cfg(HYP_CFG_IPS) == HYP_IPS_ON &&
	    bpf_map_lookup_elem(&pass_ethertypes, &et) == NULL)
		return hyp_verdict(ctx, p, HYP_R_NON_IP_DROP, XDP_DROP, len);
	return hyp_pass(ctx, p, HYP_R_PASS_NON_IP, HYP_R_FORWARD, len);
}

/*
 * A malformed frame, after the blocklists and limits had their say. With
 * malformed: pass, one that is aimed at a redirected port (or everything,
 * redirect_all) is still inspected: bad TCP flags or a bad UDP length must
 * not be a way around the slow path.
 */
static __always_inline int
hyp_malformed(struct xdp_md *ctx, const struct hyp_pkt *p, __u32 r, __u64 *now,
	      __u64 in_use, __u32 len)
{
	if (hyp_cfg(HYP_CFG_MALFORMED_ACTION) != HYP_XDP_PASS)
		return hyp_verdict(ctx, p, r, XDP_DROP, len);
	if (p->family != 0) {
		__u32 w = hyp_wants_redirect(p, in_use);

		if (w == HYP_R_REDIRECT_SHED)
			return hyp_shed(ctx, p, len);
		if (w)
			return hyp_redirect(ctx, p, now, len, HYP_R_MAL_REDIRECT);
	}
	return hyp_pass(ctx, p, r, r, len);
}

SEC("xdp")
int
hyp_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 len = end - data;
	struct hyp_pkt p = {};
	__u64 now = 0, in_use;
	__u32 why;
	int r;

	r = hyp_parse(data, end, &p);
	if (r == HYP_R_PASS_NON_IP)
		return hyp_non_ip(ctx, &p, len);
	in_use = hyp_cfg(HYP_CFG_MAPS_IN_USE);
	/* cut short before the addresses: nothing to look up */
	if (p.family == 0)
		return hyp_malformed(ctx, &p, r, &now, 0, len);

	/*
	 * The addresses were read: a blocked or limited source is that whether
	 * or not the rest of its frame makes sense.
	 */
	why = hyp_source_checks(&p);
	if (why != HYP_R_PASS)
		return hyp_verdict(ctx, &p, why, XDP_DROP, len);

	if (r != HYP_R_PASS)
		return hyp_malformed(ctx, &p, r, &now, in_use, len);

	/* the slow path keeps the flows of what it inspects, both ways */
	why = hyp_wants_redirect(&p, in_use);
	if (p.fragment && (p.proto == IPPROTO_TCP || p.proto == IPPROTO_UDP)) {
		__u64 fm = hyp_cfg(HYP_CFG_FRAGMENTS);

		if (fm == HYP_FRAG_DROP)
			return hyp_verdict(ctx, &p, HYP_R_FRAG_DROP, XDP_DROP, len);
		if (fm == HYP_FRAG_INSPECT)
			why = HYP_R_FRAG_REDIRECT;
	}
	if (why == HYP_R_REDIRECT_SHED)
		return hyp_shed(ctx, &p, len);
	if (why)
		return hyp_redirect(ctx, &p, &now, len, why);

	if (hyp_cfg(HYP_CFG_FLOW_TRACK))
		hyp_flow_account(&p, len, hyp_now(&now));
	return hyp_pass(ctx, &p, HYP_R_PASS, HYP_R_FORWARD, len);
}
