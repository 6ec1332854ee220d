/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * EVE-JSON alert log.
 *
 * Slots: capacity alerts preallocated; their pointers circulate between a
 * free ring (posters take, the writer gives back) and the queue (posters
 * give, the writer takes). As many slots exist as the queue holds, so a
 * poster that got a slot can always queue it: the only loss is "no slot".
 * The last drop_reserve slots live in a second free ring only drop alerts
 * may take from, once the shared one is empty: a flood of alert-only
 * matches fills the shared slots and stops there, drops still get through.
 *
 * A failed write (disk full, EIO) loses nothing by itself: the burst stays
 * in the buffer, the writer retries it with a growing pause and takes no
 * new alerts meanwhile. Posters never wait for it: the queue fills and
 * what does not fit is counted lost, as with any slow writer.
 *
 * Counters that posters update are per lcore, each written by one thread
 * only, with a plain load and store (no locked instruction); readers sum
 * them with relaxed loads. Threads without an lcore id share one extra
 * counter and pay for an atomic add: they are not data-path lcores.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_log.h>

#include "hyp_log.h"
#include <rte_malloc.h>
#include <rte_ring.h>

#include "hyp_addr.h"
#include "hyp_eve.h"

HYP_LOG_TYPE(eve);
#define HYP_EVE_LOG(level, ...) HYP_LOG(eve, level, __VA_ARGS__)

#define EVE_BURST		32
/*
 * The longest line: 127 signature bytes, 253 rrname bytes, the http
 * object's 1,570 bytes or the tls object's 1,400 at 6 output characters
 * each (\u00XX), plus under 600 for the rest.
 */
#define EVE_LINE_MAX		16384
#define EVE_BUF_SIZE		(EVE_BURST * EVE_LINE_MAX + 1)
#define EVE_IDLE_MIN_US		50
#define EVE_IDLE_MAX_US		2000	/* bounds how late `tail -f` sees a line */
#define EVE_FLUSH_POLL_US	200
#define EVE_RETRY_MIN_US	10000
#define EVE_RETRY_MAX_US	1000000	/* a full disk is polled once a second */
#define EVE_OTHER_LCORE		RTE_MAX_LCORE	/* threads without an lcore id */

#define PROTO_ICMP	1
#define PROTO_TCP	6
#define PROTO_UDP	17
#define PROTO_ICMPV6	58
#define PROTO_SCTP	132

struct eve_lcore_stats {
	uint64_t posted;	/* queued for the writer */
	uint64_t lost;		/* no slot */
	uint64_t lost_drops;	/* of them, drop alerts */
} __rte_cache_aligned;

struct hyp_eve {
	struct rte_ring *queue;		/* posted slots: MP enqueue, SC dequeue */
	struct rte_ring *free;		/* empty slots anyone may take */
	struct rte_ring *reserve;	/* empty slots for drop alerts; NULL: none */
	struct hyp_eve_alert *slots;
	unsigned int shared;		/* slots[0..shared-1] belong to free */
	char *buf;			/* one burst of lines; writer only */
	char *path;
	int fd;
	pthread_t thread;
	bool thread_started;
	uint32_t stop;			/* set by close() */

	/* reopen (logrotate): requested by anyone, done by the writer */
	uint64_t reopen_req;
	uint64_t reopen_done;
	uint64_t reopens;
	uint64_t reopen_failures;
	int reopen_err;			/* errno of the last failed reopen, 0: none */

	/* written by the writer only */
	uint64_t written;
	uint64_t errors;
	uint64_t write_errors;		/* failed write(2) calls */
	uint32_t retrying;		/* lines wait in buf for a write that failed */
	bool failing;			/* a write failed and was logged */
	size_t used, done;		/* buf holds used bytes, done of them written */
	size_t ends[EVE_BURST];		/* end offset of each line in buf */
	unsigned int lines, lines_done;
	unsigned int retry_us;		/* pause before the next attempt */
	uint64_t retry_at_us;		/* CLOCK_MONOTONIC */

