/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpdk-hyperion's rte_telemetry commands. Every value is structured data
 * (dicts, arrays, u64), never preformatted text; see doc/telemetry.md.
 *
 * DPDK 22.11 limits shape the replies: a dict holds at most
 * RTE_TEL_MAX_DICT_ENTRIES, names may only hold [A-Za-z0-9_/], and a
 * container's own values must be scalars (a third level is printed as
 * null). So replies are at most two levels deep: the fast path's reasons
 * are top-level keys "fast/<reason>", each a dict {packets, bytes, dropped}.
 * Lists are dicts too ("<port_id>/<queue>", ring names): 22.11 takes no
 * dict into an array.
 */

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_common.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mempool.h>
#include <rte_telemetry.h>

#include "hyp_addr.h"
#include "hyp_ctl.h"
#include "hyp_eve.h"
#include "hyp_flow.h"
#include "hyp_pipeline.h"
#include "hyp_telemetry.h"
#include "hyp_xdp.h"
#include "hyp_xskdiag.h"

#define MAX_RINGS	(RTE_MAX_LCORE * (1 + HYP_PIPE_MAX_PORTS))


static struct hyp_ctl *tel_ctl;

static struct hyp_ctl *
ctl_get(void)
{
	return __atomic_load_n(&tel_ctl, __ATOMIC_ACQUIRE);
}

static uint64_t
realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* A string value that stays valid JSON whatever DPDK does about escaping. */
static void
add_str(struct rte_tel_data *d, const char *name, const char *s)
{
	char buf[RTE_TEL_MAX_STRING_LEN];
	size_t i;

	for (i = 0; s[i] != '\0' && i < sizeof(buf) - 1; i++)
		buf[i] = s[i] == '"' || s[i] == '\\' ? '\'' :
			 (unsigned char)s[i] < 0x20 ? ' ' : s[i];
	buf[i] = '\0';
	rte_tel_data_add_dict_string(d, name, buf);
}

/* A dict key from any string: 22.11 takes only [A-Za-z0-9_/]. */
static void
key_from(char *buf, size_t len, const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i < len - 1; i++)
		buf[i] = isalnum((unsigned char)s[i]) || s[i] == '/' ? s[i] : '_';
	buf[i] = '\0';
}

/* A dict of one stats struct, from its counter table. */
static struct rte_tel_data *
table_dict(const void *stats, const struct hyp_stat_desc *d, unsigned int n)
{
	struct rte_tel_data *x = rte_tel_data_alloc();
	unsigned int i;

	if (x == NULL)
		return NULL;
	rte_tel_data_start_dict(x);
	for (i = 0; i < n; i++)
		rte_tel_data_add_dict_u64(x, d[i].name, hyp_stat_value(stats, &d[i]));
	return x;
}

static void
add_container(struct rte_tel_data *d, const char *name, struct rte_tel_data *x)
{
	if (x != NULL && rte_tel_data_add_dict_container(d, name, x, 0) != 0)
		rte_tel_data_free(x);
}

/* ---- /hyperion/stats ------------------------------------------------------ */

/* The XDP LRU maps, summed over ports: entries, and evictions derived. */
static void
tables_fill(const struct hyp_ctl *c, struct rte_tel_data *d)
{
	struct hyp_xdp *xs[HYP_PIPE_MAX_PORTS];
	struct hyp_xdp_lru_stats sum[HYP_XDP_LRU_MAX], one[HYP_XDP_LRU_MAX];
	unsigned int n = hyp_ctl_xdps(c, xs, NULL), i, t;
	struct rte_tel_data *x;
	char name[RTE_TEL_MAX_STRING_LEN];

	memset(sum, 0, sizeof(sum));
	for (i = 0; i < n; i++) {
		if (hyp_xdp_lru_stats(xs[i], one) != 0)
			continue;
		for (t = 0; t < HYP_XDP_LRU_MAX; t++) {
			sum[t].entries += one[t].entries;
			sum[t].inserted += one[t].inserted;
			sum[t].evicted += one[t].evicted;
		}
	}
	for (t = 0; t < HYP_XDP_LRU_MAX; t++) {
		x = rte_tel_data_alloc();
		if (x == NULL)
			return;
		rte_tel_data_start_dict(x);
		rte_tel_data_add_dict_u64(x, "entries", sum[t].entries);
		rte_tel_data_add_dict_u64(x, "inserted", sum[t].inserted);
		rte_tel_data_add_dict_u64(x, "evicted", sum[t].evicted);
		snprintf(name, sizeof(name), "table/%s", hyp_xdp_lru_name(t));
		add_container(d, name, x);
	}
}

