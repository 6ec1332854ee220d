/* SPDX-License-Identifier: (GPL-2.0 OR BSD-3-Clause) */
/*
 * The contract between the XDP program (bpf/) and userspace (lib/, app/,
 * test/): map names, key and value layouts, verdict reasons, limits.
 * Every number that both sides need is written here once.
 *
 * Only <linux/types.h> types: this file is compiled by clang -target bpf and
 * by the host compiler alike.
 */
#ifndef HYP_XDP_SHARED_H
#define HYP_XDP_SHARED_H

#include <linux/types.h>

/* Map sizes. */
#define HYP_BLOCK_MAX_ENTRIES		1048576	/* per trie: a million prefixes and more */
#define HYP_AUTOBLOCK_MAX_ENTRIES	65536
#define HYP_RL_RULES_MAX_ENTRIES	16384
#define HYP_RL_STATE_MAX_ENTRIES	131072
#define HYP_REDIRECT_PORTS_MAX_ENTRIES	1024
#define HYP_FLOW_MAX_ENTRIES		65536
#define HYP_XSKS_MAX_ENTRIES		64	/* rx queues an instance can serve */
#define HYP_EVENTS_BYTES		(1 << 18)
#define HYP_TX_PORT_MAX_ENTRIES		1
#define HYP_ETHERTYPES_MAX_ENTRIES	64	/* fast_path.pass_ethertypes */
/* pass_ethertypes key of 802.3 frames, whose type field is a length (LLC: STP, CDP) */
#define HYP_ETHERTYPE_LLC		0

/* tx_port key of the peer interface: the other side of the bump in the wire */
#define HYP_TX_PORT_PEER	0

/* Parser bounds. */
#define HYP_VLAN_MAX_DEPTH	2	/* 802.1ad outer + 802.1Q inner */
#define HYP_IPV6_EXT_MAX	6	/* extension headers walked before giving up */

/* TCP flags, as byte 13 of the header holds them (both parsers, the stream tracker). */
#define HYP_TCP_FIN	0x01
#define HYP_TCP_SYN	0x02
#define HYP_TCP_RST	0x04
#define HYP_TCP_ACK	0x10
#define HYP_TCP_FLAGS_MASK 0x3f	/* FIN SYN RST PSH ACK URG */

/* XDP actions as the program returns them (uapi enum xdp_action). */
#define HYP_XDP_DROP	1
#define HYP_XDP_PASS	2

/*
 * Why the program decided what it decided. Every packet is counted under
 * exactly one reason. Written once: X(ID, name) gives enum hyp_reason
 * (HYP_R_<ID>) here and the lower_snake name metrics, telemetry and the
 * logs use (hyp_reason_name()).
 */
