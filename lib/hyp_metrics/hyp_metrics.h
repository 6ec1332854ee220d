/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HYP_METRICS_H
#define HYP_METRICS_H

/**
 * @file
 * Prometheus metrics of a running dpdk-hyperion: GET /metrics in the text
 * exposition format 0.0.4, served by libmicrohttpd from its own thread
 * (never a data-path lcore). Every scrape reads the instance through
 * struct hyp_ctl under ctl->lock: the XDP programs' counters, the
 * pipeline's per-lcore counters and rings, the EVE log, the policy.
 *
 * Counters come from monotonic sources and are never reset here.
 */

#include <stdint.h>

#include "hyp_ctl.h"

#ifdef __cplusplus
extern "C" {
#endif

struct hyp_metrics;

/**
 * Listen on addr:port (an IPv4 or IPv6 literal; NULL or "" means 0.0.0.0)
 * and serve /metrics until hyp_metrics_stop().
 *
 * @return
 *   The server, or NULL with errno set (EINVAL for a bad address, the
 *   errno of socket/bind/listen such as EADDRINUSE, ENOMEM, or EIO when
 *   libmicrohttpd would not start).
 */
struct hyp_metrics *hyp_metrics_start(struct hyp_ctl *ctl, const char *addr, uint16_t port);

/** Stop serving and free the server; NULL is ignored. */
void hyp_metrics_stop(struct hyp_metrics *m);

#ifdef __cplusplus
}
#endif

#endif /* HYP_METRICS_H */
