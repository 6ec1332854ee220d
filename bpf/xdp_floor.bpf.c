// SPDX-License-Identifier: (GPL-2.0 OR BSD-3-Clause)
/* The benchmark's floor: the cheapest XDP program there is. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("xdp")
int
xdp_floor(struct xdp_md *ctx)
{
	return XDP_DROP;
}
