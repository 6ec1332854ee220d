/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HYP_BASE_H
#define HYP_BASE_H

/**
 * @file
 * What the libraries share and nothing of ours provides: the action of a
 * slow-path rule and the DNS name limit (policy, DNS parser, engine, EVE).
 * Prefixes are in hyp_cidr.h, address formatting in hyp_addr.h, Hyperscan's
 * flags in hyp_hs.h. This library depends on nothing of ours but the header
 * shared with the XDP program.
 */

#ifdef __cplusplus
extern "C" {
#endif

enum hyp_action {
	HYP_ACTION_PASS,
	HYP_ACTION_ALERT,	/**< count and log, let it pass */
	HYP_ACTION_DROP,
};

/** "pass", "alert", "drop"; "?" for anything else. */
const char *hyp_action_name(enum hyp_action a);

/** A DNS name in presentation form, without the trailing dot (RFC 1035 2.3.4). */
#define HYP_DNS_NAME_MAX	253
/** A buffer for one, with its NUL. */
#define HYP_DNS_NAME_BUF	(HYP_DNS_NAME_MAX + 1)

#ifdef __cplusplus
}
#endif

#endif /* HYP_BASE_H */
