/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The data path: what runs on the worker and IO lcores, and nothing else.
 *
 * Contract (see hyp_pipeline.h): each function here touches only its own
 * lcore's state (its counters, its flow table, its Hyperscan scratch), the
 * rings between stages, and the policy generation, which it reads once a
 * burst and never changes; it reports a quiescent state between bursts.
 * It never takes a lock and never allocates, except the reassembler's
 * buffers (libc, bounded by its memory cap and its number of datagrams);
 * every mbuf it is handed is passed on, transmitted, or freed and counted.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "hyp_autoblock.h"
#include "hyp_eve.h"
#include "hyp_flow.h"
#include "hyp_reject.h"
#include "hyp_threshold.h"
#include "pipeline_private.h"

/* ---- stage accounting (hyp_pipe_conf.stage_cycles) ---------------------- */

/*
 * A running clock through a burst: each mark gives the cycles since the
 * last one to a stage. Off, a mark is a test of a flag the burst read once.
 */
struct stage_clock {
	bool on;
	uint64_t t;
};

static inline void
stage_mark(struct stage_clock *c, uint64_t *acc)
{
	uint64_t now;

	if (!c->on)
		return;
	now = rte_rdtsc();
	*acc += now - c->t;
	c->t = now;
}

/* what the engine's parts have counted for the worker so far */
static inline uint64_t
engine_cycles(const struct hyp_worker *w)
{
	return w->ecyc.dns + w->ecyc.scan + w->ecyc.sigs + w->ecyc.app;
}

/*
 * A mark for a stage the engine ran within: the engine's parts counted
 * their own cycles since *eng, the stage gets the rest.
 */
static inline void
stage_mark_around(struct stage_clock *c, uint64_t *acc, const struct hyp_worker *w, uint64_t *eng)
{
	uint64_t now, e;

	if (!c->on)
		return;
	now = rte_rdtsc();
	e = engine_cycles(w);
	*acc += (now - c->t) - RTE_MIN(e - *eng, now - c->t);
	c->t = now;
	*eng = e;
}

/* every stage of busy_cycles (not cyc_other, not cyc_house) */
static inline uint64_t
stage_sum(const struct hyp_lcore_stats *st)
{
	return st->cyc_rx + st->cyc_defrag + st->cyc_parse + st->cyc_flow + st->cyc_stream +
	       st->cyc_dns + st->cyc_scan + st->cyc_sigs + st->cyc_app + st->cyc_verdict +
	       st->cyc_eve + st->cyc_output + st->cyc_steer;
}

/* ---- the verdict stage, shared by rtc and staged workers ---------------- */

/*
 * One EVE alert about a packet (v_dns NULL: not about a DNS query; info
 * NULL: gid 1, rev 1, severity 2, no category).
 */