static void
stats_fill(const struct hyp_ctl *c, struct rte_tel_data *d)
{
	struct hyp_counter r[HYP_R_MAX];
	uint64_t aux[HYP_AUX_MAX];
	struct hyp_lcore_stats t;
	struct hyp_eve_stats es;
	struct hyp_defrag_stats ds;
	struct hyp_stream_stats ss;
	struct rte_tel_data *x;
	char name[RTE_TEL_MAX_STRING_LEN];
	unsigned int k;

	rte_tel_data_add_dict_string(d, "mode", c->mode != NULL ? c->mode : "");
	rte_tel_data_add_dict_u64(d, "ports", c->n_ports);
	rte_tel_data_add_dict_u64(d, "uptime_s",
				  c->start_ns ? (realtime_ns() - c->start_ns) / 1000000000ull : 0);

	hyp_ctl_fastpath_totals(c, r, aux);
	for (k = 0; k < HYP_R_MAX; k++) {
		x = rte_tel_data_alloc();
		if (x == NULL)
			break;
		rte_tel_data_start_dict(x);
		rte_tel_data_add_dict_u64(x, "packets", r[k].packets);
		rte_tel_data_add_dict_u64(x, "bytes", r[k].bytes);
		rte_tel_data_add_dict_u64(x, "dropped", r[k].dropped);
		snprintf(name, sizeof(name), "fast/%s", hyp_reason_name(k));
		add_container(d, name, x);
	}
	rte_tel_data_add_dict_u64(d, "redirect_failures", r[HYP_R_REDIRECT_FALLBACK].packets);

	x = rte_tel_data_alloc();
	if (x != NULL) {
		rte_tel_data_start_dict(x);
		for (k = 0; k < HYP_AUX_MAX; k++)
			rte_tel_data_add_dict_u64(x, hyp_aux_name(k), aux[k]);
		add_container(d, "aux", x);
	}
	tables_fill(c, d);

	memset(&t, 0, sizeof(t));
	memset(&ds, 0, sizeof(ds));
	memset(&ss, 0, sizeof(ss));
	if (c->pipe != NULL) {
		hyp_pipeline_totals(c->pipe, &t);
		hyp_pipeline_defrag_stats(c->pipe, &ds);
		hyp_pipeline_stream_stats(c->pipe, &ss);
	}
	add_container(d, "slow", table_dict(&t, hyp_lcore_stat_descs, hyp_lcore_stat_count));
	add_container(d, "defrag", table_dict(&ds, hyp_defrag_stat_descs, hyp_defrag_stat_count));
	add_container(d, "stream", table_dict(&ss, hyp_stream_stat_descs, hyp_stream_stat_count));
	{
		struct hyp_detect_stats ds2;

		memset(&ds2, 0, sizeof(ds2));
		if (c->pipe != NULL)
			hyp_pipeline_detect_stats(c->pipe, &ds2);
		add_container(d, "rules", table_dict(&ds2, hyp_detect_stat_descs,
						     hyp_detect_stat_count));
	}
	{
		struct hyp_http_stats hs;

		memset(&hs, 0, sizeof(hs));
		if (c->pipe != NULL)
			hyp_pipeline_http_stats(c->pipe, &hs);
		add_container(d, "http", table_dict(&hs, hyp_http_stat_descs, hyp_http_stat_count));
	}
	{
		struct hyp_tls_stats ts;

		memset(&ts, 0, sizeof(ts));
		if (c->pipe != NULL)
			hyp_pipeline_tls_stats(c->pipe, &ts);
		add_container(d, "tls", table_dict(&ts, hyp_tls_stat_descs, hyp_tls_stat_count));
	}

	memset(&es, 0, sizeof(es));
	if (c->eve != NULL)
		hyp_eve_get_stats(c->eve, &es);
	x = table_dict(&es, hyp_eve_stat_descs, hyp_eve_stat_count);
	if (x != NULL)
		rte_tel_data_add_dict_u64(x, "enabled", c->eve != NULL);
	add_container(d, "eve", x);

	{
		struct hyp_threshold_stats ts;

		hyp_threshold_get_stats(c->threshold, &ts);	/* zeros without one */
		add_container(d, "threshold", table_dict(&ts, hyp_threshold_stat_descs,
							 hyp_threshold_stat_count));
	}
}

/* ---- /hyperion/lcores ----------------------------------------------------- */

static void
lcores_fill(const struct hyp_ctl *c, struct rte_tel_data *d)
{
	const struct hyp_lcore_stats *s;
	struct rte_tel_data *x;
	char name[16];
	unsigned int l;

	if (c->pipe == NULL)
		return;
	RTE_LCORE_FOREACH_WORKER(l) {
		s = hyp_pipeline_lcore_stats(c->pipe, l);
		if (s == NULL)
			continue;
		x = table_dict(s, hyp_lcore_stat_descs, hyp_lcore_stat_count);
		if (x == NULL)
			return;
		rte_tel_data_add_dict_string(x, "role",
					     hyp_role_name(hyp_pipeline_role(c->pipe, l)));
		rte_tel_data_add_dict_u64(x, "busy_permille", s->poll_cycles == 0 ? 0 :
			(uint64_t)((double)s->busy_cycles * 1000.0 / (double)s->poll_cycles));
		snprintf(name, sizeof(name), "%u", l);
		add_container(d, name, x);
	}
}

/* ---- /hyperion/rings ------------------------------------------------------ */

static void
rings_fill(const struct hyp_ctl *c, struct rte_tel_data *d)
{
	char key[RTE_TEL_MAX_STRING_LEN];
	struct hyp_ring_info *ri;
	struct rte_tel_data *x;
	unsigned int n, i;

	if (c->pipe == NULL)
		return;
	ri = calloc(MAX_RINGS, sizeof(*ri));
	if (ri == NULL)
		return;
	n = hyp_pipeline_rings(c->pipe, ri, MAX_RINGS);
	for (i = 0; i < n && i < RTE_TEL_MAX_DICT_ENTRIES; i++) {
		x = table_dict(&ri[i], hyp_ring_stat_descs, hyp_ring_stat_count);
		if (x == NULL)
			break;
		rte_tel_data_add_dict_string(x, "name", ri[i].name);
		key_from(key, sizeof(key), ri[i].name);
		add_container(d, key, x);
	}
	free(ri);
}

/* ---- /hyperion/xsk -------------------------------------------------------- */

/* The port's mbuf pool: the ethdev's, else the one the app names after it. */
static struct rte_mempool *
port_pool(const struct hyp_ctl_port *p, uint16_t q)
{
	struct rte_eth_rxq_info qi;
	char name[RTE_MEMPOOL_NAMESIZE];

	memset(&qi, 0, sizeof(qi));
	if (rte_eth_rx_queue_info_get(p->port_id, q, &qi) == 0 && qi.mp != NULL)
		return qi.mp;
	snprintf(name, sizeof(name), "hyp_%.20s", p->name);
	return rte_mempool_lookup(name);
}

