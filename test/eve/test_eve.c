/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hyp_eve: alerts posted, written by the writer thread, read back and
 * parsed line by line with jansson; hostile strings; loss accounting when
 * the writer cannot keep up; write errors. TAP.
 */
#include <dirent.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>

#include "hyp_eve.h"
#include "tap.h"
#include "test_eal.h"

#define TS_NS		1795554626123456789ull	/* 2026-11-24T21:10:26.123456789Z */
#define TS_STR		"2026-11-24T21:10:26.123456+0000"

static char dir[64];

static void
path_of(char *out, size_t size, const char *name)
{
	snprintf(out, size, "%s/%s", dir, name);
}

static void
v4(uint8_t a[16], uint8_t b0, uint8_t b1, uint8_t b2, uint8_t b3)
{
	memset(a, 0, 16);
	a[10] = 0xff;
	a[11] = 0xff;
	a[12] = b0;
	a[13] = b1;
	a[14] = b2;
	a[15] = b3;
}


/* the alerts of the main test, each with what its line must say */
struct expect {
	struct hyp_eve_alert a;
	const char *src_ip, *dest_ip, *proto, *action, *signature, *rrname;
	int64_t flow_id;
	bool ports;
};

#define N_SPECIAL	8
static struct expect ex[N_SPECIAL];

/*
 * Alerts 0-5, each as the data path writes it and as its line must read.
 * Addresses are written as text and made with inet_pton(): a v4 one maps
 * into ::ffff:a.b.c.d as the data path does.
 */
static const struct special {
	uint8_t family, proto;
	const char *src, *dst;
	uint16_t sport, dport;
	enum hyp_action action;
	const char *signature, *rrname;		/* as posted */
	uint64_t flow_id;			/* 0: 1000 + the alert's index */
	struct {
		const char *src_ip, *dest_ip, *proto, *action, *signature, *rrname;
		int64_t flow_id;		/* 0: as posted */
	} want;
} specials[] = {
	/* 0: IPv4 DNS query, dropped */
	{ 4, 17, "198.18.0.1", "198.18.0.2", 43000, 53, HYP_ACTION_DROP, "dns: evil.com",
	  "www.evil.com", 0,
	  { "198.18.0.1", "198.18.0.2", "UDP", "blocked", "dns: evil.com", "www.evil.com" } },
	/* 1: IPv6 TCP alert, signature with quotes, backslash, newline, control
	 * bytes and valid UTF-8 (kept as is) */
	{ 6, 6, "2001:db8::1:0:0:1", "::", 5555, 443, HYP_ACTION_ALERT,
	  "say \"hi\" C:\\dir\nnext\tline \x01 caf\xc3\xa9 \xe2\x82\xac", NULL, 0,
	  { "2001:db8::1:0:0:1", "::", "TCP", "allowed",
	    "say \"hi\" C:\\dir\nnext\tline \x01 caf\xc3\xa9 \xe2\x82\xac" } },
	/* 2: invalid UTF-8: every byte above 0x7f as \xNN text */
	{ 6, 17, "2001:db8:0:1:1:1:1:1", "fe80::abc:0:0:0", 1, 53, HYP_ACTION_PASS,
	  "bad \xff\xfe caf\xc3\xa9 \"q\"", "x\xc0.example", 0,
	  { "2001:db8:0:1:1:1:1:1", "fe80::abc:0:0:0", "UDP", "allowed",
	    "bad \\xff\\xfe caf\\xc3\\xa9 \"q\"", "x\\xc0.example" } },
	/* 3: ICMP: no ports */
	{ 4, 1, "10.0.0.1", "255.255.255.255", 0, 0, HYP_ACTION_DROP, "icmp", NULL, 0,
	  { "10.0.0.1", "255.255.255.255", "ICMP", "blocked", "icmp" } },
	/* 4: GRE (no name), IPv4-mapped address in an IPv6 alert */
	{ 6, 47, "::ffff:192.0.2.1", "2001:db8::1:0:0:1", 0, 0, HYP_ACTION_ALERT, "gre",
	  NULL, 0, { "::ffff:192.0.2.1", "2001:db8::1:0:0:1", "047", "allowed", "gre" } },
	/* 5: ICMPv6, flow id with the top bit set */
	{ 6, 58, "fe80::abc:0:0:0", "2001:db8:0:1:1:1:1:1", 0, 0, HYP_ACTION_DROP, "icmpv6",
	  NULL, 0x8000000000000005ull,
	  { "fe80::abc:0:0:0", "2001:db8:0:1:1:1:1:1", "IPv6-ICMP", "blocked", "icmpv6",
	    NULL, 5 } },
};

