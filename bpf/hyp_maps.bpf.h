/* SPDX-License-Identifier: (GPL-2.0 OR BSD-3-Clause) */
/* Map definitions of the XDP program. Layouts and sizes: hyp_xdp_shared.h. */
#ifndef HYP_MAPS_BPF_H
#define HYP_MAPS_BPF_H

#ifndef HYP_XDP_SHARED_H
#error "include hyp_xdp_shared.h before hyp_maps.bpf.h"
#endif

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, HYP_CFG_MAX);
	__type(key, __u32);
	__type(value, __u64);
} config_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, HYP_R_MAX);
	__type(key, __u32);
	__type(value, struct hyp_counter);
} reason_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, HYP_AUX_MAX);
	__type(key, __u32);
	__type(value, __u64);
} aux_stats SEC(".maps");

#define HYP_LPM_MAP(name, keytype, valtype, size)		\
	struct {						\
		__uint(type, BPF_MAP_TYPE_LPM_TRIE);		\
		__uint(map_flags, BPF_F_NO_PREALLOC);		\
		__uint(max_entries, size);			\
		__type(key, keytype);				\
		__type(value, valtype);				\
	} name SEC(".maps")

HYP_LPM_MAP(block_src_v4, struct hyp_lpm_v4, struct hyp_block_val,
	    HYP_BLOCK_MAX_ENTRIES);
HYP_LPM_MAP(block_dst_v4, struct hyp_lpm_v4, struct hyp_block_val,
	    HYP_BLOCK_MAX_ENTRIES);
HYP_LPM_MAP(block_src_v6, struct hyp_lpm_v6, struct hyp_block_val,
	    HYP_BLOCK_MAX_ENTRIES);
HYP_LPM_MAP(block_dst_v6, struct hyp_lpm_v6, struct hyp_block_val,
	    HYP_BLOCK_MAX_ENTRIES);
HYP_LPM_MAP(rl_rules_v4, struct hyp_lpm_v4, struct hyp_rl_rule,
	    HYP_RL_RULES_MAX_ENTRIES);
HYP_LPM_MAP(rl_rules_v6, struct hyp_lpm_v6, struct hyp_rl_rule,
	    HYP_RL_RULES_MAX_ENTRIES);

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, HYP_AUTOBLOCK_MAX_ENTRIES);
	__type(key, struct hyp_addr);
	__type(value, struct hyp_autoblock_val);
} autoblock_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, HYP_RL_STATE_MAX_ENTRIES);
	__type(key, struct hyp_addr);
	__type(value, struct hyp_rl_state);
} rl_state SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, HYP_REDIRECT_PORTS_MAX_ENTRIES);
	__type(key, struct hyp_l4port_key);
	__type(value, __u32);
} redirect_ports SEC(".maps");

/*
 * Per-CPU LRU lists: a flood of new flows (every packet a new source port)
 * inserts on every packet, and the common list's lock made that the most
 * expensive thing the program did. Flows of one CPU evict each other only.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(map_flags, BPF_F_NO_COMMON_LRU);
	__uint(max_entries, HYP_FLOW_MAX_ENTRIES);
	__type(key, struct hyp_flow_key);
	__type(value, struct hyp_flow_val);
} flow_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, HYP_XSKS_MAX_ENTRIES);
	__type(key, __u32);
	__type(value, __u32);
} xsks_map SEC(".maps");

/*
 * IPS: the peer interface, by ifindex. A devmap because the kernel then
 * transmits from the driver without the stack, and bulks the frames.
 */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, HYP_TX_PORT_MAX_ENTRIES);
	__type(key, __u32);
	__type(value, __u32);
} tx_port SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, HYP_EVENTS_BYTES);
} telemetry_rb SEC(".maps");

/*
 * Every map of the list in hyp_xdp_shared.h is defined above, with the
 * type, key and value that userspace checks: a map added, renamed or changed
 * on one side only does not compile. (__uint(type, T) is int (*type)[T].)
 */
#define HYP_CHECK_KEYED(id, name, type_, key_t, value_t)				\
	_Static_assert(sizeof(*name.type) / sizeof(int) == type_, #name ": type");	\
	_Static_assert(sizeof(*name.key) == sizeof(key_t), #name ": key");		\
	_Static_assert(sizeof(*name.value) == sizeof(value_t), #name ": value");
#define HYP_CHECK_PLAIN(id, name, type_)						\
	_Static_assert(sizeof(*name.type) / sizeof(int) == type_, #name ": type");
HYP_KEYED_MAPS(HYP_CHECK_KEYED)
HYP_PLAIN_MAPS(HYP_CHECK_PLAIN)
#undef HYP_CHECK_KEYED
#undef HYP_CHECK_PLAIN

#endif /* HYP_MAPS_BPF_H */
