/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpdk-hyperion's interactive console: a librte_cmdline context with one
 * instance per command, laid out the way dpdk-cmdline-gen.py does it (a
 * result struct, its tokens, a handler, an instance, and the table of
 * instances). Every command shares one result struct: the fixed keywords
 * all land in `kw`, the parameters in their own fields.
 *
 * The session state (the baseline of `clear stats`) lives in a struct
 * console that the handlers find through a thread-local pointer: cmdline
 * gives handlers only the static instance's data, and one thread runs one
 * session at a time.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <bpf/bpf.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_parse_num.h>
#include <cmdline_parse_string.h>
#include <rte_common.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "hyp_addr.h"
#include "hyp_console.h"
#include "hyp_ctl.h"
#include "hyp_engine.h"
#include "hyp_flow.h"
#include "hyp_pipeline.h"
#include "hyp_policy.h"
#include "hyp_xdp.h"
#include "hyp_xskdiag.h"

#define MAX_RINGS	((unsigned int)RTE_MAX_LCORE * (1 + HYP_PIPE_MAX_PORTS))
#define MAX_XSKS	64u
#define MAX_FLOWS	64u
#define FLOWS_DEFAULT	10u
#define FLOWS_TIMEOUT_MS 500u
#define BLOCK_LIST_MAX	4096u

/* One console session; the baseline is what `clear stats` saw. */
struct console {
	struct hyp_ctl *ctl;
	struct cmdline *cl;
	bool quit;
	bool cleared;
	uint64_t cleared_ns;			/* CLOCK_REALTIME */
	bool port_ok[RTE_MAX_ETHPORTS];
	struct rte_eth_stats port[RTE_MAX_ETHPORTS];
	uint64_t *xstats[RTE_MAX_ETHPORTS];
	unsigned int n_xstats[RTE_MAX_ETHPORTS];
	bool lcore_ok[RTE_MAX_LCORE];
	struct hyp_lcore_stats lcore[RTE_MAX_LCORE];
	const struct hyp_engine *rule_engine;	/* the hits below are its */
	uint32_t rule_gen;
	uint64_t *rule_hits;
	unsigned int n_rule_hits;
	struct hyp_ring_info rings[MAX_RINGS];
	unsigned int n_rings;
	struct hyp_xsk_diag xsk[MAX_XSKS];
	unsigned int n_xsk;
	uint64_t reloads_ok;
	uint64_t reloads_failed;
};

static _Thread_local struct console *cur;

/* A counter since the clear; a counter that went back (a reset) is shown whole. */
static inline uint64_t
since(uint64_t now, uint64_t base)
{
	return now >= base ? now - base : now;
}

static const char *
since_note(const struct console *c, char *buf, size_t len)
{
	struct tm tm;
	time_t t;

	if (!c->cleared)
		return "";
	t = (time_t)(c->cleared_ns / 1000000000ull);
	gmtime_r(&t, &tm);
	snprintf(buf, len, " (since clear at ");
	strftime(buf + strlen(buf), len - strlen(buf), "%Y-%m-%dT%H:%M:%SZ)", &tm);
	return buf;
}

/* ---- the result every command parses into -------------------------------- */

struct cmd_res {
	cmdline_fixed_string_t kw;	/* every fixed keyword */
	cmdline_fixed_string_t what;	/* stats|xstats, add|del, open|closed */
	cmdline_fixed_string_t arg;	/* "all", a CIDR */
	cmdline_multi_string_t path;
	uint16_t port;
	uint32_t num;
};

_Static_assert(sizeof(struct cmd_res) <= CMDLINE_PARSE_RESULT_BUFSIZE, "cmd_res size");

#define KW(name, word) \
	static cmdline_parse_token_string_t tok_##name = \
		TOKEN_STRING_INITIALIZER(struct cmd_res, kw, word)

KW(show, "show");
KW(port, "port");
KW(lcores, "lcores");
KW(rings, "rings");
KW(xsk, "xsk");
KW(flows, "flows");
KW(rules, "rules");
KW(policy, "policy");
KW(blocklist, "blocklist");
KW(list, "list");
KW(reload, "reload");
KW(set, "set");
KW(fail_mode, "fail-mode");
KW(watchdog, "watchdog");
KW(clear, "clear");
KW(stats, "stats");
KW(help, "help");
KW(quit, "quit");

static cmdline_parse_token_string_t tok_port_what =
	TOKEN_STRING_INITIALIZER(struct cmd_res, what, "stats#xstats");
static cmdline_parse_token_string_t tok_all =
	TOKEN_STRING_INITIALIZER(struct cmd_res, arg, "all");
static cmdline_parse_token_num_t tok_port_id =
	TOKEN_NUM_INITIALIZER(struct cmd_res, port, RTE_UINT16);
static cmdline_parse_token_num_t tok_num =
	TOKEN_NUM_INITIALIZER(struct cmd_res, num, RTE_UINT32);
static cmdline_parse_token_string_t tok_add_del =
	TOKEN_STRING_INITIALIZER(struct cmd_res, what, "add#del");
static cmdline_parse_token_string_t tok_cidr =
	TOKEN_STRING_INITIALIZER(struct cmd_res, arg, NULL);
static cmdline_parse_token_string_t tok_path =
	TOKEN_STRING_INITIALIZER(struct cmd_res, path, TOKEN_STRING_MULTI);
static cmdline_parse_token_string_t tok_open_closed =
	TOKEN_STRING_INITIALIZER(struct cmd_res, what, "open#closed");

/* ---- show port stats|xstats ----------------------------------------------- */