	struct eve_lcore_stats stats[RTE_MAX_LCORE + 1];
};

static uint32_t eve_seq;	/* unique ring names per process */

/* One writer per counter: a plain read-modify-write, no bus lock. */
static inline void
counter_inc(uint64_t *c)
{
	__atomic_store_n(c, *c + 1, __ATOMIC_RELAXED);
}

static inline void
count_one(uint64_t *c, bool own)
{
	if (likely(own))
		counter_inc(c);
	else
		__atomic_fetch_add(c, 1, __ATOMIC_RELAXED);
}

static inline void
count_post(struct hyp_eve *e, bool lost, bool drop)
{
	unsigned int lcore = rte_lcore_id();
	bool own = lcore < RTE_MAX_LCORE;
	struct eve_lcore_stats *st = &e->stats[own ? lcore : EVE_OTHER_LCORE];

	if (!lost) {
		count_one(&st->posted, own);
		return;
	}
	count_one(&st->lost, own);
	if (drop)
		count_one(&st->lost_drops, own);
}

/* The free ring a slot goes back to. */
static inline struct rte_ring *
slot_ring(const struct hyp_eve *e, const void *slot)
{
	return (const struct hyp_eve_alert *)slot - e->slots < (ptrdiff_t)e->shared ?
	       e->free : e->reserve;
}

int
hyp_eve_post(struct hyp_eve *e, const struct hyp_eve_alert *a)
{
	bool drop = a->action == HYP_ACTION_DROP;
	void *slot;

	if (unlikely(rte_ring_mc_dequeue(e->free, &slot) != 0) &&
	    (!drop || e->reserve == NULL ||
	     rte_ring_mc_dequeue(e->reserve, &slot) != 0)) {
		count_post(e, true, drop);
		return -ENOBUFS;
	}
	memcpy(slot, a, sizeof(*a));
	if (unlikely(rte_ring_mp_enqueue(e->queue, slot) != 0)) {
		/* cannot happen (as many queue places as slots); be safe */
		rte_ring_mp_enqueue(slot_ring(e, slot), slot);
		count_post(e, true, drop);
		return -ENOBUFS;
	}
	count_post(e, false, drop);
	return 0;
}

/* formatting, writer thread only */

/* Suricata's names for the protocols it names, the number otherwise */
static void
eve_proto(uint8_t proto, char *out, size_t size)
{
	static const char *const names[UINT8_MAX + 1] = {
		[PROTO_ICMP] = "ICMP",
		[PROTO_TCP] = "TCP",
		[PROTO_UDP] = "UDP",
		[PROTO_ICMPV6] = "IPv6-ICMP",
	};

	if (names[proto] != NULL)
		snprintf(out, size, "%s", names[proto]);
	else
		snprintf(out, size, "%03u", proto);
}

/*
 * A JSON string from bytes that need not be UTF-8 nor terminated. jansson
 * refuses invalid UTF-8; rather than lose the alert or the bytes, write
 * every byte above 0x7f as \xNN text, as Suricata does.
 */
static json_t *
eve_string(const char *s, size_t max)
{
	char esc[(HYP_DNS_NAME_MAX + 1) * 4 + 1];
	size_t len = strnlen(s, max);
	size_t i, n = 0;
	json_t *j;

	j = json_stringn(s, len);
	if (j != NULL || len * 4 >= sizeof(esc))
		return j;
	for (i = 0; i < len; i++) {
		uint8_t c = (uint8_t)s[i];

		if (c < 0x80)
			esc[n++] = (char)c;
		else
			n += (size_t)snprintf(esc + n, sizeof(esc) - n,
					      "\\x%02x", c);
	}
	return json_stringn(esc, n);
}