#define HYP_REASONS(X) \
	X(PASS_NON_IP, pass_non_ip)		/* not IPv4/IPv6: never inspected */ \
	X(NON_IP_DROP, non_ip_drop)		/* IPS: non-IP EtherType not in pass_ethertypes */ \
	X(PASS, pass)				/* IP, no rule wanted it */ \
	X(FORWARD, forward)			/* IPS: what IDS mode passes, sent to the peer */ \
	X(FORWARD_FAIL, forward_fail)		/* IPS: was to go to the peer, none set: dropped */ \
	X(REDIRECT, redirect)			/* handed to the AF_XDP socket of its queue */ \
	X(REDIRECT_FALLBACK, redirect_fallback)	/* wanted redirect, no socket: fail mode */ \
	X(WATCHDOG, watchdog)			/* wanted redirect, heartbeat stale: fail mode */ \
	X(BLOCK_SRC, blocklist_src)		/* source in the CIDR blocklist */ \
	X(BLOCK_DST, blocklist_dst)		/* destination in the CIDR blocklist */ \
	X(AUTOBLOCK, autoblock)			/* source blocked at run time by the slow path */ \
	X(RATELIMIT, ratelimit)			/* source over its token bucket */ \
	X(FRAG_REDIRECT, fragment_redirect)	/* TCP/UDP fragment, to the slow path to reassemble */ \
	X(FRAG_DROP, fragment_drop)		/* TCP/UDP fragment, dropped (fragments: drop) */ \
	X(REDIRECT_OVERLOAD, redirect_overload)	/* wanted redirect, queue over its budget: fail mode */ \
	X(REDIRECT_SHED, redirect_shed)		/* wanted redirect, its port's class shed: fail mode */ \
	X(MAL_REDIRECT, malformed_redirect)	/* malformed (malformed: pass) to a redirected port */ \
	/* malformed frames: dropped or passed per HYP_CFG_MALFORMED_ACTION */ \
	X(MAL_ETH_TRUNC, malformed_eth_trunc)	/* shorter than an Ethernet header */ \
	X(MAL_VLAN_TRUNC, malformed_vlan_trunc)	/* VLAN tag cut short */ \
	X(MAL_VLAN_DEPTH, malformed_vlan_depth)	/* more VLAN tags than HYP_VLAN_MAX_DEPTH */ \
	X(MAL_IP4_TRUNC, malformed_ip4_trunc)	/* shorter than an IPv4 header */ \
	X(MAL_IP4_VERSION, malformed_ip4_version) /* version field is not 4 */ \
	X(MAL_IP4_IHL, malformed_ip4_ihl)	/* IHL < 5 or options beyond the frame */ \
	X(MAL_IP4_TOTLEN, malformed_ip4_totlen)	/* total length beyond the frame or below IHL */ \
	X(MAL_IP4_FRAG, malformed_ip4_frag)	/* fragment reaching past 65535 bytes */ \
	X(MAL_IP6_TRUNC, malformed_ip6_trunc)	/* shorter than an IPv6 header */ \
	X(MAL_IP6_VERSION, malformed_ip6_version) /* version field is not 6 */ \
	X(MAL_IP6_PLEN, malformed_ip6_plen)	/* payload length beyond the frame */ \
	X(MAL_IP6_EXT, malformed_ip6_ext)	/* extension header cut short, or too many */ \
	X(MAL_L4_TRUNC, malformed_l4_trunc)	/* TCP/UDP/ICMP header cut short */ \
	X(MAL_TCP_DOFF, malformed_tcp_doff)	/* data offset < 5 or beyond the segment */ \
	X(MAL_TCP_FLAGS, malformed_tcp_flags)	/* SYN+FIN, SYN+RST or no flags at all */ \
	X(MAL_UDP_LEN, malformed_udp_len)	/* UDP length < 8 or not the IP payload length */

enum hyp_reason {
#define HYP_REASON_ENUM(id, name) HYP_R_ ## id,
	HYP_REASONS(HYP_REASON_ENUM)
#undef HYP_REASON_ENUM
	HYP_R_MAX
};

#define HYP_R_MAL_FIRST	HYP_R_MAL_ETH_TRUNC
#define HYP_R_MAL_LAST	HYP_R_MAL_UDP_LEN

/* Per reason, per CPU. */
struct hyp_counter {
	__u64 packets;
	__u64 bytes;
	__u64 dropped;	/* of packets, those the program returned XDP_DROP for */
};

/* Events and failures that are not per-packet verdicts: X(ID, name), as the reasons. */
#define HYP_AUXES(X) \
	X(EVENTS_SENT, events_sent)		/* drop events written to the ring buffer */ \
	X(EVENTS_LOST, events_lost)		/* drop events the ring buffer had no room for */ \
	X(FLOW_FULL, flow_table_full)		/* flow_map insertions that failed */ \
	X(RL_FULL, ratelimit_table_full)	/* rate-limit state insertions that failed */ \
	X(AUTOBLOCK_EXPIRED, autoblock_expired)	/* expired auto-block entries the program removed */ \
	/* LRU maps evict silently: evictions = insertions - entries now (see doc/telemetry.md) */ \
	X(FLOW_INSERTED, flow_inserted)		/* flow_map entries the program created */ \
	X(RL_INSERTED, ratelimit_inserted)	/* rl_state buckets the program created */