static void
post_event_info(struct hyp_pipeline *p, struct hyp_lcore_stats *st, const struct hyp_pkt_meta *m,
		uint32_t flow_hash, uint32_t sid, enum hyp_action action, const char *msg,
		const struct hyp_verdict *v_dns, const struct hyp_engine_rule_info *info,
		const struct hyp_http_meta *h, const struct hyp_tls_meta *t)
{
	struct hyp_eve_alert a;
	struct timespec ts;

	if (p->c.eve == NULL)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	memset(&a, 0, sizeof(a));
	a.ts_ns = (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	a.flow_id = ((uint64_t)flow_hash << 16) | m->proto;
	a.family = m->family;
	a.proto = m->proto;
	memcpy(a.src, m->src, sizeof(a.src));
	memcpy(a.dst, m->dst, sizeof(a.dst));
	a.sport = m->sport;
	a.dport = m->dport;
	a.signature_id = sid;
	a.action = action;
	if (msg != NULL)
		snprintf(a.signature, sizeof(a.signature), "%s", msg);
	if (v_dns != NULL && v_dns->dns_query) {
		memcpy(a.rrname, v_dns->rrname, sizeof(a.rrname));
		a.rrtype = v_dns->rrtype;
		a.dns_id = v_dns->dns_id;
	}
	if (h != NULL) {
		a.http = true;
		a.http_status = h->status;
		a.http_length = h->length;
		snprintf(a.http_method, sizeof(a.http_method), "%s", h->method);
		snprintf(a.http_protocol, sizeof(a.http_protocol), "%s", h->protocol);
		snprintf(a.http_host, sizeof(a.http_host), "%s", h->host);
		snprintf(a.http_user_agent, sizeof(a.http_user_agent), "%s", h->user_agent);
		snprintf(a.http_url, sizeof(a.http_url), "%s", h->url);
	}
	if (t != NULL) {
		a.tls = true;
		snprintf(a.tls_sni, sizeof(a.tls_sni), "%s", t->sni);
		snprintf(a.tls_version, sizeof(a.tls_version), "%s", t->version);
		snprintf(a.tls_subject, sizeof(a.tls_subject), "%s", t->subject);
		snprintf(a.tls_issuer, sizeof(a.tls_issuer), "%s", t->issuer);
		snprintf(a.tls_serial, sizeof(a.tls_serial), "%s", t->serial);
		snprintf(a.tls_fingerprint, sizeof(a.tls_fingerprint), "%s", t->fingerprint);
	}
	if (info != NULL) {
		a.gid = info->gid;
		a.rev = info->rev;
		a.severity = info->severity;
		snprintf(a.category, sizeof(a.category), "%s", info->category);
	}
	if (hyp_eve_post(p->c.eve, &a) < 0)
		st->eve_lost++;
}

static void
post_event(struct hyp_pipeline *p, struct hyp_lcore_stats *st, const struct hyp_pkt_meta *m,
	   uint32_t flow_hash, uint32_t sid, enum hyp_action action, const char *msg,
	   const struct hyp_verdict *v_dns)
{
	post_event_info(p, st, m, flow_hash, sid, action, msg, v_dns, NULL, NULL, NULL);
}

static void
post_alert(struct hyp_pipeline *p, struct hyp_lcore_stats *st,
	   const struct hyp_pkt_meta *m, uint32_t flow_hash,
	   const struct hyp_verdict *v)
{
	post_event(p, st, m, flow_hash, v->rule_id, v->action, v->msg,
		   v->dns_query ? v : NULL);
}

/*
 * Whether a rule's match becomes an alert: its threshold decides, over
 * every worker's matches (one table). The verdict does not depend on it.
 */
static bool
alert_due(const struct hyp_pipeline *p, const struct hyp_engine *e, const struct hyp_pkt_meta *m,
	  int slot, uint32_t id, uint64_t now)
{
	const struct hyp_threshold_spec *s;

	if (p->c.threshold == NULL || slot < 0)
		return true;
	s = hyp_engine_rule_threshold(e, (unsigned int)slot);
	return hyp_threshold_check(p->c.threshold, s, id, m->src, m->dst, now);
}

/*
 * The alerts of a verdict: the deciding rule's unless it is a Suricata
 * rule, then every Suricata rule that alerted (each with its own action,
 * gid, rev, severity and category), each under its threshold.
 */
static void
post_alerts(struct hyp_pipeline *p, struct hyp_lcore_stats *st, const struct hyp_engine *e,
	    const struct hyp_pkt_meta *m, uint32_t hash, const struct hyp_verdict *v, uint64_t now)
{
	struct hyp_engine_rule_info info;
	unsigned int i;

	if (v->action == HYP_ACTION_PASS)
		return;
	if ((v->slot < 0 || hyp_engine_rule_info(e, (unsigned int)v->slot, &info) < 0 ||
	     !info.suricata) && alert_due(p, e, m, v->slot, v->rule_id, now))
		post_alert(p, st, m, hash, v);
	for (i = 0; i < v->n_sigs; i++) {
		enum hyp_action a;
		const char *msg;
		uint32_t id;

		if (hyp_engine_rule(e, v->sigs[i], &id, &a, &msg) < 0 ||
		    hyp_engine_rule_info(e, v->sigs[i], &info) < 0 ||
		    !alert_due(p, e, m, (int)v->sigs[i], id, now))
			continue;
		post_event_info(p, st, m, hash, id, a, msg, v->dns_query ? v : NULL, &info,
				v->sig_http[i], v->sig_tls[i]);
	}
}

/*
 * A flow's flowbits for the engine in force: made on first use, zeroed
 * when the engine generation changed (its names got other bits). NULL
 * without a flow or a rule that uses flowbits, or without memory (the
 * flow then has no bit set: an isset fails, as for a packet without flow).
 */
struct pipe_flow_sigs {
	uint32_t gen;
	uint32_t words;
	uint64_t bits[];
};

static uint64_t *
flow_bits(const struct hyp_engine *e, struct hyp_flow_entry *fe)
{
	unsigned int w = hyp_engine_flowbit_words(e);
	struct pipe_flow_sigs *fs;

	if (fe == NULL || w == 0)
		return NULL;
	fs = fe->sigs;
	if (fs == NULL || fs->words < w) {
		struct pipe_flow_sigs *n = realloc(fs, sizeof(*fs) + w * sizeof(uint64_t));

		if (n == NULL)
			return NULL;
		memset(n, 0, sizeof(*n) + w * sizeof(uint64_t));
		n->words = w;
		n->gen = hyp_engine_gen(e);
		fe->sigs = fs = n;
	}
	if (fs->gen != hyp_engine_gen(e)) {
		memset(fs->bits, 0, fs->words * sizeof(uint64_t));
		fs->gen = hyp_engine_gen(e);
	}
	return fs->bits;
}

/* A packet's detection_filter: its matches counted in the thresholds' table */
struct pipe_df {
	const struct hyp_pipeline *p;
	const struct hyp_pkt_meta *m;
	uint64_t now;
};

static bool
df_count(void *arg, const struct hyp_rule *r)
{
	const struct pipe_df *df = arg;

	return hyp_threshold_check(df->p->c.threshold, &r->detection_filter, r->sid, df->m->src,
				   df->m->dst, df->now);
}

/* ICMP: type and code are not payload, as Suricata counts it */
static inline bool
icmp_header(const struct hyp_pkt_meta *m)
{
	return (m->proto == IPPROTO_ICMP || m->proto == IPPROTO_ICMPV6) && m->payload_len >= 8;
}

/* What the Suricata rules see of a packet beyond its payload. */
static void
detect_pkt(struct hyp_detect_pkt *d, const struct hyp_pkt_meta *m, const uint8_t *data,
	   const struct hyp_flow_entry *fe, int dir, uint64_t *bits, struct pipe_df *df)
{
	const uint8_t *ip = data + m->l3_off;

	memset(d, 0, sizeof(*d));
	d->family = m->family;
	d->proto = m->proto;
	d->src = m->src;
	d->dst = m->dst;
	d->sport = m->sport;
	d->dport = m->dport;
	d->ttl = m->family == 4 ? ip[8] : ip[7];
	d->tcp_flags = m->tcp_flags;
	d->payload = data + m->payload_off;
	d->len = m->payload_len;
	if (icmp_header(m)) {
		d->icmp_type = data[m->payload_off];
		d->icmp_code = data[m->payload_off + 1];
		d->payload += 8;
		d->len -= 8;
	}
	d->dsize = d->len;
	d->to_server = fe == NULL || fe->initiator == dir;
	d->established = fe != NULL && hyp_flow_established(fe);
	d->flowbits = bits;
	if (df->p->c.threshold != NULL) {
		d->filter = df_count;
		d->filter_arg = df;
	}
}

static void worker_output(struct hyp_pipeline *p, struct hyp_worker *w, struct hyp_lcore_stats *st,
			  struct rte_mbuf *out[HYP_PIPE_MAX_PORTS][HYP_PIPE_MAX_BURST],
			  unsigned int n_out[HYP_PIPE_MAX_PORTS], bool direct);

/*
 * ips: a reassembled datagram that passed goes out as the fragments it came
 * in, unchanged (the host behind reassembles them itself).
 */
static void
emit_originals(struct hyp_pipeline *p, struct hyp_worker *w, struct hyp_lcore_stats *st,
	       struct rte_mbuf *m, uint16_t port,
	       struct rte_mbuf *out[HYP_PIPE_MAX_PORTS][HYP_PIPE_MAX_BURST],
	       unsigned int n_out[HYP_PIPE_MAX_PORTS], bool direct)
{
	struct rte_mbuf *orig[HYP_DEFRAG_MAX_FRAGS];
	unsigned int n = hyp_defrag_take_originals(m, orig, RTE_DIM(orig)), i;

	rte_pktmbuf_free(m);
	for (i = 0; i < n; i++) {
		if (n_out[port] == HYP_PIPE_MAX_BURST)
			worker_output(p, w, st, out, n_out, direct);
		out[port][n_out[port]++] = orig[i];
	}
}

/* May the worker send one more reject answer now? */
static bool
reject_token(struct hyp_worker *w, uint64_t now)
{
	uint64_t hz = rte_get_tsc_hz(), add;

	add = (now - w->reject_tsc) * HYP_PIPE_REJECT_PPS / hz;
	if (add > 0) {
		w->reject_tokens = RTE_MIN(w->reject_tokens + add, (uint64_t)HYP_PIPE_REJECT_PPS);
		w->reject_tsc = now;
	}
	if (w->reject_tokens == 0)
		return false;
	w->reject_tokens--;
	return true;
}

/*
 * ips: a reject rule's answers to a dropped packet, a RST or an ICMP
 * unreachable to its sender (out the port it came in) and/or its receiver
 * (out the port it was going to), within the worker's rate.
 */
static void
send_rejects(struct hyp_pipeline *p, struct hyp_worker *w, struct hyp_lcore_stats *st,
	     struct rte_mbuf *m, const struct hyp_pkt_meta *meta, uint8_t to, uint16_t out_port,
	     struct rte_mbuf *out[HYP_PIPE_MAX_PORTS][HYP_PIPE_MAX_BURST],
	     unsigned int n_out[HYP_PIPE_MAX_PORTS], bool direct, uint64_t now)
{
	static const uint8_t sides[] = { HYP_REJECT_SRC, HYP_REJECT_DST };
	unsigned int i;

	for (i = 0; i < RTE_DIM(sides); i++) {
		uint16_t port = sides[i] == HYP_REJECT_SRC ? p->port_idx[m->port] : out_port;
		struct rte_mbuf *r;
		int len;

		if (!(to & sides[i]))
			continue;
		if (!reject_token(w, now)) {
			st->rejects_limited++;
			continue;
		}
		r = rte_pktmbuf_alloc(m->pool);
		if (r == NULL) {
			st->rejects_failed++;
			continue;
		}
		len = hyp_reject_build(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m),
				       meta, sides[i], rte_pktmbuf_mtod(r, uint8_t *),
				       rte_pktmbuf_tailroom(r));
		if (len < 0 || rte_pktmbuf_append(r, (uint16_t)len) == NULL) {
			rte_pktmbuf_free(r);
			st->rejects_failed++;
			continue;
		}
		if (n_out[port] == HYP_PIPE_MAX_BURST)
			worker_output(p, w, st, out, n_out, direct);
		out[port][n_out[port]++] = r;
		st->rejects++;
	}
}