/* What the pipeline saw of one queue, and its rx pressure (permille: no doubles in 22.11). */
static void
xsk_queue_fill(const struct hyp_ctl *c, struct rte_tel_data *x, unsigned int pi, unsigned int q)
{
	const struct hyp_queue_stats *qs;
	const struct hyp_ctl_queue_window *w;
	unsigned int lcore, k;

	if (c->pipe == NULL || pi >= HYP_PIPE_MAX_PORTS || q >= HYP_PIPE_MAX_QUEUES)
		return;
	qs = hyp_pipeline_queue_stats(c->pipe, pi, q, &lcore);
	if (qs == NULL)
		return;
	rte_tel_data_add_dict_u64(x, "lcore", lcore);
	for (k = 0; k < hyp_queue_stat_count; k++)
		rte_tel_data_add_dict_u64(x, hyp_queue_stat_descs[k].name,
					  hyp_stat_value(qs, &hyp_queue_stat_descs[k]));
	w = &c->qwin[pi][q];
	rte_tel_data_add_dict_u64(x, "pressure_permille", (uint64_t)(w->pressure * 1000.0 + 0.5));
	rte_tel_data_add_dict_u64(x, "pressure_fill_permille", (uint64_t)(w->fill * 1000.0 + 0.5));
	rte_tel_data_add_dict_u64(x, "pressure_overflowed", w->overflowed);
	rte_tel_data_add_dict_u64(x, "pressure_ring_permille", (uint64_t)(w->ring * 1000.0 + 0.5));
}

static void
xsk_fill(const struct hyp_ctl *c, struct rte_tel_data *d, const struct hyp_ctl_xsk *xs,
	 unsigned int n)
{
	static const char *const sources[] = {
		[HYP_XSKDIAG_SOCK_DIAG] = "sock_diag",
		[HYP_XSKDIAG_OWN_FDS] = "process_fds",
	};
	struct hyp_counter r[HYP_PIPE_MAX_PORTS][HYP_R_MAX];
	char key[RTE_TEL_MAX_STRING_LEN];
	struct rte_mempool *mp;
	struct rte_tel_data *x;
	unsigned int i, k;

	for (i = 0; i < c->n_ports && i < HYP_PIPE_MAX_PORTS; i++) {
		memset(r[i], 0, sizeof(r[i]));
		if (c->ports[i].xdp != NULL)
			hyp_xdp_reason_stats(c->ports[i].xdp, r[i]);
	}
	for (i = 0; i < n; i++) {
		const struct hyp_ctl_port *p = &c->ports[xs[i].port];

		if (xs[i].port >= c->n_ports)
			continue;	/* the ports went away meanwhile */
		x = xs[i].socket ? table_dict(&xs[i].diag, hyp_xsk_stat_descs, hyp_xsk_stat_count) :
			rte_tel_data_alloc();
		if (x == NULL)
			return;
		if (!xs[i].socket)
			rte_tel_data_start_dict(x);
		rte_tel_data_add_dict_u64(x, "port_id", p->port_id);
		rte_tel_data_add_dict_string(x, "port", p->name);
		rte_tel_data_add_dict_string(x, "ifname", p->ifname);
		rte_tel_data_add_dict_u64(x, "ifindex", p->ifindex);
		rte_tel_data_add_dict_u64(x, "queue", xs[i].queue);
		rte_tel_data_add_dict_u64(x, "nic_queue", p->start_queue + xs[i].queue);
		rte_tel_data_add_dict_u64(x, "socket", xs[i].socket);
		if (xs[i].source < 0)
			rte_tel_data_add_dict_int(x, "diag_errno", -xs[i].source);
		if (xs[i].socket) {
			rte_tel_data_add_dict_string(x, "source", sources[xs[i].source]);
			rte_tel_data_add_dict_u64(x, "inode", xs[i].diag.inode);
			rte_tel_data_add_dict_u64(x, "rx_ring_entries", xs[i].diag.rx_ring_entries);
			rte_tel_data_add_dict_u64(x, "fill_ring_entries",
						  xs[i].diag.fill_ring_entries);
		}
		mp = port_pool(p, xs[i].queue);
		if (mp != NULL) {
			rte_tel_data_add_dict_string(x, "mbuf_pool", mp->name);
			rte_tel_data_add_dict_u64(x, "mbuf_avail", rte_mempool_avail_count(mp));
			rte_tel_data_add_dict_u64(x, "mbuf_in_use", rte_mempool_in_use_count(mp));
			rte_tel_data_add_dict_u64(x, "mbuf_size", mp->size);
		}
		if (xs[i].socket) {
			rte_tel_data_add_dict_string(x, "mode", !xs[i].diag.options_known ?
				"unknown" : xs[i].diag.zerocopy ? "zero-copy" : "copy");
			/* the kernel bound it on another queue than it was made for */
			rte_tel_data_add_dict_u64(x, "misplaced", xs[i].misplaced);
		}
		rte_tel_data_add_dict_u64(x, "fenced", xs[i].queue < HYP_PIPE_MAX_QUEUES &&
					  p->fenced[xs[i].queue]);
		xsk_queue_fill(c, x, xs[i].port, xs[i].queue);
		/* the program's counters are per port, not per queue */
		k = xs[i].port;
		rte_tel_data_add_dict_u64(x, "port_xdp_redirect", r[k][HYP_R_REDIRECT].packets);
		rte_tel_data_add_dict_u64(x, "port_xdp_redirect_fail",
					  r[k][HYP_R_REDIRECT_FALLBACK].packets);
		snprintf(key, sizeof(key), "%u/%u", p->port_id, xs[i].queue);
		add_container(d, key, x);
	}
}

/* ---- /hyperion/policy and /hyperion/watchdog ------------------------------ */

