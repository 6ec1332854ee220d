/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The console's commands that change something: the blocklist, the policy,
 * the runtime config (all through hyp_ctl), and the session's own baseline.
 */
#include "console_private.h"

KW(policy, "policy");
KW(blocklist, "blocklist");
KW(list, "list");
KW(reload, "reload");
KW(set, "set");
KW(fail_mode, "fail-mode");
KW(watchdog, "watchdog");
KW(clear, "clear");
KW(stats, "stats");
KW(queue, "queue");
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
	ret = hyp_ctl_blocklist(console_cur->ctl, add, &cidr, &res);
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

CONSOLE_CMD(cmd_blocklist, cmd_blocklist_cb, NULL,
	    "blocklist add|del <cidr>: drop (or stop dropping) a source prefix in XDP",
	    TOK(blocklist), TOK(add_del), TOK(cidr));

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
	struct console *c = console_cur;
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
				 hyp_addr_format(ab[i].key.addr.a, ab[i].key.family, buf,
						 sizeof(buf)), ab[i].key.family == 4 ? 32 : 128);
			cmdline_printf(cl, "auto %-44s expires in %" PRIu64 " s\n", one,
				       (uint64_t)((ab[i].expires_ns - now) / 1000000000ULL));
		}
	}
}

CONSOLE_CMD(cmd_blocklist_list, cmd_blocklist_list_cb, NULL,
	    "blocklist list: every blocked prefix, its rule id (0: console) and hits",
	    TOK(blocklist), TOK(list));

/* ---- policy reload [file] ------------------------------------------------- */

static void
cmd_policy_reload_cb(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_res *r = parsed;
	char err[640];
	int ret;

	/* the reload takes the lock itself */
	ret = hyp_ctl_reload(console_cur->ctl, data != NULL ? r->path : NULL, err, sizeof(err));
	if (ret == 0)
		cmdline_printf(cl, "policy reload: ok\n");
	else
		cmdline_printf(cl, "policy reload failed: %s\n",
			       err[0] != '\0' ? err : strerror(ret < 0 ? -ret : ret));
}

CONSOLE_CMD(cmd_policy_reload, cmd_policy_reload_cb, NULL,
	    "policy reload: load the current policy file again",
	    TOK(policy), TOK(reload));

CONSOLE_CMD(cmd_policy_reload_file, cmd_policy_reload_cb, (void *)1,
	    "policy reload <file>: load a policy file under --reload-dir and make it the running one",
	    TOK(policy), TOK(reload), TOK(path));

/* ---- set fail-mode|watchdog ----------------------------------------------- */

static void
cmd_set_fail_mode_cb(void *parsed, struct cmdline *cl, void *data __rte_unused)
{
	struct cmd_res *r = parsed;
	bool closed = strcmp(r->what, "closed") == 0;
	char err[128];
	int n;

	n = hyp_ctl_set_config(console_cur->ctl, HYP_CFG_FAIL_MODE, closed ? HYP_FAIL_CLOSED :
			       HYP_FAIL_OPEN, err, sizeof(err));
	if (n < 0)
		cmdline_printf(cl, "%s\n", err);
	else
		cmdline_printf(cl, "fail-mode %s on %d program%s (kept across reloads until "
			       "'reset overrides')\n", closed ? "closed" : "open", n, n == 1 ? "" : "s");
}

CONSOLE_CMD(cmd_set_fail_mode, cmd_set_fail_mode_cb, NULL,
	    "set fail-mode open|closed: pass or drop what the slow path cannot take",
	    TOK(set), TOK(fail_mode), TOK(open_closed));

static void
cmd_set_watchdog_cb(void *parsed, struct cmdline *cl, void *data __rte_unused)
{
	struct cmd_res *r = parsed;
	char err[128];
	int n;

	n = hyp_ctl_set_config(console_cur->ctl, HYP_CFG_WATCHDOG_NS, (uint64_t)r->num * 1000000ull, err,
			       sizeof(err));
	if (n < 0)
		cmdline_printf(cl, "%s\n", err);
	else if (r->num == 0)
		cmdline_printf(cl, "watchdog off on %d program%s\n", n, n == 1 ? "" : "s");
	else
		cmdline_printf(cl, "watchdog %" PRIu32 " ms on %d program%s\n", r->num, n,
			       n == 1 ? "" : "s");
}

CONSOLE_CMD(cmd_set_watchdog, cmd_set_watchdog_cb, NULL,
	    "set watchdog <ms>: heartbeat age after which XDP fails over (0: off)",
	    TOK(set), TOK(watchdog), TOK(num));