static const char *
port_name(const struct hyp_ctl *ctl, uint16_t port_id, char *buf, size_t len)
{
	unsigned int i;

	for (i = 0; i < ctl->n_ports && i < HYP_PIPE_MAX_PORTS; i++)
		if (ctl->ports[i].port_id == port_id)
			return ctl->ports[i].name;
	if (rte_eth_dev_get_name_by_port(port_id, buf) != 0)
		snprintf(buf, len, "?");
	return buf;
}

static void
print_port_stats(struct console *c, uint16_t pid)
{
	struct cmdline *cl = c->cl;
	char name[RTE_ETH_NAME_MAX_LEN], note[64];
	struct rte_eth_stats s, b;
	int ret;

	ret = rte_eth_stats_get(pid, &s);
	if (ret != 0) {
		cmdline_printf(cl, "port %u: cannot read statistics: %s\n", pid, strerror(-ret));
		return;
	}
	if (c->cleared && c->port_ok[pid])
		b = c->port[pid];
	else
		memset(&b, 0, sizeof(b));
	cmdline_printf(cl, "  ######## port %u (%s)%s ########\n", pid,
		       port_name(c->ctl, pid, name, sizeof(name)),
		       since_note(c, note, sizeof(note)));
	cmdline_printf(cl, "  RX-packets: %-14" PRIu64 " RX-missed: %-14" PRIu64
		       " RX-bytes:  %" PRIu64 "\n", since(s.ipackets, b.ipackets),
		       since(s.imissed, b.imissed), since(s.ibytes, b.ibytes));
	cmdline_printf(cl, "  RX-errors:  %-14" PRIu64 " RX-nombuf: %" PRIu64 "\n",
		       since(s.ierrors, b.ierrors), since(s.rx_nombuf, b.rx_nombuf));
	cmdline_printf(cl, "  TX-packets: %-14" PRIu64 " TX-errors: %-14" PRIu64
		       " TX-bytes:  %" PRIu64 "\n", since(s.opackets, b.opackets),
		       since(s.oerrors, b.oerrors), since(s.obytes, b.obytes));
}

static void
print_port_xstats(struct console *c, uint16_t pid)
{
	struct cmdline *cl = c->cl;
	struct rte_eth_xstat_name *names = NULL;
	struct rte_eth_xstat *xs = NULL;
	char name[RTE_ETH_NAME_MAX_LEN], note[64];
	bool base;
	int n, i;

	n = rte_eth_xstats_get_names(pid, NULL, 0);
	if (n < 0) {
		cmdline_printf(cl, "port %u: cannot read extended statistics: %s\n", pid,
			       strerror(-n));
		return;
	}
	names = calloc(n + 1, sizeof(*names));
	xs = calloc(n + 1, sizeof(*xs));
	if (names == NULL || xs == NULL) {
		cmdline_printf(cl, "out of memory\n");
		goto out;
	}
	if (rte_eth_xstats_get_names(pid, names, n) != n || rte_eth_xstats_get(pid, xs, n) != n) {
		cmdline_printf(cl, "port %u: extended statistics changed while read\n", pid);
		goto out;
	}
	base = c->cleared && c->xstats[pid] != NULL && c->n_xstats[pid] == (unsigned int)n;
	cmdline_printf(cl, "  ######## port %u (%s) xstats%s ########\n", pid,
		       port_name(c->ctl, pid, name, sizeof(name)),
		       since_note(c, note, sizeof(note)));
	for (i = 0; i < n; i++)
		cmdline_printf(cl, "  %-40s %" PRIu64 "\n", names[i].name,
			       base ? since(xs[i].value, c->xstats[pid][xs[i].id < (uint64_t)n ?
					    xs[i].id : 0]) : xs[i].value);
out:
	free(names);
	free(xs);
}

static void
cmd_show_port_cb(void *parsed, struct cmdline *cl __rte_unused, void *data)
{
	struct cmd_res *r = parsed;
	struct console *c = cur;
	struct hyp_ctl *ctl = c->ctl;
	bool xstats = strcmp(r->what, "xstats") == 0;
	unsigned int i;

	pthread_mutex_lock(&ctl->lock);
	if (data != NULL) {	/* all: the instance's ports */
		if (ctl->n_ports == 0)
			cmdline_printf(c->cl, "no ports\n");
		for (i = 0; i < ctl->n_ports && i < HYP_PIPE_MAX_PORTS; i++) {
			if (xstats)
				print_port_xstats(c, ctl->ports[i].port_id);
			else
				print_port_stats(c, ctl->ports[i].port_id);
		}
	} else if (!rte_eth_dev_is_valid_port(r->port)) {
		cmdline_printf(c->cl, "port %u does not exist\n", r->port);
	} else if (xstats) {
		print_port_xstats(c, r->port);
	} else {
		print_port_stats(c, r->port);
	}
	pthread_mutex_unlock(&ctl->lock);
}

static cmdline_parse_inst_t cmd_show_port_all = {
	.f = cmd_show_port_cb,
	.data = (void *)1,
	.help_str = "show port stats|xstats all: counters of every port",
	.tokens = { (void *)&tok_show, (void *)&tok_port, (void *)&tok_port_what,
		    (void *)&tok_all, NULL },
};

static cmdline_parse_inst_t cmd_show_port_id = {
	.f = cmd_show_port_cb,
	.data = NULL,
	.help_str = "show port stats|xstats <port_id>: counters of one ethdev",
	.tokens = { (void *)&tok_show, (void *)&tok_port, (void *)&tok_port_what,
		    (void *)&tok_port_id, NULL },
};

/* ---- show lcores ---------------------------------------------------------- */

/* The counters of a table, three "name value" pairs a line, since the clear. */
static void
print_table(struct cmdline *cl, const void *now, const void *base,
	    const struct hyp_stat_desc *d, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		uint64_t v = hyp_stat_value(now, &d[i]);

		if (base != NULL && d[i].kind == HYP_STAT_COUNTER)
			v = since(v, hyp_stat_value(base, &d[i]));
		cmdline_printf(cl, "%s%-14s %14" PRIu64 "%s", i % 3 ? "  " : "  ", d[i].name, v,
			       i % 3 == 2 || i == n - 1 ? "\n" : "");
	}
}

