/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Prometheus text exposition (format 0.0.4) of a running dpdk-hyperion.
 *
 * libmicrohttpd runs its own polling thread (created by the control thread,
 * so it inherits the main lcore's CPU set, off the data path). A scrape
 * takes ctl->lock, reads what the instance exposes and formats it into one
 * heap buffer that libmicrohttpd frees once sent.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <crypt.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <microhttpd.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_lcore.h>

#include "hyp_metrics.h"

#define METRICS_CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"
#define METRICS_MAX_RINGS	(2 * RTE_MAX_LCORE)
#define BUSY_WINDOW_NS		1000000000ULL	/* busy ratio: over >= 1 s */

/* Busy ratio of one lcore over the last window (not since start). */
struct busy_window {
	uint64_t ts_ns;		/* when the window's start was sampled; 0: never */
	uint64_t busy;
	uint64_t poll;
	double ratio;		/* of the last complete window; < 0: none yet */
};

#define AUTH_MAX_USERS		64
#define AUTH_MAX_LINE		512
#define AUTH_USER_MAX		64
#define AUTH_SECRET_MAX		256
#define TLS_PEM_MAX		(64 << 10)

struct auth_user {
	char user[AUTH_USER_MAX + 1];
	char secret[AUTH_SECRET_MAX + 1];	/* a crypt(3) hash, or the password */
};

struct hyp_metrics {
	struct hyp_ctl *ctl;
	struct auth_user *users;	/* NULL: no authentication */
	unsigned int n_users;
	char *tls_cert, *tls_key;	/* PEM, NULL: plain HTTP */
	uint64_t auth_failures;
	struct MHD_Daemon *daemon;
	int fd;
	pthread_mutex_t lock;	/* the windows, should two scrapes overlap */
	struct busy_window busy[RTE_MAX_LCORE];
	struct hyp_ring_info rings[METRICS_MAX_RINGS];
	/* the kernel's view of every queue's socket, read before the ctl lock */
	struct hyp_ctl_xsk xsk[HYP_PIPE_MAX_PORTS * HYP_PIPE_MAX_QUEUES];
	unsigned int n_xsk;
};

/* -- output buffer ---------------------------------------------------------- */

struct out {
	char *p;
	size_t len;
	size_t cap;
	bool oom;
};

static void __rte_format_printf(2, 3)
out_printf(struct out *o, const char *fmt, ...)
{
	va_list ap;
	size_t cap;
	char *p;
	int n;

	if (o->oom)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(o->p + o->len, o->cap - o->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			o->oom = true;
			return;
		}
		if ((size_t)n < o->cap - o->len) {
			o->len += n;
			return;
		}
		cap = (o->cap + n + 1) * 2;
		p = realloc(o->p, cap);

		if (p == NULL) {
			o->oom = true;
			return;
		}
		o->p = p;
		o->cap = cap;
	}
}

/* A label value, escaped as the exposition format wants (\\, \", \n). */
static const char *
esc(const char *s, char *buf, size_t len)
{
	size_t j = 0;

	for (; *s != '\0' && j + 3 < len; s++) {
		if (*s == '\\' || *s == '"') {
			buf[j++] = '\\';
			buf[j++] = *s;
		} else if (*s == '\n') {
			buf[j++] = '\\';
			buf[j++] = 'n';
		} else {
			buf[j++] = *s;
		}
	}
	buf[j] = '\0';
	return buf;
}

static void
family(struct out *o, const char *name, const char *type, const char *help)
{
	out_printf(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One sample; the labels are a printf format ("" or NULL: none). */
static void __rte_format_printf(4, 5)
sample(struct out *o, const char *name, const char *value, const char *fmt, ...)
{
	char lab[512];
	va_list ap;

	lab[0] = '\0';
	if (fmt != NULL) {
		va_start(ap, fmt);
		vsnprintf(lab, sizeof(lab), fmt, ap);
		va_end(ap);
	}
	if (lab[0] != '\0')
		out_printf(o, "%s{%s} %s\n", name, lab, value);
	else
		out_printf(o, "%s %s\n", name, value);
}

static const char *
u64s(uint64_t v, char *buf)
{
	snprintf(buf, 24, "%" PRIu64, v);
	return buf;
}

static const char *
dbls(double v, char *buf)
{
	snprintf(buf, 32, "%.9g", v);
	return buf;
}

#define SAMPLE_U64(o, name, v, ...) do { \
	char vb_[32]; \
	sample(o, name, u64s(v, vb_), __VA_ARGS__); \
} while (0)
#define SAMPLE_DBL(o, name, v, ...) do { \
	char vb_[32]; \
	sample(o, name, dbls(v, vb_), __VA_ARGS__); \
} while (0)

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * The counters of a table as one family, labelled by their names
 * (label="name"), e.g. hyperion_autoblock_total{result="blocked"}.
 */
static void
table_family(struct out *o, const char *fam, const char *label, const char *help,
	     const void *stats, const struct hyp_stat_desc *d, unsigned int n)
{
	unsigned int i;

	family(o, fam, "counter", help);
	for (i = 0; i < n; i++)
		if (d[i].kind == HYP_STAT_COUNTER)
			SAMPLE_U64(o, fam, hyp_stat_value(stats, &d[i]), "%s=\"%s\"", label,
				   d[i].name);
}

/* The gauges of a table, a family each: <prefix>_<name>. */
static void
table_gauges(struct out *o, const char *prefix, const void *stats,
	     const struct hyp_stat_desc *d, unsigned int n, const char *labels)
{
	unsigned int i;
	char fam[96];

	for (i = 0; i < n; i++) {
		if (d[i].kind != HYP_STAT_GAUGE)
			continue;
		snprintf(fam, sizeof(fam), "%s_%s", prefix, d[i].name);
		family(o, fam, "gauge", d[i].help);
		SAMPLE_U64(o, fam, hyp_stat_value(stats, &d[i]), "%s", labels != NULL ? labels : "");
	}
}

/* A table's counters as <prefix>_total{result=name}, its gauges one family each. */
static void
table_all(struct out *o, const char *prefix, const char *help, const void *stats,
	  const struct hyp_stat_desc *d, unsigned int n)
{
	char fam[96];

	snprintf(fam, sizeof(fam), "%s_total", prefix);
	table_family(o, fam, "result", help, stats, d, n);
	table_gauges(o, prefix, stats, d, n, NULL);
}