static int
eve_timestamp(uint64_t ts_ns, char *out, size_t size)
{
	time_t sec = (time_t)(ts_ns / 1000000000u);
	unsigned int usec = (unsigned int)(ts_ns % 1000000000u / 1000u);
	struct tm tm;
	size_t n;

	if (gmtime_r(&sec, &tm) == NULL)
		return -EINVAL;
	n = strftime(out, size, "%Y-%m-%dT%H:%M:%S", &tm);
	if (n == 0)
		return -EINVAL;
	snprintf(out + n, size - n, ".%06u+0000", usec);
	return 0;
}

/* Suricata's mnemonics for the query types it names; the number otherwise */
static void
eve_rrtype(uint16_t t, char *out, size_t size)
{
	static const struct {
		uint16_t type;
		const char *name;
	} names[] = {
		{ 1, "A" }, { 2, "NS" }, { 5, "CNAME" }, { 6, "SOA" }, { 12, "PTR" },
		{ 13, "HINFO" }, { 15, "MX" }, { 16, "TXT" }, { 28, "AAAA" }, { 33, "SRV" },
		{ 35, "NAPTR" }, { 43, "DS" }, { 46, "RRSIG" }, { 47, "NSEC" }, { 48, "DNSKEY" },
		{ 50, "NSEC3" }, { 52, "TLSA" }, { 64, "SVCB" }, { 65, "HTTPS" }, { 99, "SPF" },
		{ 252, "AXFR" }, { 255, "ANY" }, { 257, "CAA" },
	};
	unsigned int i;

	for (i = 0; i < RTE_DIM(names); i++)
		if (names[i].type == t) {
			snprintf(out, size, "%s", names[i].name);
			return;
		}
	snprintf(out, size, "%u", t);
}

/* EVE DNS v3, as a Suricata 8 alert carries its query */
static json_t *
eve_dns(const struct hyp_eve_alert *a)
{
	json_t *dns = json_object(), *queries = json_array(), *q = json_object();
	char rrtype[16];
	int rc = 0;

	if (dns == NULL || queries == NULL || q == NULL) {
		json_decref(dns);
		json_decref(queries);
		json_decref(q);
		return NULL;
	}
	eve_rrtype(a->rrtype, rrtype, sizeof(rrtype));
	rc |= json_object_set_new(q, "rrname", eve_string(a->rrname, sizeof(a->rrname)));
	rc |= json_object_set_new(q, "rrtype", json_string(rrtype));
	rc |= json_array_append_new(queries, q);
	rc |= json_object_set_new(dns, "version", json_integer(3));
	rc |= json_object_set_new(dns, "type", json_string("request"));
	rc |= json_object_set_new(dns, "id", json_integer(a->dns_id));
	rc |= json_object_set_new(dns, "queries", queries);
	if (rc != 0) {
		json_decref(dns);
		return NULL;
	}
	return dns;
}

/* EVE's tls object, as a Suricata alert on a TLS session carries it (what is known) */
static json_t *
eve_tls(const struct hyp_eve_alert *a)
{
	const struct { const char *key, *val; size_t max; } f[] = {
		{ "subject", a->tls_subject, sizeof(a->tls_subject) },
		{ "issuerdn", a->tls_issuer, sizeof(a->tls_issuer) },
		{ "serial", a->tls_serial, sizeof(a->tls_serial) },
		{ "fingerprint", a->tls_fingerprint, sizeof(a->tls_fingerprint) },
		{ "sni", a->tls_sni, sizeof(a->tls_sni) },
		{ "version", a->tls_version, sizeof(a->tls_version) },
	};
	json_t *t = json_object();
	unsigned int i;
	int rc = 0;

	if (t == NULL)
		return NULL;
	for (i = 0; i < RTE_DIM(f); i++)
		if (f[i].val[0] != '\0')
			rc |= json_object_set_new(t, f[i].key, eve_string(f[i].val, f[i].max));
	if (rc != 0) {
		json_decref(t);
		return NULL;
	}
	return t;
}

