/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpdk-hyperion: the slow path. Makes the af_xdp port(s) from --iface (and
 * --peer), finds the XDP program the PMD attached and brings its maps to the
 * policy, runs the lcore pipeline, and keeps the watchdog's heartbeat going.
 * SIGINT/SIGTERM: stop rx, drain the stages, print final statistics, close
 * the ports (the PMD removes the XDP program), exit 0.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "hyp_ctl.h"
#include "hyp_engine.h"
#include "hyp_eve.h"
#include "hyp_fastpath.h"
#include "hyp_policy.h"
#include "hyp_console.h"
#include "hyp_metrics.h"
#include "hyp_telemetry.h"
#include "hyperion.h"

RTE_LOG_REGISTER(hyp_app_logtype, hyp.app, INFO);

#define HEARTBEAT_MS 100

static volatile sig_atomic_t quit;
static volatile sig_atomic_t reload_requested;

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		reload_requested = 1;
	else
		quit = 1;
}

struct hyp_app {
	struct hyp_args a;
	struct hyp_port ports[HYP_PIPE_MAX_PORTS];
	unsigned int n_ports;
	struct hyp_engine *engine;
	struct hyp_eve *eve;
	struct hyp_pipeline *pipe;
	struct hyp_replay *replay;
	struct hyp_autoblock *autoblock;
	long pcap_packets;
	struct hyp_ctl ctl;		/* what telemetry, metrics and the console see */
	pthread_mutex_t reload_lock;	/* one reload at a time */
	struct hyp_metrics *metrics;
};

static uint64_t
realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int app_reload(struct hyp_ctl *c, const char *path, char *err, size_t err_len);

/* Publish the running instance to the control plane. */
static void
fill_ctl(struct hyp_app *app)
{
	struct hyp_ctl *c = &app->ctl;
	const struct hyp_policy *p = hyp_engine_policy(app->engine);
	unsigned int i;

	pthread_mutex_lock(&c->lock);
	for (i = 0; i < app->n_ports; i++) {
		struct hyp_ctl_port *cp = &c->ports[i];

		snprintf(cp->name, sizeof(cp->name), "%s", app->ports[i].name);
		snprintf(cp->ifname, sizeof(cp->ifname), "%s", app->ports[i].ifname);
		cp->ifindex = app->ports[i].ifindex;
		cp->port_id = app->ports[i].port_id;
		cp->nb_queues = app->ports[i].nb_queues;
		cp->start_queue = app->replay != NULL ? 0 : app->a.start_queue;
		cp->xdp = app->replay != NULL ? hyp_replay_xdp(app->replay) : app->ports[i].xdp;
	}
	c->n_ports = app->n_ports;
	c->pipe = app->pipe;
	c->engine = app->engine;
	c->eve = app->eve;
	c->autoblock = app->autoblock;
	c->mode = app->a.pcap ? "replay" : app->a.mode == HYP_MODE_IPS ? "ips" : "ids";
	snprintf(c->policy_path, sizeof(c->policy_path), "%s", app->a.policy ? app->a.policy : "");
	c->policy_hash = p->content_hash;
	c->policy_loaded_ns = realtime_ns();
	c->watchdog_ms = p->watchdog_ms;
	c->start_ns = realtime_ns();
	c->reload = app_reload;
	c->app = app;
	pthread_mutex_unlock(&c->lock);
}

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

