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

/** How /metrics is served. */
struct hyp_metrics_conf {
	const char *addr;	/**< an IPv4 or IPv6 literal; NULL or "": 127.0.0.1 */
	uint16_t port;
	/**
	 * NULL: no authentication. Else a file of "user:secret" lines, read
	 * once at start, mode 0600 or stricter: secret is a crypt(3) hash
	 * ($2b$ bcrypt, $y$ yescrypt, $6$ ...) or, without a leading '$', the
	 * password itself. Scrapes then need HTTP basic auth (401 otherwise).
	 */
	const char *auth_file;
	/** both or neither: HTTPS with libmicrohttpd's GnuTLS, PEM files read once */
	const char *tls_cert;
	const char *tls_key;
};

/**
 * Serve /metrics as conf says until hyp_metrics_stop(). NULL with errno
 * and the reason in err (file:line for the auth file, never a secret).
 */
struct hyp_metrics *hyp_metrics_open(struct hyp_ctl *ctl, const struct hyp_metrics_conf *conf,
				     char *err, size_t err_len);

/**
 * Listen on addr:port (an IPv4 or IPv6 literal; NULL or "" means
 * 127.0.0.1), no authentication, no TLS: hyp_metrics_open() with only those.
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