static void
policy_fill(const struct hyp_ctl *c, struct rte_tel_data *d)
{
	char hash[24];

	snprintf(hash, sizeof(hash), "%016" PRIx64, c->policy_hash);
	add_str(d, "file", c->policy_path);
	rte_tel_data_add_dict_string(d, "hash", hash);
	rte_tel_data_add_dict_u64(d, "loaded_at_ns", c->policy_loaded_ns);
	rte_tel_data_add_dict_u64(d, "reloads_ok", c->reloads_ok);
	rte_tel_data_add_dict_u64(d, "reloads_failed", c->reloads_failed);
	add_str(d, "last_error", c->last_error);
}

static void
watchdog_fill(const struct hyp_ctl *c, struct rte_tel_data *d)
{
	struct hyp_xdp *x[HYP_PIPE_MAX_PORTS];
	uint64_t now = hyp_xdp_now_ns(), age_ms, v;
	const char *state;

	age_ms = c->last_heartbeat_ns != 0 && now > c->last_heartbeat_ns ?
		 (now - c->last_heartbeat_ns) / 1000000ull : 0;
	if (c->watchdog_ms == 0)
		state = "off";
	else if (c->last_heartbeat_ns == 0 || age_ms > c->watchdog_ms)
		state = "stale";
	else
		state = "ok";
	rte_tel_data_add_dict_string(d, "state", state);
	rte_tel_data_add_dict_u64(d, "heartbeats", c->last_heartbeat_ns != 0);
	rte_tel_data_add_dict_u64(d, "heartbeats_written",
				  __atomic_load_n(&c->hb_written, __ATOMIC_RELAXED));
	rte_tel_data_add_dict_u64(d, "heartbeats_withheld",
				  __atomic_load_n(&c->hb_withheld, __ATOMIC_RELAXED));
	rte_tel_data_add_dict_u64(d, "stalled_lcore",
				  __atomic_load_n(&c->hb_stalled_lcore, __ATOMIC_RELAXED));
	rte_tel_data_add_dict_u64(d, "heartbeat_age_ms", age_ms);
	rte_tel_data_add_dict_u64(d, "limit_ms", c->watchdog_ms);
	/* what the (first) program itself goes by */
	if (hyp_ctl_xdps(c, x, NULL) > 0) {
		if (hyp_xdp_config_get(x[0], HYP_CFG_WATCHDOG_NS, &v) == 0)
			rte_tel_data_add_dict_u64(d, "xdp_limit_ms", v / 1000000ull);
		if (hyp_xdp_config_get(x[0], HYP_CFG_HEARTBEAT_NS, &v) == 0 && v != 0)
			rte_tel_data_add_dict_u64(d, "xdp_heartbeat_age_ms",
						  now > v ? (now - v) / 1000000ull : 0);
	}
}

/* ---- the callbacks -------------------------------------------------------- */

typedef void (*fill_fn)(const struct hyp_ctl *c, struct rte_tel_data *d);

static int
answer(struct rte_tel_data *d, fill_fn fill)
{
	struct hyp_ctl *c = ctl_get();

	rte_tel_data_start_dict(d);
	if (c == NULL)
		return 0;
	pthread_mutex_lock(&c->lock);
	fill(c, d);
	pthread_mutex_unlock(&c->lock);
	return 0;
}

static int
cb_stats(const char *cmd __rte_unused, const char *params __rte_unused, struct rte_tel_data *d)
{
	return answer(d, stats_fill);
}

static int
cb_lcores(const char *cmd __rte_unused, const char *params __rte_unused, struct rte_tel_data *d)
{
	return answer(d, lcores_fill);
}

static int
cb_rings(const char *cmd __rte_unused, const char *params __rte_unused, struct rte_tel_data *d)
{
	return answer(d, rings_fill);
}

static int
cb_xsk(const char *cmd __rte_unused, const char *params __rte_unused, struct rte_tel_data *d)
{
	struct hyp_ctl *c = ctl_get();
	struct hyp_ctl_xsk *xs;
	unsigned int n;

	rte_tel_data_start_dict(d);
	if (c == NULL)
		return 0;
	xs = calloc(HYP_PIPE_MAX_PORTS * HYP_PIPE_MAX_QUEUES, sizeof(*xs));
	if (xs == NULL)
		return -ENOMEM;
	/* the kernel's counters first, without the lock (netlink) */
	n = hyp_ctl_xsk_stats(c, xs, HYP_PIPE_MAX_PORTS * HYP_PIPE_MAX_QUEUES);
	pthread_mutex_lock(&c->lock);
	xsk_fill(c, d, xs, n);
	pthread_mutex_unlock(&c->lock);
	free(xs);
	return 0;
}

static int
cb_policy(const char *cmd __rte_unused, const char *params __rte_unused, struct rte_tel_data *d)
{
	return answer(d, policy_fill);
}

static int
cb_watchdog(const char *cmd __rte_unused, const char *params __rte_unused,
	    struct rte_tel_data *d)
{
	return answer(d, watchdog_fill);
}