/* ---- TCP streams ---------------------------------------------------------- */

void
pipe_flow_release(void *arg, struct hyp_flow_entry *e)
{
	struct hyp_worker *w = arg;
	unsigned int i;

	free(e->sigs);
	e->sigs = NULL;
	for (i = 0; i < 2; i++) {
		struct pipe_tcp_dir *td = e->user[i];

		if (td == NULL)
			continue;
		hyp_stream_dir_free(w->streams, td->sd);
		hyp_engine_stream_free(td->es);
		free(td);
		e->user[i] = NULL;
	}
}

struct tcp_feed {
	const struct hyp_engine *e;
	struct hyp_engine_scratch *s;
	const struct hyp_pipeline *p;
	struct hyp_worker *w;
	struct pipe_tcp_dir *td;
	const struct hyp_pkt_meta *m;
	const struct hyp_detect_pkt *ctx;	/* the segment, for the Suricata rules */
	const struct hyp_engine_app *http;
	struct hyp_verdict *v;
};

/*
 * What the Suricata rules see of a chunk: the window's bytes already
 * inspected, then the chunk, so a match across segments is found (and
 * reported once: it must reach into the chunk).
 */
static const struct hyp_detect_pkt *
window(struct tcp_feed *f, const uint8_t *data, uint32_t len, struct hyp_detect_pkt *c)
{
	uint32_t max = len <= PIPE_CHUNK_MAX ? f->p->c.stream.inspect_window : 0, n;
	uint64_t off;

	*c = *f->ctx;
	n = hyp_stream_dir_recent(f->w->streams, f->td->sd, f->w->window, max, &off);
	if (n > 0)
		memcpy(f->w->window + n, data, len);
	c->payload = n > 0 ? f->w->window : data;
	c->len = n + len;
	c->new_from = n;
	c->base = off;
	return c;
}

/* hyp_stream hands over the next bytes in order, or a gap (data NULL) */
static void
tcp_deliver(void *arg, const uint8_t *data, uint32_t len)
{
	struct tcp_feed *f = arg;
	struct hyp_detect_pkt c;

	if (data == NULL) {
		/* what follows is not joined to what came before */
		hyp_engine_stream_end(NULL, NULL, f->td->es, f->m->proto, f->m->dport, NULL, NULL,
				      NULL);
		return;
	}
	hyp_engine_stream_feed(f->e, f->s, &f->td->es, data, len, f->m->proto, f->m->dport,
			       f->ctx != NULL ? window(f, data, len, &c) : NULL, f->http, f->v);
}

enum tcp_outcome {
	TCP_ALONE,	/* not reassembled: inspect the segment by itself */
	TCP_DONE,	/* v holds the verdict of the bytes it delivered */
	TCP_REFUSED,	/* ips: it cannot wait; drop it (counted by the stream), it is resent */
	TCP_DROP,	/* ips: different bytes over delivered ones */
};

/*
 * A TCP segment into its direction's stream: the verdict is that of the
 * bytes it makes contiguous (its own and those that waited for it). A
 * segment that carries bytes already delivered, different, is alerted on
 * (and dropped in ips); the stream's end lets the rules that match only
 * there speak.
 */
static enum tcp_outcome
tcp_inspect(struct hyp_pipeline *p, struct hyp_worker *w, struct hyp_lcore_stats *st,
	    const struct hyp_gen *g, struct hyp_flow_entry *fe, int dir,
	    const struct hyp_pkt_meta *m, const uint8_t *data, uint32_t hash, bool ips,
	    struct pipe_df *df, struct hyp_verdict *v)
{
	struct pipe_tcp_dir *td = fe->user[dir];
	const struct pipe_tcp_dir *other = fe->user[dir ^ 1];
	struct hyp_detect_pkt ctx;
	struct hyp_engine_app http = { other != NULL ? other->es : NULL, &w->http, &w->tls };
	struct tcp_feed f = { g->engine, g->scratch[w->idx], p, w, NULL, m, &ctx, &http, v };
	enum hyp_stream_result r;
	uint32_t ev;

