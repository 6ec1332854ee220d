/* SPDX-License-Identifier: (GPL-2.0 OR BSD-3-Clause) */
/* The XDP program's maps, defined from the list in hyp_xdp_shared.h. */
#ifndef HYP_MAPS_BPF_H
#define HYP_MAPS_BPF_H

#ifndef HYP_XDP_SHARED_H
#error "include hyp_xdp_shared.h before hyp_maps.bpf.h"
#endif

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* Every map, from the one list in hyp_xdp_shared.h (why each type: there). */
#define HYP_DEFINE_KEYED(id, name, type_, key_t, value_t, max, flags)	\
	struct {							\
		__uint(type, type_);					\
		__uint(map_flags, flags);				\
		__uint(max_entries, max);				\
		__type(key, key_t);					\
		__type(value, value_t);					\
	} name SEC(".maps");
#define HYP_DEFINE_PLAIN(id, name, type_, max)				\
	struct {							\
		__uint(type, type_);					\
		__uint(max_entries, max);				\
	} name SEC(".maps");
HYP_KEYED_MAPS(HYP_DEFINE_KEYED)
HYP_PLAIN_MAPS(HYP_DEFINE_PLAIN)
#undef HYP_DEFINE_KEYED
#undef HYP_DEFINE_PLAIN

#endif /* HYP_MAPS_BPF_H */