enum hyp_aux {
#define HYP_AUX_ENUM(id, name) HYP_AUX_ ## id,
	HYP_AUXES(HYP_AUX_ENUM)
#undef HYP_AUX_ENUM
	HYP_AUX_MAX
};

/*
 * Runtime knobs: one __u64 per array slot, so that every knob is changed by
 * a single-entry write that the program sees whole.
 */
#define HYP_CFGS(X) \
	X(FAIL_MODE, fail_mode)		/* HYP_FAIL_OPEN or HYP_FAIL_CLOSED */ \
	X(MALFORMED_ACTION, malformed_action) /* HYP_XDP_DROP or HYP_XDP_PASS */ \
	X(WATCHDOG_NS, watchdog_ns)	/* heartbeat age limit; 0 disables the watchdog */ \
	X(HEARTBEAT_NS, heartbeat_ns)	/* CLOCK_MONOTONIC of userspace's last heartbeat */ \
	X(RL_INTERVAL_NS, ratelimit_interval_ns) /* default rate limit (no rule): 0 = off */ \
	X(RL_TOLERANCE_NS, ratelimit_tolerance_ns) \
	X(REDIRECT_ALL, redirect_all)	/* nonzero: redirect every well-formed IP packet */ \
	X(FLOW_TRACK, flow_track)	/* nonzero: account every IP packet in flow_map */ \
	X(EVENT_SAMPLE, event_sample)	/* 1 in N drops becomes an event; 0 = none */ \
	X(MAPS_IN_USE, maps_in_use)	/* HYP_USE_* bits: hash maps worth a lookup */ \
	X(IPS, ips)			/* HYP_IPS_OFF or HYP_IPS_ON */ \
	X(FRAGMENTS, fragments)		/* enum hyp_frag_mode */ \
	X(RL_IPV6_MASK, ratelimit_ipv6_mask) /* default limit: IPv6 sources share a bucket per /N */ \
	X(REDIRECT_BUDGET_NS, redirect_budget_interval_ns) /* per rx queue, GCRA; 0 = unlimited */ \
	X(REDIRECT_BUDGET_TOL_NS, redirect_budget_tolerance_ns) \
	X(KEPT, kept)			/* 1: left attached on purpose by a graceful stop */ \
	X(OFFLINE, offline)		/* 1: a replay under BPF_PROG_TEST_RUN: no sockets */ \
	X(SHED_FROM, shed_from)		/* redirect_ports of priority >= this are shed; 0: none */

enum hyp_cfg {
#define HYP_CFG_ENUM(id, name) HYP_CFG_ ## id,
	HYP_CFGS(HYP_CFG_ENUM)
#undef HYP_CFG_ENUM
	HYP_CFG_MAX
};

/*
 * A lookup in an empty hash map still hashes the key and walks a bucket.
 * The library sets a bit before the first entry goes into such a map, and
 * never clears it, so the program skips maps that were never used without
 * ever missing an entry.
 */
enum hyp_use_bits {
	HYP_USE_AUTOBLOCK = 1 << 0,
	HYP_USE_REDIRECT_PORTS = 1 << 1,
};

enum hyp_fail_mode {
	HYP_FAIL_OPEN,		/* undeliverable redirect candidates pass (IPS: forwarded) */
	HYP_FAIL_CLOSED,	/* undeliverable redirect candidates are dropped */
};

/*
 * TCP/UDP fragments. A later fragment has no ports, so redirect_ports cannot
 * choose it: the slow path reassembles what it is given and inspects the
 * datagram whole. 0 is inspect, so a program nobody configured still does.
 */
enum hyp_frag_mode {
	HYP_FRAG_INSPECT,	/* every TCP/UDP fragment, first and later, redirected */
	HYP_FRAG_DROP,		/* dropped in XDP */
	HYP_FRAG_PASS,		/* as any packet: a later fragment is never redirected */
};