/* -- fast path -------------------------------------------------------------- */

enum fp_class {
	FP_BLOCKLIST,
	FP_AUTOBLOCK,
	FP_MALFORMED,
	FP_RATELIMIT,
	FP_FAILCLOSED,
	FP_FORWARD_FAIL,
	FP_NON_IP,
	FP_FRAGMENT,
	FP_MAX
};

static const char *const fp_class_name[FP_MAX] = {
	[FP_BLOCKLIST] = "blocklist",
	[FP_AUTOBLOCK] = "autoblock",
	[FP_MALFORMED] = "malformed",
	[FP_RATELIMIT] = "ratelimit",
	[FP_FAILCLOSED] = "failclosed",
	[FP_FORWARD_FAIL] = "forward_fail",
	[FP_NON_IP] = "non_ip",
	[FP_FRAGMENT] = "fragment",
};

static int
fp_class_of(unsigned int r)
{
	if (r >= HYP_R_MAL_FIRST && r <= HYP_R_MAL_LAST)
		return FP_MALFORMED;
	switch (r) {
	case HYP_R_BLOCK_SRC:
	case HYP_R_BLOCK_DST:
		return FP_BLOCKLIST;
	case HYP_R_AUTOBLOCK:
		return FP_AUTOBLOCK;
	case HYP_R_RATELIMIT:
		return FP_RATELIMIT;
	case HYP_R_REDIRECT_FALLBACK:
	case HYP_R_WATCHDOG:
	case HYP_R_REDIRECT_OVERLOAD:
	case HYP_R_REDIRECT_SHED:
		return FP_FAILCLOSED;
	case HYP_R_FORWARD_FAIL:
		return FP_FORWARD_FAIL;
	case HYP_R_NON_IP_DROP:
		return FP_NON_IP;
	case HYP_R_FRAG_DROP:
		return FP_FRAGMENT;
	default:
		return -1;
	}
}

struct fp_port {
	char label[IF_NAMESIZE * 2 + 16];	/* port="..." */
	bool ok;
	struct hyp_counter reason[HYP_R_MAX];
	uint64_t aux[HYP_AUX_MAX];
};

static void
fastpath(struct out *o, const struct hyp_ctl *ctl)
{
	struct fp_port fp[HYP_PIPE_MAX_PORTS];
	unsigned int n, i, r;
	char e[96];

	struct hyp_xdp *xs[HYP_PIPE_MAX_PORTS];
	unsigned int pi[HYP_PIPE_MAX_PORTS], nx;

	nx = hyp_ctl_xdps(ctl, xs, pi);
	for (n = 0; n < nx; n++) {
		memset(&fp[n], 0, sizeof(fp[n]));
		snprintf(fp[n].label, sizeof(fp[n].label), "port=\"%s\"",
			 esc(ctl->ports[pi[n]].ifname, e, sizeof(e)));
		fp[n].ok = hyp_xdp_reason_stats(xs[n], fp[n].reason) == 0 &&
			hyp_xdp_aux_stats(xs[n], fp[n].aux) == 0;
	}

	family(o, "hyperion_fastpath_drops_total", "counter",
	       "Packets the XDP program dropped, by reason class: blocklist (blocklist_src + "
	       "blocklist_dst), autoblock, malformed (every malformed_* dropped), ratelimit, "
	       "failclosed (dropped part of redirect_fallback, watchdog and redirect_overload), "
	       "forward_fail, non_ip (ips: EtherTypes not in pass_ethertypes), fragment "
	       "(fragments: drop).");
	for (i = 0; i < n; i++) {
		uint64_t cls[FP_MAX] = { 0 };
		int c;

		if (!fp[i].ok)
			continue;
		for (r = 0; r < HYP_R_MAX; r++) {
			c = fp_class_of(r);
			if (c >= 0)
				cls[c] += fp[i].reason[r].dropped;
		}
		for (c = 0; c < FP_MAX; c++) {
			SAMPLE_U64(o, "hyperion_fastpath_drops_total", cls[c],
				   "%s,reason=\"%s\"", fp[i].label, fp_class_name[c]);
		}
	}

	family(o, "hyperion_fastpath_packets_total", "counter",
	       "Packets the XDP program saw, by exact verdict reason; dropped=\"true\" is the "
	       "part it dropped, dropped=\"false\" the rest.");
	for (i = 0; i < n; i++) {
		if (!fp[i].ok)
			continue;
		for (r = 0; r < HYP_R_MAX; r++) {
			const struct hyp_counter *k = &fp[i].reason[r];

			SAMPLE_U64(o, "hyperion_fastpath_packets_total", k->dropped,
				   "%s,reason=\"%s\",dropped=\"true\"", fp[i].label,
				   hyp_reason_name(r));
			SAMPLE_U64(o, "hyperion_fastpath_packets_total",
				   k->packets >= k->dropped ? k->packets - k->dropped : 0,
				   "%s,reason=\"%s\",dropped=\"false\"", fp[i].label,
				   hyp_reason_name(r));
		}
	}

	family(o, "hyperion_fastpath_bytes_total", "counter",
	       "Bytes the XDP program saw, by exact verdict reason.");
	for (i = 0; i < n; i++) {
		if (!fp[i].ok)
			continue;
		for (r = 0; r < HYP_R_MAX; r++) {
			SAMPLE_U64(o, "hyperion_fastpath_bytes_total", fp[i].reason[r].bytes,
				   "%s,reason=\"%s\"", fp[i].label, hyp_reason_name(r));
		}
	}

	family(o, "hyperion_redirect_failures_total", "counter",
	       "Packets the XDP program wanted to redirect to an AF_XDP socket but no socket "
	       "was bound on their queue (redirect_fallback; passed or dropped per fail mode).");
	for (i = 0; i < n; i++)
		if (fp[i].ok)
			SAMPLE_U64(o, "hyperion_redirect_failures_total",
				   fp[i].reason[HYP_R_REDIRECT_FALLBACK].packets, "%s",
				   fp[i].label);

	family(o, "hyperion_fastpath_events_total", "counter",
	       "XDP program events that are not per-packet verdicts, by event.");
	for (i = 0; i < n; i++) {
		if (!fp[i].ok)
			continue;
		for (r = 0; r < HYP_AUX_MAX; r++) {
			SAMPLE_U64(o, "hyperion_fastpath_events_total", fp[i].aux[r],
				   "%s,event=\"%s\"", fp[i].label, hyp_aux_name(r));
		}
	}

	family(o, "hyperion_fastpath_table_entries", "gauge",
	       "Entries in the XDP program's LRU maps now, by table (flow_map, rl_state).");
	family(o, "hyperion_fastpath_table_evictions_total", "counter",
	       "Entries the kernel evicted from a full LRU map: inserted by the program and no "
	       "longer there (nothing else deletes from these maps).");
	for (i = 0; i < n; i++) {
		struct hyp_xdp_lru_stats lru[HYP_XDP_LRU_MAX];

		if (!fp[i].ok || hyp_xdp_lru_stats(xs[i], lru) != 0)
			continue;
		for (r = 0; r < HYP_XDP_LRU_MAX; r++) {
			SAMPLE_U64(o, "hyperion_fastpath_table_entries", lru[r].entries,
				   "%s,table=\"%s\"", fp[i].label, hyp_xdp_lru_name(r));
			SAMPLE_U64(o, "hyperion_fastpath_table_evictions_total", lru[r].evicted,
				   "%s,table=\"%s\"", fp[i].label, hyp_xdp_lru_name(r));
		}
	}

	family(o, "hyperion_fastpath_scrape_ok", "gauge",
	       "1 if the XDP program's maps could be read on this scrape, else 0.");
	for (i = 0; i < n; i++)
		SAMPLE_U64(o, "hyperion_fastpath_scrape_ok", fp[i].ok, "%s", fp[i].label);
}