/* EVE's http object, as a Suricata alert on an HTTP transaction carries it */
static json_t *
eve_http(const struct hyp_eve_alert *a)
{
	json_t *h = json_object();
	int rc = 0;

	if (h == NULL)
		return NULL;
	if (a->http_host[0] != '\0')
		rc |= json_object_set_new(h, "hostname", eve_string(a->http_host, sizeof(a->http_host)));
	rc |= json_object_set_new(h, "url", eve_string(a->http_url, sizeof(a->http_url)));
	if (a->http_user_agent[0] != '\0')
		rc |= json_object_set_new(h, "http_user_agent",
					  eve_string(a->http_user_agent, sizeof(a->http_user_agent)));
	if (a->http_method[0] != '\0')
		rc |= json_object_set_new(h, "http_method",
					  eve_string(a->http_method, sizeof(a->http_method)));
	if (a->http_protocol[0] != '\0')
		rc |= json_object_set_new(h, "protocol",
					  eve_string(a->http_protocol, sizeof(a->http_protocol)));
	if (a->http_status != 0)
		rc |= json_object_set_new(h, "status", json_integer(a->http_status));
	rc |= json_object_set_new(h, "length", json_integer((json_int_t)a->http_length));
	if (rc != 0) {
		json_decref(h);
		return NULL;
	}
	return h;
}

static inline bool
has_ports(uint8_t proto)
{
	return proto == PROTO_TCP || proto == PROTO_UDP || proto == PROTO_SCTP;
}

/* One line with its '\n' into buf; its length, or 0 if it failed. */
static size_t
eve_format(const struct hyp_eve_alert *a, char *buf, size_t size)
{
	char ts[64], src[64], dst[64], proto[16];
	json_t *root, *alert;
	size_t len = 0;
	int rc = 0;

	if (eve_timestamp(a->ts_ns, ts, sizeof(ts)) != 0)
		return 0;
	hyp_addr_format(a->src, a->family, src, sizeof(src));
	hyp_addr_format(a->dst, a->family, dst, sizeof(dst));
	eve_proto(a->proto, proto, sizeof(proto));

	root = json_object();
	alert = json_object();
	if (root == NULL || alert == NULL) {
		json_decref(root);
		json_decref(alert);
		return 0;
	}
	/* json_object_set_new() fails on a NULL value: one check covers all */
	rc |= json_object_set_new(root, "timestamp", json_string(ts));
	rc |= json_object_set_new(root, "flow_id",
				  json_integer((json_int_t)(a->flow_id &
							    INT64_MAX)));
	rc |= json_object_set_new(root, "event_type", json_string("alert"));
	rc |= json_object_set_new(root, "src_ip", json_string(src));
	if (has_ports(a->proto))
		rc |= json_object_set_new(root, "src_port",
					  json_integer(a->sport));
	rc |= json_object_set_new(root, "dest_ip", json_string(dst));
	if (has_ports(a->proto))
		rc |= json_object_set_new(root, "dest_port",
					  json_integer(a->dport));
	rc |= json_object_set_new(root, "proto", json_string(proto));

	rc |= json_object_set_new(alert, "action",
				  json_string(a->action == HYP_ACTION_DROP ?
					      "blocked" : "allowed"));
	rc |= json_object_set_new(alert, "gid", json_integer(a->gid != 0 ? a->gid : 1));
	rc |= json_object_set_new(alert, "signature_id",
				  json_integer(a->signature_id));
	rc |= json_object_set_new(alert, "rev", json_integer(a->rev != 0 ? a->rev : 1));
	rc |= json_object_set_new(alert, "signature",
				  eve_string(a->signature,
					     sizeof(a->signature)));
	rc |= json_object_set_new(alert, "category",
				  eve_string(a->category, sizeof(a->category)));
	rc |= json_object_set_new(alert, "severity",
				  json_integer(a->severity != 0 ? a->severity : 2));
	rc |= json_object_set_new(root, "alert", alert);

	if (a->rrname[0] != '\0') {
		rc |= json_object_set_new(root, "app_proto", json_string("dns"));
		rc |= json_object_set_new(root, "dns", eve_dns(a));
	} else if (a->http) {
		rc |= json_object_set_new(root, "app_proto", json_string("http"));
		rc |= json_object_set_new(root, "http", eve_http(a));
	} else if (a->tls) {
		rc |= json_object_set_new(root, "app_proto", json_string("tls"));
		rc |= json_object_set_new(root, "tls", eve_tls(a));
	}

	if (rc == 0) {
		len = json_dumpb(root, buf, size,
				 JSON_COMPACT | JSON_PRESERVE_ORDER);
		/* 0 is an error; len == size leaves no room for '\n' */
		if (len == 0 || len >= size)
			len = 0;
		else
			buf[len++] = '\n';
	}
	json_decref(root);
	return len;
}