enum hyp_ips_mode {
	HYP_IPS_OFF,		/* IDS/sensor: what needs no inspection goes to the stack */
	HYP_IPS_ON,		/* bump in the wire: it goes out of the peer interface */
};

/* LPM keys: prefixlen first, as the kernel's LPM trie requires. */
struct hyp_lpm_v4 {
	__u32 prefixlen;
	__u8 addr[4];
};

struct hyp_lpm_v6 {
	__u32 prefixlen;
	__u8 addr[16];
};

/* Value of the four blocklist tries. */
/* hyp_block_val.flags: added at run time (console, xdpctl), not by the policy */
#define HYP_BLOCK_F_RUNTIME	1u

struct hyp_block_val {
	__u32 rule_id;	/* policy rule that put the prefix here */
	__u32 flags;	/* HYP_BLOCK_F_*; a reload removes no HYP_BLOCK_F_RUNTIME prefix */
	__u64 hits;	/* packets dropped by this prefix (atomic) */
};

/* An address of either family; IPv4 as ::ffff:a.b.c.d (RFC 4291 2.5.5.2). */
struct hyp_addr {
	__u8 a[16];
};

/*
 * autoblock_map and rl_state key. The family travels with the address: the
 * IPv6 source ::ffff:a.b.c.d and the IPv4 source a.b.c.d are two sources.
 * An auto-block key is one host (prefixlen and scope 0). A rate-limit bucket
 * key is the address masked to prefixlen bits (IPv4 counts its own 32): the
 * whole address, an IPv6 /ipv6_mask, or with scope prefix the rule's CIDR.
 */
struct hyp_src_key {
	struct hyp_addr addr;
	__u8 family;		/* 4 or 6 */
	__u8 prefixlen;
	__u8 scope;		/* enum hyp_rl_scope */
	__u8 pad;
};

/* autoblock_map value: a source the slow path blocked. */
struct hyp_autoblock_val {
	__u64 expires_ns;	/* CLOCK_MONOTONIC; 0 = never */
	__u64 hits;		/* packets dropped since (atomic) */
};

/*
 * Rate limits are GCRA (virtual scheduling): a source may send one packet
 * per interval_ns on average and tolerance_ns / interval_ns packets at once
 * beyond that. The state is one timestamp per source, updated with
 * compare-and-swap, so the limit holds across CPUs.
 */
enum hyp_rl_scope {
	HYP_RL_SCOPE_ADDRESS,	/* a bucket per source (IPv6: per /ipv6_mask) */
	HYP_RL_SCOPE_PREFIX,	/* one bucket for the whole CIDR of the rule */
};

#define HYP_RL_IPV6_MASK_DEFAULT 64	/* one host owns a /64 (RFC 4291 2.5.4) */

struct hyp_rl_rule {
	__u64 interval_ns;
	__u64 tolerance_ns;
	__u32 pps;	/* as configured, for display */
	__u32 burst;
	__u32 rule_id;
	__u8 scope;	/* enum hyp_rl_scope */
	__u8 prefixlen;	/* of the rule's CIDR (scope prefix keys on it) */
	__u8 ipv6_mask;	/* scope address, IPv6: bits of the source kept */
	__u8 pad;
};

struct hyp_rl_state {
	__u64 tat_ns;	/* theoretical arrival time of the next packet */
};

#define HYP_NSEC_PER_SEC 1000000000ULL

/* pps/burst -> GCRA parameters; both sides use this one conversion. */
static inline void
hyp_rl_params(__u32 pps, __u32 burst, __u64 *interval_ns, __u64 *tolerance_ns)
{
	__u64 iv = pps ? HYP_NSEC_PER_SEC / pps : 0;

	if (pps && iv == 0)
		iv = 1;
	*interval_ns = iv;
	*tolerance_ns = burst > 1 ? (__u64)(burst - 1) * iv : 0;
}

/*
 * redirect_ports value: the entry's shedding priority. Under overload the
 * control plane sheds classes from the highest number down (HYP_CFG_SHED_FROM);
 * priority 0 is never shed.
 */