/* -- slow path -------------------------------------------------------------- */

/*
 * The seed's aggregate families over the lcore totals: each sample one
 * counter of struct hyp_lcore_stats under a value of the family's label
 * (no label: the family is that one counter).
 */
#define LS(field, value) { offsetof(struct hyp_lcore_stats, field), value }

struct slowpath_family {
	const char *name;
	const char *help;
	const char *label;
	unsigned int n;
	struct {
		size_t offset;
		const char *value;
	} sample[5];
};

static const struct slowpath_family slowpath_families[] = {
	{ "hyperion_slowpath_cached_drops_total",
	  "Packets dropped by their flow's cached drop verdict, without inspection.",
	  NULL, 1, { LS(cached_drops, NULL) } },
	{ "hyperion_slowpath_verdicts_total",
	  "Slow-path verdicts on inspected packets (drop includes drops by a flow's "
	  "cached verdict).",
	  "verdict", 3, { LS(dropped, "drop"), LS(alerted, "alert"), LS(passed, "pass") } },
	{ "hyperion_alerts_total",
	  "Packets the slow path raised an alert for (passed, logged to EVE).",
	  NULL, 1, { LS(alerted, NULL) } },
	{ "hyperion_stage_packets_total",
	  "Packets through each slow-path stage: rx (from the AF_XDP/pcap ports), "
	  "inspected, tx (sent to the peer port, IPS).",
	  "stage", 3, { LS(rx, "rx"), LS(inspected, "inspected"), LS(tx, "tx") } },
	{ "hyperion_slowpath_errors_total",
	  "Slow-path failures by kind (each counted packet was freed).",
	  "kind", 5, { LS(parse_errors, "parse"), LS(dns_errors, "dns"),
		       LS(flow_full, "flow_full"), LS(tx_failed, "tx_failed"),
		       LS(ring_full, "ring_full") } },
	{ "hyperion_rejects_total",
	  "Answers of reject rules in ips mode (TCP RST, ICMP unreachable): sent, held "
	  "back by the rate bound, or not built (no mbuf, not answerable).",
	  "result", 3, { LS(rejects, "sent"), LS(rejects_limited, "limited"),
			 LS(rejects_failed, "failed") } },
};

static void
slowpath_families_render(struct out *o, const struct hyp_lcore_stats *t)
{
	unsigned int k, i;

	for (k = 0; k < RTE_DIM(slowpath_families); k++) {
		const struct slowpath_family *f = &slowpath_families[k];

		family(o, f->name, "counter", f->help);
		for (i = 0; i < f->n; i++) {
			uint64_t v = *(const uint64_t *)(const void *)
				((const char *)t + f->sample[i].offset);

			if (f->label == NULL)
				SAMPLE_U64(o, f->name, v, NULL);
			else
				SAMPLE_U64(o, f->name, v, "%s=\"%s\"", f->label,
					   f->sample[i].value);
		}
	}
}