static uint64_t
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Lines of buf now wholly on disk: count them written. */
static void
eve_count_done(struct hyp_eve *e)
{
	unsigned int ok = e->lines_done;

	while (ok < e->lines && e->ends[ok] <= e->done)
		ok++;
	__atomic_store_n(&e->written, e->written + (ok - e->lines_done), __ATOMIC_RELAXED);
	e->lines_done = ok;
}

/* Lines of buf that will never be written: count them errors, empty buf. */
static void
eve_give_up(struct hyp_eve *e)
{
	__atomic_store_n(&e->errors, e->errors + (e->lines - e->lines_done), __ATOMIC_RELAXED);
	e->used = e->done = 0;
	e->lines = e->lines_done = 0;
	__atomic_store_n(&e->retrying, 0, __ATOMIC_RELAXED);
}

/*
 * Write what buf still holds. True when it is all out; false after a
 * failed write(2): the rest stays for the next attempt, which the caller
 * makes no earlier than retry_at_us.
 */
static bool
eve_write_pending(struct hyp_eve *e)
{
	while (e->done < e->used) {
		ssize_t r = write(e->fd, e->buf + e->done, e->used - e->done);

		if (r > 0) {
			e->done += (size_t)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		eve_count_done(e);
		__atomic_store_n(&e->write_errors, e->write_errors + 1, __ATOMIC_RELAXED);
		__atomic_store_n(&e->retrying, 1, __ATOMIC_RELAXED);
		/* once per episode: a full disk must not flood the log */
		if (!e->failing) {
			HYP_EVE_LOG(ERR, "%s: %s: %u alerts kept, retrying; new ones are lost while the queue is full",
				    e->path, r < 0 ? strerror(errno) : "nothing written",
				    e->lines - e->lines_done);
			e->failing = true;
			e->retry_us = EVE_RETRY_MIN_US;
		} else {
			e->retry_us = RTE_MIN(e->retry_us * 2, (unsigned int)EVE_RETRY_MAX_US);
		}
		e->retry_at_us = mono_us() + e->retry_us;
		return false;
	}
	eve_count_done(e);
	if (e->failing) {
		HYP_EVE_LOG(INFO, "%s: writing again", e->path);
		e->failing = false;
	}
	e->used = e->done = 0;
	e->lines = e->lines_done = 0;
	__atomic_store_n(&e->retrying, 0, __ATOMIC_RELAXED);
	return true;
}

/* Format a burst into buf (empty) and give its slots back. */
static void
eve_format_burst(struct hyp_eve *e, void **slots, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		size_t len = eve_format(slots[i], e->buf + e->used,
					EVE_BUF_SIZE - e->used);

		if (len != 0) {
			e->used += len;
			e->ends[e->lines++] = e->used;
		} else {
			__atomic_store_n(&e->errors, e->errors + 1, __ATOMIC_RELAXED);
		}
		/* the line is in buf: the slot is free again before the syscall */
		rte_ring_enqueue(slot_ring(e, slots[i]), slots[i]);
	}
}

/* O_NOFOLLOW: a symlink planted where the log goes must not redirect it */
static int
eve_open_file(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
}

/*
 * Writer only: the path again (logrotate renamed the file). Every line
 * written before this went to the old file, every one after to the new:
 * none is lost or written twice. On failure the old file stays in use.
 */