#define HYP_SHED_PRIORITY_MAX	7

/* redirect_ports key: (IP protocol, destination L4 port in host order). */
struct hyp_l4port_key {
	__u16 port;
	__u8 proto;
	__u8 pad;
};

/* flow_map: directional 5-tuple, either family. */
struct hyp_flow_key {
	struct hyp_addr src;
	struct hyp_addr dst;
	__u16 sport;	/* network order */
	__u16 dport;	/* network order */
	__u8 proto;
	__u8 family;	/* 4 or 6 */
	__u16 pad;
};

struct hyp_flow_val {
	__u64 packets;
	__u64 bytes;
	__u64 first_seen;	/* bpf_ktime_get_ns() */
	__u64 last_seen;
};

/* One sampled drop, as written to telemetry_rb. */
struct hyp_event {
	__u64 ts_ns;
	__u32 reason;		/* enum hyp_reason */
	__u32 pkt_len;
	__u32 ifindex;
	__u32 rx_queue;
	struct hyp_addr src;
	struct hyp_addr dst;
	__u16 sport;		/* network order */
	__u16 dport;
	__u8 proto;
	__u8 family;
	__u8 action;
	__u8 pad;
};

/*
 * The maps, written once. Each X(ID, name, type, key, value, max_entries,
 * flags) gives the identifier bpf/hyp_maps.bpf.h defines the map under, the
 * name userspace finds the map by in a program someone else loaded (the
 * af_xdp PMD), enum hyp_map_id and the layout userspace checks before it
 * takes a map. The kernel keeps 15 characters of a name; xsks_map is the
 * name the DPDK af_xdp PMD looks up: do not change it. HYP_PLAIN_MAPS have
 * neither key nor value (the ring buffer).
 *
 * Why these types: the tries are not preallocated (a trie preallocates
 * nothing useful, and a million prefixes each would be memory spent for
 * nothing). flow_map's LRU lists are per CPU: a flood of new flows (every
 * packet a new source port) inserts on every packet, and the common list's
 * lock made that the most expensive thing the program did; flows of one CPU
 * evict each other only. tx_port (IPS: the peer interface, by ifindex) is a
 * devmap because the kernel then transmits from the driver without the
 * stack, and bulks the frames.
 */
