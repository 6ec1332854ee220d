/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HYP_TELEMETRY_H
#define HYP_TELEMETRY_H

/**
 * @file
 * dpdk-hyperion's rte_telemetry commands (see doc/telemetry.md):
 *   /hyperion/stats     fast path per reason, aux, slow path totals, EVE
 *   /hyperion/lcores    per worker lcore: role, rx, polls, busy ratio
 *   /hyperion/rings     per stage ring: fill, capacity, high-water mark
 *   /hyperion/xsk       per port and queue: the kernel's AF_XDP statistics
 *   /hyperion/policy    the loaded policy's provenance and reloads
 *   /hyperion/watchdog  heartbeat age against the policy's limit
 *
 * The callbacks run in the telemetry threads and read everything under
 * ctl->lock; they never touch the data path.
 */

#ifdef __cplusplus
extern "C" {
#endif

struct hyp_ctl;

/**
 * Register the commands, reading ctl from then on (it must outlive the
 * process's telemetry: rte_telemetry cannot unregister). Calling it again
 * only changes which ctl is read.
 *
 * @return
 *   0, or a negative errno from rte_telemetry_register_cmd().
 */
int hyp_telemetry_register(struct hyp_ctl *ctl);

#ifdef __cplusplus
}
#endif

#endif /* HYP_TELEMETRY_H */
