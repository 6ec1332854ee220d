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
} HYP_MAP_CONFIG SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, HYP_R_MAX);
	__type(key, __u32);
	__type(value, struct hyp_counter);
} HYP_MAP_REASON_STATS SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, HYP_AUX_MAX);
	__type(key, __u32);
	__type(value, __u64);
} HYP_MAP_AUX_STATS SEC(".maps");

#define HYP_LPM_MAP(name, keytype, valtype, size)		\
	struct {						\
		__uint(type, BPF_MAP_TYPE_LPM_TRIE);		\
		__uint(map_flags, BPF_F_NO_PREALLOC);		\
		__uint(max_entries, size);			\
		__type(key, keytype);				\
		__type(value, valtype);				\
	} name SEC(".maps")

HYP_LPM_MAP(HYP_MAP_BLOCK_SRC_V4, struct hyp_lpm_v4, struct hyp_block_val,
	    HYP_BLOCK_MAX_ENTRIES);
HYP_LPM_MAP(HYP_MAP_BLOCK_DST_V4, struct hyp_lpm_v4, struct hyp_block_val,
	    HYP_BLOCK_MAX_ENTRIES);
HYP_LPM_MAP(HYP_MAP_BLOCK_SRC_V6, struct hyp_lpm_v6, struct hyp_block_val,
	    HYP_BLOCK_MAX_ENTRIES);
HYP_LPM_MAP(HYP_MAP_BLOCK_DST_V6, struct hyp_lpm_v6, struct hyp_block_val,
	    HYP_BLOCK_MAX_ENTRIES);
HYP_LPM_MAP(HYP_MAP_RL_RULES_V4, struct hyp_lpm_v4, struct hyp_rl_rule,
	    HYP_RL_RULES_MAX_ENTRIES);
HYP_LPM_MAP(HYP_MAP_RL_RULES_V6, struct hyp_lpm_v6, struct hyp_rl_rule,
	    HYP_RL_RULES_MAX_ENTRIES);

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, HYP_AUTOBLOCK_MAX_ENTRIES);
	__type(key, struct hyp_addr);
	__type(value, struct hyp_autoblock_val);
} HYP_MAP_AUTOBLOCK SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, HYP_RL_STATE_MAX_ENTRIES);
	__type(key, struct hyp_addr);
	__type(value, struct hyp_rl_state);
} HYP_MAP_RL_STATE SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, HYP_REDIRECT_PORTS_MAX_ENTRIES);
	__type(key, struct hyp_port_key);
	__type(value, __u32);
} HYP_MAP_REDIRECT_PORTS SEC(".maps");

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
} HYP_MAP_FLOW SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, HYP_XSKS_MAX_ENTRIES);
	__type(key, __u32);
	__type(value, __u32);
} HYP_MAP_XSKS SEC(".maps");

/*
 * IPS: the peer interface, by ifindex. A devmap because the kernel then
 * transmits from the driver without the stack, and bulks the frames.
 */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, HYP_TX_PORT_MAX_ENTRIES);
	__type(key, __u32);
	__type(value, __u32);
} HYP_MAP_TX_PORT SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, HYP_EVENTS_BYTES);
} HYP_MAP_EVENTS SEC(".maps");

#endif /* HYP_MAPS_BPF_H */
