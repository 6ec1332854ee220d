/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HYP_REJECT_H
#define HYP_REJECT_H

/**
 * @file
 * The answers of a reject rule in ips mode, built as whole frames: a TCP
 * segment is answered with a RST, anything else with an ICMP destination
 * unreachable, port (IPv4 type 3 code 3, IPv6 type 1 code 4) that quotes
 * it, as a host would answer (RFC 9293 3.10.7.1, RFC 1122 3.2.2, RFC
 * 4443 2.4).
 *
 * Never answered, as no host answers them: an ICMP error, a RST, a
 * fragment other than the first, a packet to or from a broadcast or
 * multicast address, and (to its source) a packet whose source is not a
 * unicast address. The answers are never larger than the 576 (IPv4) or
 * 1280 (IPv6) bytes every link carries, quoting as much as fits, so a
 * reject cannot be turned into an amplifier; the caller bounds their rate.
 */

#include <stdint.h>

#include "hyp_base.h"	/* HYP_REJECT_SRC, HYP_REJECT_DST */
#include "hyp_flow.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Room a frame needs: L2 with two VLAN tags, then IPv6's minimum MTU. */
#define HYP_REJECT_FRAME_MAX	(14 + 8 + 1280)

/**
 * The answer to frame (len bytes, parsed into m by hyp_flow_parse()) for
 * one side, to (HYP_REJECT_SRC or HYP_REJECT_DST), into out (cap bytes).
 * Its L2 header is the frame's own, tags kept, addresses swapped for the
 * sender.
 *
 * @return
 *   The frame's length; -EPERM if this packet is never answered (above),
 *   -EINVAL if the frame does not hold what m says, -ENOSPC if cap is too
 *   small.
 */
int hyp_reject_build(const uint8_t *frame, uint32_t len, const struct hyp_pkt_meta *m,
		     unsigned int to, uint8_t *out, uint32_t cap);

#ifdef __cplusplus
}
#endif

#endif /* HYP_REJECT_H */
