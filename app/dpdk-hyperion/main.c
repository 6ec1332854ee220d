/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpdk-hyperion: makes the parts (the af_xdp port(s) from --iface and
 * --peer, or the pcap port, the engine, the EVE log, the pipeline), hands
 * them to the control plane (lib/hyp_ctl), starts the services, and runs the
 * control loop: every 100 ms a tick (heartbeats, auto-block), statistics,
 * reloads on SIGHUP. SIGINT/SIGTERM: fence the queues (the fail mode decides
 * from then), drain the stages, print final statistics, close the ports
 * (the PMD removes the XDP program; fail-closed or --keep-fastpath puts ours
 * back, with the policy's fast path and no sockets), exit 0.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "hyp_console.h"
#include "hyp_ctl.h"
#include "hyp_engine.h"
#include "hyp_eve.h"
#include "hyp_metrics.h"
#include "hyp_policy.h"
#include "hyp_telemetry.h"
#include "hyperion.h"

RTE_LOG_REGISTER(hyp_app_logtype, hyp.app, INFO);

#define TICK_MS 100
/* alerts waiting for the EVE writer; a quarter only drop alerts may take */
#define EVE_CAPACITY		4096
#define EVE_DROP_RESERVE	(EVE_CAPACITY / 4)

static volatile sig_atomic_t quit;
static volatile sig_atomic_t reload_requested;
static volatile sig_atomic_t reopen_requested;

/* SIGHUP reloads the policy (the seed's), SIGUSR1 reopens the EVE log (nginx's) */
static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		reload_requested = 1;
	else if (sig == SIGUSR1)
		reopen_requested = 1;
	else
		quit = 1;
}

struct hyp_app {
	struct hyp_args a;
	struct hyp_port ports[HYP_PIPE_MAX_PORTS];
	unsigned int n_ports;
	struct hyp_replay *replay;
	long pcap_packets;
	struct hyp_ctl ctl;		/* the instance, as the control plane sees it */
	struct hyp_metrics *metrics;
	bool stopping;			/* a graceful stop: the queues are fenced */
};

static int
load_policy(const struct hyp_args *a, struct hyp_policy **p)
{
	struct hyp_policy_error err;
	char msg[640];
	int ret;

	if (a->policy == NULL)
		return hyp_policy_parse("", 0, "(no policy)", p, &err);
	ret = hyp_policy_load(a->policy, p, &err);
	if (ret < 0)
		fprintf(stderr, "dpdk-hyperion: policy refused: %s\n",
			hyp_policy_error_str(&err, msg, sizeof(msg)));
	return ret;
}

static int
open_ports(struct hyp_app *app)
{
	struct hyp_args *a = &app->a;
	int ret;

	if (a->pcap != NULL) {
		app->pcap_packets = hyp_pcap_count(a->pcap);
		if (app->pcap_packets < 0)
			return -EINVAL;
		ret = hyp_replay_open(hyp_engine_policy(app->ctl.engine), &app->replay);
		if (ret < 0)
			return ret;
		app->n_ports = 1;
		return hyp_port_open_pcap(&app->ports[0], a->pcap, a);
	}
	app->n_ports = a->mode == HYP_MODE_IPS ? 2 : 1;
	if (a->mbufs != 0 && a->mbufs < hyp_port_pool_min(a)) {
		APP_LOG(ERR, "--mbufs %u: a port needs at least %u (%u queue%s x 2048 in the "
			"fill ring, and what %u lcores' mempool caches may hold); fewer can "
			"starve the rx path for good", a->mbufs, hyp_port_pool_min(a), a->queues,
			a->queues == 1 ? "" : "s", rte_lcore_count());
		return -EINVAL;
	}
	ret = hyp_port_open_afxdp(&app->ports[0], 0, a->iface, a, app->n_ports);
	if (ret == 0 && app->n_ports == 2)
		ret = hyp_port_open_afxdp(&app->ports[1], 1, a->peer, a, app->n_ports);
	return ret;
}