static void
eve_reopen(struct hyp_eve *e, uint64_t req)
{
	int fd = eve_open_file(e->path);

	if (fd < 0) {
		__atomic_store_n(&e->reopen_err, errno, __ATOMIC_RELAXED);
		__atomic_fetch_add(&e->reopen_failures, 1, __ATOMIC_RELAXED);
		HYP_EVE_LOG(ERR, "%s: reopen: %s; still writing to the file open before",
			    e->path, strerror(errno));
	} else {
		close(e->fd);
		e->fd = fd;
		/*
		 * A line half written to the old file cannot be finished in
		 * the new one: it is lost (the old file ends torn); the lines
		 * after it go to the new file whole.
		 */
		if (e->lines_done < e->lines && e->done > 0 &&
		    (e->lines_done == 0 ? e->done : e->done - e->ends[e->lines_done - 1]) > 0) {
			e->done = e->ends[e->lines_done++];
			__atomic_store_n(&e->errors, e->errors + 1, __ATOMIC_RELAXED);
		}
		e->retry_at_us = 0;	/* the new file may have room: try now */
		__atomic_store_n(&e->reopen_err, 0, __ATOMIC_RELAXED);
		__atomic_fetch_add(&e->reopens, 1, __ATOMIC_RELAXED);
		HYP_EVE_LOG(INFO, "%s: reopened", e->path);
	}
	__atomic_store_n(&e->reopen_done, req, __ATOMIC_RELEASE);
}

static void *
eve_writer(void *arg)
{
	struct hyp_eve *e = arg;
	unsigned int idle_us = EVE_IDLE_MIN_US;
	bool stopping = false;
	void *burst[EVE_BURST];

	for (;;) {
		uint64_t req = __atomic_load_n(&e->reopen_req, __ATOMIC_ACQUIRE);
		unsigned int n;

		if (req != e->reopen_done)
			eve_reopen(e, req);
		if (e->used > 0) {
			uint64_t now = mono_us();

			if (now < e->retry_at_us && !stopping) {
				usleep(RTE_MIN(e->retry_at_us - now,
					       (uint64_t)EVE_IDLE_MAX_US));
				stopping = __atomic_load_n(&e->stop, __ATOMIC_ACQUIRE);
				continue;
			}
			/* stopping: one attempt per burst, close() must not hang */
			if (!eve_write_pending(e) && stopping)
				eve_give_up(e);
			continue;
		}
		n = rte_ring_sc_dequeue_burst(e->queue, burst, EVE_BURST, NULL);

		if (n > 0) {
			eve_format_burst(e, burst, n);
			if (!eve_write_pending(e) && stopping)
				eve_give_up(e);
			idle_us = EVE_IDLE_MIN_US;
			continue;
		}
		if (stopping)
			break;
		/*
		 * Posts made before close() are seen by the dequeue after this
		 * acquire: one more pass once stop is seen, then exit.
		 */
		if (__atomic_load_n(&e->stop, __ATOMIC_ACQUIRE)) {
			stopping = true;
			continue;
		}
		usleep(idle_us);
		idle_us = RTE_MIN(idle_us * 2, (unsigned int)EVE_IDLE_MAX_US);
	}
	return NULL;
}

static void
eve_free(struct hyp_eve *e)
{
	if (e->fd >= 0)
		close(e->fd);
	rte_ring_free(e->queue);
	rte_ring_free(e->free);
	rte_ring_free(e->reserve);
	rte_free(e->slots);
	free(e->buf);
	free(e->path);
	rte_free(e);
}

