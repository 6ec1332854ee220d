/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The console's show commands: what the instance is doing, from hyp_ctl.
 */
#include "console_private.h"

KW(show, "show");
KW(port, "port");
KW(lcores, "lcores");
KW(rings, "rings");
KW(xsk, "xsk");
KW(flows, "flows");
KW(rules, "rules");
KW(policy, "policy");
static cmdline_parse_token_string_t tok_port_what =
	TOKEN_STRING_INITIALIZER(struct cmd_res, what, "stats#xstats");
static cmdline_parse_token_string_t tok_all =
	TOKEN_STRING_INITIALIZER(struct cmd_res, arg, "all");
static cmdline_parse_token_num_t tok_port_id =
	TOKEN_NUM_INITIALIZER(struct cmd_res, port, RTE_UINT16);
static cmdline_parse_token_num_t tok_num =
	TOKEN_NUM_INITIALIZER(struct cmd_res, num, RTE_UINT32);

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
		       console_since_note(c, note, sizeof(note)));
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
		       console_since_note(c, note, sizeof(note)));
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
	struct console *c = console_cur;
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

CONSOLE_CMD(cmd_show_port_all, cmd_show_port_cb, (void *)1,
	    "show port stats|xstats all: counters of every port",
	    TOK(show), TOK(port), TOK(port_what), TOK(all));

CONSOLE_CMD(cmd_show_port_id, cmd_show_port_cb, NULL,
	    "show port stats|xstats <port_id>: counters of one ethdev",
	    TOK(show), TOK(port), TOK(port_what), TOK(port_id));

/* ---- show lcores ---------------------------------------------------------- */

static void
cmd_show_lcores_cb(void *parsed __rte_unused, struct cmdline *cl, void *data __rte_unused)
{
	struct console *c = console_cur;
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
			       console_since_note(c, note, sizeof(note)));
		console_print_table(cl, s, b, hyp_lcore_stat_descs, hyp_lcore_stat_count);
		shown++;
	}
	if (shown == 0)
		cmdline_printf(cl, "no data-path lcores\n");
out:
	pthread_mutex_unlock(&ctl->lock);
}

CONSOLE_CMD(cmd_show_lcores, cmd_show_lcores_cb, NULL,
	    "show lcores: role, rx packets, bursts, empty polls, busy % per lcore",
	    TOK(show), TOK(lcores));

/* ---- show rings ----------------------------------------------------------- */

static void
cmd_show_rings_cb(void *parsed __rte_unused, struct cmdline *cl, void *data __rte_unused)
{
	struct console *c = console_cur;
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
		cmdline_printf(cl, "ring %s%s\n", ri[i].name, console_since_note(c, note, sizeof(note)));
		console_print_table(cl, &ri[i], base, hyp_ring_stat_descs, hyp_ring_stat_count);
	}
out:
	free(ri);
}

CONSOLE_CMD(cmd_show_rings, cmd_show_rings_cb, NULL,
	    "show rings: the stage rings' fill, capacity, high-water mark, refusals",
	    TOK(show), TOK(rings));

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
	struct console *c = console_cur;
	struct hyp_ctl *ctl = c->ctl;
	struct hyp_ctl_port ports[HYP_PIPE_MAX_PORTS];
	struct hyp_ctl_xsk *xs;
	unsigned int n, n_ports, i, last = UINT32_MAX;
	char note[64];

	xs = calloc(MAX_XSKS, sizeof(*xs));
	if (xs == NULL) {
		cmdline_printf(cl, "out of memory\n");
		return;
	}
	n = hyp_ctl_xsk_stats(ctl, xs, MAX_XSKS);
	pthread_mutex_lock(&ctl->lock);
	n_ports = RTE_MIN(ctl->n_ports, (unsigned int)HYP_PIPE_MAX_PORTS);
	memcpy(ports, ctl->ports, sizeof(ports));
	pthread_mutex_unlock(&ctl->lock);
	if (n_ports == 0)
		cmdline_printf(cl, "no ports\n");
	for (i = 0; i < n_ports; i++)
		if (ports[i].ifindex == 0)
			cmdline_printf(cl, "port %u (%s): no AF_XDP interface\n", ports[i].port_id,
				       ports[i].name);
	for (i = 0; i < n; i++) {
		const struct hyp_ctl_port *p = &ports[xs[i].port];

		if (xs[i].port >= n_ports)
			continue;
		if (xs[i].port != last) {
			last = xs[i].port;
			if (xs[i].source < 0) {
				cmdline_printf(cl, "port %u (%s): no AF_XDP statistics: %s\n",
					       p->port_id, p->name, strerror(-xs[i].source));
			} else {
				cmdline_printf(cl, "port %u (%s, %s ifindex %u, from %s)%s\n",
					       p->port_id, p->name, p->ifname, p->ifindex,
					       xs[i].source == HYP_XSKDIAG_SOCK_DIAG ? "sock_diag" :
					       "our own sockets", console_since_note(c, note, sizeof(note)));
			}
		}
		if (xs[i].source < 0)
			continue;
		if (!xs[i].socket) {
			cmdline_printf(cl, "  queue %u (nic queue %u): no socket\n", xs[i].queue,
				       p->start_queue + xs[i].queue);
			continue;
		}
		cmdline_printf(cl, "  queue %u (nic queue %u): inode %" PRIu64 ", rx ring %u, "
			       "fill ring %u, %s%s\n", xs[i].queue, xs[i].diag.queue_id,
			       xs[i].diag.inode, xs[i].diag.rx_ring_entries,
			       xs[i].diag.fill_ring_entries, !xs[i].diag.options_known ? "mode unknown" :
			       xs[i].diag.zerocopy ? "zero-copy" : "copy mode",
			       xs[i].queue < HYP_PIPE_MAX_QUEUES && p->fenced[xs[i].queue] ?
			       ", FENCED" : "");
		console_print_table(cl, &xs[i].diag, xsk_base(c, &xs[i].diag), hyp_xsk_stat_descs,
			    hyp_xsk_stat_count);
	}
	free(xs);
}