static void
addr_of(uint8_t a[16], uint8_t family, const char *s)
{
	memset(a, 0, 16);
	if (family == 4) {
		a[10] = a[11] = 0xff;
		inet_pton(AF_INET, s, a + 12);
	} else {
		inet_pton(AF_INET6, s, a);
	}
}

static void
make_special(void)
{
	struct expect *e;
	unsigned int i;

	memset(ex, 0, sizeof(ex));
	for (i = 0; i < N_SPECIAL; i++) {
		ex[i].a.ts_ns = TS_NS;
		ex[i].a.signature_id = 100 + i;
		ex[i].flow_id = 1000 + i;
		ex[i].a.flow_id = 1000 + i;
		ex[i].ports = true;
		ex[i].rrname = NULL;
	}
	for (i = 0; i < RTE_DIM(specials); i++) {
		const struct special *sp = &specials[i];

		e = &ex[i];
		e->a.family = sp->family;
		e->a.proto = sp->proto;
		addr_of(e->a.src, sp->family, sp->src);
		addr_of(e->a.dst, sp->family, sp->dst);
		e->a.sport = sp->sport;
		e->a.dport = sp->dport;
		e->ports = sp->proto == 6 || sp->proto == 17;
		e->a.action = sp->action;
		snprintf(e->a.signature, sizeof(e->a.signature), "%s", sp->signature);
		if (sp->rrname != NULL) {
			snprintf(e->a.rrname, sizeof(e->a.rrname), "%s", sp->rrname);
			/* a named type, and one Suricata writes as its number */
			e->a.rrtype = i == 0 ? 28 : 65280;
			e->a.dns_id = (uint16_t)(0xfff0 + i);
		}
		if (sp->flow_id != 0)
			e->a.flow_id = sp->flow_id;
		if (sp->want.flow_id != 0)
			e->flow_id = sp->want.flow_id;
		e->src_ip = sp->want.src_ip;
		e->dest_ip = sp->want.dest_ip;
		e->proto = sp->want.proto;
		e->action = sp->want.action;
		e->signature = sp->want.signature;
		e->rrname = sp->want.rrname;
	}

	/* 6 and 7: strings filling their arrays with no NUL */
	e = &ex[6];
	e->a.family = 4;
	e->a.proto = 6;
	v4(e->a.src, 1, 2, 3, 4);
	v4(e->a.dst, 5, 6, 7, 8);
	e->a.sport = 65535;
	e->a.dport = 1;
	e->a.action = HYP_ACTION_DROP;
	memset(e->a.signature, 's', sizeof(e->a.signature));
	e->src_ip = "1.2.3.4";
	e->dest_ip = "5.6.7.8";
	e->proto = "TCP";
	e->action = "blocked";
	e->signature = NULL;	/* checked by length */

	e = &ex[7];
	e->a = ex[0].a;
	e->a.signature_id = 107;
	e->a.flow_id = 1007;
	memset(e->a.rrname, 'r', sizeof(e->a.rrname));
	e->src_ip = "198.18.0.1";
	e->dest_ip = "198.18.0.2";
	e->proto = "UDP";
	e->action = "blocked";
	e->signature = "dns: evil.com";
	e->rrname = NULL;	/* checked by length */
}

static bool
str_is(json_t *o, const char *key, const char *want)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL && strcmp(s, want) == 0;
}

static bool
int_is(json_t *o, const char *key, int64_t want)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) && json_integer_value(v) == want;
}

static bool
all_chars(const char *s, char c, size_t n)
{
	size_t i;

	if (s == NULL || strlen(s) != n)
		return false;
	for (i = 0; i < n; i++)
		if (s[i] != c)
			return false;
	return true;
}

