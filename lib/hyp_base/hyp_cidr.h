/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HYP_CIDR_H
#define HYP_CIDR_H

/**
 * @file
 * IPv4 and IPv6 prefixes as the policy, the console and the XDP maps take
 * them. No DPDK, no libbpf: the policy parser and its fuzzer use these too.
 */

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include "hyp_xdp_shared.h"	/* struct hyp_addr */

#ifdef __cplusplus
extern "C" {
#endif

/** An IPv4 or IPv6 prefix. addr is in network order; IPv4 uses addr[0..3]. */
struct hyp_cidr {
	int family;		/**< AF_INET or AF_INET6 */
	uint8_t prefixlen;
	uint8_t addr[16];
};

/** Room hyp_cidr_format() needs: an IPv6 address, a slash, three digits. */
#define HYP_CIDR_STRLEN	64

/**
 * Parse "a.b.c.d[/n]" or "x:y::z[/n]" (no prefix length: a single address).
 * The prefix length is digits only, as ip(8) reads it, and host bits beyond
 * it are an error (almost always a typo; the message names the prefix
 * meant). Logs nothing.
 *
 * @param err
 *   On error, what is wrong, without repeating s; may be NULL.
 * @return
 *   0, or -EINVAL.
 */
int hyp_cidr_parse(const char *s, struct hyp_cidr *c, char *err, size_t err_len);

/** "addr/len" into buf (HYP_CIDR_STRLEN suffices); returns buf. */
const char *hyp_cidr_format(const struct hyp_cidr *c, char *buf, size_t len);

/** A prefix's address as the 16 bytes the maps use (IPv4 as ::ffff:a.b.c.d). */
void hyp_cidr_to_addr(const struct hyp_cidr *c, struct hyp_addr *a);

/**
 * True if the prefix holds the address of that family (4 or 6; IPv4 as
 * ::ffff:a.b.c.d). An IPv4 prefix never holds an IPv6 address, v4-mapped
 * or not.
 */
bool hyp_cidr_contains(const struct hyp_cidr *c, unsigned int family, const uint8_t a[16]);

#ifdef __cplusplus
}
#endif

#endif /* HYP_CIDR_H */