struct hyp_eve *
hyp_eve_open(const char *path, unsigned int capacity, unsigned int drop_reserve)
{
	char name[RTE_RING_NAMESIZE];
	struct hyp_eve *e;
	uint32_t seq;
	unsigned int i;
	int err;

	if (path == NULL || capacity == 0 || capacity > RTE_RING_SZ_MASK ||
	    drop_reserve >= capacity) {
		rte_errno = EINVAL;
		return NULL;
	}

	e = rte_zmalloc("hyp_eve", sizeof(*e), RTE_CACHE_LINE_SIZE);
	if (e == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	e->fd = -1;
	e->shared = capacity - drop_reserve;
	e->path = strdup(path);
	e->buf = malloc(EVE_BUF_SIZE);
	e->slots = rte_zmalloc("hyp_eve_slots",
			       (size_t)capacity * sizeof(*e->slots),
			       RTE_CACHE_LINE_SIZE);
	if (e->path == NULL || e->buf == NULL || e->slots == NULL) {
		HYP_EVE_LOG(ERR, "no memory for %u alerts", capacity);
		err = ENOMEM;
		goto fail;
	}

	seq = __atomic_fetch_add(&eve_seq, 1, __ATOMIC_RELAXED);
	snprintf(name, sizeof(name), "hyp_eve_q%" PRIu32, seq);
	e->queue = rte_ring_create(name, capacity, SOCKET_ID_ANY,
				   RING_F_SC_DEQ | RING_F_EXACT_SZ);
	if (e->queue == NULL) {
		err = rte_errno;
		HYP_EVE_LOG(ERR, "ring for %u alerts: %s", capacity,
			    rte_strerror(err));
		goto fail;
	}
	snprintf(name, sizeof(name), "hyp_eve_f%" PRIu32, seq);
	e->free = rte_ring_create(name, e->shared, SOCKET_ID_ANY,
				  RING_F_EXACT_SZ);
	if (e->free == NULL) {
		err = rte_errno;
		HYP_EVE_LOG(ERR, "ring for %u slots: %s", e->shared,
			    rte_strerror(err));
		goto fail;
	}
	if (drop_reserve > 0) {
		snprintf(name, sizeof(name), "hyp_eve_r%" PRIu32, seq);
		e->reserve = rte_ring_create(name, drop_reserve, SOCKET_ID_ANY,
					     RING_F_EXACT_SZ);
		if (e->reserve == NULL) {
			err = rte_errno;
			HYP_EVE_LOG(ERR, "ring for %u reserved slots: %s", drop_reserve,
				    rte_strerror(err));
			goto fail;
		}
	}
	for (i = 0; i < capacity; i++) {
		if (rte_ring_enqueue(slot_ring(e, &e->slots[i]), &e->slots[i]) != 0) {
			err = ENOSPC;
			goto fail;
		}
	}

	e->fd = eve_open_file(path);
	if (e->fd < 0) {
		err = errno;
		HYP_EVE_LOG(ERR, "%s: %s", path, strerror(err));
		goto fail;
	}

	err = rte_ctrl_thread_create(&e->thread, "hyp-eve", NULL, eve_writer,
				     e);
	if (err != 0) {
		HYP_EVE_LOG(ERR, "writer thread: %s", strerror(err));
		goto fail;
	}
	e->thread_started = true;
	return e;

fail:
	eve_free(e);
	rte_errno = err;
	return NULL;
}

int
hyp_eve_flush(struct hyp_eve *e, unsigned int timeout_ms)
{
	struct timespec start, now;
	uint64_t target = 0;
	unsigned int i;

	for (i = 0; i <= RTE_MAX_LCORE; i++)
		target += __atomic_load_n(&e->stats[i].posted,
					  __ATOMIC_RELAXED);
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (__atomic_load_n(&e->written, __ATOMIC_RELAXED) +
	       __atomic_load_n(&e->errors, __ATOMIC_RELAXED) < target) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		/*
		 * Signed: across a second boundary the nanoseconds go down, and
		 * an unsigned difference of them made any wait time out at once.
		 */
		if (timeout_ms != 0 &&
		    ((int64_t)(now.tv_sec - start.tv_sec) * 1000000000 +
		     (now.tv_nsec - start.tv_nsec)) / 1000000 >= (int64_t)timeout_ms)
			return -ETIMEDOUT;
		usleep(EVE_FLUSH_POLL_US);
	}
	return 0;
}