static void
cmd_show_lcores_cb(void *parsed __rte_unused, struct cmdline *cl, void *data __rte_unused)
{
	struct console *c = cur;
	struct hyp_ctl *ctl = c->ctl;
	const struct hyp_lcore_stats *s;
	enum hyp_role role;
	unsigned int lc, shown = 0;
	uint64_t busy, poll;
	char note[64];

	pthread_mutex_lock(&ctl->lock);
	if (ctl->pipe == NULL) {
		cmdline_printf(cl, "no pipeline\n");
		goto out;
	}
	RTE_LCORE_FOREACH_WORKER(lc) {
		const struct hyp_lcore_stats *b;

		role = hyp_pipeline_role(ctl->pipe, lc);
		s = hyp_pipeline_lcore_stats(ctl->pipe, lc);
		if (role == HYP_ROLE_IDLE || s == NULL)
			continue;
		b = c->cleared && c->lcore_ok[lc] ? &c->lcore[lc] : NULL;
		busy = since(s->busy_cycles, b != NULL ? b->busy_cycles : 0);
		poll = since(s->poll_cycles, b != NULL ? b->poll_cycles : 0);
		cmdline_printf(cl, "lcore %u %s, busy %.1f%%%s\n", lc, hyp_role_name(role),
			       poll != 0 ? 100.0 * (double)busy / (double)poll : 0.0,
			       since_note(c, note, sizeof(note)));
		print_table(cl, s, b, hyp_lcore_stat_descs, hyp_lcore_stat_count);
		shown++;
	}
	if (shown == 0)
		cmdline_printf(cl, "no data-path lcores\n");
out:
	pthread_mutex_unlock(&ctl->lock);
}

static cmdline_parse_inst_t cmd_show_lcores = {
	.f = cmd_show_lcores_cb,
	.data = NULL,
	.help_str = "show lcores: role, rx packets, bursts, empty polls, busy % per lcore",
	.tokens = { (void *)&tok_show, (void *)&tok_lcores, NULL },
};

/* ---- show rings ----------------------------------------------------------- */

static void
cmd_show_rings_cb(void *parsed __rte_unused, struct cmdline *cl, void *data __rte_unused)
{
	struct console *c = cur;
	struct hyp_ctl *ctl = c->ctl;
	struct hyp_ring_info *ri;
	unsigned int n, i, k;
	char note[64];

	ri = calloc(MAX_RINGS, sizeof(*ri));
	if (ri == NULL) {
		cmdline_printf(cl, "out of memory\n");
		return;
	}
	pthread_mutex_lock(&ctl->lock);
	n = ctl->pipe != NULL ? hyp_pipeline_rings(ctl->pipe, ri, MAX_RINGS) : 0;
	pthread_mutex_unlock(&ctl->lock);
	if (n == 0) {
		cmdline_printf(cl, "no stage rings (run to completion or no pipeline)\n");
		goto out;
	}
	for (i = 0; i < RTE_MIN(n, MAX_RINGS); i++) {
		const struct hyp_ring_info *base = NULL;

		for (k = 0; c->cleared && k < c->n_rings; k++)
			if (strcmp(c->rings[k].name, ri[i].name) == 0)
				base = &c->rings[k];
		cmdline_printf(cl, "ring %s%s\n", ri[i].name, since_note(c, note, sizeof(note)));
		print_table(cl, &ri[i], base, hyp_ring_stat_descs, hyp_ring_stat_count);
	}
out:
	free(ri);
}

static cmdline_parse_inst_t cmd_show_rings = {
	.f = cmd_show_rings_cb,
	.data = NULL,
	.help_str = "show rings: the stage rings' fill, capacity, high-water mark, refusals",
	.tokens = { (void *)&tok_show, (void *)&tok_rings, NULL },
};

/* ---- show xsk ------------------------------------------------------------- */

static const struct hyp_xsk_diag *
xsk_base(const struct console *c, const struct hyp_xsk_diag *s)
{
	unsigned int i;

	for (i = 0; c->cleared && i < c->n_xsk; i++)
		if (c->xsk[i].ifindex == s->ifindex && c->xsk[i].queue_id == s->queue_id &&
		    c->xsk[i].inode == s->inode)
			return &c->xsk[i];
	return NULL;
}