/* The fast path of a live port: policy, mode, and a first heartbeat. */
static int
program_port(struct hyp_app *app, struct hyp_port *pt, const struct hyp_port *peer)
{
	const struct hyp_policy *p = hyp_engine_policy(app->engine);
	struct hyp_fastpath_stats st;
	struct hyp_xdp *x = pt->xdp;
	int ret;

	ret = hyp_xdp_config_defaults(x);
	if (ret == 0)
		ret = hyp_fastpath_apply(x, p, &st);
	if (ret == 0 && peer != NULL)
		ret = hyp_xdp_set_peer(x, peer->ifindex);
	if (ret == 0)
		ret = hyp_xdp_config_set(x, HYP_CFG_IPS, peer != NULL ? HYP_IPS_ON : HYP_IPS_OFF);
	if (ret == 0)
		ret = hyp_xdp_heartbeat(x);
	if (ret < 0)
		APP_LOG(ERR, "%s: applying the policy to the XDP program: %s", pt->ifname,
			strerror(-ret));
	else
		APP_LOG(INFO, "%s: XDP program id %u, %zu+%zu blocked prefixes, %zu redirect "
			"ports%s", pt->ifname, hyp_xdp_prog_id(x), p->n_drop_ips,
			p->n_drop_dst_ips, p->n_redirect_ports,
			peer != NULL ? ", forwarding to the peer" : "");
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
		ret = hyp_replay_open(hyp_engine_policy(app->engine), &app->replay);
		if (ret < 0)
			return ret;
		app->n_ports = 1;
		return hyp_port_open_pcap(&app->ports[0], a->pcap, a);
	}
	app->n_ports = a->mode == HYP_MODE_IPS ? 2 : 1;
	ret = hyp_port_open_afxdp(&app->ports[0], 0, a->iface, a, app->n_ports);
	if (ret == 0 && app->n_ports == 2)
		ret = hyp_port_open_afxdp(&app->ports[1], 1, a->peer, a, app->n_ports);
	if (ret == 0)
		ret = program_port(app, &app->ports[0],
				   app->n_ports == 2 ? &app->ports[1] : NULL);
	if (ret == 0 && app->n_ports == 2)
		ret = program_port(app, &app->ports[1], &app->ports[0]);
	return ret;
}

static void
print_fastpath(struct hyp_xdp *x, const char *name, FILE *f)
{
	struct hyp_counter c[HYP_R_MAX];
	unsigned int r;

	if (x == NULL || hyp_xdp_reason_stats(x, c) < 0)
		return;
	fprintf(f, "  fast path %s:", name);
	for (r = 0; r < HYP_R_MAX; r++)
		if (c[r].packets)
			fprintf(f, " %s=%llu%s", hyp_reason_name(r),
				(unsigned long long)c[r].packets,
				c[r].dropped ? "(dropped)" : "");
	fprintf(f, "\n");
}

static void
print_stats(struct hyp_app *app, bool final)
{
	struct hyp_lcore_stats t;
	unsigned int i, l;

	hyp_pipeline_totals(app->pipe, &t);
	printf("%s\n", final ? "== final statistics" : "== statistics");
	for (i = 0; i < app->n_ports; i++)
		print_fastpath(app->ports[i].xdp, app->ports[i].ifname, stdout);
	if (app->replay != NULL)
		print_fastpath(hyp_replay_xdp(app->replay), "(replay)", stdout);
	printf("  slow path: rx=%llu inspected=%llu dropped=%llu alerted=%llu passed=%llu "
	       "cached_drops=%llu tx=%llu tx_failed=%llu ring_full=%llu parse_errors=%llu "
	       "dns_errors=%llu flow_full=%llu eve_lost=%llu\n",
	       (unsigned long long)t.rx_pkts, (unsigned long long)t.inspected,
	       (unsigned long long)t.dropped, (unsigned long long)t.alerted,
	       (unsigned long long)t.passed, (unsigned long long)t.cached_drops,
	       (unsigned long long)t.tx_pkts, (unsigned long long)t.tx_failed,
	       (unsigned long long)t.ring_full, (unsigned long long)t.parse_errors,
	       (unsigned long long)t.dns_errors, (unsigned long long)t.flow_full,
	       (unsigned long long)t.eve_lost);
	if (app->autoblock != NULL) {
		struct hyp_autoblock_stats ab;

		hyp_autoblock_get_stats(app->autoblock, &ab);
		printf("  autoblock: blocked=%llu active=%u refused=%llu lost=%llu failed=%llu\n",
		       (unsigned long long)ab.blocked, ab.active, (unsigned long long)ab.refused,
		       (unsigned long long)ab.lost, (unsigned long long)ab.failed);
	}
	if (app->eve != NULL)
		printf("  eve: written=%llu lost=%llu\n",
		       (unsigned long long)hyp_eve_written(app->eve),
		       (unsigned long long)(hyp_eve_lost(app->eve)));
	RTE_LCORE_FOREACH_WORKER(l) {
		const struct hyp_lcore_stats *s = hyp_pipeline_lcore_stats(app->pipe, l);

		if (hyp_pipeline_role(app->pipe, l) == HYP_ROLE_IDLE)
			continue;
		printf("  lcore %u %-9s rx=%llu bursts=%llu empty=%llu busy=%.1f%%\n", l,
		       hyp_role_name(hyp_pipeline_role(app->pipe, l)),
		       (unsigned long long)s->rx_pkts, (unsigned long long)s->rx_bursts,
		       (unsigned long long)s->rx_empty,
		       s->poll_cycles ? 100.0 * s->busy_cycles / s->poll_cycles : 0.0);
	}
	fflush(stdout);
}