int
hyp_eve_reopen(struct hyp_eve *e, unsigned int timeout_ms)
{
	uint64_t req = __atomic_add_fetch(&e->reopen_req, 1, __ATOMIC_RELEASE);
	unsigned int waited = 0;
	int err;

	if (timeout_ms == 0)
		return 0;
	while (__atomic_load_n(&e->reopen_done, __ATOMIC_ACQUIRE) < req) {
		if (waited >= timeout_ms * 1000)
			return -ETIMEDOUT;
		usleep(EVE_FLUSH_POLL_US);
		waited += EVE_FLUSH_POLL_US;
	}
	err = __atomic_load_n(&e->reopen_err, __ATOMIC_RELAXED);
	return err != 0 ? -err : 0;
}

uint64_t
hyp_eve_reopens(const struct hyp_eve *e, uint64_t *failures)
{
	if (failures != NULL)
		*failures = __atomic_load_n(&e->reopen_failures, __ATOMIC_RELAXED);
	return __atomic_load_n(&e->reopens, __ATOMIC_RELAXED);
}

void
hyp_eve_close(struct hyp_eve *e)
{
	if (e == NULL)
		return;
	if (e->thread_started) {
		/* the writer drains the queue before it exits */
		__atomic_store_n(&e->stop, 1, __ATOMIC_RELEASE);
		pthread_join(e->thread, NULL);
	}
	eve_free(e);
}

uint64_t
hyp_eve_written(const struct hyp_eve *e)
{
	return __atomic_load_n(&e->written, __ATOMIC_RELAXED);
}

uint64_t
hyp_eve_errors(const struct hyp_eve *e)
{
	return __atomic_load_n(&e->errors, __ATOMIC_RELAXED);
}

uint64_t
hyp_eve_lost(const struct hyp_eve *e)
{
	uint64_t lost = hyp_eve_errors(e);
	unsigned int i;

	for (i = 0; i <= RTE_MAX_LCORE; i++)
		lost += __atomic_load_n(&e->stats[i].lost, __ATOMIC_RELAXED);
	return lost;
}

uint64_t
hyp_eve_lost_drops(const struct hyp_eve *e)
{
	uint64_t lost = 0;
	unsigned int i;

	for (i = 0; i <= RTE_MAX_LCORE; i++)
		lost += __atomic_load_n(&e->stats[i].lost_drops, __ATOMIC_RELAXED);
	return lost;
}

const struct hyp_stat_desc hyp_eve_stat_descs[] = {
	HYP_STAT(struct hyp_eve_stats, written, COUNTER, "Alerts written to the EVE log"),
	HYP_STAT(struct hyp_eve_stats, lost, COUNTER,
		 "Alerts that never reached the log: no free slot, or not formatted or written"),
	HYP_STAT(struct hyp_eve_stats, errors, COUNTER,
		 "Of the lost alerts, those the writer could not format or write"),
	HYP_STAT(struct hyp_eve_stats, lost_drops, COUNTER,
		 "Of the lost alerts, drop alerts: none while the reserved slots last"),
	HYP_STAT(struct hyp_eve_stats, write_errors, COUNTER,
		 "Failed writes to the log (disk full, I/O error); their alerts are kept and retried"),
	HYP_STAT(struct hyp_eve_stats, retrying, GAUGE,
		 "1 while alerts wait for a write that failed to be retried"),
};
const unsigned int hyp_eve_stat_count = RTE_DIM(hyp_eve_stat_descs);

void
hyp_eve_get_stats(const struct hyp_eve *e, struct hyp_eve_stats *st)
{
	st->written = hyp_eve_written(e);
	st->errors = hyp_eve_errors(e);
	st->lost = hyp_eve_lost(e);
	st->lost_drops = hyp_eve_lost_drops(e);
	st->write_errors = __atomic_load_n(&e->write_errors, __ATOMIC_RELAXED);
	st->retrying = __atomic_load_n(&e->retrying, __ATOMIC_RELAXED);
}