	if (td == NULL) {
		td = calloc(1, sizeof(*td));
		if (td == NULL)
			return TCP_ALONE;
		fe->user[dir] = td;
	}
	f.td = td;
	detect_pkt(&ctx, m, data, fe, dir, flow_bits(g->engine, fe), df);
	hyp_engine_verdict_init(v);
	r = hyp_stream_segment(w->streams, &td->sd, m->tcp_seq, m->tcp_flags,
			       data + m->payload_off, m->payload_len, tcp_deliver, &f, &ev);
	if (r == HYP_STREAM_UNTRACKED)
		return TCP_ALONE;
	if (r == HYP_STREAM_REFUSED)
		return TCP_REFUSED;
	hyp_engine_inspect_segment(g->engine, g->scratch[w->idx], &ctx, v);
	if (ev & HYP_STREAM_EV_END)
		hyp_engine_stream_end(g->engine, g->scratch[w->idx], td->es, m->proto, m->dport, &ctx,
				      &http, v);
	if (ev & HYP_STREAM_EV_CONFLICT) {
		post_event(p, st, m, hash, hyp_engine_event_sid(HYP_EV_TCP_CONFLICT),
			   ips ? HYP_ACTION_DROP : HYP_ACTION_ALERT,
			   hyp_engine_event_msg(HYP_EV_TCP_CONFLICT), NULL);
		if (ips)
			return TCP_DROP;
	}
	return TCP_DONE;
}

/* The source of a packet vouched for by its TCP stream (began at its SYN, no gap). */
static bool
tcp_vouched(const struct hyp_flow_entry *fe, int dir)
{
	const struct pipe_tcp_dir *td = fe->user[dir];

	return td != NULL && hyp_stream_dir_vouched(td->sd);
}

/*
 * A drop verdict: cached on the flow only once the flow is established, so
 * a packet forged onto someone else's 5-tuple drops itself and nothing
 * more; and reported to the auto-block with what makes its source
 * believable. A DNS rule judges one query, not the flow (the next query on
 * the same ports may be benign); a payload rule judges the flow.
 */
static void
drop_verdict(struct hyp_pipeline *p, struct hyp_worker *w, struct hyp_lcore_stats *st,
	     struct hyp_flow_entry *fe, int dir, const struct hyp_pkt_meta *m,
	     const struct hyp_verdict *v, uint32_t gen, uint64_t now)
{
	bool tcp = m->proto == IPPROTO_TCP;
	bool vouched = fe != NULL && tcp && tcp_vouched(fe, dir);

	st->dropped++;
	if (fe != NULL && (!v->dns_rule || tcp)) {
		if (hyp_flow_established(fe) || vouched) {
			fe->verdict = HYP_ACTION_DROP;
			fe->verdict_gen = gen;
			fe->rule_id = v->rule_id;
		} else {
			st->drops_uncached++;
			/*
			 * TCP: the stream took the dropped bytes; its resend would
			 * pass as bytes already seen. Start the direction over, so
			 * the resend is inspected again.
			 */
			if (tcp && fe->user[dir] != NULL) {
				struct pipe_tcp_dir *td = fe->user[dir];

				hyp_stream_dir_free(w->streams, td->sd);
				hyp_engine_stream_free(td->es);
				free(td);
				fe->user[dir] = NULL;
			}
		}
	}
	if (p->c.autoblock != NULL) {
		struct hyp_autoblock_hit h = {
			.src = hyp_src_key_host(m->family, m->src),
			.proto = m->proto,
			/* a flow the table could not hold has no known initiator */
			.initiator = fe != NULL && fe->initiator == dir,
			.handshake = fe != NULL && tcp && fe->tcp_hs == HYP_FLOW_HS_DONE,
			.vouched = vouched,
		};

		hyp_autoblock_report(p->c.autoblock, w->ab, &h, now);
	}
}

/*
 * Classify, inspect and decide a burst. Packets to transmit are collected
 * per output port in out[][] (counts in n_out[]; flushed here only when
 * the original fragments of a datagram would overflow them, directly or
 * to the tx rings as the caller does); everything else is freed here.
 */