static void
slowpath(struct out *o, struct hyp_metrics *m, const struct hyp_ctl *ctl)
{
	const struct hyp_pipeline *p = ctl->pipe;
	struct hyp_lcore_stats t;
	unsigned int n, i, l, k;
	char e[96];
	uint64_t now;

	if (p == NULL)
		return;
	hyp_pipeline_totals(p, &t);

	family(o, "hyperion_inspection_latency_seconds", "histogram",
	       "Slow-path time per inspected packet (classify, DNS, Hyperscan, verdict), "
	       "averaged over its burst.");
	{
		uint64_t cum = 0, cnt = 0;
		unsigned int b;

		for (b = 0; b < HYP_LAT_BUCKETS; b++)
			cnt += t.lat_count[b];
		for (b = 0; b < HYP_LAT_BUCKETS - 1; b++) {
			cum += t.lat_count[b];
			SAMPLE_U64(o, "hyperion_inspection_latency_seconds_bucket", cum,
				   "le=\"%.9g\"", hyp_lat_bounds_ns[b] / 1e9);
		}
		SAMPLE_U64(o, "hyperion_inspection_latency_seconds_bucket", cnt, "le=\"+Inf\"");
		SAMPLE_DBL(o, "hyperion_inspection_latency_seconds_sum", t.lat_sum_ns / 1e9, NULL);
		SAMPLE_U64(o, "hyperion_inspection_latency_seconds_count", cnt, NULL);
	}
	{
		struct hyp_defrag_stats ds;
		struct hyp_stream_stats ss;

		hyp_pipeline_defrag_stats(p, &ds);
		hyp_pipeline_stream_stats(p, &ss);
		table_all(o, "hyperion_defrag", "IP reassembly on the rx lcores: fragments taken, "
			  "datagrams reassembled, and what each bound and check dropped or saw",
			  &ds, hyp_defrag_stat_descs, hyp_defrag_stat_count);
		table_all(o, "hyperion_stream", "TCP reassembly on the workers: segments, bytes "
			  "delivered in order, and what waited, overlapped, conflicted, was "
			  "skipped or refused", &ss, hyp_stream_stat_descs, hyp_stream_stat_count);
		{
			struct hyp_detect_stats dst;

			hyp_pipeline_detect_stats(p, &dst);
			table_all(o, "hyperion_rules", "The Suricata rules (rule_files) on the "
				  "workers: what they inspected, verified and matched, and what "
				  "they gave up on", &dst, hyp_detect_stat_descs,
				  hyp_detect_stat_count);
		}
		{
			struct hyp_http_stats hs;

			hyp_pipeline_http_stats(p, &hs);
			table_all(o, "hyperion_http", "HTTP/1.x over the TCP streams on the "
				  "workers: messages parsed, and directions or bodies it gave up "
				  "on or cut", &hs, hyp_http_stat_descs, hyp_http_stat_count);
		}
		{
			struct hyp_tls_stats ts;

			hyp_pipeline_tls_stats(p, &ts);
			table_all(o, "hyperion_tls", "The TLS handshake over the TCP streams on "
				  "the workers: hellos and certificates parsed, and directions it "
				  "gave up on", &ts, hyp_tls_stat_descs, hyp_tls_stat_count);
		}
	}
	if (ctl->autoblock != NULL) {
		struct hyp_autoblock_stats ab;

		hyp_autoblock_get_stats(ctl->autoblock, &ab);
		table_all(o, "hyperion_autoblock",
			  "Auto-block escalations of sources into the XDP block map, by result",
			  &ab, hyp_autoblock_stat_descs, hyp_autoblock_stat_count);
	}
	slowpath_families_render(o, &t);

	n = hyp_pipeline_rings(p, m->rings, RTE_DIM(m->rings));
	for (k = 0; k < hyp_ring_stat_count; k++) {
		const struct hyp_stat_desc *d = &hyp_ring_stat_descs[k];
		char fam[96];

		snprintf(fam, sizeof(fam), "hyperion_ring_%s%s", d->name,
			 d->kind == HYP_STAT_COUNTER ? "_total" : "");
		family(o, fam, d->kind == HYP_STAT_COUNTER ? "counter" : "gauge", d->help);
		for (i = 0; i < n; i++)
			SAMPLE_U64(o, fam, hyp_stat_value(&m->rings[i], d), "ring=\"%s\"",
				   esc(m->rings[i].name, e, sizeof(e)));
	}
	family(o, "hyperion_lcore_busy_ratio", "gauge",
	       "Share of a data-path lcore's loop cycles spent on packets, over the last "
	       "window of at least one second (since start until the first window closes).");
	now = mono_ns();
	RTE_LCORE_FOREACH_WORKER(l) {
		const struct hyp_lcore_stats *s = hyp_pipeline_lcore_stats(p, l);
		enum hyp_role role = hyp_pipeline_role(p, l);
		struct busy_window *w = &m->busy[l];
		uint64_t busy = s->busy_cycles, poll = s->poll_cycles;
		double ratio;

		if (role == HYP_ROLE_IDLE)
			continue;
		if (w->ts_ns == 0) {
			w->ts_ns = now;
			w->busy = busy;
			w->poll = poll;
			w->ratio = -1.0;
		} else if (now - w->ts_ns >= BUSY_WINDOW_NS && poll > w->poll) {
			w->ratio = (double)(busy - w->busy) / (double)(poll - w->poll);
			w->ts_ns = now;
			w->busy = busy;
			w->poll = poll;
		}
		ratio = w->ratio >= 0.0 ? w->ratio : poll ? (double)busy / poll : 0.0;
		SAMPLE_DBL(o, "hyperion_lcore_busy_ratio", ratio,
			"lcore=\"%u\",role=\"%s\"", l, hyp_role_name(role));
	}
	/* every per-lcore counter, hyperion_lcore_<name>_total, from its table */
	for (k = 0; k < hyp_lcore_stat_count; k++) {
		const struct hyp_stat_desc *d = &hyp_lcore_stat_descs[k];
		char fam[96];

		snprintf(fam, sizeof(fam), "hyperion_lcore_%s_total", d->name);
		family(o, fam, "counter", d->help);
		RTE_LCORE_FOREACH_WORKER(l) {
			enum hyp_role role = hyp_pipeline_role(p, l);

			if (role == HYP_ROLE_IDLE)
				continue;
			SAMPLE_U64(o, fam, hyp_stat_value(hyp_pipeline_lcore_stats(p, l), d),
				   "lcore=\"%u\",role=\"%s\"", l, hyp_role_name(role));
		}
	}
}

/* -- AF_XDP queues ---------------------------------------------------------- */

static void
queue_labels(const struct hyp_ctl *ctl, unsigned int pi, unsigned int q, char *lab, size_t len)
{
	char p[96];

	snprintf(lab, len, "port=\"%s\",queue=\"%u\"", esc(ctl->ports[pi].ifname, p, sizeof(p)),
		 ctl->ports[pi].start_queue + q);
}

/*
 * Per queue: the rx pressure (its definition: HYP_PRESSURE_WINDOW_MS), what
 * the pipeline polled from it, and the six counters and the bind mode the
 * kernel keeps of its socket. A replay has no queues here.
 */