static void
cmd_show_xsk_cb(void *parsed __rte_unused, struct cmdline *cl, void *data __rte_unused)
{
	static const struct hyp_xsk_diag zero;
	struct console *c = cur;
	struct hyp_ctl *ctl = c->ctl;
	struct hyp_ctl_port ports[HYP_PIPE_MAX_PORTS];
	const struct hyp_xsk_diag *s, *b;
	struct hyp_xsk_diag *xs;
	unsigned int n_ports, pi, q, own_first = 0;
	char note[64];
	int found;

	xs = calloc(MAX_XSKS, sizeof(*xs));
	if (xs == NULL) {
		cmdline_printf(cl, "out of memory\n");
		return;
	}
	pthread_mutex_lock(&ctl->lock);
	n_ports = RTE_MIN(ctl->n_ports, (unsigned int)HYP_PIPE_MAX_PORTS);
	memcpy(ports, ctl->ports, sizeof(ports));
	pthread_mutex_unlock(&ctl->lock);
	if (n_ports == 0)
		cmdline_printf(cl, "no ports\n");
	for (pi = 0; pi < n_ports; pi++) {
		const struct hyp_ctl_port *p = &ports[pi];

		if (p->ifindex == 0) {
			cmdline_printf(cl, "port %u (%s): no AF_XDP interface\n", p->port_id, p->name);
			continue;
		}
		found = hyp_xskdiag_port(p->ifindex, p->start_queue,
					 RTE_MIN(p->nb_queues, (uint16_t)MAX_XSKS), own_first, xs);
		own_first += p->nb_queues;	/* the PMD: one socket per queue, port by port */
		if (found < 0) {
			cmdline_printf(cl, "port %u (%s): no AF_XDP statistics: %s\n", p->port_id,
				       p->name, strerror(-found));
			continue;
		}
		cmdline_printf(cl, "port %u (%s, %s ifindex %u, from %s)%s\n", p->port_id, p->name,
			       p->ifname, p->ifindex, found == HYP_XSKDIAG_SOCK_DIAG ? "sock_diag" :
			       "our own sockets", since_note(c, note, sizeof(note)));
		cmdline_printf(cl, "  %5s %5s %10s %8s %8s %12s %12s %12s %12s %12s %12s\n", "queue",
			       "nicq", "inode", "rx_ring", "fill", "rx_dropped", "rx_inval", "tx_inval",
			       "rx_full", "fill_empty", "tx_empty");
		for (q = 0; q < p->nb_queues && q < MAX_XSKS; q++) {
			s = xs[q].queue_id != UINT32_MAX ? &xs[q] : NULL;
			if (s == NULL) {
				cmdline_printf(cl, "  %5u %5u no socket\n", q, p->start_queue + q);
				continue;
			}
			b = xsk_base(c, s);
			if (b == NULL)
				b = &zero;
			cmdline_printf(cl, "  %5u %5u %10" PRIu64 " %8u %8u %12" PRIu64 " %12" PRIu64
				       " %12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %12" PRIu64 "\n",
				       q, s->queue_id, s->inode, s->rx_ring_entries,
				       s->fill_ring_entries, since(s->rx_dropped, b->rx_dropped),
				       since(s->rx_invalid_descs, b->rx_invalid_descs),
				       since(s->tx_invalid_descs, b->tx_invalid_descs),
				       since(s->rx_ring_full, b->rx_ring_full),
				       since(s->rx_fill_ring_empty_descs, b->rx_fill_ring_empty_descs),
				       since(s->tx_ring_empty_descs, b->tx_ring_empty_descs));
		}
	}
	free(xs);
}

static cmdline_parse_inst_t cmd_show_xsk = {
	.f = cmd_show_xsk_cb,
	.data = NULL,
	.help_str = "show xsk: the kernel's statistics of every AF_XDP socket",
	.tokens = { (void *)&tok_show, (void *)&tok_xsk, NULL },
};

/* ---- show flows [n] ------------------------------------------------------- */


static void
cmd_show_flows_cb(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_res *r = parsed;
	struct console *c = cur;
	struct hyp_ctl *ctl = c->ctl;
	struct hyp_flow_entry *f;
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	unsigned int n = data != NULL ? r->num : FLOWS_DEFAULT;
	int got, i;

	if (n == 0 || n > MAX_FLOWS) {
		cmdline_printf(cl, "bad count %u: give 1 to %u\n", n, MAX_FLOWS);
		return;
	}
	f = calloc(n, sizeof(*f));
	if (f == NULL) {
		cmdline_printf(cl, "out of memory\n");
		return;
	}
	/* the lock also keeps telemetry from asking the workers at the same time */
	pthread_mutex_lock(&ctl->lock);
	got = ctl->pipe != NULL ? hyp_pipeline_top_flows(ctl->pipe, f, n, FLOWS_TIMEOUT_MS) :
		-ENODEV;
	pthread_mutex_unlock(&ctl->lock);
	if (got == -ENODEV) {
		cmdline_printf(cl, "no pipeline\n");
	} else if (got == -ETIMEDOUT) {
		cmdline_printf(cl, "the workers did not answer within %u ms\n", FLOWS_TIMEOUT_MS);
	} else if (got < 0) {
		cmdline_printf(cl, "cannot read the flows: %s\n", strerror(-got));
	} else if (got == 0) {
		cmdline_printf(cl, "no flows\n");
	} else {
		cmdline_printf(cl, "%-47s %-47s %5s %10s %10s %12s %12s %-7s %s\n", "side A",
			       "side B", "proto", "pkts A>B", "pkts B>A", "bytes A>B", "bytes B>A",
			       "verdict", "rule");
		for (i = 0; i < got; i++) {
			const struct hyp_flow_entry *e = &f[i];
			char sa[64], sb[64];

			snprintf(sa, sizeof(sa), "%s:%u", hyp_addr_format(e->key.addr_a, e->key.family, a,
				 sizeof(a)), e->key.port_a);
			snprintf(sb, sizeof(sb), "%s:%u", hyp_addr_format(e->key.addr_b, e->key.family, b,
				 sizeof(b)), e->key.port_b);
			cmdline_printf(cl, "%-47s %-47s %5u %10" PRIu64 " %10" PRIu64 " %12" PRIu64
				       " %12" PRIu64 " %-7s %" PRIu32 "\n", sa, sb, e->key.proto,
				       e->packets[0], e->packets[1], e->bytes[0], e->bytes[1],
				       e->verdict == HYP_FLOW_VERDICT_NONE ? "-" :
				       hyp_action_name((enum hyp_action)e->verdict), e->rule_id);
		}
	}
	free(f);
}

static cmdline_parse_inst_t cmd_show_flows = {
	.f = cmd_show_flows_cb,
	.data = NULL,
	.help_str = "show flows: the 10 largest flows by bytes",
	.tokens = { (void *)&tok_show, (void *)&tok_flows, NULL },
};

static cmdline_parse_inst_t cmd_show_flows_n = {
	.f = cmd_show_flows_cb,
	.data = (void *)1,
	.help_str = "show flows <n>: the n (1-64) largest flows by bytes",
	.tokens = { (void *)&tok_show, (void *)&tok_flows, (void *)&tok_num, NULL },
};