/* Bring every port's XDP maps to p; on failure, back to old. */
static int
apply_fastpath(struct hyp_app *app, const struct hyp_policy *p,
	       const struct hyp_policy *old, char *err, size_t err_len)
{
	struct hyp_xdp *xs[HYP_PIPE_MAX_PORTS];
	unsigned int i, bad = 0;
	int ret;

	for (i = 0; i < app->ctl.n_ports; i++)
		xs[i] = app->ctl.ports[i].xdp;
	ret = hyp_fastpath_apply_all(xs, app->ctl.n_ports, p, old, &bad);
	if (ret < 0 && err_len > 0)
		snprintf(err, err_len, "%s: writing the XDP maps: %s",
			 app->ctl.ports[bad].ifname, strerror(-ret));
	return ret;
}

/*
 * A policy reload: parse, validate and compile off the data path; then the
 * XDP maps (new entries before old ones go), then the engine (scratches made
 * first, QSBR before the old one is freed). A file that fails anywhere
 * before the maps changes nothing.
 */
static int
app_reload(struct hyp_ctl *c, const char *path, char *err, size_t err_len)
{
	struct hyp_app *app = c->app;
	struct hyp_policy_error perr;
	const struct hyp_engine *old;
	struct hyp_engine *e;
	struct hyp_policy *p;
	char file[sizeof(c->policy_path)];
	int ret;

	pthread_mutex_lock(&app->reload_lock);
	pthread_mutex_lock(&c->lock);
	snprintf(file, sizeof(file), "%s", path != NULL ? path : c->policy_path);
	pthread_mutex_unlock(&c->lock);
	if (file[0] == '\0') {
		snprintf(err, err_len, "no policy file to reload (started without --policy)");
		ret = -EINVAL;
		goto out;
	}
	ret = hyp_policy_load(file, &p, &perr);
	if (ret < 0) {
		hyp_policy_error_str(&perr, err, err_len);
		goto out;
	}
	ret = hyp_engine_build(p, hyp_engine_gen(app->engine) + 1, &e, err, err_len);
	if (ret < 0)
		goto out;
	ret = apply_fastpath(app, hyp_engine_policy(e), hyp_engine_policy(app->engine),
			     err, err_len);
	if (ret < 0) {
		hyp_engine_free(e);
		goto out;
	}
	/*
	 * Readers (telemetry, metrics, console) follow ctl->engine and the
	 * pipeline's generation under the lock: swap and publish under it, and
	 * free the old engine only once nobody can reach it.
	 */
	pthread_mutex_lock(&c->lock);
	old = hyp_pipeline_swap_engine(app->pipe, e);
	if (old == NULL) {
		pthread_mutex_unlock(&c->lock);
		snprintf(err, err_len, "no memory for the new engine's scratch space");
		apply_fastpath(app, hyp_engine_policy(app->engine), NULL, err, 0);
		hyp_engine_free(e);
		ret = -ENOMEM;
		goto out;
	}
	app->engine = e;
	c->engine = e;
	snprintf(c->policy_path, sizeof(c->policy_path), "%s", file);
	c->policy_hash = hyp_engine_policy(e)->content_hash;
	c->policy_loaded_ns = realtime_ns();
	c->watchdog_ms = hyp_engine_policy(e)->watchdog_ms;
	c->reloads_ok++;
	c->last_error[0] = '\0';
	pthread_mutex_unlock(&c->lock);
	hyp_engine_free((struct hyp_engine *)(uintptr_t)old);
	hyp_autoblock_configure(app->autoblock, hyp_engine_policy(e)->auto_block_hits,
				hyp_engine_policy(e)->auto_block_ttl_s);
	APP_LOG(INFO, "policy %s loaded (generation %u)", file, hyp_engine_gen(e));
out:
	if (ret < 0) {
		pthread_mutex_lock(&c->lock);
		c->reloads_failed++;
		snprintf(c->last_error, sizeof(c->last_error), "%s", err);
		pthread_mutex_unlock(&c->lock);
		APP_LOG(ERR, "policy reload refused, the running policy stays: %s", err);
	}
	pthread_mutex_unlock(&app->reload_lock);
	return ret;
}