static void
afxdp(struct out *o, const struct hyp_metrics *m, const struct hyp_ctl *ctl)
{
	char lab[256], fam[96];
	unsigned int pi, q, k, i, lcore;

	family(o, "hyperion_afxdp_rx_queue_pressure", "gauge",
	       "Rx pressure of an AF_XDP queue, 0..1, over the last 1 s window: the largest of "
	       "the mean fill of its non-empty rx bursts, 1 if its socket's rx ring overflowed "
	       "or fill ring ran empty, and (staged) the fullest worker input ring it feeds.");
	for (pi = 0; pi < ctl->n_ports && ctl->pipe != NULL; pi++) {
		if (ctl->ports[pi].ifindex == 0)
			continue;
		for (q = 0; q < ctl->ports[pi].nb_queues && q < HYP_PIPE_MAX_QUEUES; q++) {
			queue_labels(ctl, pi, q, lab, sizeof(lab));
			SAMPLE_DBL(o, "hyperion_afxdp_rx_queue_pressure",
				   ctl->qwin[pi][q].pressure, "%s", lab);
		}
	}
	for (k = 0; k < hyp_queue_stat_count; k++) {
		const struct hyp_stat_desc *d = &hyp_queue_stat_descs[k];

		snprintf(fam, sizeof(fam), "hyperion_afxdp_queue_%s_total", d->name);
		family(o, fam, "counter", d->help);
		for (pi = 0; pi < ctl->n_ports && ctl->pipe != NULL; pi++) {
			if (ctl->ports[pi].ifindex == 0)
				continue;
			for (q = 0; q < ctl->ports[pi].nb_queues && q < HYP_PIPE_MAX_QUEUES; q++) {
				const struct hyp_queue_stats *qs =
					hyp_pipeline_queue_stats(ctl->pipe, pi, q, &lcore);

				if (qs == NULL)
					continue;
				queue_labels(ctl, pi, q, lab, sizeof(lab));
				SAMPLE_U64(o, fam, hyp_stat_value(qs, d), "%s,lcore=\"%u\"", lab,
					   lcore);
			}
		}
	}
	for (k = 0; k < hyp_xsk_stat_count; k++) {
		const struct hyp_stat_desc *d = &hyp_xsk_stat_descs[k];

		snprintf(fam, sizeof(fam), "hyperion_afxdp_%s_total", d->name);
		family(o, fam, "counter", d->help);
		for (i = 0; i < m->n_xsk; i++) {
			if (!m->xsk[i].socket || m->xsk[i].port >= ctl->n_ports)
				continue;
			queue_labels(ctl, m->xsk[i].port, m->xsk[i].queue, lab, sizeof(lab));
			SAMPLE_U64(o, fam, hyp_stat_value(&m->xsk[i].diag, d), "%s", lab);
		}
	}
	family(o, "hyperion_afxdp_queue_fenced", "gauge",
	       "1 if the queue was fenced by hand (its xsks_map entry deleted: redirect "
	       "candidates get the fail mode), else 0.");
	for (pi = 0; pi < ctl->n_ports; pi++) {
		if (ctl->ports[pi].ifindex == 0)
			continue;
		for (q = 0; q < ctl->ports[pi].nb_queues && q < HYP_PIPE_MAX_QUEUES; q++) {
			queue_labels(ctl, pi, q, lab, sizeof(lab));
			SAMPLE_U64(o, "hyperion_afxdp_queue_fenced", ctl->ports[pi].fenced[q] ? 1 : 0,
				   "%s", lab);
		}
	}
	family(o, "hyperion_afxdp_zerocopy", "gauge",
	       "1 if the queue's AF_XDP socket is bound in zero-copy mode, 0 in copy mode "
	       "(XDP_OPTIONS); no series where the socket or its mode is unknown.");
	for (i = 0; i < m->n_xsk; i++) {
		if (!m->xsk[i].socket || !m->xsk[i].diag.options_known ||
		    m->xsk[i].port >= ctl->n_ports)
			continue;
		queue_labels(ctl, m->xsk[i].port, m->xsk[i].queue, lab, sizeof(lab));
		SAMPLE_U64(o, "hyperion_afxdp_zerocopy", m->xsk[i].diag.zerocopy ? 1 : 0, "%s", lab);
	}
}

/* -- control plane ---------------------------------------------------------- */