static void
verdict_burst(struct hyp_pipeline *p, struct hyp_worker *w, struct hyp_lcore_stats *st,
	      struct rte_mbuf **pkts, unsigned int n,
	      struct rte_mbuf *out[HYP_PIPE_MAX_PORTS][HYP_PIPE_MAX_BURST],
	      unsigned int n_out[HYP_PIPE_MAX_PORTS], bool direct)
{
	const struct hyp_gen *g = __atomic_load_n(&p->gen, __ATOMIC_ACQUIRE);
	const struct hyp_engine *e = g->engine;
	uint32_t gen = hyp_engine_gen(e);
	uint64_t *hits = g->hits[w->idx];
	uint64_t now = rte_rdtsc();
	struct hyp_pkt_meta metas[HYP_PIPE_MAX_BURST];
	struct hyp_flow5 keys[HYP_PIPE_MAX_BURST];
	const struct hyp_flow5 *lookup[HYP_PIPE_MAX_BURST];
	uint32_t hashes[HYP_PIPE_MAX_BURST], lookup_h[HYP_PIPE_MAX_BURST];
	int rets[HYP_PIPE_MAX_BURST], dirs[HYP_PIPE_MAX_BURST];
	int32_t hint[HYP_PIPE_MAX_BURST];
	uint16_t lk[HYP_PIPE_MAX_BURST];
	/* what the burst consumes, freed in one go at its end */
	struct rte_mbuf *dead[HYP_PIPE_MAX_BURST];
	unsigned int n_dead = 0;
	uint64_t stamp;
	struct pipe_df df = { p, NULL, now };
	struct stage_clock sc = { p->c.stage_cycles, now };
	struct hyp_verdict v;
	const uint64_t *hkey = hyp_flow_hash_key();
	unsigned int i, n_lookup = 0;

	/*
	 * Every packet's headers first, then the flow table's buckets for all
	 * of them in one go: the cache misses of a burst overlap instead of
	 * stalling each packet in turn (the frames were prefetched at rx).
	 */
	for (i = 0; i < n; i++) {
		rets[i] = hyp_flow_parse(rte_pktmbuf_mtod(pkts[i], const uint8_t *),
					 rte_pktmbuf_data_len(pkts[i]), &metas[i]);
		if (rets[i] < 0)
			continue;
		dirs[i] = hyp_flow5_from_meta(&metas[i], &keys[i]);
		hashes[i] = hyp_flow5_hash_with(&keys[i], hkey);
		lk[i] = (uint16_t)n_lookup;
		lookup[n_lookup] = &keys[i];
		lookup_h[n_lookup++] = hashes[i];
	}
	stage_mark(&sc, &st->cyc_parse);
	stamp = hyp_flow_prefetch(w->flows, lookup, lookup_h, n_lookup, hint);
	stage_mark(&sc, &st->cyc_flow);
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		const uint8_t *data = rte_pktmbuf_mtod(m, const uint8_t *);
		struct hyp_pkt_meta *const mt = &metas[i];
		struct hyp_flow_entry *fe = NULL;
		uint16_t out_port = p->c.ports[p->port_idx[m->port]].out;
		uint32_t hash = 0;
		uint64_t eng = 0;
		int dir, ret = rets[i];

		df.m = mt;
		if (ret < 0) {
			/*
			 * Not inspected, so neither passed nor judged: counted as
			 * what it is and let through (malformed: pass sent it).
			 */
			if (ret == -EINVAL)
				st->parse_errors++;
			else
				st->not_ip++;
			stage_mark(&sc, &st->cyc_parse);
			goto out;
		}
		dir = dirs[i];
		hash = hashes[i];
		fe = hyp_flow_lookup_or_add_hinted(w->flows, &keys[i], hash, hint[lk[i]], stamp,
						   now);
		if (fe != NULL) {
			fe->packets[dir]++;
			fe->bytes[dir] += rte_pktmbuf_pkt_len(m);
			fe->last_tsc = now;
			hyp_flow_note(fe, dir, mt->proto, mt->tcp_flags);
			/*
			 * Its source was reported once, when the verdict was made.
			 * A new policy generation decides a flow anew, except a TCP
			 * one: its stream took the dropped bytes, so their resend
			 * would pass as bytes already seen; the connection stays
			 * dropped.
			 */
			if (fe->verdict == HYP_ACTION_DROP &&
			    (fe->verdict_gen == gen || mt->proto == IPPROTO_TCP)) {
				st->cached_drops++;
				st->dropped++;
				stage_mark(&sc, &st->cyc_flow);
				dead[n_dead++] = m;
				stage_mark(&sc, &st->cyc_output);
				continue;
			}
		} else {
			st->flow_full++;
		}
		stage_mark(&sc, &st->cyc_flow);
		if (sc.on)
			eng = engine_cycles(w);

		switch (mt->proto == IPPROTO_TCP && fe != NULL && w->streams != NULL ?
			tcp_inspect(p, w, st, g, fe, dir, mt, data, hash,
				    out_port != HYP_PIPE_NO_PORT, &df, &v) : TCP_ALONE) {
		case TCP_DROP:
			st->dropped++;
			/* fall through */
		case TCP_REFUSED:
			stage_mark_around(&sc, &st->cyc_stream, w, &eng);
			dead[n_dead++] = m;
			stage_mark(&sc, &st->cyc_output);
			continue;
		case TCP_ALONE: {
			struct hyp_detect_pkt dp;

			/* the segments the stream did not take: their time so far is its */
			if (mt->proto == IPPROTO_TCP)
				stage_mark_around(&sc, &st->cyc_stream, w, &eng);
			if (hyp_engine_detect_info(e) != NULL) {
				detect_pkt(&dp, mt, data, fe, dir, flow_bits(e, fe), &df);
				hyp_engine_inspect_pkt(e, g->scratch[w->idx], &dp, &v);
			} else {
				/* YAML rules only: the payload is all they read */
				unsigned int skip = icmp_header(mt) ? 8 : 0;

				hyp_engine_inspect(e, g->scratch[w->idx],
						   data + mt->payload_off + skip,
						   mt->payload_len - skip, mt->proto, mt->dport, &v);
			}
			/* the engine's parts counted themselves: the rest is set-up */
			stage_mark_around(&sc, &st->cyc_verdict, w, &eng);
			break;
		}
		case TCP_DONE:
			stage_mark_around(&sc, &st->cyc_stream, w, &eng);
			break;
		}
		st->inspected++;
		if (v.slot >= 0 && (unsigned int)v.slot < g->n_rules)
			hits[v.slot]++;
		for (unsigned int k = 0; k < v.n_sigs; k++)
			if ((int)v.sigs[k] != v.slot && v.sigs[k] < g->n_rules)
				hits[v.sigs[k]]++;
		if (v.dns_err < 0)
			st->dns_errors++;
		if (v.scan_err < 0)
			st->scan_errors++;
		stage_mark(&sc, &st->cyc_verdict);
		post_alerts(p, st, e, mt, hash, &v, now);
		stage_mark(&sc, &st->cyc_eve);
		if (v.action == HYP_ACTION_DROP) {
			if (v.reject != 0 && out_port != HYP_PIPE_NO_PORT)
				send_rejects(p, w, st, m, mt, v.reject, out_port, out, n_out,
					     direct, now);
			drop_verdict(p, w, st, fe, dir, mt, &v, gen, now);
			stage_mark(&sc, &st->cyc_verdict);
			dead[n_dead++] = m;
			stage_mark(&sc, &st->cyc_output);
			continue;
		}
		if (v.action == HYP_ACTION_ALERT)
			st->alerted++;
		else
			st->passed++;
out:
		if (out_port == HYP_PIPE_NO_PORT)
			dead[n_dead++] = m;	/* IDS: inspected and consumed */
		else if (hyp_defrag_is_reassembled(m))
			emit_originals(p, w, st, m, out_port, out, n_out, direct);
		else
			out[out_port][n_out[out_port]++] = m;
		stage_mark(&sc, &st->cyc_output);
	}
	if (n_dead != 0) {
		rte_pktmbuf_free_bulk(dead, n_dead);
		stage_mark(&sc, &st->cyc_output);
	}
	if (sc.on) {
		/* one worker per lcore: the worker's engine parts are its lcore's */
		st->cyc_dns = w->ecyc.dns;
		st->cyc_scan = w->ecyc.scan;
		st->cyc_sigs = w->ecyc.sigs;
		st->cyc_app = w->ecyc.app;
	}
	if (n != 0) {
		uint64_t ns = ((rte_rdtsc() - now) * p->ns_per_tsc_q20) >> 20;
		uint64_t per = ns / n;
		unsigned int b = 0;

		while (b < HYP_LAT_BUCKETS - 1 && per > hyp_lat_bounds_ns[b])
			b++;
		st->lat_count[b] += n;
		st->lat_sum_ns += ns;
	}
}