/* ---- show rules ----------------------------------------------------------- */

static void
cmd_show_rules_cb(void *parsed __rte_unused, struct cmdline *cl, void *data __rte_unused)
{
	struct console *c = cur;
	struct hyp_ctl *ctl = c->ctl;
	enum hyp_action action;
	const char *msg;
	uint64_t *hits = NULL;
	unsigned int n, i;
	bool base;
	uint32_t id;
	char note[64];

	pthread_mutex_lock(&ctl->lock);
	if (ctl->engine == NULL) {
		cmdline_printf(cl, "no engine\n");
		goto out;
	}
	n = hyp_engine_rule_count(ctl->engine);
	if (n == 0) {
		cmdline_printf(cl, "no rules\n");
		goto out;
	}
	hits = calloc(n, sizeof(*hits));
	if (hits == NULL) {
		cmdline_printf(cl, "out of memory\n");
		goto out;
	}
	if (ctl->pipe != NULL)
		hyp_pipeline_rule_hits(ctl->pipe, hits, n);
	base = c->cleared && c->rule_hits != NULL && c->rule_engine == ctl->engine &&
	       c->rule_gen == hyp_engine_gen(ctl->engine) && c->n_rule_hits == n;
	cmdline_printf(cl, "%5s %10s %-6s %12s  %s%s\n", "slot", "id", "action", "hits", "text",
		       base ? since_note(c, note, sizeof(note)) : "");
	for (i = 0; i < n; i++) {
		if (hyp_engine_rule(ctl->engine, i, &id, &action, &msg) != 0)
			continue;
		cmdline_printf(cl, "%5u %10" PRIu32 " %-6s %12" PRIu64 "  %s\n", i, id,
			       hyp_action_name(action),
			       base ? since(hits[i], c->rule_hits[i]) : hits[i],
			       msg != NULL ? msg : "");
	}
out:
	pthread_mutex_unlock(&ctl->lock);
	free(hits);
}

static cmdline_parse_inst_t cmd_show_rules = {
	.f = cmd_show_rules_cb,
	.data = NULL,
	.help_str = "show rules: id, action, decisions and text of every engine rule",
	.tokens = { (void *)&tok_show, (void *)&tok_rules, NULL },
};

/* ---- show policy ---------------------------------------------------------- */