static void
control(struct out *o, const struct hyp_ctl *ctl)
{
	uint64_t now = mono_ns(), age = 0;
	unsigned int state;
	char e1[96], e2[96];

	if (ctl->eve != NULL) {
		struct hyp_eve_stats es;

		hyp_eve_get_stats(ctl->eve, &es);
		table_family(o, "hyperion_eve_events_total", "result",
			     "EVE alerts, by what became of them", &es, hyp_eve_stat_descs,
			     hyp_eve_stat_count);
		table_gauges(o, "hyperion_eve", &es, hyp_eve_stat_descs, hyp_eve_stat_count, NULL);
	}
	if (ctl->threshold != NULL) {
		struct hyp_threshold_stats ts;

		hyp_threshold_get_stats(ctl->threshold, &ts);
		table_all(o, "hyperion_threshold",
			  "Matches of rules with an alert threshold, by what the threshold did",
			  &ts, hyp_threshold_stat_descs, hyp_threshold_stat_count);
	}

	family(o, "hyperion_policy_reloads_total", "counter",
	       "Policy reloads since start, by result.");
	SAMPLE_U64(o, "hyperion_policy_reloads_total", ctl->reloads_ok, "result=\"ok\"");
	SAMPLE_U64(o, "hyperion_policy_reloads_total", ctl->reloads_failed, "result=\"failed\"");

	if (ctl->last_heartbeat_ns != 0 && now > ctl->last_heartbeat_ns)
		age = now - ctl->last_heartbeat_ns;
	if (ctl->watchdog_ms == 0)
		state = 0;
	else if (ctl->last_heartbeat_ns == 0 || age > (uint64_t)ctl->watchdog_ms * 1000000ULL)
		state = 2;
	else
		state = 1;
	family(o, "hyperion_watchdog_state", "gauge",
	       "XDP watchdog: 0 off, 1 ok (heartbeat fresh), 2 stale (heartbeat older than "
	       "the watchdog limit: redirect candidates take the fail mode).");
	SAMPLE_U64(o, "hyperion_watchdog_state", state, NULL);
	family(o, "hyperion_watchdog_limit_seconds", "gauge",
	       "Heartbeat age beyond which the XDP program considers userspace gone (0: off).");
	SAMPLE_DBL(o, "hyperion_watchdog_limit_seconds", ctl->watchdog_ms / 1e3, NULL);
	family(o, "hyperion_heartbeat_age_seconds", "gauge",
	       "Age of the last heartbeat userspace wrote to the XDP maps.");
	if (ctl->last_heartbeat_ns != 0)
		SAMPLE_DBL(o, "hyperion_heartbeat_age_seconds", age / 1e9, NULL);

	if (ctl->health_on) {
		uint64_t now_ms = hyp_xdp_now_ns() / 1000000ULL;
		unsigned int a, b;

		family(o, "hyperion_health_state", "gauge",
		       "Dataplane health: 0 healthy, 1 pressured, 2 degraded (losing packets "
		       "somewhere), 3 failed (not inspecting); see doc/failure-modes.md.");
		SAMPLE_U64(o, "hyperion_health_state", ctl->health.state, NULL);
		family(o, "hyperion_shed_from", "gauge",
		       "Load shedding: redirect_ports of this priority and up go uninspected "
		       "(the fail mode, reason redirect_shed); 0: nothing shed.");
		SAMPLE_U64(o, "hyperion_shed_from", ctl->shed_from, NULL);
		family(o, "hyperion_shed_changes_total", "counter",
		       "Load shedding steps: a class shed, or given back.");
		SAMPLE_U64(o, "hyperion_shed_changes_total", ctl->shed_steps, "direction=\"shed\"");
		SAMPLE_U64(o, "hyperion_shed_changes_total", ctl->shed_restores,
			   "direction=\"restore\"");
		family(o, "hyperion_health_dwell_seconds_total", "counter",
		       "Time spent in each health state since start.");
		for (a = 0; a < HYP_HEALTH_MAX; a++)
			SAMPLE_DBL(o, "hyperion_health_dwell_seconds_total",
				   hyp_health_dwell_ms(&ctl->health, a, now_ms) / 1e3, "state=\"%s\"",
				   hyp_health_state_name(a));
		family(o, "hyperion_health_transitions_total", "counter",
		       "Health state changes, by from and to.");
		for (a = 0; a < HYP_HEALTH_MAX; a++)
			for (b = 0; b < HYP_HEALTH_MAX; b++)
				if (a != b)
					SAMPLE_U64(o, "hyperion_health_transitions_total",
						   ctl->health.transitions[a][b],
						   "from=\"%s\",to=\"%s\"", hyp_health_state_name(a),
						   hyp_health_state_name(b));
	}

	family(o, "hyperion_heartbeats_total", "counter",
	       "Heartbeat thread looks: written (every data-path lcore moved), withheld (one "
	       "stood still; the XDP watchdog then decides).");
	SAMPLE_U64(o, "hyperion_heartbeats_total",
		   __atomic_load_n(&ctl->hb_written, __ATOMIC_RELAXED), "result=\"written\"");
	SAMPLE_U64(o, "hyperion_heartbeats_total",
		   __atomic_load_n(&ctl->hb_withheld, __ATOMIC_RELAXED), "result=\"withheld\"");

	family(o, "hyperion_start_time_seconds", "gauge",
	       "Start time of the instance, seconds since the epoch.");
	SAMPLE_DBL(o, "hyperion_start_time_seconds", ctl->start_ns / 1e9, NULL);
	family(o, "hyperion_policy_loaded_time_seconds", "gauge",
	       "When the policy in use was loaded, seconds since the epoch.");
	SAMPLE_DBL(o, "hyperion_policy_loaded_time_seconds", ctl->policy_loaded_ns / 1e9, NULL);
	family(o, "hyperion_info", "gauge",
	       "Constant 1, labelled with the mode, the policy file and its content hash.");
	SAMPLE_U64(o, "hyperion_info", 1,
			"mode=\"%s\",policy=\"%s\",policy_hash=\"%016" PRIx64 "\"",
		 esc(ctl->mode != NULL ? ctl->mode : "", e1, sizeof(e1)),
		 esc(ctl->policy_path, e2, sizeof(e2)), ctl->policy_hash);
}

/*
 * The per-rule series: copied under the lock (ids, actions, hits), formatted
 * after it, so a scrape of a large ruleset does not hold the control plane.
 */
struct rules_snap {
	struct hyp_ctl_rule *r;
	unsigned int n;
};

static void
rules_take(const struct hyp_ctl *ctl, struct rules_snap *rs)
{
	unsigned int nr;

	rs->r = NULL;
	rs->n = 0;
	if (ctl->engine == NULL)
		return;
	nr = hyp_engine_rule_count(ctl->engine);
	rs->r = calloc(RTE_MAX(nr, 1u), sizeof(*rs->r));
	if (rs->r != NULL)
		rs->n = RTE_MIN(hyp_ctl_rules(ctl, rs->r, nr), nr);
}

static void
rules_render(struct out *o, struct rules_snap *rs)
{
	unsigned int k;

	family(o, "hyperion_slowpath_drops_total", "counter",
	       "Packets a slow-path drop rule decided to drop, by rule id (kept across "
	       "reloads by id). Later packets of a dropped flow are cached_drops.");
	for (k = 0; k < rs->n; k++)
		if (rs->r[k].action == HYP_ACTION_DROP)
			SAMPLE_U64(o, "hyperion_slowpath_drops_total", rs->r[k].hits,
				   "rule=\"%u\"", rs->r[k].id);
	free(rs->r);
	rs->r = NULL;
}

/* -- authentication ----------------------------------------------------------- */

/* Equal strings in time that depends on neither where they differ nor the secret's length. */
static bool
ct_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, n = RTE_MAX(la, lb);
	unsigned int d = la != lb;

	for (i = 0; i < n; i++)
		d |= (unsigned char)(i < la ? a[i] : 0) ^ (unsigned char)(i < lb ? b[i] : 0);
	return d == 0;
}

static bool
auth_ok(const struct hyp_metrics *m, const char *user, const char *pass)
{
	struct crypt_data cd;
	const char *h;
	unsigned int i;
	bool ok = false;

	if (user == NULL || pass == NULL)
		return false;
	for (i = 0; i < m->n_users; i++) {
		if (strcmp(m->users[i].user, user) != 0)
			continue;
		if (m->users[i].secret[0] != '$')
			return ct_equal(m->users[i].secret, pass);
		memset(&cd, 0, sizeof(cd));
		/*
		 * crypt_rn: NULL on failure rather than a '*' string, and not
		 * crypt_r, whose sanitizer interceptor finds no libxcrypt symbol
		 * to call (seen: a call through a null pointer under ASan)
		 */
		h = crypt_rn(pass, m->users[i].secret, &cd, (int)sizeof(cd));
		ok = h != NULL && ct_equal(h, m->users[i].secret);
		explicit_bzero(&cd, sizeof(cd));
		return ok;
	}
	return false;
}