/* The ports as the control plane sees them; the replay's program stands in for XDP. */
static void
publish_ports(struct hyp_app *app)
{
	struct hyp_ctl *c = &app->ctl;
	unsigned int i;

	for (i = 0; i < app->n_ports; i++) {
		struct hyp_ctl_port *cp = &c->ports[i];

		snprintf(cp->name, sizeof(cp->name), "%s", app->ports[i].name);
		snprintf(cp->ifname, sizeof(cp->ifname), "%s", app->ports[i].ifname);
		cp->ifindex = app->ports[i].ifindex;
		cp->port_id = app->ports[i].port_id;
		cp->nb_queues = app->ports[i].nb_queues;
		cp->start_queue = app->replay != NULL ? 0 : app->a.start_queue;
		cp->xdp = app->replay != NULL ? hyp_replay_xdp(app->replay) : app->ports[i].xdp;
		cp->offline = app->replay != NULL;
		memcpy(cp->xsk, app->ports[i].xsk, sizeof(cp->xsk));
	}
	c->n_ports = app->n_ports;
}

/* Replay ends when every packet of the file went in and every stage is empty. */
static bool
replay_done(struct hyp_app *app)
{
	struct hyp_lcore_stats t;

	hyp_pipeline_totals(app->ctl.pipe, &t);
	return (long)t.rx >= app->pcap_packets && hyp_pipeline_idle(app->ctl.pipe);
}

static void
control_loop(struct hyp_app *app)
{
	uint64_t hz = rte_get_timer_hz(), next_stats, now;

	next_stats = rte_get_timer_cycles() + app->a.stats_period * hz;
	while (!quit) {
		rte_delay_us_sleep(TICK_MS * 1000);
		hyp_ctl_tick(&app->ctl);
		now = rte_get_timer_cycles();
		if (app->a.stats_period && now >= next_stats) {
			hyp_ctl_print_stats(&app->ctl, stdout, false);
			next_stats = now + app->a.stats_period * hz;
		}
		if (reload_requested) {
			char err[640];

			reload_requested = 0;
			hyp_ctl_reload(&app->ctl, NULL, err, sizeof(err));
		}
		if (reopen_requested) {
			char err[256];

			reopen_requested = 0;
			hyp_ctl_eve_reopen(&app->ctl, err, sizeof(err));
		}
		/* two idle looks in a row: the last burst may still be in a worker */
		if (app->replay != NULL && replay_done(app)) {
			rte_delay_us_sleep(TICK_MS * 1000);
			if (replay_done(app))
				break;
		}
	}
}

static void *
control_thread(void *arg)
{
	control_loop(arg);
	return NULL;
}

/* -i: the console owns stdin/stdout; ticks and reloads go on beside it. */
static void
run_interactive(struct hyp_app *app)
{
	pthread_t t;
	int ret = rte_ctrl_thread_create(&t, "hyp-control", NULL, control_thread, app);

	if (ret != 0) {
		APP_LOG(ERR, "cannot start the control thread: %s", strerror(ret));
		return;
	}
	hyp_console_run(&app->ctl, STDIN_FILENO, STDOUT_FILENO, "hyperion> ");
	quit = 1;
	pthread_join(t, NULL);
}