/* Replay ends when every packet of the file went in and every stage is empty. */
static bool
replay_done(struct hyp_app *app)
{
	struct hyp_lcore_stats t;

	hyp_pipeline_totals(app->pipe, &t);
	return (long)t.rx_pkts >= app->pcap_packets && hyp_pipeline_idle(app->pipe);
}

static void
control_loop(struct hyp_app *app)
{
	uint64_t hz = rte_get_timer_hz(), next_stats, now;
	struct hyp_xdp *xdps[HYP_PIPE_MAX_PORTS];
	unsigned int i, n_xdp;

	next_stats = rte_get_timer_cycles() + app->a.stats_period * hz;
	while (!quit) {
		rte_delay_us_sleep(HEARTBEAT_MS * 1000);
		for (i = 0; i < app->n_ports; i++)
			if (app->ports[i].xdp != NULL)
				hyp_xdp_heartbeat(app->ports[i].xdp);
		pthread_mutex_lock(&app->ctl.lock);
		app->ctl.last_heartbeat_ns = hyp_xdp_now_ns();
		for (i = 0; i < app->ctl.n_ports; i++)
			xdps[i] = app->ctl.ports[i].xdp;
		n_xdp = app->ctl.n_ports;
		pthread_mutex_unlock(&app->ctl.lock);
		hyp_autoblock_poll(app->autoblock, xdps, n_xdp, hyp_xdp_now_ns());
		now = rte_get_timer_cycles();
		if (app->a.stats_period && now >= next_stats) {
			print_stats(app, false);
			next_stats = now + app->a.stats_period * hz;
		}
		if (reload_requested) {
			char err[640];

			reload_requested = 0;
			app_reload(&app->ctl, NULL, err, sizeof(err));
		}
		/* two idle looks in a row: the last burst may still be in a worker */
		if (app->replay != NULL && replay_done(app)) {
			rte_delay_us_sleep(HEARTBEAT_MS * 1000);
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

/* -i: the console owns stdin/stdout; heartbeats and reloads go on beside it. */
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
run(struct hyp_app *app)
{
	struct hyp_pipe_conf pc;
	struct hyp_policy *p;
	char err[512];
	unsigned int i;
	int ret;

	ret = load_policy(&app->a, &p);
	if (ret < 0)
		return ret;
	ret = hyp_engine_build(p, 1, &app->engine, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "dpdk-hyperion: policy %s: %s\n", app->a.policy, err);
		return ret;
	}
	if (app->a.eve != NULL) {
		app->eve = hyp_eve_open(app->a.eve, 4096);
		if (app->eve == NULL) {
			fprintf(stderr, "dpdk-hyperion: cannot open the EVE log %s\n", app->a.eve);
			return -EIO;
		}
	}
	app->autoblock = hyp_autoblock_create(4096);
	if (app->autoblock == NULL)
		return -ENOMEM;
	hyp_autoblock_configure(app->autoblock, p->auto_block_hits, p->auto_block_ttl_s);
	ret = open_ports(app);
	if (ret < 0)
		return ret;

	memset(&pc, 0, sizeof(pc));
	pc.mode = app->a.pipeline;
	pc.n_ports = app->n_ports;
	pc.nb_queues = app->a.queues;
	pc.n_io = app->a.io_lcores;
	pc.ring_size = app->a.ring_size;
	pc.burst = app->a.burst;
	pc.flow_entries = app->a.flow_entries;
	pc.flow_idle_ms = 60000;
	pc.eve = app->eve;
	pc.autoblock = app->autoblock;
	for (i = 0; i < app->n_ports; i++) {
		pc.ports[i].port_id = app->ports[i].port_id;
		pc.ports[i].out = app->n_ports == 2 ? 1 - i : HYP_PIPE_NO_PORT;
	}
	if (app->replay != NULL) {
		pc.prefilter = hyp_replay_prefilter;
		pc.prefilter_arg = app->replay;
	}
	ret = hyp_pipeline_create(&pc, app->engine, &app->pipe);
	if (ret < 0)
		return ret;
	hyp_pipeline_print_roles(app->pipe, stdout);
	fill_ctl(app);
	ret = hyp_telemetry_register(&app->ctl);
	if (ret < 0) {
		fprintf(stderr, "dpdk-hyperion: registering the telemetry commands: %s\n",
			strerror(-ret));
		return ret;
	}
	if (app->a.metrics_port != 0) {
		app->metrics = hyp_metrics_start(&app->ctl, app->a.metrics_addr,
						 app->a.metrics_port);
		if (app->metrics == NULL) {
			fprintf(stderr, "dpdk-hyperion: cannot serve /metrics on %s:%u "
				"(--metrics-port 0 turns it off)\n", app->a.metrics_addr,
				app->a.metrics_port);
			return -EADDRINUSE;
		}
	}
	ret = hyp_pipeline_launch(app->pipe);
	if (ret < 0)
		return ret;
	printf("dpdk-hyperion running: %s %s%s%s\n", app->a.pcap ? "replaying" :
	       app->a.mode == HYP_MODE_IPS ? "ips on" : "ids on",
	       app->a.pcap ? app->a.pcap : app->a.iface,
	       app->a.peer ? " <-> " : "", app->a.peer ? app->a.peer : "");
	fflush(stdout);
	if (app->a.interactive)
		run_interactive(app);
	else
		control_loop(app);
	hyp_pipeline_stop(app->pipe);
	print_stats(app, true);
	return 0;
}

static void
teardown(struct hyp_app *app)
{
	unsigned int i;

	/* the order matters: readers first, lcores, then sockets and programs, then logs */
	hyp_metrics_stop(app->metrics);
	/* telemetry commands cannot be unregistered: leave them nothing to read */
	pthread_mutex_lock(&app->ctl.lock);
	app->ctl.n_ports = 0;
	app->ctl.pipe = NULL;
	app->ctl.engine = NULL;
	app->ctl.eve = NULL;
	app->ctl.autoblock = NULL;
	app->ctl.reload = NULL;
	pthread_mutex_unlock(&app->ctl.lock);
	if (app->pipe != NULL)
		hyp_pipeline_free(app->pipe);
	for (i = 0; i < app->n_ports; i++)
		hyp_port_close(&app->ports[i]);
	hyp_replay_close(app->replay);
	if (app->eve != NULL)
		hyp_eve_close(app->eve);
	hyp_autoblock_free(app->autoblock);
	hyp_engine_free(app->engine);
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
	pthread_mutex_init(&app.ctl.lock, NULL);
	pthread_mutex_init(&app.reload_lock, NULL);
	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "dpdk-hyperion: EAL initialisation failed: %s\n",
			rte_strerror(rte_errno));
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

	ret = run(&app);
	teardown(&app);
	rte_eal_cleanup();
	return ret < 0 ? 1 : 0;
}