/* ---- queue fence|unfence|drain <q> ------------------------------------------ */

static cmdline_parse_token_string_t tok_queue_op =
	TOKEN_STRING_INITIALIZER(struct cmd_res, what, "fence#unfence#drain");

static void
cmd_queue_cb(void *parsed, struct cmdline *cl, void *data __rte_unused)
{
	struct cmd_res *r = parsed;
	struct hyp_ctl_drain dr;
	char msg[256];
	int ret;

	if (strcmp(r->what, "drain") == 0) {
		ret = hyp_ctl_queue_drain(console_cur->ctl, r->num, 1000, &dr);
		if (ret == -EBUSY)
			cmdline_printf(cl, "queue %" PRIu32 " is not fenced: fence it first\n",
				       r->num);
		else if (ret < 0)
			cmdline_printf(cl, "queue %" PRIu32 ": %s\n", r->num, strerror(-ret));
		else
			cmdline_printf(cl, "queue %" PRIu32 " %s after %" PRIu64 " ms, %" PRIu64
				       " packets taken off it meanwhile\n", r->num,
				       dr.converged ? "drained" : "did not settle", dr.waited_ms,
				       dr.drained);
		return;
	}
	ret = hyp_ctl_queue_fence(console_cur->ctl, r->num, strcmp(r->what, "fence") == 0, msg,
				  sizeof(msg));
	if (ret < 0)
		cmdline_printf(cl, "%s\n", msg);
	else if (ret == 0)
		cmdline_printf(cl, "%s\n", msg);
	else
		cmdline_printf(cl, "queue %" PRIu32 " %s on %d port%s\n", r->num,
			       strcmp(r->what, "fence") == 0 ? "fenced (fail mode applies)" :
			       "unfenced (redirected again)", ret, ret == 1 ? "" : "s");
}

CONSOLE_CMD(cmd_queue, cmd_queue_cb, NULL,
	    "queue fence|unfence|drain <q>: take NIC queue q out of service, back, or wait "
	    "until it settles",
	    TOK(queue), TOK(queue_op), TOK(num));

/* ---- eve reopen -------------------------------------------------------------- */

KW(eve, "eve");
KW(reopen, "reopen");

static void
cmd_eve_reopen_cb(void *parsed __rte_unused, struct cmdline *cl, void *data __rte_unused)
{
	char err[256];

	if (hyp_ctl_eve_reopen(console_cur->ctl, err, sizeof(err)) < 0)
		cmdline_printf(cl, "%s\n", err);
	else
		cmdline_printf(cl, "EVE log reopened\n");
}

CONSOLE_CMD(cmd_eve_reopen, cmd_eve_reopen_cb, NULL,
	    "eve reopen: open the EVE log's path again (after logrotate moved the file)",
	    TOK(eve), TOK(reopen));

/* ---- reset overrides ------------------------------------------------------ */

KW(reset, "reset");
KW(overrides, "overrides");

static void
cmd_reset_overrides_cb(void *parsed __rte_unused, struct cmdline *cl, void *data __rte_unused)
{
	char err[160];
	int n = hyp_ctl_reset_overrides(console_cur->ctl, err, sizeof(err));

	if (n < 0)
		cmdline_printf(cl, "%s\n", err);
	else
		cmdline_printf(cl, "%d override%s dropped: the policy's fail-mode and watchdog "
			       "again\n", n, n == 1 ? "" : "s");
}

CONSOLE_CMD(cmd_reset_overrides, cmd_reset_overrides_cb, NULL,
	    "reset overrides: drop 'set fail-mode' and 'set watchdog', back to the policy's",
	    TOK(reset), TOK(overrides));

/* ---- show runtime ----------------------------------------------------------- */

KW(show_rt, "show");
KW(runtime, "runtime");