/* Ring ids for statistics: worker rings first, then (io, port) tx rings. */
unsigned int
pipe_tx_ring_id(unsigned int io_idx, unsigned int port)
{
	return HYP_PIPE_MAX_WORKERS + io_idx * HYP_PIPE_MAX_PORTS + port;
}

static inline void
ring_account(struct hyp_pipeline *p, unsigned int ring, struct rte_ring *r,
	      unsigned int free_space, unsigned int refused)
{
	struct hyp_ring_stat *rs = &p->ring_st[rte_lcore_id()][ring];
	uint32_t used = rte_ring_get_capacity(r) - free_space;

	if (used > rs->hwm)
		rs->hwm = used;
	rs->enq_fail += refused;
}

static void
free_rest(struct rte_mbuf **pkts, unsigned int from, unsigned int n, uint64_t *counter)
{
	unsigned int i;

	for (i = from; i < n; i++)
		rte_pktmbuf_free(pkts[i]);
	*counter += n - from;
}

/* Send on (port, queue) directly; what the PMD refuses is counted and freed. */
static void
tx_direct(struct hyp_lcore_stats *st, uint16_t port_id, uint16_t queue,
	  struct rte_mbuf **pkts, unsigned int n)
{
	unsigned int sent = 0;
	int tries = 2;

	while (sent < n && tries-- > 0)
		sent += rte_eth_tx_burst(port_id, queue, pkts + sent, n - sent);
	st->tx += sent;
	free_rest(pkts, sent, n, &st->tx_failed);
}

static void
worker_output(struct hyp_pipeline *p, struct hyp_worker *w, struct hyp_lcore_stats *st,
	      struct rte_mbuf *out[HYP_PIPE_MAX_PORTS][HYP_PIPE_MAX_BURST],
	      unsigned int n_out[HYP_PIPE_MAX_PORTS], bool direct)
{
	struct stage_clock sc = { p->c.stage_cycles, p->c.stage_cycles ? rte_rdtsc() : 0 };
	unsigned int pi, done;

	for (pi = 0; pi < p->c.n_ports; pi++) {
		if (n_out[pi] == 0)
			continue;
		if (direct) {
			tx_direct(st, p->c.ports[pi].port_id, w->txio->txq, out[pi], n_out[pi]);
		} else {
			unsigned int room;

			done = rte_ring_enqueue_burst(w->txio->tx[pi], (void **)out[pi],
						      n_out[pi], &room);
			ring_account(p, pipe_tx_ring_id(w->txio->idx, pi), w->txio->tx[pi], room,
				     n_out[pi] - done);
			free_rest(out[pi], done, n_out[pi], &st->tx_failed);
		}
		n_out[pi] = 0;
	}
	stage_mark(&sc, &st->cyc_output);
}

/* The table's counters into the worker's own (it is their only writer). */
static inline void
flow_stats_copy(const struct hyp_worker *w, struct hyp_lcore_stats *st)
{
	struct hyp_flow_table_stats fs;

	hyp_flow_table_get_stats(w->flows, &fs);
	st->flows_added = fs.added;
	st->flows_expired = fs.expired;
	st->flows_evicted_new = fs.evicted[0];
	st->flows_evicted_established = fs.evicted[1];
	st->flows_evicted_verdict = fs.evicted[2];
}

/*
 * Housekeeping between bursts: sweep idle flows, and answer the control
 * plane's request for this worker's largest flows (only the owner may walk
 * its table).
 */
static void
maybe_expire(struct hyp_pipeline *p, struct hyp_worker *w)
{
	uint32_t seq = __atomic_load_n(&p->flow_req_seq, __ATOMIC_ACQUIRE);

	/* between bursts: nothing of the current generation is held */
	rte_rcu_qsbr_quiescent(p->qs, w->idx);
	hyp_flow_table_sweep(w->flows, rte_rdtsc(), p->idle_tsc, p->idle_tsc / 2,
			     HYP_SWEEP_MAX_SLOTS);
	flow_stats_copy(w, &p->st[w->lcore]);
	if (seq != w->snap_seq) {
		w->snap_n = hyp_flow_table_top(w->flows, w->snap,
					       RTE_MIN(p->flow_req_n, (unsigned int)HYP_PIPE_MAX_TOP));
		__atomic_store_n(&w->snap_seq, seq, __ATOMIC_RELEASE);
	}
}

/* ---- the rx stage ------------------------------------------------------ */

/* Drop what the prefilter handled; returns how many are left to inspect. */
static unsigned int
prefilter(struct hyp_pipeline *p, struct hyp_lcore_stats *st, struct rte_mbuf **pkts,
	  unsigned int n)
{
	unsigned int i, k = 0;

	if (p->c.prefilter == NULL)
		return n;
	for (i = 0; i < n; i++) {
		if (p->c.prefilter(p->c.prefilter_arg, pkts[i]))
			pkts[k++] = pkts[i];
		else
			st->prefiltered++;
	}
	return k;
}

/* Spread a burst over the workers by symmetric flow hash. */
static void
spread(struct hyp_pipeline *p, struct hyp_lcore_stats *st, struct rte_mbuf **pkts,
       unsigned int n)
{
	struct rte_mbuf *per[HYP_PIPE_MAX_WORKERS][HYP_PIPE_MAX_BURST];
	unsigned int cnt[HYP_PIPE_MAX_WORKERS] = { 0 };
	struct stage_clock sc = { p->c.stage_cycles, p->c.stage_cycles ? rte_rdtsc() : 0 };
	struct hyp_pkt_meta meta;
	struct hyp_flow5 key;
	const uint64_t *hkey = hyp_flow_hash_key();
	unsigned int i, wi, done;

	for (i = 0; i < n; i++) {
		uint32_t h = 0;

		if (hyp_flow_parse(rte_pktmbuf_mtod(pkts[i], const uint8_t *),
				   rte_pktmbuf_data_len(pkts[i]), &meta) == 0) {
			hyp_flow5_from_meta(&meta, &key);
			h = hyp_flow5_hash_with(&key, hkey);
		}
		wi = h % p->n_workers;
		per[wi][cnt[wi]++] = pkts[i];
	}
	for (wi = 0; wi < p->n_workers; wi++) {
		if (cnt[wi] == 0)
			continue;
		unsigned int room;

		done = rte_ring_enqueue_burst(p->wk[wi].in, (void **)per[wi], cnt[wi], &room);
		ring_account(p, wi, p->wk[wi].in, room, cnt[wi] - done);
		free_rest(per[wi], done, cnt[wi], &st->ring_full);
	}
	stage_mark(&sc, &st->cyc_steer);
}