static int
make_pipeline(struct hyp_app *app)
{
	struct hyp_pipe_conf pc;
	unsigned int i;

	memset(&pc, 0, sizeof(pc));
	pc.mode = app->a.pipeline;
	pc.n_ports = app->n_ports;
	pc.nb_queues = app->a.queues;
	pc.n_io = app->a.io_lcores;
	pc.stage_cycles = app->a.stage_cycles;
	pc.ring_size = app->a.ring_size;
	pc.burst = app->a.burst;
	pc.flow_entries = app->a.flow_entries;
	pc.flow_idle_ms = 60000;
	pc.defrag.datagrams = app->a.defrag_datagrams;
	pc.defrag.fragments = app->a.defrag_fragments;
	pc.defrag.timeout_ms = app->a.defrag_timeout_ms;
	pc.defrag.memcap = (uint64_t)app->a.defrag_memcap_mb << 20;
	pc.stream.memcap = (uint64_t)app->a.stream_memcap_mb << 20;
	pc.stream.window = app->a.stream_window_kb << 10;
	pc.stream.segments = 64;
	/* what resends are compared with, and the rules' window is taken from */
	pc.stream.inspect_window = app->a.stream_inspect_window;
	pc.stream.retain = RTE_MAX(4096u, pc.stream.inspect_window);
	pc.stream.midstream = app->a.stream_midstream != 0;
	pc.eve = app->ctl.eve;
	pc.autoblock = app->ctl.autoblock;
	pc.threshold = app->ctl.threshold;
	for (i = 0; i < app->n_ports; i++) {
		pc.ports[i].port_id = app->ports[i].port_id;
		pc.ports[i].out = app->n_ports == 2 ? 1 - i : HYP_PIPE_NO_PORT;
	}
	if (app->replay != NULL) {
		pc.prefilter = hyp_replay_prefilter;
		pc.prefilter_arg = app->replay;
	}
	return hyp_pipeline_create(&pc, app->ctl.engine, &app->ctl.pipe);
}

/*
 * A graceful stop's first step: every queue's xsks_map entry goes, so the
 * fail mode decides redirect candidates from here on, in the kernel, while
 * the pipeline drains what it already holds. Without it, packets would go on
 * being redirected to sockets nobody reads until the close removed them.
 */
static void
fence(struct hyp_app *app)
{
	unsigned int i, n, total = 0;

	/* no heartbeat from here: nothing should be redirected any more */
	hyp_ctl_heartbeat_stop(&app->ctl);
	/* and no unfence by hand either */
	pthread_mutex_lock(&app->ctl.lock);
	app->ctl.stopping = true;
	pthread_mutex_unlock(&app->ctl.lock);
	for (i = 0; i < app->n_ports; i++) {
		if (hyp_port_fence(&app->ports[i], app->a.start_queue, &n) < 0)
			continue;
		total += n;
	}
	app->stopping = true;
	if (app->replay == NULL)
		APP_LOG(INFO, "stopping: fenced %u queue%s, redirect candidates get the fail "
			"mode; draining", total, total == 1 ? "" : "s");
}

/*
 * --rules-report: what the policy's rule files gave the engine. The first
 * line is for scripts: "rules: N loaded, M skipped".
 */
static int
rules_report(const struct hyp_engine *e)
{
	const struct hyp_rules_report *r = hyp_engine_rules_report(e);
	const struct hyp_detect_info *d = hyp_engine_detect_info(e);
	struct hyp_rules_report sorted;
	unsigned int i;

	if (r == NULL) {
		printf("rules: 0 loaded, 0 skipped\n(the policy has no slow_path.rule_files)\n");
		return 0;
	}
	printf("rules: %u loaded, %u skipped\n", r->loaded, r->skipped);
	printf("errors: %u%s%s\n", r->errors, r->first_error[0] ? "; first: " : "",
	       r->first_error);
	printf("engine: %u rules, %u without a fast pattern (checked on every packet of their "
	       "protocol, or of the %u ports they name), %u databases (%zu KiB), %u pcre with "
	       "the JIT, built in %.0f ms\n", d->rules, d->no_fast_pattern, d->port_groups,
	       d->databases, d->db_bytes / 1024, d->pcre_jit, d->build_ms);
	/* the engine's copy stays as it is: sort a shallow copy's arrays */
	sorted = *r;
	sorted.skips = malloc((r->n_skips + 1) * sizeof(*r->skips));
	sorted.error_opts = malloc((r->n_error_opts + 1) * sizeof(*r->error_opts));
	if (sorted.skips == NULL || sorted.error_opts == NULL) {
		free(sorted.skips);
		free(sorted.error_opts);
		return -ENOMEM;
	}
	/* memcpy() from NULL is undefined even for 0 bytes */
	if (r->n_skips > 0)
		memcpy(sorted.skips, r->skips, r->n_skips * sizeof(*r->skips));
	if (r->n_error_opts > 0)
		memcpy(sorted.error_opts, r->error_opts, r->n_error_opts * sizeof(*r->error_opts));
	hyp_rules_report_sort(&sorted);
	printf("skipped, by keyword:\n");
	for (i = 0; i < sorted.n_skips; i++)
		printf("  %-40s %u\n", sorted.skips[i].key, sorted.skips[i].n);
	printf("errors, by option:\n");
	for (i = 0; i < sorted.n_error_opts; i++)
		printf("  %-40s %u\n", sorted.error_opts[i].key, sorted.error_opts[i].n);
	printf("loaded, by file:\n");
	for (i = 0; i < r->n_files; i++)
		printf("  %-40s %u\n", r->files[i].key, r->files[i].n);
	free(sorted.skips);
	free(sorted.error_opts);
	return 0;
}