/* Read the whole (small) file; only a regular file that others cannot read. */
static char *
read_private(const char *path, size_t max, bool secret, char *err, size_t err_len)
{
	struct stat st;
	char *buf;
	ssize_t n;
	size_t len = 0;
	int fd;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, err_len, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > max) {
		snprintf(err, err_len, "%s: %s", path, !S_ISREG(st.st_mode) ?
			 "not a regular file" : "too large");
		close(fd);
		return NULL;
	}
	if (secret && (st.st_mode & 0077) != 0) {
		snprintf(err, err_len, "%s: readable by group or others (mode %03o): "
			 "chmod 600 it", path, (unsigned int)(st.st_mode & 0777));
		close(fd);
		return NULL;
	}
	buf = calloc(1, (size_t)st.st_size + 1);
	if (buf == NULL) {
		snprintf(err, err_len, "%s: out of memory", path);
		close(fd);
		return NULL;
	}
	while (len < (size_t)st.st_size) {
		n = read(fd, buf + len, (size_t)st.st_size - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return buf;
}

static bool
user_char_ok(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '.' || ch == '_' || ch == '-';
}

/* "user:secret" lines, '#' comments and blank lines; errors by line, never the content. */
static int
auth_load(struct hyp_metrics *m, const char *path, char *err, size_t err_len)
{
	char *buf = read_private(path, AUTH_MAX_USERS * AUTH_MAX_LINE, true, err, err_len);
	char *line, *next, *colon;
	unsigned int lineno = 0, i;
	size_t ul, sl;
	int ret = 0;

	if (buf == NULL)
		return -EINVAL;
	m->users = calloc(AUTH_MAX_USERS, sizeof(*m->users));
	if (m->users == NULL) {
		free(buf);
		snprintf(err, err_len, "out of memory");
		return -ENOMEM;
	}
	for (line = buf; line != NULL && ret == 0; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		lineno++;
		line[strcspn(line, "\r")] = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		colon = strchr(line, ':');
		ul = colon != NULL ? (size_t)(colon - line) : 0;
		sl = colon != NULL ? strlen(colon + 1) : 0;
		for (i = 0; i < ul && user_char_ok(line[i]); i++)
			;
		if (colon == NULL || ul == 0 || ul > AUTH_USER_MAX || i != ul) {
			snprintf(err, err_len, "%s:%u: expected user:secret (user: 1..%d of "
				 "[A-Za-z0-9._-])", path, lineno, AUTH_USER_MAX);
			ret = -EINVAL;
		} else if (sl == 0 || sl > AUTH_SECRET_MAX) {
			snprintf(err, err_len, "%s:%u: the secret must be 1..%d bytes", path, lineno,
				 AUTH_SECRET_MAX);
			ret = -EINVAL;
		} else if (m->n_users == AUTH_MAX_USERS) {
			snprintf(err, err_len, "%s:%u: more than %d users", path, lineno,
				 AUTH_MAX_USERS);
			ret = -EINVAL;
		} else {
			for (i = 0; i < m->n_users; i++)
				if (strlen(m->users[i].user) == ul &&
				    memcmp(m->users[i].user, line, ul) == 0)
					break;
			if (i < m->n_users) {
				snprintf(err, err_len, "%s:%u: a second entry for one user", path,
					 lineno);
				ret = -EINVAL;
			} else {
				memcpy(m->users[m->n_users].user, line, ul);
				memcpy(m->users[m->n_users].secret, colon + 1, sl);
				m->n_users++;
			}
		}
	}
	explicit_bzero(buf, strlen(buf));
	free(buf);
	if (ret == 0 && m->n_users == 0) {
		snprintf(err, err_len, "%s: no user", path);
		ret = -EINVAL;
	}
	return ret;
}

/* -- HTTP ------------------------------------------------------------------- */

static enum MHD_Result
reply(struct MHD_Connection *conn, unsigned int status, const char *type, char *body,
      size_t len, bool must_free)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, body, must_free ? MHD_RESPMEM_MUST_FREE :
					    MHD_RESPMEM_PERSISTENT);
	if (r == NULL) {
		if (must_free)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
	   const char *version, const char *upload_data, size_t *upload_data_size,
	   void **con_cls)
{
	static char not_found[] = "404 page not found\n";
	static char not_allowed[] = "405 method not allowed\n";
	static char no_mem[] = "500 out of memory\n";
	struct hyp_metrics *m = cls;
	struct out o = { 0 };
	struct rules_snap rs;

	RTE_SET_USED(version);
	RTE_SET_USED(upload_data);
	/* the first call only announces the headers; a GET has no body to wait for */
	if (*con_cls == NULL) {
		*con_cls = m;
		return MHD_YES;
	}
	*upload_data_size = 0;
	if (strcmp(url, "/metrics") != 0)
		return reply(conn, MHD_HTTP_NOT_FOUND, "text/plain; charset=utf-8", not_found,
			     sizeof(not_found) - 1, false);
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain; charset=utf-8",
			     not_allowed, sizeof(not_allowed) - 1, false);

	if (m->users != NULL) {
		char *pass = NULL, *user = MHD_basic_auth_get_username_password(conn, &pass);
		bool ok = auth_ok(m, user, pass);

		if (pass != NULL)
			explicit_bzero(pass, strlen(pass));
		MHD_free(user);
		MHD_free(pass);
		if (!ok) {
			static char denied[] = "401 unauthorized\n";
			struct MHD_Response *r = MHD_create_response_from_buffer(
				sizeof(denied) - 1, denied, MHD_RESPMEM_PERSISTENT);
			enum MHD_Result ret;

			__atomic_fetch_add(&m->auth_failures, 1, __ATOMIC_RELAXED);
			if (r == NULL)
				return MHD_NO;
			ret = MHD_queue_basic_auth_fail_response(conn, "hyperion", r);
			MHD_destroy_response(r);
			return ret;
		}
	}

	o.cap = 64 * 1024;
	o.p = malloc(o.cap);
	o.oom = o.p == NULL;
	pthread_mutex_lock(&m->lock);
	/* netlink and syscalls: before the control lock, which it takes itself */
	m->n_xsk = hyp_ctl_xsk_stats(m->ctl, m->xsk, RTE_DIM(m->xsk));
	pthread_mutex_lock(&m->ctl->lock);
	fastpath(&o, m->ctl);
	slowpath(&o, m, m->ctl);
	afxdp(&o, m, m->ctl);
	control(&o, m->ctl);
	rules_take(m->ctl, &rs);
	pthread_mutex_unlock(&m->ctl->lock);
	rules_render(&o, &rs);
	if (m->ctl->eve != NULL) {
		uint64_t fails, ok = hyp_eve_reopens(m->ctl->eve, &fails);

		family(&o, "hyperion_eve_reopens_total", "counter",
		       "EVE log reopens (SIGUSR1, console, telemetry), by result.");
		SAMPLE_U64(&o, "hyperion_eve_reopens_total", ok, "result=\"ok\"");
		SAMPLE_U64(&o, "hyperion_eve_reopens_total", fails, "result=\"failed\"");
	}
	family(&o, "hyperion_metrics_auth_failures_total", "counter",
	       "Scrapes refused for missing or wrong credentials (401).");
	SAMPLE_U64(&o, "hyperion_metrics_auth_failures_total",
		   __atomic_load_n(&m->auth_failures, __ATOMIC_RELAXED), NULL);
	pthread_mutex_unlock(&m->lock);
	if (o.oom || o.p == NULL) {
		free(o.p);
		return reply(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "text/plain; charset=utf-8",
			     no_mem, sizeof(no_mem) - 1, false);
	}
	return reply(conn, MHD_HTTP_OK, METRICS_CONTENT_TYPE, o.p, o.len, true);
}