/* The health state machine: where it is, why, how long, how it got there. */
static void
health_fill(const struct hyp_ctl *c, struct rte_tel_data *d)
{
	const struct hyp_health *h = &c->health;
	uint64_t now = hyp_xdp_now_ns() / 1000000ULL;
	char key[64];
	unsigned int a, b;

	rte_tel_data_add_dict_string(d, "state", c->health_on ?
				     hyp_health_state_name(h->state) : "starting");
	rte_tel_data_add_dict_string(d, "why", c->health_on ? h->last.why : "");
	rte_tel_data_add_dict_u64(d, "in_state_ms", c->health_on && now > h->since_ms ?
				  now - h->since_ms : 0);
	rte_tel_data_add_dict_u64(d, "shed_from", c->shed_from);
	rte_tel_data_add_dict_u64(d, "shed_steps", c->shed_steps);
	rte_tel_data_add_dict_u64(d, "shed_restores", c->shed_restores);
	rte_tel_data_add_dict_u64(d, "shed_write_errors", c->shed_write_errors);
	for (a = 0; a < HYP_HEALTH_MAX; a++) {
		snprintf(key, sizeof(key), "dwell_ms_%s", hyp_health_state_name(a));
		rte_tel_data_add_dict_u64(d, key, c->health_on ? hyp_health_dwell_ms(h, a, now) : 0);
		snprintf(key, sizeof(key), "entered_%s", hyp_health_state_name(a));
		rte_tel_data_add_dict_u64(d, key, h->entered[a]);
		for (b = 0; b < HYP_HEALTH_MAX; b++) {
			if (a == b)
				continue;
			snprintf(key, sizeof(key), "%s_to_%s", hyp_health_state_name(a),
				 hyp_health_state_name(b));
			rte_tel_data_add_dict_u64(d, key, h->transitions[a][b]);
		}
	}
	rte_tel_data_add_dict_u64(d, "heartbeat_age_ms", c->health_sig.heartbeat_age_ms);
	rte_tel_data_add_dict_u64(d, "lcores_progress", c->health_sig.lcores_progress);
	rte_tel_data_add_dict_u64(d, "ring_pct", c->health_sig.ring_pct);
	rte_tel_data_add_dict_u64(d, "fill_empty", c->health_sig.fill_empty);
	rte_tel_data_add_dict_u64(d, "rx_ring_full", c->health_sig.rx_ring_full);
	rte_tel_data_add_dict_u64(d, "ring_drops", c->health_sig.ring_drops);
	rte_tel_data_add_dict_u64(d, "mbuf_fail", c->health_sig.mbuf_fail);
}

static int
cb_health(const char *cmd __rte_unused, const char *params __rte_unused,
	  struct rte_tel_data *d)
{
	return answer(d, health_fill);
}

/* Decisions per rule, keyed by rule id. */
static void
rules_fill(const struct hyp_ctl *c, struct rte_tel_data *d)
{
	struct hyp_ctl_rule *rules = calloc(RTE_TEL_MAX_DICT_ENTRIES, sizeof(*rules));
	unsigned int n, k;

	if (rules == NULL)
		return;
	n = RTE_MIN(hyp_ctl_rules(c, rules, RTE_TEL_MAX_DICT_ENTRIES),
		    (unsigned int)RTE_TEL_MAX_DICT_ENTRIES);
	for (k = 0; k < n; k++) {
		struct rte_tel_data *r = rte_tel_data_alloc();
		char key[RTE_TEL_MAX_STRING_LEN];

		if (r == NULL)
			break;
		rte_tel_data_start_dict(r);
		rte_tel_data_add_dict_u64(r, "id", rules[k].id);
		rte_tel_data_add_dict_string(r, "action", hyp_action_name(rules[k].action));
		rte_tel_data_add_dict_u64(r, "hits", rules[k].hits);
		add_str(r, "msg", rules[k].msg != NULL ? rules[k].msg : "");
		if (rules[k].threshold.type != HYP_THRESHOLD_NONE) {
			rte_tel_data_add_dict_string(r, "threshold_type",
						     hyp_threshold_type_name(rules[k].threshold.type));
			rte_tel_data_add_dict_string(r, "threshold_track",
						     hyp_threshold_track_name(rules[k].threshold.track));
			rte_tel_data_add_dict_u64(r, "threshold_count", rules[k].threshold.count);
			rte_tel_data_add_dict_u64(r, "threshold_seconds",
						  rules[k].threshold.seconds);
		}
		snprintf(key, sizeof(key), "rule_%u", rules[k].id);
		add_container(d, key, r);
	}
	free(rules);
}

static unsigned int flows_n = 10;

/* The largest flows by bytes, from the workers' own tables. */
static void
flows_fill(const struct hyp_ctl *c, struct rte_tel_data *d)
{
	struct hyp_flow_entry top[64];
	int n, i;

	if (c->pipe == NULL)
		return;
	n = hyp_pipeline_top_flows(c->pipe, top, RTE_MIN(flows_n, 64u), 200);
	if (n < 0) {
		rte_tel_data_add_dict_int(d, "error", n);
		return;
	}
	for (i = 0; i < n; i++) {
		struct rte_tel_data *f = rte_tel_data_alloc();
		char a[HYP_ADDR_STRLEN], b[HYP_ADDR_STRLEN], key[16];

		if (f == NULL)
			break;
		rte_tel_data_start_dict(f);
		hyp_addr_format(top[i].key.addr_a, top[i].key.family, a, sizeof(a));
		hyp_addr_format(top[i].key.addr_b, top[i].key.family, b, sizeof(b));
		rte_tel_data_add_dict_string(f, "a", a);
		rte_tel_data_add_dict_u64(f, "port_a", top[i].key.port_a);
		rte_tel_data_add_dict_string(f, "b", b);
		rte_tel_data_add_dict_u64(f, "port_b", top[i].key.port_b);
		rte_tel_data_add_dict_u64(f, "proto", top[i].key.proto);
		rte_tel_data_add_dict_u64(f, "packets_ab", top[i].packets[0]);
		rte_tel_data_add_dict_u64(f, "packets_ba", top[i].packets[1]);
		rte_tel_data_add_dict_u64(f, "bytes", top[i].bytes[0] + top[i].bytes[1]);
		rte_tel_data_add_dict_string(f, "verdict", top[i].verdict == HYP_ACTION_DROP ?
					     "drop" : "none");
		snprintf(key, sizeof(key), "flow_%d", i);
		rte_tel_data_add_dict_container(d, key, f, 0);
	}
}