/*
 * Fragments into their reassembler; the datagrams it completes take their
 * place in the burst, to be steered by their own 5-tuple. Returns the
 * burst's new length. A datagram whose fragments overlapped with different
 * bytes is alerted on, and dropped in ips mode; one that reassembles past
 * 65535 bytes (dropped by the reassembler) is alerted on. Also the
 * reassembler's timeout sweep, every HYP_EXPIRE_EVERY polls.
 */
static unsigned int
defrag_burst(struct hyp_pipeline *p, struct hyp_io *io, struct hyp_lcore_stats *st,
	     struct rte_mbuf **pkts, unsigned int n)
{
	struct hyp_pkt_meta meta;
	struct stage_clock sc;
	unsigned int i, k = 0;
	uint64_t now;

	if (io->defrag == NULL || n == 0)
		return n;
	now = rte_rdtsc();
	sc = (struct stage_clock){ p->c.stage_cycles, now };
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i], *d = NULL;
		bool ips = p->c.ports[p->port_idx[m->port]].out != HYP_PIPE_NO_PORT;
		uint32_t flags;

		if (!hyp_flow_maybe_fragment(rte_pktmbuf_mtod(m, const uint8_t *),
					     rte_pktmbuf_data_len(m)) ||
		    hyp_flow_parse(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m),
				   &meta) != 0 || !meta.frag.is) {
			pkts[k++] = m;
			continue;
		}
		switch (hyp_defrag_push(io->defrag, m, &meta, now, &d, &flags)) {
		case HYP_DEFRAG_DONE:
			if (flags & HYP_DEFRAG_F_CONFLICT) {
				/* what the host will see is unknown: say so, and in ips refuse it */
				hyp_flow_parse(rte_pktmbuf_mtod(d, const uint8_t *),
					       rte_pktmbuf_data_len(d), &meta);
				post_event(p, st, &meta, 0, hyp_engine_event_sid(HYP_EV_FRAG_CONFLICT),
					   ips ? HYP_ACTION_DROP : HYP_ACTION_ALERT,
					   hyp_engine_event_msg(HYP_EV_FRAG_CONFLICT), NULL);
				if (ips) {
					st->dropped++;
					rte_pktmbuf_free(d);
					break;
				}
			}
			pkts[k++] = d;
			break;
		case HYP_DEFRAG_DROPPED:
			if (flags & HYP_DEFRAG_F_TOO_LARGE)
				post_event(p, st, &meta, 0, hyp_engine_event_sid(HYP_EV_FRAG_TOO_LARGE),
					   HYP_ACTION_DROP, hyp_engine_event_msg(HYP_EV_FRAG_TOO_LARGE),
					   NULL);
			break;
		case HYP_DEFRAG_HELD:
			break;
		}
	}
	stage_mark(&sc, &st->cyc_defrag);
	return k;
}

/* The reassembler's timeouts: a sweep every HYP_EXPIRE_EVERY polls. */
static inline void
defrag_expire(struct hyp_io *io)
{
	if (io->defrag != NULL && ++io->defrag_turns % HYP_EXPIRE_EVERY == 0)
		hyp_defrag_expire(io->defrag, rte_rdtsc(), HYP_EXPIRE_BUDGET);
}

/*
 * One poll of one rx queue, counted: how many packets it gave (0: an empty
 * poll), and in *left how many of those the prefilter left to inspect.
 */
static inline unsigned int
rx_poll(struct hyp_pipeline *p, struct hyp_lcore_stats *st, unsigned int pi,
	uint16_t queue, struct rte_mbuf **pkts, unsigned int *left)
{
	struct stage_clock sc = { p->c.stage_cycles, p->c.stage_cycles ? rte_rdtsc() : 0 };
	unsigned int n = rte_eth_rx_burst(p->c.ports[pi].port_id, queue, pkts, p->c.burst);
	struct hyp_queue_stats *qs = &p->qst[pi][queue];

	*left = 0;
	if (n == 0) {
		st->empty_polls++;
		qs->empty_polls++;
		return 0;	/* not busy: an empty poll's cycles are idle */
	}
	/*
	 * The frames were copied in on another CPU (copy mode) or by the NIC:
	 * ask for every frame's headers now, so the misses overlap instead of
	 * coming one packet at a time in the stages.
	 */
	for (unsigned int i = 0; i < n; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], const void *));
	st->rx += n;
	st->bursts++;
	qs->rx += n;
	qs->bursts++;
	qs->full_bursts += n == p->c.burst;
	*left = prefilter(p, st, pkts, n);
	stage_mark(&sc, &st->cyc_rx);
	return n;
}

static unsigned int
io_rx(struct hyp_pipeline *p, struct hyp_io *io, struct hyp_lcore_stats *st)
{
	struct rte_mbuf *pkts[HYP_PIPE_MAX_BURST];
	unsigned int pi, qi, n, got, total = 0;

	for (pi = 0; pi < p->c.n_ports; pi++) {
		for (qi = 0; qi < io->n_queues; qi++) {
			got = rx_poll(p, st, pi, io->queues[qi], pkts, &n);
			total += got;
			n = defrag_burst(p, io, st, pkts, n);
			if (n)
				spread(p, st, pkts, n);
		}
	}
	defrag_expire(io);
	return total;
}

static unsigned int
io_tx(struct hyp_pipeline *p, struct hyp_io *io, struct hyp_lcore_stats *st)
{
	struct rte_mbuf *pkts[HYP_PIPE_MAX_BURST];
	unsigned int pi, n, total = 0;

	for (pi = 0; pi < p->c.n_ports; pi++) {
		if (io->tx[pi] == NULL)
			continue;
		n = rte_ring_dequeue_burst(io->tx[pi], (void **)pkts, p->c.burst, NULL);
		if (n) {
			struct stage_clock sc = { p->c.stage_cycles,
						  p->c.stage_cycles ? rte_rdtsc() : 0 };

			tx_direct(st, p->c.ports[pi].port_id, io->txq, pkts, n);
			stage_mark(&sc, &st->cyc_output);
			total += n;
		}
	}
	return total;
}