static void
cmd_show_policy_cb(void *parsed __rte_unused, struct cmdline *cl, void *data __rte_unused)
{
	struct console *c = cur;
	struct hyp_ctl *ctl = c->ctl;
	char when[64] = "never", note[64];
	struct tm tm;
	time_t t;

	pthread_mutex_lock(&ctl->lock);
	if (ctl->policy_loaded_ns != 0) {
		t = (time_t)(ctl->policy_loaded_ns / 1000000000ull);
		gmtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	cmdline_printf(cl, "path:           %s\n",
		       ctl->policy_path[0] != '\0' ? ctl->policy_path : "(none)");
	cmdline_printf(cl, "hash:           0x%016" PRIx64 "\n", ctl->policy_hash);
	cmdline_printf(cl, "loaded at:      %s\n", when);
	cmdline_printf(cl, "mode:           %s\n", ctl->mode != NULL ? ctl->mode : "?");
	cmdline_printf(cl, "rules:          %u\n",
		       ctl->engine != NULL ? hyp_engine_rule_count(ctl->engine) : 0);
	cmdline_printf(cl, "reloads ok:     %" PRIu64 "%s\n",
		       since(ctl->reloads_ok, c->cleared ? c->reloads_ok : 0),
		       since_note(c, note, sizeof(note)));
	cmdline_printf(cl, "reloads failed: %" PRIu64 "\n",
		       since(ctl->reloads_failed, c->cleared ? c->reloads_failed : 0));
	cmdline_printf(cl, "last error:     %s\n",
		       ctl->last_error[0] != '\0' ? ctl->last_error : "(none)");
	cmdline_printf(cl, "watchdog:       %" PRIu32 " ms%s\n", ctl->watchdog_ms,
		       ctl->watchdog_ms == 0 ? " (off)" : "");
	pthread_mutex_unlock(&ctl->lock);
}

static cmdline_parse_inst_t cmd_show_policy = {
	.f = cmd_show_policy_cb,
	.data = NULL,
	.help_str = "show policy: file, hash, load time, reloads, last error",
	.tokens = { (void *)&tok_show, (void *)&tok_policy, NULL },
};

/* ---- blocklist add|del <cidr> --------------------------------------------- */

static void
cmd_blocklist_cb(void *parsed, struct cmdline *cl, void *data __rte_unused)
{
	struct cmd_res *r = parsed;
	struct hyp_ctl_block_result res;
	bool add = strcmp(r->what, "add") == 0;
	char err[128], buf[64];
	struct hyp_cidr cidr;
	int ret;

	if (hyp_cidr_parse(r->arg, &cidr, err, sizeof(err)) != 0) {
		cmdline_printf(cl, "bad prefix '%s': %s\n", r->arg, err);
		return;
	}
	hyp_cidr_format(&cidr, buf, sizeof(buf));
	ret = hyp_ctl_blocklist(cur->ctl, add, &cidr, &res);
	if (res.programs == 0) {
		cmdline_printf(cl, "no XDP program to change\n");
		return;
	}
	if (res.lifted)
		cmdline_printf(cl, "auto-block of %s lifted on %u program%s\n", buf, res.lifted,
			       res.lifted == 1 ? "" : "s");
	if (ret != 0) {
		cmdline_printf(cl, "%s: %s %s failed: %s%s\n", res.failed_on,
			       add ? "adding" : "removing", buf, strerror(-ret),
			       add ? " (undone on every program)" : "");
		return;
	}
	if (res.missing)
		cmdline_printf(cl, "%s is not in the blocklist of %u program%s\n", buf, res.missing,
			       res.missing == 1 ? "" : "s");
	if (res.changed)
		cmdline_printf(cl, "%s %s (source) on %u program%s\n", buf,
			       add ? "blocked" : "unblocked", res.changed,
			       res.changed == 1 ? "" : "s");
}

static cmdline_parse_inst_t cmd_blocklist = {
	.f = cmd_blocklist_cb,
	.data = NULL,
	.help_str = "blocklist add|del <cidr>: drop (or stop dropping) a source prefix in XDP",
	.tokens = { (void *)&tok_blocklist, (void *)&tok_add_del, (void *)&tok_cidr, NULL },
};

/* ---- blocklist list ------------------------------------------------------- */

struct block_entry {
	bool dst;
	struct hyp_cidr cidr;
	uint32_t rule_id;
	uint64_t hits;
};

struct block_list {
	struct block_entry *e;
	unsigned int n;
	bool dst;
};

/* One prefix of one program into the list, summing hits over programs. */
static int
block_add(const struct hyp_cidr *c, const struct hyp_block_val *v, void *arg)
{
	struct block_list *l = arg;
	unsigned int i;

	for (i = 0; i < l->n; i++)
		if (l->e[i].dst == l->dst && memcmp(&l->e[i].cidr, c, sizeof(*c)) == 0)
			break;
	if (i < l->n) {
		l->e[i].hits += v->hits;
		return 0;
	}
	if (l->n == BLOCK_LIST_MAX)
		return -ENOSPC;
	memset(&l->e[l->n], 0, sizeof(l->e[0]));
	l->e[l->n].dst = l->dst;
	l->e[l->n].cidr = *c;
	l->e[l->n].rule_id = v->rule_id;
	l->e[l->n].hits = v->hits;
	l->n++;
	return 0;
}

static void
cmd_blocklist_list_cb(void *parsed __rte_unused, struct cmdline *cl, void *data __rte_unused)
{
	struct console *c = cur;
	struct hyp_ctl *ctl = c->ctl;
	struct hyp_xdp *x[HYP_PIPE_MAX_PORTS];
	struct block_list bl = { 0 };
	struct block_entry *list;
	unsigned int n_x, n, i, dst;
	bool truncated = false;
	char buf[64];

	list = bl.e = calloc(BLOCK_LIST_MAX, sizeof(*list));
	if (list == NULL) {
		cmdline_printf(cl, "out of memory\n");
		return;
	}
	pthread_mutex_lock(&ctl->lock);
	n_x = hyp_ctl_xdps(ctl, x, NULL);
	for (i = 0; i < n_x; i++)
		for (dst = 0; dst < 2; dst++) {
			bl.dst = dst;
			if (hyp_xdp_block_foreach(x[i], dst, block_add, &bl) == -ENOSPC)
				truncated = true;
		}
	pthread_mutex_unlock(&ctl->lock);
	n = bl.n;
	if (n_x == 0)
		cmdline_printf(cl, "no XDP program\n");
	else if (n == 0)
		cmdline_printf(cl, "the blocklist is empty\n");
	else
		cmdline_printf(cl, "%-4s %-44s %10s %14s\n", "dir", "prefix", "rule", "hits");
	for (i = 0; i < n; i++)
		cmdline_printf(cl, "%-4s %-44s %10" PRIu32 " %14" PRIu64 "\n",
			       list[i].dst ? "dst" : "src",
			       hyp_cidr_format(&list[i].cidr, buf, sizeof(buf)),
			       list[i].rule_id, list[i].hits);
	if (truncated)
		cmdline_printf(cl, "(only the first %u prefixes)\n", BLOCK_LIST_MAX);
	if (n_x > 1 && n > 0)
		cmdline_printf(cl, "hits summed over %u programs; rule 0: added by the console\n",
			       n_x);
	free(list);
	if (ctl->autoblock != NULL) {
		struct hyp_autoblock_entry ab[32];
		uint64_t now = hyp_xdp_now_ns();
		unsigned int na = hyp_autoblock_list(ctl->autoblock, now, ab, RTE_DIM(ab));
		char one[HYP_CIDR_STRLEN];

		if (na > 0)
			cmdline_printf(cl, "auto-blocked sources (blocklist del ADDR lifts one):\n");
		for (i = 0; i < na; i++) {
			/* what blocklist del takes to lift it: the address as a prefix */
			snprintf(one, sizeof(one), "%s/%u",
				 hyp_addr_format(ab[i].addr.a, 0, buf, sizeof(buf)),
				 hyp_addr_is_v4mapped(ab[i].addr.a) ? 32 : 128);
			cmdline_printf(cl, "auto %-44s expires in %" PRIu64 " s\n", one,
				       (uint64_t)((ab[i].expires_ns - now) / 1000000000ULL));
		}
	}
}

static cmdline_parse_inst_t cmd_blocklist_list = {
	.f = cmd_blocklist_list_cb,
	.data = NULL,
	.help_str = "blocklist list: every blocked prefix, its rule id (0: console) and hits",
	.tokens = { (void *)&tok_blocklist, (void *)&tok_list, NULL },
};

/* ---- policy reload [file] ------------------------------------------------- */

static void
cmd_policy_reload_cb(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_res *r = parsed;
	char err[640];
	int ret;

	/* the reload takes the lock itself */
	ret = hyp_ctl_reload(cur->ctl, data != NULL ? r->path : NULL, err, sizeof(err));
	if (ret == 0)
		cmdline_printf(cl, "policy reload: ok\n");
	else
		cmdline_printf(cl, "policy reload failed: %s\n",
			       err[0] != '\0' ? err : strerror(ret < 0 ? -ret : ret));
}

static cmdline_parse_inst_t cmd_policy_reload = {
	.f = cmd_policy_reload_cb,
	.data = NULL,
	.help_str = "policy reload: load the current policy file again",
	.tokens = { (void *)&tok_policy, (void *)&tok_reload, NULL },
};

static cmdline_parse_inst_t cmd_policy_reload_file = {
	.f = cmd_policy_reload_cb,
	.data = (void *)1,
	.help_str = "policy reload <file>: load another policy file and make it the running one",
	.tokens = { (void *)&tok_policy, (void *)&tok_reload, (void *)&tok_path, NULL },
};

/* ---- set fail-mode|watchdog ----------------------------------------------- */

static void
cmd_set_fail_mode_cb(void *parsed, struct cmdline *cl, void *data __rte_unused)
{
	struct cmd_res *r = parsed;
	bool closed = strcmp(r->what, "closed") == 0;
	char err[128];
	int n;

	n = hyp_ctl_set_config(cur->ctl, HYP_CFG_FAIL_MODE, closed ? HYP_FAIL_CLOSED :
			       HYP_FAIL_OPEN, err, sizeof(err));
	if (n < 0)
		cmdline_printf(cl, "%s\n", err);
	else
		cmdline_printf(cl, "fail-mode %s on %d program%s\n", closed ? "closed" : "open", n,
			       n == 1 ? "" : "s");
}

static cmdline_parse_inst_t cmd_set_fail_mode = {
	.f = cmd_set_fail_mode_cb,
	.data = NULL,
	.help_str = "set fail-mode open|closed: pass or drop what the slow path cannot take",
	.tokens = { (void *)&tok_set, (void *)&tok_fail_mode, (void *)&tok_open_closed, NULL },
};

static void
cmd_set_watchdog_cb(void *parsed, struct cmdline *cl, void *data __rte_unused)
{
	struct cmd_res *r = parsed;
	char err[128];
	int n;

	n = hyp_ctl_set_config(cur->ctl, HYP_CFG_WATCHDOG_NS, (uint64_t)r->num * 1000000ull, err,
			       sizeof(err));
	if (n < 0)
		cmdline_printf(cl, "%s\n", err);
	else if (r->num == 0)
		cmdline_printf(cl, "watchdog off on %d program%s\n", n, n == 1 ? "" : "s");
	else
		cmdline_printf(cl, "watchdog %" PRIu32 " ms on %d program%s\n", r->num, n,
			       n == 1 ? "" : "s");
}

static cmdline_parse_inst_t cmd_set_watchdog = {
	.f = cmd_set_watchdog_cb,
	.data = NULL,
	.help_str = "set watchdog <ms>: heartbeat age after which XDP fails over (0: off)",
	.tokens = { (void *)&tok_set, (void *)&tok_watchdog, (void *)&tok_num, NULL },
};

/* ---- clear stats ---------------------------------------------------------- */

static void
cmd_clear_stats_cb(void *parsed __rte_unused, struct cmdline *cl, void *data __rte_unused)
{
	struct console *c = cur;
	struct hyp_ctl *ctl = c->ctl;
	struct rte_eth_xstat *xs;
	const struct hyp_lcore_stats *s;
	struct timespec ts;
	unsigned int lc, i, n_ports, own_first = 0;
	struct hyp_ctl_port ports[HYP_PIPE_MAX_PORTS];
	uint16_t pid;
	int n, found;

	pthread_mutex_lock(&ctl->lock);
	RTE_ETH_FOREACH_DEV(pid) {
		c->port_ok[pid] = rte_eth_stats_get(pid, &c->port[pid]) == 0;
		free(c->xstats[pid]);
		c->xstats[pid] = NULL;
		c->n_xstats[pid] = 0;
		n = rte_eth_xstats_get(pid, NULL, 0);
		if (n <= 0)
			continue;
		xs = calloc(n, sizeof(*xs));
		c->xstats[pid] = calloc(n, sizeof(uint64_t));
		if (xs != NULL && c->xstats[pid] != NULL && rte_eth_xstats_get(pid, xs, n) == n) {
			for (i = 0; i < (unsigned int)n; i++)
				if (xs[i].id < (uint64_t)n)
					c->xstats[pid][xs[i].id] = xs[i].value;
			c->n_xstats[pid] = n;
		} else {
			free(c->xstats[pid]);
			c->xstats[pid] = NULL;
		}
		free(xs);
	}
	memset(c->lcore_ok, 0, sizeof(c->lcore_ok));
	c->n_rings = 0;
	free(c->rule_hits);
	c->rule_hits = NULL;
	c->n_rule_hits = 0;
	c->rule_engine = NULL;
	if (ctl->pipe != NULL) {
		RTE_LCORE_FOREACH_WORKER(lc) {
			s = hyp_pipeline_lcore_stats(ctl->pipe, lc);
			if (s != NULL) {
				c->lcore[lc] = *s;
				c->lcore_ok[lc] = true;
			}
		}
		c->n_rings = RTE_MIN(hyp_pipeline_rings(ctl->pipe, c->rings, MAX_RINGS),
				     (unsigned int)MAX_RINGS);
	}
	if (ctl->engine != NULL && (n = (int)hyp_engine_rule_count(ctl->engine)) > 0) {
		c->rule_hits = calloc(n, sizeof(uint64_t));
		if (c->rule_hits != NULL) {
			if (ctl->pipe != NULL)
				hyp_pipeline_rule_hits(ctl->pipe, c->rule_hits, n);
			c->n_rule_hits = n;
			c->rule_engine = ctl->engine;
			c->rule_gen = hyp_engine_gen(ctl->engine);
		}
	}
	c->reloads_ok = ctl->reloads_ok;
	c->reloads_failed = ctl->reloads_failed;
	n_ports = RTE_MIN(ctl->n_ports, (unsigned int)HYP_PIPE_MAX_PORTS);
	memcpy(ports, ctl->ports, sizeof(ports));
	pthread_mutex_unlock(&ctl->lock);

	/* the kernel's socket counters, outside the lock (netlink) */
	c->n_xsk = 0;
	for (i = 0; i < n_ports; i++) {
		struct hyp_xsk_diag qs[HYP_PIPE_MAX_QUEUES];
		unsigned int nq = RTE_MIN((unsigned int)ports[i].nb_queues,
					  (unsigned int)HYP_PIPE_MAX_QUEUES), q;

		if (ports[i].ifindex == 0)
			continue;
		found = hyp_xskdiag_port(ports[i].ifindex, ports[i].start_queue, nq, own_first, qs);
		own_first += ports[i].nb_queues;
		/* keep the queues that have a socket: the baseline of each */
		for (q = 0; found > 0 && q < nq && c->n_xsk < MAX_XSKS; q++)
			if (qs[q].queue_id != UINT32_MAX)
				c->xsk[c->n_xsk++] = qs[q];
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	c->cleared_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	c->cleared = true;
	cmdline_printf(cl, "statistics cleared for this console (other counters keep counting)\n");
}

static cmdline_parse_inst_t cmd_clear_stats = {
	.f = cmd_clear_stats_cb,
	.data = NULL,
	.help_str = "clear stats: later show commands count from now (this console only)",
	.tokens = { (void *)&tok_clear, (void *)&tok_stats, NULL },
};

/* ---- help, quit ----------------------------------------------------------- */

static cmdline_parse_ctx_t console_ctx[];

static void
cmd_help_cb(void *parsed __rte_unused, struct cmdline *cl, void *data __rte_unused)
{
	unsigned int i;

	cmdline_printf(cl, "Commands (TAB completes, '?' shows what may follow):\n");
	for (i = 0; console_ctx[i] != NULL; i++)
		cmdline_printf(cl, "  %s\n", console_ctx[i]->help_str);
}

static cmdline_parse_inst_t cmd_help = {
	.f = cmd_help_cb,
	.data = NULL,
	.help_str = "help: this list",
	.tokens = { (void *)&tok_help, NULL },
};

static void
cmd_quit_cb(void *parsed __rte_unused, struct cmdline *cl, void *data __rte_unused)
{
	cur->quit = true;
	cmdline_quit(cl);
}

static cmdline_parse_inst_t cmd_quit = {
	.f = cmd_quit_cb,
	.data = NULL,
	.help_str = "quit: leave the console (the application keeps running)",
	.tokens = { (void *)&tok_quit, NULL },
};

/* ---- the table ------------------------------------------------------------ */

static cmdline_parse_ctx_t console_ctx[] = {
	&cmd_show_port_all,
	&cmd_show_port_id,
	&cmd_show_lcores,
	&cmd_show_rings,
	&cmd_show_xsk,
	&cmd_show_flows,
	&cmd_show_flows_n,
	&cmd_show_rules,
	&cmd_show_policy,
	&cmd_blocklist,
	&cmd_blocklist_list,
	&cmd_policy_reload,
	&cmd_policy_reload_file,
	&cmd_set_fail_mode,
	&cmd_set_watchdog,
	&cmd_clear_stats,
	&cmd_help,
	&cmd_quit,
	NULL,
};

/* ---- the session ---------------------------------------------------------- */

int
hyp_console_run(struct hyp_ctl *ctl, int in_fd, int out_fd, const char *prompt)
{
	struct termios old_term, term;
	struct console *c, *prev;
	bool tty_set = false;
	int fd_in, fd_out, ret = 0;
	unsigned int i;
	char buf[256];
	ssize_t got;

	if (ctl == NULL || in_fd < 0 || out_fd < 0)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return -ENOMEM;
	c->ctl = ctl;
	/* cmdline_free() closes its descriptors: give it its own */
	fd_in = dup(in_fd);
	fd_out = dup(out_fd);
	if (fd_in < 0 || fd_out < 0) {
		ret = -errno;
		if (fd_in >= 0)
			close(fd_in);
		if (fd_out >= 0)
			close(fd_out);
		free(c);
		return ret;
	}
	if (isatty(in_fd) && tcgetattr(in_fd, &old_term) == 0) {
		term = old_term;
		term.c_lflag &= ~(ICANON | ECHO);
		term.c_cc[VMIN] = 1;
		term.c_cc[VTIME] = 0;
		tty_set = tcsetattr(in_fd, TCSANOW, &term) == 0;
	}
	dprintf(out_fd, "dpdk-hyperion console: 'help' lists the commands, TAB completes.\n");
	c->cl = cmdline_new(console_ctx, prompt != NULL ? prompt : "hyperion> ", fd_in, fd_out);
	if (c->cl == NULL) {
		close(fd_in);
		close(fd_out);
		ret = -ENOMEM;
		goto out;
	}
	prev = cur;
	cur = c;
	while (!c->quit) {
		got = read(fd_in, buf, sizeof(buf));
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			ret = -errno;
			break;
		}
		if (got == 0)
			break;	/* end of input */
		/* one at a time: nothing after a quit is taken as a command */
		for (i = 0; i < (unsigned int)got && !c->quit; i++)
			if (cmdline_in(c->cl, &buf[i], 1) < 0)
				c->quit = true;	/* ^D on an empty line */
	}
	cur = prev;
	cmdline_free(c->cl);
out:
	if (tty_set)
		tcsetattr(in_fd, TCSANOW, &old_term);
	for (i = 0; i < RTE_MAX_ETHPORTS; i++)
		free(c->xstats[i]);
	free(c->rule_hits);
	free(c);
	return ret;
}