/* why a line does not match, or NULL */
static const char *
check_line(json_t *j, const struct expect *e)
{
	json_t *al = json_object_get(j, "alert");
	json_t *dns = json_object_get(j, "dns");

	if (!str_is(j, "timestamp", TS_STR))
		return "timestamp";
	if (!int_is(j, "flow_id", e->flow_id))
		return "flow_id";
	if (!str_is(j, "event_type", "alert"))
		return "event_type";
	if (!str_is(j, "src_ip", e->src_ip) || !str_is(j, "dest_ip", e->dest_ip))
		return "addresses";
	if (e->ports) {
		if (!int_is(j, "src_port", e->a.sport) ||
		    !int_is(j, "dest_port", e->a.dport))
			return "ports";
	} else if (json_object_get(j, "src_port") != NULL ||
		   json_object_get(j, "dest_port") != NULL) {
		return "ports present without TCP/UDP";
	}
	if (!str_is(j, "proto", e->proto))
		return "proto";
	if (!json_is_object(al) || !str_is(al, "action", e->action) ||
	    !int_is(al, "gid", 1) || !int_is(al, "rev", 1) ||
	    !int_is(al, "signature_id", e->a.signature_id) ||
	    !str_is(al, "category", "") || !int_is(al, "severity", 2))
		return "alert object";
	if (e->signature != NULL ? !str_is(al, "signature", e->signature) :
	    !all_chars(json_string_value(json_object_get(al, "signature")),
		       's', sizeof(e->a.signature)))
		return "signature";
	if (e->a.rrname[0] == '\0') {
		if (dns != NULL || json_object_get(j, "app_proto") != NULL)
			return "dns present without rrname";
	} else {
		json_t *qs = json_object_get(dns, "queries");
		json_t *q = json_array_get(qs, 0);
		char rrtype[16];

		/* EVE DNS v3, Suricata 8's alert layout */
		if (!str_is(j, "app_proto", "dns") || !json_is_object(dns) ||
		    !int_is(dns, "version", 3) || !str_is(dns, "type", "request") ||
		    !int_is(dns, "id", e->a.dns_id) || json_array_size(qs) != 1 ||
		    json_object_size(dns) != 4 || json_object_size(q) != 2)
			return "dns object";
		if (e->rrname != NULL ? !str_is(q, "rrname", e->rrname) :
		    !all_chars(json_string_value(json_object_get(q, "rrname")),
			       'r', sizeof(e->a.rrname)))
			return "rrname";
		if (e->a.rrtype == 28)
			snprintf(rrtype, sizeof(rrtype), "AAAA");
		else
			snprintf(rrtype, sizeof(rrtype), "%u", e->a.rrtype);
		if (!str_is(q, "rrtype", rrtype))
			return "rrtype";
	}
	return NULL;
}

/* the file's lines; *n set; NULL on error */
static char **
read_lines(const char *path, unsigned int *n)
{
	FILE *f = fopen(path, "r");
	char **lines = NULL;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	*n = 0;
	if (f == NULL)
		return NULL;
	while ((len = getline(&line, &cap, f)) >= 0) {
		char **nl = realloc(lines, (*n + 1) * sizeof(*lines));

		if (nl == NULL)
			break;
		lines = nl;
		lines[(*n)++] = strdup(line);
	}
	free(line);
	fclose(f);
	return lines;
}