static int
run(struct hyp_app *app)
{
	struct hyp_ctl *c = &app->ctl;
	struct hyp_engine *engine;
	struct hyp_policy *p;
	char err[512];
	int ret;

	ret = load_policy(&app->a, &p);
	if (ret < 0)
		return ret;
	ret = hyp_engine_build(p, 1, &engine, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "dpdk-hyperion: policy %s: %s\n", app->a.policy, err);
		return ret;
	}
	if (app->a.rules_report) {
		ret = rules_report(engine);
		hyp_engine_free(engine);
		return ret;
	}
	c->engine = engine;
	c->mode = app->a.pcap ? "replay" : app->a.mode == HYP_MODE_IPS ? "ips" : "ids";
	snprintf(c->policy_path, sizeof(c->policy_path), "%s", app->a.policy ? app->a.policy : "");
	if (app->a.reload_dir != NULL) {
		char real[PATH_MAX];
		struct stat st;

		/* resolved once: what a path named later must lie under */
		errno = 0;
		if (realpath(app->a.reload_dir, real) == NULL || stat(real, &st) < 0 ||
		    !S_ISDIR(st.st_mode)) {
			fprintf(stderr, "dpdk-hyperion: --reload-dir %s: %s\n", app->a.reload_dir,
				errno != 0 ? strerror(errno) : "not a directory");
			return -EINVAL;
		}
		if (strcmp(real, "/") == 0) {
			fprintf(stderr, "dpdk-hyperion: --reload-dir /: that is every file\n");
			return -EINVAL;
		}
		snprintf(c->reload_dir, sizeof(c->reload_dir), "%s", real);
	}
	if (app->a.eve != NULL) {
		c->eve = hyp_eve_open(app->a.eve, EVE_CAPACITY, EVE_DROP_RESERVE);
		if (c->eve == NULL) {
			fprintf(stderr, "dpdk-hyperion: cannot open the EVE log %s: %s\n", app->a.eve,
				rte_strerror(rte_errno));
			return -EIO;
		}
	}
	c->autoblock = hyp_autoblock_create(4096);
	if (c->autoblock == NULL)
		return -ENOMEM;
	c->threshold = hyp_threshold_create(HYP_THRESHOLD_ENTRIES_DEFAULT, rte_get_tsc_hz());
	if (c->threshold == NULL)
		return -ENOMEM;
	ret = hyp_ctl_autoblock_configure(c->autoblock, p);
	if (ret < 0)
		return ret;
	ret = open_ports(app);
	if (ret < 0)
		return ret;
	publish_ports(app);
	if (app->replay == NULL) {
		ret = hyp_ctl_program_ports(c, app->a.mode == HYP_MODE_IPS);
		if (ret < 0)
			return ret;
	}
	ret = make_pipeline(app);
	if (ret < 0)
		return ret;
	hyp_pipeline_print_roles(c->pipe, stdout);
	hyp_ctl_started(c);
	ret = hyp_telemetry_register(c);
	if (ret < 0) {
		fprintf(stderr, "dpdk-hyperion: registering the telemetry commands: %s\n",
			strerror(-ret));
		return ret;
	}
	if (app->a.metrics_port != 0) {
		struct hyp_metrics_conf mc = {
			.addr = app->a.metrics_addr, .port = app->a.metrics_port,
			.auth_file = app->a.metrics_auth, .tls_cert = app->a.metrics_tls_cert,
			.tls_key = app->a.metrics_tls_key,
		};
		char merr[512];

		app->metrics = hyp_metrics_open(c, &mc, merr, sizeof(merr));
		if (app->metrics == NULL) {
			fprintf(stderr, "dpdk-hyperion: cannot serve /metrics: %s "
				"(--metrics-port 0 turns it off)\n", merr);
			return -EINVAL;
		}
		APP_LOG(INFO, "/metrics on %s%s:%u%s", mc.tls_cert != NULL ? "https://" : "http://",
			app->a.metrics_addr, app->a.metrics_port,
			mc.auth_file != NULL ? ", basic auth" : "");
	}
	ret = hyp_pipeline_launch(c->pipe);
	if (ret < 0)
		return ret;
	/* a replay has no live watchdog to feed: the tick beats for it */
	if (app->replay == NULL) {
		ret = hyp_ctl_heartbeat_start(c);
		if (ret < 0)
			return ret;
	}
	printf("dpdk-hyperion running: %s %s%s%s\n", app->a.pcap ? "replaying" :
	       app->a.mode == HYP_MODE_IPS ? "ips on" : "ids on",
	       app->a.pcap ? app->a.pcap : app->a.iface,
	       app->a.peer ? " <-> " : "", app->a.peer ? app->a.peer : "");
	fflush(stdout);
	if (app->a.interactive)
		run_interactive(app);
	else
		control_loop(app);
	fence(app);
	hyp_pipeline_stop(c->pipe);
	hyp_ctl_print_stats(c, stdout, true);
	return 0;
}