/* Auto-block counters and the active blocks (first 64). */
static void
autoblocks_fill(const struct hyp_ctl *c, struct rte_tel_data *d)
{
	struct hyp_autoblock_entry e[64];
	struct hyp_autoblock_stats st;
	uint64_t now = hyp_xdp_now_ns();
	unsigned int n, i;

	if (c->autoblock == NULL)
		return;
	hyp_autoblock_get_stats(c->autoblock, &st);
	for (i = 0; i < hyp_autoblock_stat_count; i++)
		rte_tel_data_add_dict_u64(d, hyp_autoblock_stat_descs[i].name,
					  hyp_stat_value(&st, &hyp_autoblock_stat_descs[i]));
	rte_tel_data_add_dict_u64(d, "cap", HYP_AUTOBLOCK_CAP);
	n = hyp_autoblock_list(c->autoblock, now, e, RTE_DIM(e));
	for (i = 0; i < n; i++) {
		struct rte_tel_data *b = rte_tel_data_alloc();
		char a[HYP_ADDR_STRLEN], key[16];

		if (b == NULL)
			break;
		rte_tel_data_start_dict(b);
		hyp_addr_format(e[i].key.addr.a, e[i].key.family, a, sizeof(a));
		rte_tel_data_add_dict_string(b, "addr", a);
		rte_tel_data_add_dict_u64(b, "expires_in_ms", (e[i].expires_ns - now) / 1000000ULL);
		snprintf(key, sizeof(key), "block_%u", i);
		rte_tel_data_add_dict_container(d, key, b, 0);
	}
}

static int
cb_autoblocks(const char *cmd __rte_unused, const char *params __rte_unused,
	      struct rte_tel_data *d)
{
	return answer(d, autoblocks_fill);
}

static int
cb_rules(const char *cmd __rte_unused, const char *params __rte_unused, struct rte_tel_data *d)
{
	return answer(d, rules_fill);
}

/* a telemetry key from a report key: 22.11 takes [A-Za-z0-9_/] only */
static void
tel_key(const char *s, char *out, size_t size)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < size; i++)
		out[i] = isalnum((unsigned char)s[i]) || s[i] == '_' ? s[i] : '_';
	out[i] = '\0';
}

/* What the policy's rule_files gave the engine: --rules-report's numbers. */
static void
rules_report_fill(const struct hyp_ctl *c, struct rte_tel_data *d)
{
	const struct hyp_rules_report *r = c->engine != NULL ? hyp_engine_rules_report(c->engine) :
					   NULL;
	const struct hyp_detect_info *di = r != NULL ? hyp_engine_detect_info(c->engine) : NULL;
	char key[RTE_TEL_MAX_STRING_LEN];
	struct rte_tel_data *x;
	unsigned int i;

	rte_tel_data_add_dict_u64(d, "loaded", r != NULL ? r->loaded : 0);
	rte_tel_data_add_dict_u64(d, "skipped", r != NULL ? r->skipped : 0);
	rte_tel_data_add_dict_u64(d, "errors", r != NULL ? r->errors : 0);
	if (r == NULL)
		return;
	add_str(d, "first_error", r->first_error);
	rte_tel_data_add_dict_u64(d, "no_fast_pattern", di->no_fast_pattern);
	rte_tel_data_add_dict_u64(d, "port_groups", di->port_groups);
	rte_tel_data_add_dict_u64(d, "databases", di->databases);
	rte_tel_data_add_dict_u64(d, "database_kib", di->db_bytes / 1024);
	rte_tel_data_add_dict_u64(d, "pcre_jit", di->pcre_jit);
	rte_tel_data_add_dict_u64(d, "build_ms", (uint64_t)di->build_ms);
	x = rte_tel_data_alloc();
	if (x == NULL)
		return;
	rte_tel_data_start_dict(x);
	/* the first 64 keywords, in the order they were first met */
	for (i = 0; i < r->n_skips && i < 64; i++) {
		tel_key(r->skips[i].key, key, sizeof(key));
		rte_tel_data_add_dict_u64(x, key, r->skips[i].n);
	}
	add_container(d, "skipped_by_keyword", x);
}

static int
cb_rules_report(const char *cmd __rte_unused, const char *params __rte_unused,
		struct rte_tel_data *d)
{
	return answer(d, rules_report_fill);
}

static int
cb_flows(const char *cmd __rte_unused, const char *params, struct rte_tel_data *d)
{
	unsigned long n = 10;
	char *end;

	if (params != NULL && *params != '\0') {
		n = strtoul(params, &end, 10);
		if (*end != '\0' || n == 0 || n > 64)
			return -EINVAL;
	}
	flows_n = n;
	return answer(d, flows_fill);
}

/* Reload the policy (params: a file, or nothing for the current one). */
static int
cb_reload(const char *cmd __rte_unused, const char *params, struct rte_tel_data *d)
{
	struct hyp_ctl *c = ctl_get();
	char err[640] = "";
	int ret;

	rte_tel_data_start_dict(d);
	if (c == NULL)
		return -ENOTSUP;
	/* the reload takes the lock itself */
	ret = hyp_ctl_reload(c, params != NULL && *params != '\0' ? params : NULL, err,
			     sizeof(err));
	rte_tel_data_add_dict_string(d, "result", ret == 0 ? "ok" : "refused");
	if (ret < 0)
		add_str(d, "error", err);
	return 0;
}

/*
 * /hyperion/queue,fence,Q | unfence,Q | drain,Q[,MS]: a queue taken out of
 * (or put back into) service by hand. Strict: anything else is refused
 * with what was expected; nothing changes.
 */
static int
parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (s == NULL || *s < '0' || *s > '9' || strlen(s) > 10)
		return -EINVAL;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno != 0 || *end != '\0' || *out > max ? -EINVAL : 0;
}