#define HYP_LPM_FLAGS BPF_F_NO_PREALLOC
#define HYP_KEYED_MAPS(X) \
	X(CONFIG, config_map, BPF_MAP_TYPE_ARRAY, __u32, __u64, HYP_CFG_MAX, 0) \
	X(REASON_STATS, reason_stats, BPF_MAP_TYPE_PERCPU_ARRAY, __u32, struct hyp_counter, \
	  HYP_R_MAX, 0) \
	X(AUX_STATS, aux_stats, BPF_MAP_TYPE_PERCPU_ARRAY, __u32, __u64, HYP_AUX_MAX, 0) \
	X(BLOCK_SRC_V4, block_src_v4, BPF_MAP_TYPE_LPM_TRIE, struct hyp_lpm_v4, \
	  struct hyp_block_val, HYP_BLOCK_MAX_ENTRIES, HYP_LPM_FLAGS) \
	X(BLOCK_DST_V4, block_dst_v4, BPF_MAP_TYPE_LPM_TRIE, struct hyp_lpm_v4, \
	  struct hyp_block_val, HYP_BLOCK_MAX_ENTRIES, HYP_LPM_FLAGS) \
	X(BLOCK_SRC_V6, block_src_v6, BPF_MAP_TYPE_LPM_TRIE, struct hyp_lpm_v6, \
	  struct hyp_block_val, HYP_BLOCK_MAX_ENTRIES, HYP_LPM_FLAGS) \
	X(BLOCK_DST_V6, block_dst_v6, BPF_MAP_TYPE_LPM_TRIE, struct hyp_lpm_v6, \
	  struct hyp_block_val, HYP_BLOCK_MAX_ENTRIES, HYP_LPM_FLAGS) \
	X(AUTOBLOCK, autoblock_map, BPF_MAP_TYPE_LRU_HASH, struct hyp_src_key, \
	  struct hyp_autoblock_val, HYP_AUTOBLOCK_MAX_ENTRIES, 0) \
	X(RL_RULES_V4, rl_rules_v4, BPF_MAP_TYPE_LPM_TRIE, struct hyp_lpm_v4, \
	  struct hyp_rl_rule, HYP_RL_RULES_MAX_ENTRIES, HYP_LPM_FLAGS) \
	X(RL_RULES_V6, rl_rules_v6, BPF_MAP_TYPE_LPM_TRIE, struct hyp_lpm_v6, \
	  struct hyp_rl_rule, HYP_RL_RULES_MAX_ENTRIES, HYP_LPM_FLAGS) \
	X(RL_STATE, rl_state, BPF_MAP_TYPE_LRU_HASH, struct hyp_src_key, struct hyp_rl_state, \
	  HYP_RL_STATE_MAX_ENTRIES, 0) \
	X(REDIRECT_BUDGET, redirect_budget, BPF_MAP_TYPE_ARRAY, __u32, struct hyp_rl_state, \
	  HYP_XSKS_MAX_ENTRIES, 0) \
	X(PASS_ETHERTYPES, pass_ethertypes, BPF_MAP_TYPE_HASH, __u32, __u32, \
	  HYP_ETHERTYPES_MAX_ENTRIES, 0) \
	X(REDIRECT_PORTS, redirect_ports, BPF_MAP_TYPE_HASH, struct hyp_l4port_key, __u32, \
	  HYP_REDIRECT_PORTS_MAX_ENTRIES, 0) \
	X(FLOW, flow_map, BPF_MAP_TYPE_LRU_HASH, struct hyp_flow_key, struct hyp_flow_val, \
	  HYP_FLOW_MAX_ENTRIES, BPF_F_NO_COMMON_LRU) \
	X(XSKS, xsks_map, BPF_MAP_TYPE_XSKMAP, __u32, __u32, HYP_XSKS_MAX_ENTRIES, 0) \
	X(TX_PORT, tx_port, BPF_MAP_TYPE_DEVMAP, __u32, __u32, HYP_TX_PORT_MAX_ENTRIES, 0)
#define HYP_PLAIN_MAPS(X) \
	X(EVENTS, telemetry_rb, BPF_MAP_TYPE_RINGBUF, HYP_EVENTS_BYTES)

/*
 * Both compilers see these: a layout that differs between clang -target bpf
 * and the host compiler fails the build instead of corrupting a map.
 */
_Static_assert(sizeof(struct hyp_counter) == 24, "hyp_counter layout");
_Static_assert(sizeof(struct hyp_lpm_v4) == 8, "hyp_lpm_v4 layout");
_Static_assert(sizeof(struct hyp_lpm_v6) == 20, "hyp_lpm_v6 layout");
_Static_assert(sizeof(struct hyp_block_val) == 16, "hyp_block_val layout");
_Static_assert(sizeof(struct hyp_addr) == 16, "hyp_addr layout");
_Static_assert(sizeof(struct hyp_src_key) == 20, "hyp_src_key layout");
_Static_assert(sizeof(struct hyp_autoblock_val) == 16, "hyp_autoblock_val layout");
_Static_assert(sizeof(struct hyp_rl_rule) == 32, "hyp_rl_rule layout");
_Static_assert(sizeof(struct hyp_rl_state) == 8, "hyp_rl_state layout");
_Static_assert(sizeof(struct hyp_l4port_key) == 4, "hyp_l4port_key layout");
_Static_assert(sizeof(struct hyp_flow_key) == 40, "hyp_flow_key layout");
_Static_assert(sizeof(struct hyp_flow_val) == 32, "hyp_flow_val layout");
_Static_assert(sizeof(struct hyp_event) == 64, "hyp_event layout");

#endif /* HYP_XDP_SHARED_H */