CONSOLE_CMD(cmd_show_xsk, cmd_show_xsk_cb, NULL,
	    "show xsk: the kernel's statistics of every AF_XDP socket",
	    TOK(show), TOK(xsk));

/* ---- show flows [n] ------------------------------------------------------- */


static void
cmd_show_flows_cb(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_res *r = parsed;
	struct console *c = console_cur;
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

CONSOLE_CMD(cmd_show_flows, cmd_show_flows_cb, NULL,
	    "show flows: the 10 largest flows by bytes",
	    TOK(show), TOK(flows));

CONSOLE_CMD(cmd_show_flows_n, cmd_show_flows_cb, (void *)1,
	    "show flows <n>: the n (1-64) largest flows by bytes",
	    TOK(show), TOK(flows), TOK(num));

/* ---- show rules ----------------------------------------------------------- */

static void
cmd_show_rules_cb(void *parsed __rte_unused, struct cmdline *cl, void *data __rte_unused)
{
	struct console *c = console_cur;
	struct hyp_ctl *ctl = c->ctl;
	struct hyp_ctl_rule *rules = NULL;
	unsigned int n, i;
	bool base;
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
	rules = calloc(n, sizeof(*rules));
	if (rules == NULL) {
		cmdline_printf(cl, "out of memory\n");
		goto out;
	}
	n = RTE_MIN(hyp_ctl_rules(ctl, rules, n), n);
	base = c->cleared && c->rule_hits != NULL && c->rule_engine == ctl->engine &&
	       c->rule_gen == hyp_engine_gen(ctl->engine) && c->n_rule_hits == n;
	cmdline_printf(cl, "%5s %10s %-6s %12s  %s%s\n", "slot", "id", "action", "hits", "text",
		       base ? console_since_note(c, note, sizeof(note)) : "");
	for (i = 0; i < n; i++) {
		const struct hyp_threshold_spec *th = &rules[i].threshold;
		char ths[80] = "";

		if (th->type != HYP_THRESHOLD_NONE)
			snprintf(ths, sizeof(ths), " [threshold %s %s %" PRIu32 "/%" PRIu32 "s]",
				 hyp_threshold_type_name(th->type),
				 hyp_threshold_track_name(th->track), th->count, th->seconds);
		cmdline_printf(cl, "%5u %10" PRIu32 " %-6s %12" PRIu64 "  %s%s\n", i, rules[i].id,
			       hyp_action_name(rules[i].action),
			       base ? since(rules[i].hits, c->rule_hits[i]) : rules[i].hits,
			       rules[i].msg != NULL ? rules[i].msg : "", ths);
	}
out:
	pthread_mutex_unlock(&ctl->lock);
	free(rules);
}

CONSOLE_CMD(cmd_show_rules, cmd_show_rules_cb, NULL,
	    "show rules: id, action, decisions and text of every engine rule",
	    TOK(show), TOK(rules));

/* ---- show policy ---------------------------------------------------------- */

static void
cmd_show_policy_cb(void *parsed __rte_unused, struct cmdline *cl, void *data __rte_unused)
{
	struct console *c = console_cur;
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
		       console_since_note(c, note, sizeof(note)));
	cmdline_printf(cl, "reloads failed: %" PRIu64 "\n",
		       since(ctl->reloads_failed, c->cleared ? c->reloads_failed : 0));
	cmdline_printf(cl, "last error:     %s\n",
		       ctl->last_error[0] != '\0' ? ctl->last_error : "(none)");
	cmdline_printf(cl, "watchdog:       %" PRIu32 " ms%s\n", ctl->watchdog_ms,
		       ctl->watchdog_ms == 0 ? " (off)" : "");
	pthread_mutex_unlock(&ctl->lock);
}

CONSOLE_CMD(cmd_show_policy, cmd_show_policy_cb, NULL,
	    "show policy: file, hash, load time, reloads, last error",
	    TOK(show), TOK(policy));