/*
 * The PMD's close detaches whatever program is on the interface: a sensor
 * in fail-closed mode would be left wide open. Fail-closed, or asked to,
 * we put our program back (made before the close, attached right after).
 */
static void
keep_prepare(struct hyp_app *app, const struct hyp_engine *engine,
	     const struct hyp_autoblock *autoblock)
{
	struct hyp_autoblock_entry ab[1024];
	unsigned int i, n_ab = 0;
	uint64_t fm = HYP_FAIL_OPEN;

	if (!app->stopping || app->replay != NULL || engine == NULL || app->n_ports == 0 ||
	    app->ports[0].xdp == NULL)
		return;
	/* the fail mode in force: the console may have changed the policy's */
	hyp_xdp_config_get(app->ports[0].xdp, HYP_CFG_FAIL_MODE, &fm);
	if (fm != HYP_FAIL_CLOSED && !app->a.keep_fastpath)
		return;
	/* the first 1,024 auto-blocks go along, each with its expiry */
	if (autoblock != NULL) {
		struct hyp_autoblock_stats st;

		n_ab = hyp_autoblock_list(autoblock, hyp_xdp_now_ns(), ab, RTE_DIM(ab));
		hyp_autoblock_get_stats(autoblock, &st);
		if (st.active > n_ab)
			APP_LOG(WARNING, "keeping the fast path: %u of %" PRIu64 " auto-blocks go "
				"along, the rest end with this run", n_ab, st.active);
	}
	for (i = 0; i < app->n_ports; i++)
		hyp_port_keep_prepare(&app->ports[i], hyp_engine_policy(engine), fm,
				      app->a.mode == HYP_MODE_IPS,
				      app->n_ports == 2 ? app->ports[1 - i].ifindex : 0, ab, n_ab);
}