static int
listen_on(const char *addr, uint16_t port, bool *v6)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	int fd, one = 1, err;

	memset(&ss, 0, sizeof(ss));
	if (addr == NULL || addr[0] == '\0')
		addr = "127.0.0.1";	/* nobody else, unless the operator says so */
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		len = sizeof(*s4);
		*v6 = false;
	} else if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		len = sizeof(*s6);
		*v6 = true;
	} else {
		errno = EINVAL;
		return -1;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (*v6)	/* "::" means IPv6 only, as the address says */
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 64) < 0) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

static void
metrics_free(struct hyp_metrics *m)
{
	if (m->users != NULL) {
		explicit_bzero(m->users, AUTH_MAX_USERS * sizeof(*m->users));
		free(m->users);
	}
	if (m->tls_key != NULL) {
		explicit_bzero(m->tls_key, strlen(m->tls_key));
		free(m->tls_key);
	}
	free(m->tls_cert);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

struct hyp_metrics *
hyp_metrics_open(struct hyp_ctl *ctl, const struct hyp_metrics_conf *conf, char *err,
		 size_t err_len)
{
	struct hyp_metrics *m;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL;
	bool v6;
	int e;

	if (err_len > 0)
		err[0] = '\0';
	if (ctl == NULL || conf == NULL || conf->port == 0 ||
	    (conf->tls_cert == NULL) != (conf->tls_key == NULL)) {
		snprintf(err, err_len, "a TLS certificate needs its key, and the key its certificate");
		errno = EINVAL;
		return NULL;
	}
	m = calloc(1, sizeof(*m));
	if (m == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	m->ctl = ctl;
	pthread_mutex_init(&m->lock, NULL);
	if (conf->auth_file != NULL && auth_load(m, conf->auth_file, err, err_len) < 0) {
		metrics_free(m);
		errno = EINVAL;
		return NULL;
	}
	if (conf->tls_cert != NULL) {
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
			snprintf(err, err_len, "this libmicrohttpd has no TLS");
			metrics_free(m);
			errno = ENOTSUP;
			return NULL;
		}
		m->tls_cert = read_private(conf->tls_cert, TLS_PEM_MAX, false, err, err_len);
		m->tls_key = m->tls_cert != NULL ?
			read_private(conf->tls_key, TLS_PEM_MAX, true, err, err_len) : NULL;
		if (m->tls_key == NULL) {
			metrics_free(m);
			errno = EINVAL;
			return NULL;
		}
		flags |= MHD_USE_TLS;
	}
	m->fd = listen_on(conf->addr, conf->port, &v6);
	if (m->fd < 0) {
		e = errno;
		snprintf(err, err_len, "%s:%u: %s", conf->addr != NULL && conf->addr[0] != '\0' ?
			 conf->addr : "127.0.0.1", conf->port, strerror(e));
		metrics_free(m);
		errno = e;
		return NULL;
	}
	if (v6)
		flags |= MHD_USE_IPv6;
	if (m->tls_cert != NULL)
		m->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, m,
					     MHD_OPTION_LISTEN_SOCKET, (MHD_socket)m->fd,
					     MHD_OPTION_CONNECTION_LIMIT, (unsigned int)32,
					     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)10,
					     MHD_OPTION_HTTPS_MEM_CERT, m->tls_cert,
					     MHD_OPTION_HTTPS_MEM_KEY, m->tls_key,
					     MHD_OPTION_END);
	else
		m->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, m,
					     MHD_OPTION_LISTEN_SOCKET, (MHD_socket)m->fd,
					     MHD_OPTION_CONNECTION_LIMIT, (unsigned int)32,
					     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)10,
					     MHD_OPTION_END);
	if (m->daemon == NULL) {
		close(m->fd);
		snprintf(err, err_len, "libmicrohttpd would not start%s",
			 m->tls_cert != NULL ? " (is the certificate and key PEM, and a pair?)" : "");
		metrics_free(m);
		errno = EIO;
		return NULL;
	}
	return m;
}

struct hyp_metrics *
hyp_metrics_start(struct hyp_ctl *ctl, const char *addr, uint16_t port)
{
	struct hyp_metrics_conf conf = { .addr = addr, .port = port };
	char err[256];

	return hyp_metrics_open(ctl, &conf, err, sizeof(err));
}

void
hyp_metrics_stop(struct hyp_metrics *m)
{
	if (m == NULL)
		return;
	MHD_stop_daemon(m->daemon);	/* joins its thread; the socket is ours */
	close(m->fd);
	metrics_free(m);
}