static void
cmd_show_runtime_cb(void *parsed __rte_unused, struct cmdline *cl, void *data __rte_unused)
{
	struct hyp_ctl *ctl = console_cur->ctl;
	struct hyp_ctl_runtime_block *b = calloc(BLOCK_LIST_MAX, sizeof(*b));
	unsigned int n, i;
	char buf[64];

	if (b == NULL) {
		cmdline_printf(cl, "out of memory\n");
		return;
	}
	n = hyp_ctl_runtime_blocks(ctl, b, BLOCK_LIST_MAX);
	cmdline_printf(cl, "blocked by hand (kept across reloads until blocklist del): %u\n", n);
	for (i = 0; i < n && i < BLOCK_LIST_MAX; i++)
		cmdline_printf(cl, "  %-4s %-44s hits %" PRIu64 "\n", b[i].dst ? "dst" : "src",
			       hyp_cidr_format(&b[i].cidr, buf, sizeof(buf)), b[i].hits);
	free(b);
	pthread_mutex_lock(&ctl->lock);
	if (ctl->ov_fail)
		cmdline_printf(cl, "override: fail-mode %s\n",
			       ctl->ov_fail_mode == HYP_FAIL_CLOSED ? "closed" : "open");
	if (ctl->ov_watchdog)
		cmdline_printf(cl, "override: watchdog %" PRIu64 " ms\n",
			       (uint64_t)(ctl->ov_watchdog_ns / 1000000ULL));
	if (!ctl->ov_fail && !ctl->ov_watchdog)
		cmdline_printf(cl, "no override: fail-mode and watchdog are the policy's\n");
	pthread_mutex_unlock(&ctl->lock);
}

CONSOLE_CMD(cmd_show_runtime, cmd_show_runtime_cb, NULL,
	    "show runtime: what was set by hand and outlives a reload",
	    TOK(show_rt), TOK(runtime));

/* ---- clear stats ---------------------------------------------------------- */

static void
cmd_clear_stats_cb(void *parsed __rte_unused, struct cmdline *cl, void *data __rte_unused)
{
	struct console *c = console_cur;
	struct hyp_ctl *ctl = c->ctl;
	struct rte_eth_xstat *exs;
	struct hyp_ctl_xsk *xs;
	const struct hyp_lcore_stats *s;
	struct timespec ts;
	unsigned int lc, i;
	uint16_t pid;
	int n;

	pthread_mutex_lock(&ctl->lock);
	RTE_ETH_FOREACH_DEV(pid) {
		c->port_ok[pid] = rte_eth_stats_get(pid, &c->port[pid]) == 0;
		free(c->xstats[pid]);
		c->xstats[pid] = NULL;
		c->n_xstats[pid] = 0;
		n = rte_eth_xstats_get(pid, NULL, 0);
		if (n <= 0)
			continue;
		exs = calloc(n, sizeof(*exs));
		c->xstats[pid] = calloc(n, sizeof(uint64_t));
		if (exs != NULL && c->xstats[pid] != NULL && rte_eth_xstats_get(pid, exs, n) == n) {
			for (i = 0; i < (unsigned int)n; i++)
				if (exs[i].id < (uint64_t)n)
					c->xstats[pid][exs[i].id] = exs[i].value;
			c->n_xstats[pid] = n;
		} else {
			free(c->xstats[pid]);
			c->xstats[pid] = NULL;
		}
		free(exs);
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
		struct hyp_ctl_rule *rules = calloc(n, sizeof(*rules));

		c->rule_hits = calloc(n, sizeof(uint64_t));
		if (c->rule_hits != NULL && rules != NULL) {
			n = RTE_MIN((int)hyp_ctl_rules(ctl, rules, n), n);
			for (i = 0; i < (unsigned int)n; i++)
				c->rule_hits[i] = rules[i].hits;
			c->n_rule_hits = n;
			c->rule_engine = ctl->engine;
			c->rule_gen = hyp_engine_gen(ctl->engine);
		}
		free(rules);
	}
	c->reloads_ok = ctl->reloads_ok;
	c->reloads_failed = ctl->reloads_failed;
	pthread_mutex_unlock(&ctl->lock);

	/* the kernel's socket counters, outside the lock (netlink) */
	xs = calloc(MAX_XSKS, sizeof(*xs));
	n = xs != NULL ? (int)hyp_ctl_xsk_stats(ctl, xs, MAX_XSKS) : 0;
	/* keep the queues that have a socket: the baseline of each */
	for (c->n_xsk = 0, i = 0; i < (unsigned int)n && c->n_xsk < MAX_XSKS; i++)
		if (xs[i].socket)
			c->xsk[c->n_xsk++] = xs[i].diag;
	free(xs);
	clock_gettime(CLOCK_REALTIME, &ts);
	c->cleared_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	c->cleared = true;
	cmdline_printf(cl, "statistics cleared for this console (other counters keep counting)\n");
}

CONSOLE_CMD(cmd_clear_stats, cmd_clear_stats_cb, NULL,
	    "clear stats: later show commands count from now (this console only)",
	    TOK(clear), TOK(stats));
