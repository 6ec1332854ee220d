/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HYP_FASTPATH_H
#define HYP_FASTPATH_H

/**
 * @file
 * Bring the maps of one XDP program instance to a policy's fast_path and
 * runtime sections, in place, while traffic flows.
 *
 * Rule ids: a drop_ips or drop_dst_ips prefix gets its 1-based position in
 * its list as rule id (the first entry is rule 1), and so does a rate_limits
 * entry. A prefix listed twice in one list is loaded once, with the first
 * listing's position and values.
 */

#include <stdint.h>

#include "hyp_policy.h"
#include "hyp_xdp.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What one apply did to one map. */
struct hyp_fastpath_count {
	uint32_t added;		/**< in the policy, not in the map before */
	uint32_t removed;	/**< in the map, not in the policy */
	uint32_t kept;		/**< in both: value set to the policy's, hits kept */
	uint32_t runtime;	/**< not in the policy, kept: added by hand (HYP_BLOCK_F_RUNTIME) */
};

/** Per map, indexed by enum hyp_map_id; maps apply does not touch stay 0. */
struct hyp_fastpath_stats {
	struct hyp_fastpath_count map[HYP_MAP_ID_MAX];
};

/**
 * Make the program's fast path what the policy says.
 *
 * Config: writes fail_mode, malformed_action, watchdog_ns (watchdog_ms) and
 * redirect_all. Heartbeat, IPS mode, flow tracking, event sampling and the
 * default rate limit are the caller's and are left alone.
 *
 * Maps: block_src_v4/v6 (drop_ips), block_dst_v4/v6 (drop_dst_ips),
 * rl_rules_v4/v6 (rate_limits) and redirect_ports end up holding exactly the
 * policy's entries, and the block maps also the prefixes blocked by hand
 * (HYP_BLOCK_F_RUNTIME), which only a removal by hand takes out. Every entry of the new policy is written before any
 * entry is removed, so no listed source passes during the apply, and an
 * entry the policy dropped is blocked at most until the apply returns.
 * Prefixes that stay keep their hit counters (one whose position, and so
 * rule id, changed is rewritten with them: hits counted during that one
 * rewrite are lost).
 *
 * Returns 0, or -errno on the first failure, logged with the entry it
 * concerns. The maps then hold every entry written so far, old ones
 * included: a later successful apply converges them.
 *
 * @param st  counts per map; may be NULL
 */
int hyp_fastpath_apply(struct hyp_xdp *x, const struct hyp_policy *p,
		       struct hyp_fastpath_stats *st);

/**
 * Bring several programs (the ports of one instance) to one policy, all or
 * none: each in turn with hyp_fastpath_apply(); on the first failure the
 * programs already done, and the one that failed, are brought back to old
 * (when old is not NULL), so a refused reload leaves every port as it was.
 * A failed rollback is logged; the maps then hold a mix until the next
 * successful apply.
 *
 * @param failed  set to the index of the program that failed; may be NULL
 * @return 0, or the failure's -errno
 */
int hyp_fastpath_apply_all(struct hyp_xdp *const xs[], unsigned int n,
			   const struct hyp_policy *p, const struct hyp_policy *old,
			   unsigned int *failed);

#ifdef __cplusplus
}
#endif

#endif /* HYP_FASTPATH_H */