/*
 * A command's parameter split at its commas into at most max fields (the
 * rest NULL), in buf. -1 when there is none, it does not fit buf, or it has
 * more fields than max: the caller refuses it whole.
 */
static int
split_params(const char *params, char *buf, size_t size, char **f, unsigned int max)
{
	char *save = NULL;
	unsigned int i;

	for (i = 0; i < max; i++)
		f[i] = NULL;
	if (params == NULL || strlen(params) >= size)
		return -1;
	snprintf(buf, size, "%s", params);
	for (i = 0; i < max; i++)
		f[i] = strtok_r(i == 0 ? buf : NULL, ",", &save);
	return strtok_r(NULL, ",", &save) == NULL ? 0 : -1;
}

static int
cb_queue(const char *cmd __rte_unused, const char *params, struct rte_tel_data *d)
{
	struct hyp_ctl *c = ctl_get();
	char buf[64], msg[256] = "", *f[3], *op, *qs, *ms;
	unsigned long q, tmo = 1000;
	struct hyp_ctl_drain dr;
	int ret;

	rte_tel_data_start_dict(d);
	if (c == NULL)
		return -ENOTSUP;
	ret = split_params(params, buf, sizeof(buf), f, RTE_DIM(f));
	op = f[0];
	qs = f[1];
	ms = f[2];
	if (ret < 0 || op == NULL || parse_uint(qs, HYP_XSKS_MAX_ENTRIES - 1, &q) < 0 ||
	    (strcmp(op, "drain") != 0 && ms != NULL) ||
	    (ms != NULL && parse_uint(ms, HYP_DRAIN_MAX_MS, &tmo) < 0) ||
	    (strcmp(op, "fence") != 0 && strcmp(op, "unfence") != 0 && strcmp(op, "drain") != 0)) {
		rte_tel_data_add_dict_string(d, "result", "refused");
		add_str(d, "error", "expected fence,Q | unfence,Q | drain,Q[,MS] with Q a queue "
			"0..63 and MS 0..10000");
		return 0;
	}
	rte_tel_data_add_dict_string(d, "op", op);
	rte_tel_data_add_dict_u64(d, "queue", q);
	if (strcmp(op, "drain") == 0) {
		ret = hyp_ctl_queue_drain(c, (unsigned int)q, (unsigned int)tmo, &dr);
		rte_tel_data_add_dict_string(d, "result", ret < 0 ? "refused" :
					     dr.converged ? "drained" : "not_converged");
		if (ret == -EBUSY)
			add_str(d, "error", "the queue is not fenced: fence it first");
		else if (ret < 0)
			add_str(d, "error", strerror(-ret));
		rte_tel_data_add_dict_u64(d, "waited_ms", dr.waited_ms);
		rte_tel_data_add_dict_u64(d, "drained", dr.drained);
		return 0;
	}
	ret = hyp_ctl_queue_fence(c, (unsigned int)q, strcmp(op, "fence") == 0, msg, sizeof(msg));
	rte_tel_data_add_dict_string(d, "result", ret < 0 ? "refused" : ret == 0 ? "unchanged" :
				     "ok");
	rte_tel_data_add_dict_u64(d, "ports", ret > 0 ? (uint64_t)ret : 0);
	if (msg[0] != '\0')
		add_str(d, ret < 0 ? "error" : "note", msg);
	return 0;
}

/*
 * /hyperion/block,add,CIDR | del,CIDR: what the console's blocklist does,
 * for scripts and SOAR hooks. Kept across reloads like every block made at
 * run time (/hyperion/runtime lists it). The parameter is parsed whole and
 * strictly: one verb, one prefix, nothing after.
 */
static int
cb_block(const char *cmd __rte_unused, const char *params, struct rte_tel_data *d)
{
	struct hyp_ctl *c = ctl_get();
	char buf[80], err[128], pfx[64], *f[2], *op, *arg;
	struct hyp_ctl_block_result res;
	struct hyp_cidr cidr;
	bool add;
	int ret;

	rte_tel_data_start_dict(d);
	if (c == NULL)
		return -ENOTSUP;
	ret = split_params(params, buf, sizeof(buf), f, RTE_DIM(f));
	op = f[0];
	arg = f[1];
	if (ret < 0 || op == NULL || arg == NULL ||
	    (strcmp(op, "add") != 0 && strcmp(op, "del") != 0)) {
		rte_tel_data_add_dict_string(d, "result", "refused");
		add_str(d, "error", "expected add,CIDR | del,CIDR");
		return 0;
	}
	add = strcmp(op, "add") == 0;
	rte_tel_data_add_dict_string(d, "op", op);
	if (hyp_cidr_parse(arg, &cidr, err, sizeof(err)) != 0) {
		rte_tel_data_add_dict_string(d, "result", "refused");
		add_str(d, "error", err);
		return 0;
	}
	hyp_cidr_format(&cidr, pfx, sizeof(pfx));
	rte_tel_data_add_dict_string(d, "prefix", pfx);
	ret = hyp_ctl_blocklist(c, add, &cidr, &res);
	if (res.programs == 0) {
		rte_tel_data_add_dict_string(d, "result", "refused");
		add_str(d, "error", "no XDP program to change");
		return 0;
	}
	if (ret != 0) {
		rte_tel_data_add_dict_string(d, "result", "failed");
		snprintf(err, sizeof(err), "%s: %s%s", res.failed_on, strerror(-ret),
			 add ? " (undone on every program)" : "");
		add_str(d, "error", err);
		return 0;
	}
	rte_tel_data_add_dict_string(d, "result", res.changed > 0 ? "ok" : "unchanged");
	rte_tel_data_add_dict_u64(d, "programs", res.programs);
	rte_tel_data_add_dict_u64(d, "changed", res.changed);
	rte_tel_data_add_dict_u64(d, "lifted", res.lifted);
	return 0;
}