static void
free_lines(char **lines, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

#define N_BULK	500

static void
test_roundtrip(void)
{
	char path[128];
	struct hyp_eve *e;
	struct stat st;
	unsigned int i, n, bad = 0, valid = 0, ended = 0;
	char **lines;
	int ret = 0;

	path_of(path, sizeof(path), "eve.json");
	e = hyp_eve_open(path, 1024, 0);
	tap(e != NULL, "open", "rte_errno %d", rte_errno);
	if (e == NULL)
		return;
	tap(stat(path, &st) == 0 && (st.st_mode & 0777) == 0640,
	    "file created with mode 0640", "mode %o", st.st_mode & 0777);

	make_special();
	for (i = 0; i < N_SPECIAL; i++)
		ret |= hyp_eve_post(e, &ex[i].a);
	for (i = 0; i < N_BULK; i++) {
		struct hyp_eve_alert a = ex[0].a;

		a.flow_id = 100000 + i;
		a.signature_id = i;
		ret |= hyp_eve_post(e, &a);
	}
	tap(ret == 0, "every post accepted", "ret %d", ret);
	tap(hyp_eve_flush(e, 10000) == 0 &&
	    hyp_eve_written(e) == N_SPECIAL + N_BULK && hyp_eve_lost(e) == 0,
	    "flush: all written, none lost", "written %lu lost %lu",
	    (unsigned long)hyp_eve_written(e), (unsigned long)hyp_eve_lost(e));

	/* on disk before close: each burst is written as it goes */
	lines = read_lines(path, &n);
	free_lines(lines, n);
	tap(n == N_SPECIAL + N_BULK, "lines on disk before close",
	    "%u lines", n);
	hyp_eve_close(e);

	lines = read_lines(path, &n);
	tap(n == N_SPECIAL + N_BULK, "one line per alert", "%u lines", n);
	for (i = 0; i < n; i++) {
		json_error_t err;
		json_t *j;
		size_t len = strlen(lines[i]);

		if (len > 0 && lines[i][len - 1] == '\n')
			ended++;
		j = json_loads(lines[i], JSON_REJECT_DUPLICATES, &err);
		if (j == NULL || !json_is_object(j)) {
			printf("# line %u: %s\n", i + 1, err.text);
			json_decref(j);
			continue;
		}
		valid++;
		if (i < N_SPECIAL) {
			const char *why = check_line(j, &ex[i]);

			tap(why == NULL, "special alert fields", "alert %u: %s: %s",
			    i, why, lines[i]);
		} else if (!int_is(j, "flow_id", 100000 + (i - N_SPECIAL)) ||
			   !int_is(json_object_get(j, "alert"), "signature_id",
				   i - N_SPECIAL)) {
			bad++;
		}
		json_decref(j);
	}
	tap(valid == n && ended == n, "every line is one JSON object",
	    "%u valid, %u newline-terminated of %u", valid, ended, n);
	tap(bad == 0, "bulk alerts in posting order", "%u out of place", bad);
	tap(n > 0 && strncmp(lines[0], "{\"timestamp\":", 13) == 0,
	    "Suricata key order: timestamp first", "%s",
	    n > 0 ? lines[0] : "");
	free_lines(lines, n);

	/* append, do not truncate */
	e = hyp_eve_open(path, 4, 0);
	if (e != NULL) {
		hyp_eve_post(e, &ex[3].a);
		hyp_eve_close(e);
	}
	lines = read_lines(path, &n);
	tap(e != NULL && n == N_SPECIAL + N_BULK + 1 &&
	    strstr(lines[n - 1], "\"icmp\"") != NULL &&
	    strstr(lines[0], "www.evil.com") != NULL,
	    "reopen appends", "%u lines", n);
	free_lines(lines, n);
	unlink(path);
}

static void
test_lost(void)
{
	unsigned int i, ok = 0, nobufs = 0, other = 0, n;
	const unsigned int posted = 10000;
	char path[128];
	struct hyp_eve *e;
	uint64_t w, l;
	char **lines;

	path_of(path, sizeof(path), "lost.json");
	e = hyp_eve_open(path, 4, 0);
	if (e == NULL) {
		tap(false, "open with capacity 4", "rte_errno %d", rte_errno);
		return;
	}
	make_special();
	for (i = 0; i < posted; i++) {
		int ret = hyp_eve_post(e, &ex[i % N_SPECIAL].a);

		if (ret == 0)
			ok++;
		else if (ret == -ENOBUFS)
			nobufs++;
		else
			other++;
	}
	hyp_eve_flush(e, 10000);
	w = hyp_eve_written(e);
	l = hyp_eve_lost(e);
	tap(w + l == posted && l > 0 && l == nobufs && w == ok && other == 0,
	    "capacity 4, 10000 posts: written + lost == posted, lost > 0",
	    "written %lu lost %lu ok %u nobufs %u", (unsigned long)w,
	    (unsigned long)l, ok, nobufs);
	hyp_eve_close(e);
	lines = read_lines(path, &n);
	free_lines(lines, n);
	tap(n == w, "lines in the file == written", "%u lines, %lu written",
	    n, (unsigned long)w);
	unlink(path);
}

struct poster {
	struct hyp_eve *e;
	unsigned int n, ok;
	uint32_t sid_base;
};

static int
post_many(void *arg)
{
	struct poster *p = arg;
	struct hyp_eve_alert a;
	unsigned int i;

	a = ex[1].a;	/* read only: make_special() ran before the threads */
	for (i = 0; i < p->n; i++) {
		a.signature_id = p->sid_base + i;
		if (hyp_eve_post(p->e, &a) == 0)
			p->ok++;
	}
	return 0;
}

static void *
post_thread(void *arg)
{
	post_many(arg);
	return NULL;
}

static void
test_concurrent(void)
{
	struct poster main_p = { .n = 3000, .sid_base = 0 };
	struct poster lc_p = { .n = 3000, .sid_base = 100000 };
	struct poster th_p = { .n = 3000, .sid_base = 200000 };
	unsigned int worker, i, n, valid = 0;
	bool launched = false;
	char path[128];
	struct hyp_eve *e;
	pthread_t th;
	uint64_t w, l;
	char **lines;

	path_of(path, sizeof(path), "mp.json");
	e = hyp_eve_open(path, 64, 0);
	if (e == NULL) {
		tap(false, "open for concurrent posts", "rte_errno %d",
		    rte_errno);
		return;
	}
	main_p.e = lc_p.e = th_p.e = e;
	make_special();
	worker = rte_get_next_lcore(-1, 1, 0);
	if (worker < RTE_MAX_LCORE)
		launched = rte_eal_remote_launch(post_many, &lc_p, worker) == 0;
	if (pthread_create(&th, NULL, post_thread, &th_p) != 0) {
		tap(false, "thread", NULL);
		return;
	}
	post_many(&main_p);
	pthread_join(th, NULL);
	if (launched)
		rte_eal_wait_lcore(worker);

	hyp_eve_flush(e, 10000);
	w = hyp_eve_written(e);
	l = hyp_eve_lost(e);
	n = main_p.n + th_p.n + (launched ? lc_p.n : 0);
	tap(w + l == n && w == main_p.ok + th_p.ok + (launched ? lc_p.ok : 0),
	    "posts from an lcore, a worker lcore and a non-EAL thread add up",
	    "written %lu lost %lu of %u (worker %s)", (unsigned long)w,
	    (unsigned long)l, n, launched ? "yes" : "no");
	hyp_eve_close(e);

	lines = read_lines(path, &n);
	for (i = 0; i < n; i++) {
		json_t *j = json_loads(lines[i], 0, NULL);

		if (j != NULL)
			valid++;
		json_decref(j);
	}
	tap(n > 0 && n == w && valid == n, "concurrent lines never interleave",
	    "%u lines, %u valid, %lu written", n, valid, (unsigned long)w);
	free_lines(lines, n);
	unlink(path);
}

static void
test_errors(void)
{
	struct hyp_eve *e;
	unsigned int i;

	e = hyp_eve_open("/nonexistent-hyp/eve.json", 16, 0);
	tap(e == NULL && rte_errno == ENOENT, "open in a missing directory",
	    "rte_errno %d", rte_errno);
	e = hyp_eve_open("/dev/null", 0, 0);
	tap(e == NULL && rte_errno == EINVAL, "capacity 0 refused",
	    "rte_errno %d", rte_errno);
	e = hyp_eve_open("/dev/null", 8, 8);
	tap(e == NULL && rte_errno == EINVAL, "a reserve of the whole capacity refused",
	    "rte_errno %d", rte_errno);

	/* /dev/full: every write fails with ENOSPC; kept and retried, not lost */
	e = hyp_eve_open("/dev/full", 16, 0);
	if (e == NULL) {
		tap(false, "write errors retried", "open /dev/full");
		return;
	}
	make_special();
	for (i = 0; i < 5; i++)
		hyp_eve_post(e, &ex[i].a);
	{
		int fl = hyp_eve_flush(e, 300);
		struct hyp_eve_stats st;

		hyp_eve_get_stats(e, &st);
		tap(fl == -ETIMEDOUT && st.written == 0 && st.lost == 0 &&
		    st.write_errors >= 1 && st.retrying == 1,
		    "write errors: kept for a retry, counted, flush waits",
		    "flush %d written %lu lost %lu write_errors %lu retrying %lu", fl,
		    (unsigned long)st.written, (unsigned long)st.lost,
		    (unsigned long)st.write_errors, (unsigned long)st.retrying);
	}
	/* close gives up on them at once rather than hang */
	hyp_eve_close(e);
	hyp_eve_close(NULL);
}

/* ---- a disk that fills up and gets room again (tmpfs, own mount namespace) ---- */

static bool disk_ok;		/* main() mounted it */
static char disk[96];

static int
fill_disk(const char *filler)
{
	static char chunk[4096];
	int fd = open(filler, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ssize_t r;

	if (fd < 0)
		return -errno;
	memset(chunk, 'x', sizeof(chunk));
	do
		r = write(fd, chunk, sizeof(chunk));
	while (r > 0);
	r = r < 0 && errno == ENOSPC ? 0 : -EIO;
	close(fd);
	return (int)r;
}

static bool
wait_retrying(struct hyp_eve *e)
{
	struct hyp_eve_stats st;
	unsigned int i;

	for (i = 0; i < 5000; i++) {
		hyp_eve_get_stats(e, &st);
		if (st.retrying)
			return true;
		usleep(1000);
	}
	return false;
}

static unsigned int
valid_lines(char **lines, unsigned int n, unsigned int *blocked)
{
	unsigned int i, valid = 0;

	*blocked = 0;
	for (i = 0; i < n; i++) {
		json_t *j = json_loads(lines[i], 0, NULL);
		size_t len = strlen(lines[i]);

		if (j != NULL && len > 0 && lines[i][len - 1] == '\n') {
			valid++;
			if (strstr(lines[i], "\"action\":\"blocked\"") != NULL)
				(*blocked)++;
		}
		json_decref(j);
	}
	return valid;
}

static void
test_disk_full(void)
{
	const unsigned int cap = 64, reserve = 8, n_first = 20, n_flood = 80, n_drops = 12;
	unsigned int i, ok_flood = 0, ok_drops = 0, n1, n2, v1, v2, b1, b2;
	char path[160], rotated[160], filler[160];
	struct hyp_eve_alert a, d;
	struct hyp_eve_stats st;
	char **l1, **l2;
	struct hyp_eve *e;
	int fl;

	if (!disk_ok) {
		printf("ok %u - disk full # SKIP no tmpfs in a private mount namespace\n",
		       ++test_no);
		return;
	}
	snprintf(path, sizeof(path), "%s/eve.json", disk);
	snprintf(rotated, sizeof(rotated), "%s/eve.json.1", disk);
	snprintf(filler, sizeof(filler), "%s/filler", disk);
	e = hyp_eve_open(path, cap, reserve);
	if (e == NULL) {
		tap(false, "open on the small disk", "rte_errno %d", rte_errno);
		return;
	}
	make_special();
	a = ex[1].a;
	a.action = HYP_ACTION_ALERT;
	d = a;
	d.action = HYP_ACTION_DROP;

	/* one line first: the file has a page, so the next write is partial */
	hyp_eve_post(e, &a);
	hyp_eve_flush(e, 10000);
	tap(fill_disk(filler) == 0, "disk filled", NULL);
	for (i = 0; i < n_first; i++) {
		a.signature_id = 100 + i;
		hyp_eve_post(e, &a);
	}
	tap(wait_retrying(e), "a failed write puts the writer in retry", NULL);

	/* the writer takes nothing new: the alert flood fills the shared slots */
	for (i = 0; i < n_flood; i++) {
		a.signature_id = 1000 + i;
		ok_flood += hyp_eve_post(e, &a) == 0;
	}
	for (i = 0; i < n_drops; i++) {
		d.signature_id = 5000 + i;
		ok_drops += hyp_eve_post(e, &d) == 0;
	}
	hyp_eve_get_stats(e, &st);
	tap(ok_flood < n_flood && ok_drops == reserve && st.lost_drops == n_drops - reserve &&
	    st.lost == (n_flood - ok_flood) + (n_drops - ok_drops),
	    "an alert flood cannot take the slots reserved for drops",
	    "flood %u/%u posted, drops %u/%u posted, lost %lu lost_drops %lu", ok_flood,
	    n_flood, ok_drops, n_drops, (unsigned long)st.lost, (unsigned long)st.lost_drops);
	fl = hyp_eve_flush(e, 200);
	/* what fitted in the file's last page was written, the rest waits */
	tap(fl == -ETIMEDOUT && st.written < 1 + n_first && st.write_errors >= 1 &&
	    st.errors == 0, "the rest kept, nothing given up while the disk is full",
	    "flush %d written %lu write_errors %lu errors %lu", fl, (unsigned long)st.written,
	    (unsigned long)st.write_errors, (unsigned long)st.errors);

	/* logrotate renames the file meanwhile; the reopen succeeds (an inode is free) */
	tap(rename(path, rotated) == 0 && hyp_eve_reopen(e, 5000) == 0,
	    "reopen while the disk is full", "errno %d", errno);
	tap(unlink(filler) == 0, "room again", NULL);
	fl = hyp_eve_flush(e, 10000);
	hyp_eve_get_stats(e, &st);
	tap(fl == 0 && st.retrying == 0 &&
	    st.written + st.errors == 1 + n_first + ok_flood + ok_drops && st.errors <= 1,
	    "every kept alert written once there is room (a torn line at most)",
	    "flush %d written %lu errors %lu of %u, retrying %lu", fl,
	    (unsigned long)st.written, (unsigned long)st.errors,
	    1 + n_first + ok_flood + ok_drops, (unsigned long)st.retrying);
	hyp_eve_close(e);

	l1 = read_lines(rotated, &n1);
	l2 = read_lines(path, &n2);
	v1 = valid_lines(l1, n1, &b1);
	v2 = valid_lines(l2, n2, &b2);
	/*
	 * The old file may end in the half line the failed write left; then
	 * that alert is the one error, and every other line is whole.
	 */
	tap(v1 + v2 == st.written && v2 == n2 && n1 - v1 == st.errors &&
	    (st.errors == 0 || (n1 > 0 && l1[n1 - 1][strlen(l1[n1 - 1]) - 1] != '\n')),
	    "lines on disk == written, whole; only the old file may end torn",
	    "old %u lines (%u whole), new %u lines (%u whole), written %lu errors %lu", n1, v1,
	    n2, v2, (unsigned long)st.written, (unsigned long)st.errors);
	printf("# %lu written, %lu given up (the half line the reopen left)\n",
	       (unsigned long)st.written, (unsigned long)st.errors);
	tap(b1 + b2 == ok_drops && n2 >= ok_drops, "the reserved drop alerts reached the file",
	    "%u + %u blocked lines, %u posted", b1, b2, ok_drops);
	free_lines(l1, n1);
	free_lines(l2, n2);
	unlink(path);
	unlink(rotated);
}

/* Before the EAL starts threads: unshare(CLONE_NEWNS) wants a lone thread. */
static void
disk_setup(void)
{
	snprintf(disk, sizeof(disk), "/tmp/hypevediskXXXXXX");
	if (geteuid() != 0 || mkdtemp(disk) == NULL)
		return;
	if (unshare(CLONE_NEWNS) != 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
	    mount("tmpfs", disk, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=0700") != 0) {
		printf("# no private tmpfs: %s\n", strerror(errno));
		rmdir(disk);
		return;
	}
	disk_ok = true;
}

static void
disk_teardown(void)
{
	if (!disk_ok)
		return;
	umount2(disk, MNT_DETACH);
	rmdir(disk);
}

int
main(void)
{
	int ret;

	disk_setup();
	ret = test_eal_init("test_eve");

	if (ret != 0)
		return ret;
	umask(022);
	snprintf(dir, sizeof(dir), "/tmp/hypeveXXXXXX");
	if (mkdtemp(dir) == NULL) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}

	test_roundtrip();
	test_lost();
	test_concurrent();
	test_errors();
	test_disk_full();

	disk_teardown();
	rmdir(dir);
	printf("1..%u\n", test_no);
	test_eal_cleanup();
	return failed;
}