bool
pipe_io_tx_empty(const struct hyp_pipeline *p, const struct hyp_io *io)
{
	unsigned int pi;

	for (pi = 0; pi < p->c.n_ports; pi++)
		if (io->tx[pi] != NULL && !rte_ring_empty(io->tx[pi]))
			return false;
	return true;
}

static unsigned int
worker_step(struct hyp_pipeline *p, struct hyp_worker *w, struct hyp_lcore_stats *st)
{
	struct rte_mbuf *pkts[HYP_PIPE_MAX_BURST];
	struct rte_mbuf *out[HYP_PIPE_MAX_PORTS][HYP_PIPE_MAX_BURST];
	unsigned int n_out[HYP_PIPE_MAX_PORTS] = { 0 };
	unsigned int n;

	n = rte_ring_dequeue_burst(w->in, (void **)pkts, p->c.burst, NULL);
	if (n == 0)
		return 0;
	verdict_burst(p, w, st, pkts, n, out, n_out, false);
	worker_output(p, w, st, out, n_out, false);
	return n;
}

/* ---- lcore main loops ----------------------------------------------------- */

/*
 * One turn of a loop: all of it is poll_cycles, a turn with packets is also
 * busy_cycles; with stage_cycles, what of a busy turn no stage took is
 * cyc_other (*staged: the stages' sum at the last busy turn).
 */
static inline void
loop_account(const struct hyp_pipeline *p, struct hyp_lcore_stats *st, uint64_t t0,
	     unsigned int work, uint64_t *staged)
{
	uint64_t t1 = rte_rdtsc();

	st->poll_cycles += t1 - t0;
	if (work == 0)
		return;
	st->busy_cycles += t1 - t0;
	if (p->c.stage_cycles) {
		uint64_t sum = stage_sum(st);

		st->cyc_other += (t1 - t0) - RTE_MIN(sum - *staged, t1 - t0);
		*staged = sum;
	}
}

/* between polls, not busy: counted apart when asked */
static inline void
housekeeping(struct hyp_pipeline *p, struct hyp_lcore_ctx *lc, struct hyp_lcore_stats *st)
{
	uint64_t t0 = p->c.stage_cycles ? rte_rdtsc() : 0;

	if (lc->w != NULL)
		maybe_expire(p, lc->w);
	if (lc->io != NULL)
		defrag_expire(lc->io);
	if (p->c.stage_cycles)
		st->cyc_house += rte_rdtsc() - t0;
}

static int
run_io(struct hyp_lcore_ctx *lc, struct hyp_lcore_stats *st)
{
	struct hyp_pipeline *p = lc->p;
	uint64_t staged = stage_sum(st);
	bool marked = false;

	for (;;) {
		uint64_t t0 = rte_rdtsc();
		unsigned int work = 0;

		if (!p->stop_rx)
			work += io_rx(p, lc->io, st);
		work += io_tx(p, lc->io, st);
		loop_account(p, st, t0, work, &staged);
		if (p->stop_rx) {
			if (!marked) {
				__atomic_add_fetch(&p->io_stopped, 1, __ATOMIC_RELEASE);
				marked = true;
			}
			if (__atomic_load_n(&p->workers_done, __ATOMIC_ACQUIRE) ==
			    (int)p->n_workers && pipe_io_tx_empty(p, lc->io))
				break;
		}
	}
	return 0;
}

static int
run_worker(struct hyp_lcore_ctx *lc, struct hyp_lcore_stats *st)
{
	struct hyp_pipeline *p = lc->p;
	uint64_t staged = stage_sum(st);

	for (;;) {
		uint64_t t0 = rte_rdtsc();
		unsigned int work = worker_step(p, lc->w, st);

		if (work == 0)
			st->empty_polls++;
		else
			st->bursts++;
		loop_account(p, st, t0, work, &staged);
		housekeeping(p, lc, st);
		/* done only when no IO lcore can still feed this ring */
		if (work == 0 && __atomic_load_n(&p->io_stopped, __ATOMIC_ACQUIRE) ==
		    (int)p->n_io && rte_ring_empty(lc->w->in))
			break;
	}
	rte_rcu_qsbr_thread_offline(p->qs, lc->w->idx);	/* a reload no longer waits for it */
	__atomic_add_fetch(&p->workers_done, 1, __ATOMIC_RELEASE);
	return 0;
}

static int
run_rtc(struct hyp_lcore_ctx *lc, struct hyp_lcore_stats *st)
{
	struct hyp_pipeline *p = lc->p;
	struct rte_mbuf *pkts[HYP_PIPE_MAX_BURST];
	struct rte_mbuf *out[HYP_PIPE_MAX_PORTS][HYP_PIPE_MAX_BURST];
	unsigned int n_out[HYP_PIPE_MAX_PORTS] = { 0 };
	uint64_t staged = stage_sum(st);
	unsigned int pi, qi, n, got;

	while (!p->stop_rx) {
		uint64_t t0 = rte_rdtsc();
		unsigned int work = 0;

		for (pi = 0; pi < p->c.n_ports; pi++) {
			for (qi = 0; qi < lc->io->n_queues; qi++) {
				got = rx_poll(p, st, pi, lc->io->queues[qi], pkts, &n);
				if (got == 0)
					continue;
				work += got;
				n = defrag_burst(p, lc->io, st, pkts, n);
				verdict_burst(p, lc->w, st, pkts, n, out, n_out, true);
				worker_output(p, lc->w, st, out, n_out, true);
			}
		}
		loop_account(p, st, t0, work, &staged);
		housekeeping(p, lc, st);
	}
	rte_rcu_qsbr_thread_offline(p->qs, lc->w->idx);
	return 0;
}

int
pipe_lcore_main(void *arg)
{
	struct hyp_lcore_ctx *lc = arg;
	struct hyp_lcore_stats *st = &lc->p->st[rte_lcore_id()];

	switch (lc->role) {
	case HYP_ROLE_IO:
		return run_io(lc, st);
	case HYP_ROLE_WORKER:
		return run_worker(lc, st);
	case HYP_ROLE_IO_WORKER:	/* one lcore: nothing to hand over to */
	case HYP_ROLE_RTC:
		return run_rtc(lc, st);
	default:
		return 0;
	}
}