static int
cb_eve_reopen(const char *cmd __rte_unused, const char *params __rte_unused,
	      struct rte_tel_data *d)
{
	struct hyp_ctl *c = ctl_get();
	char err[256];
	int ret;

	rte_tel_data_start_dict(d);
	if (c == NULL)
		return -ENOTSUP;
	ret = hyp_ctl_eve_reopen(c, err, sizeof(err));
	rte_tel_data_add_dict_string(d, "result", ret == 0 ? "ok" : "failed");
	if (ret < 0)
		add_str(d, "error", err);
	return 0;
}

/* What was set by hand and outlives a reload: prefixes blocked by hand, the overrides. */
static int
cb_runtime(const char *cmd __rte_unused, const char *params __rte_unused,
	   struct rte_tel_data *d)
{
	struct hyp_ctl *c = ctl_get();
	struct hyp_ctl_runtime_block b[64];
	struct rte_tel_data *l;
	unsigned int n, i;
	char buf[64 + 8];

	rte_tel_data_start_dict(d);
	if (c == NULL)
		return 0;
	n = hyp_ctl_runtime_blocks(c, b, RTE_DIM(b));
	rte_tel_data_add_dict_u64(d, "blocks", n);
	l = rte_tel_data_alloc();
	if (l == NULL)
		return -ENOMEM;
	rte_tel_data_start_array(l, RTE_TEL_STRING_VAL);
	for (i = 0; i < n && i < RTE_DIM(b); i++) {
		char cb[64];

		snprintf(buf, sizeof(buf), "%s %s", b[i].dst ? "dst" : "src",
			 hyp_cidr_format(&b[i].cidr, cb, sizeof(cb)));
		rte_tel_data_add_array_string(l, buf);
	}
	rte_tel_data_add_dict_container(d, "blocked", l, 0);
	pthread_mutex_lock(&c->lock);
	rte_tel_data_add_dict_string(d, "fail_mode_override", !c->ov_fail ? "none" :
				     c->ov_fail_mode == HYP_FAIL_CLOSED ? "closed" : "open");
	rte_tel_data_add_dict_int(d, "watchdog_ms_override", c->ov_watchdog ?
				  (int)(c->ov_watchdog_ns / 1000000ULL) : -1);
	pthread_mutex_unlock(&c->lock);
	return 0;
}

int
hyp_telemetry_register(struct hyp_ctl *ctl)
{
	static const struct {
		const char *cmd;
		telemetry_cb fn;
		const char *help;
	} cmds[] = {
		/* help texts: DPDK 22.11 refuses 128 characters or more */
		{ "/hyperion/stats", cb_stats,
		  "Totals: fast/<reason> {packets,bytes,dropped} over ports, aux, slow, "
		  "redirect_failures, eve" },
		{ "/hyperion/lcores", cb_lcores,
		  "Per worker lcore: role, rx, bursts, empty_polls, busy_permille "
		  "(busy/poll cycles x 1000)" },
		{ "/hyperion/rings", cb_rings,
		  "Stage rings by name: name, count, capacity, hwm, enq_fail" },
		{ "/hyperion/xsk", cb_xsk,
		  "Per <port_id>/<queue>: kernel AF_XDP socket stats, mbuf pool use, "
		  "port XDP redirects" },
		{ "/hyperion/policy", cb_policy,
		  "Policy file, hash (hex), loaded_at_ns (realtime), reloads_ok/failed, "
		  "last_error" },
		{ "/hyperion/watchdog", cb_watchdog,
		  "Watchdog state (off, ok, stale), heartbeat_age_ms, limit_ms" },
		{ "/hyperion/health", cb_health,
		  "Health state (healthy, pressured, degraded, failed), why, dwell times, "
		  "transitions, the last sample's signals" },
		{ "/hyperion/rules", cb_rules,
		  "Per slow-path rule (first 256): id, action, hits (decisions), msg" },
		{ "/hyperion/rules/report", cb_rules_report,
		  "The rule files: loaded, skipped, errors, first_error, engine numbers, "
		  "skipped_by_keyword" },
		{ "/hyperion/flows", cb_flows,
		  "The N (1..64, default 10) largest slow-path flows by bytes. Param: N" },
		{ "/hyperion/autoblocks", cb_autoblocks,
		  "Auto-block counts (blocked, refused, lost, failed, active, cap), active blocks" },
		{ "/hyperion/block", cb_block,
		  "Block or unblock a source prefix in XDP, kept across reloads: add,CIDR | del,CIDR" },
		{ "/hyperion/eve_reopen", cb_eve_reopen,
		  "Open the EVE log's path again (after logrotate moved it): result, error" },
		{ "/hyperion/runtime", cb_runtime,
		  "Set by hand, kept across reloads: blocks, blocked (first 64), overrides" },
		{ "/hyperion/queue", cb_queue,
		  "Take a queue out of service or back: fence,Q | unfence,Q | drain,Q[,MS]" },
		{ "/hyperion/reload", cb_reload,
		  "Reload the policy: the current file, or the one given. Param: FILE" },
	};
	static bool registered;
	unsigned int i;
	int ret;

	__atomic_store_n(&tel_ctl, ctl, __ATOMIC_RELEASE);
	if (registered)
		return 0;
	for (i = 0; i < RTE_DIM(cmds); i++) {
		ret = rte_telemetry_register_cmd(cmds[i].cmd, cmds[i].fn, cmds[i].help);
		if (ret < 0) {
			fprintf(stderr, "hyp_telemetry: cannot register %s: %s\n", cmds[i].cmd,
				strerror(-ret));
			return ret;
		}
	}
	registered = true;
	return 0;
}