static void
teardown(struct hyp_app *app)
{
	struct hyp_ctl_parts parts;
	unsigned int i;
	uint64_t t0;

	/* the order matters: readers first, lcores, then sockets and programs, then logs */
	hyp_metrics_stop(app->metrics);
	hyp_ctl_heartbeat_stop(&app->ctl);
	hyp_ctl_stopped(&app->ctl, &parts);
	if (parts.pipe != NULL)
		hyp_pipeline_free(parts.pipe);
	keep_prepare(app, parts.engine, parts.autoblock);
	t0 = hyp_xdp_now_ns();
	for (i = 0; i < app->n_ports; i++)
		hyp_port_close(&app->ports[i]);
	for (i = 0; i < app->n_ports; i++)
		if (app->ports[i].keep != NULL && hyp_port_keep_attach(&app->ports[i]) == 0)
			APP_LOG(INFO, "%s: without an XDP program for %" PRIu64 " us between the "
				"close and the attach", app->ports[i].ifname,
				(hyp_xdp_now_ns() - t0) / 1000);
	hyp_replay_close(app->replay);
	if (parts.eve != NULL)
		hyp_eve_close(parts.eve);
	hyp_autoblock_free(parts.autoblock);
	hyp_threshold_free(parts.threshold);
	hyp_engine_free((struct hyp_engine *)(uintptr_t)parts.engine);
}

/*
 * The EAL's arguments with --no-pci added, unless the user's own ask for
 * PCI devices: an af_xdp application needs none, and a probe would take
 * whatever NIC the host has bound to a DPDK driver. The array lives as long
 * as the process (the EAL keeps pointers into it).
 */
/* not static: the store must stay, so the array is reachable (the EAL keeps pointers into it) */
char **hyp_eal_args;

static char **
eal_argv(int argc, char **argv, int *out_argc)
{
	static const char *const pci_args[] = { "-a", "--allow", "-b", "--block",
						"--pci-whitelist", "--pci-blacklist", "--no-pci" };
	bool pci = false;
	char **v;
	int i, k, end;

	for (end = 1; end < argc && strcmp(argv[end], "--") != 0; end++)
		for (k = 0; k < (int)RTE_DIM(pci_args); k++)
			if (strncmp(argv[end], pci_args[k], strlen(pci_args[k])) == 0)
				pci = true;
	v = calloc((size_t)argc + 2, sizeof(*v));
	if (v == NULL)
		return NULL;
	v[0] = argv[0];
	k = 1;
	if (!pci)
		v[k++] = (char *)(uintptr_t)"--no-pci";
	for (i = 1; i < argc; i++)
		v[k++] = argv[i];
	v[k] = NULL;
	*out_argc = k;
	hyp_eal_args = v;
	return v;
}

int
main(int argc, char **argv)
{
	struct hyp_app app;
	int ret;

	/* --help after "--" needs no EAL (which may want hugepages first) */
	for (ret = 1; ret < argc && strcmp(argv[ret], "--") != 0; ret++)
		;
	for (; ret < argc; ret++)
		if (strcmp(argv[ret], "--help") == 0 || strcmp(argv[ret], "-h") == 0) {
			hyp_args_usage("dpdk-hyperion");
			return 0;
		}
	memset(&app, 0, sizeof(app));
	hyp_ctl_init(&app.ctl);
	argv = eal_argv(argc, argv, &argc);
	if (argv == NULL) {
		fprintf(stderr, "dpdk-hyperion: out of memory\n");
		return 1;
	}
	rte_errno = 0;
	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		/* some of the EAL's failures leave rte_errno as it was: never "Success" */
		fprintf(stderr, "dpdk-hyperion: EAL initialisation failed: %s\n",
			rte_errno != 0 ? rte_strerror(rte_errno) :
			"no reason given (see the EAL's lines above)");
		return 1;
	}
	argc -= ret;
	argv += ret;
	argv[0] = "dpdk-hyperion";
	ret = hyp_args_parse(argc, argv, &app.a);
	if (ret != 0) {
		rte_eal_cleanup();
		return ret > 0 ? 0 : 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	signal(SIGUSR1, on_signal);

	ret = run(&app);
	teardown(&app);
	rte_eal_cleanup();
	return ret < 0 ? 1 : 0;
}
