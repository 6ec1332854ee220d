/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ports: the af_xdp vdev made from --iface (users never write devargs), or
 * a pcap vdev for --pcap; the mbuf pool sized for the queues and for what
 * the pipeline may park.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "hyp_fastpath.h"
#include "hyperion.h"

#define POOL_CACHE 256
/* mbufs the 22.11 af_xdp PMD puts in a queue's fill ring at set-up */
#define HYP_AFXDP_FILL_RESERVE 2048u

/*
 * The af_xdp PMD takes nb_desc mbufs per queue for its fill ring at set-up
 * and keeps refilling it from this pool; packets parked in rings and bursts
 * are out of the pool too. When the pool runs dry the PMD's rx burst returns
 * nothing (counted as rx_nombuf), the socket's rx ring fills, and the kernel
 * drops what XDP redirects (the socket's rx_dropped): so size for the worst
 * parking, not the average.
 */
unsigned int
hyp_port_pool_size(const struct hyp_args *a, unsigned int nb_desc, unsigned int n_ports)
{
	unsigned int lcores = rte_lcore_count();
	unsigned long n;

	/* the fill ring: 22.11 reserves ETH_AF_XDP_DFLT_NUM_DESCS (2048) at set-up, whatever nb_desc */
	n = (unsigned long)a->queues * (RTE_MAX(nb_desc, HYP_AFXDP_FILL_RESERVE) + nb_desc);
	n += (unsigned long)lcores * a->ring_size * (1 + n_ports);	/* stage rings */
	n += (unsigned long)lcores * (4 * a->burst + POOL_CACHE * 3 / 2);
	return rte_align32pow2(n) - 1;	/* mempools like 2^n - 1 */
}

/*
 * The fewest mbufs a port can run on at all: its fill rings, and what the
 * lcores' mempool caches can hold (each up to 1.5 x POOL_CACHE, never given
 * back below that) plus a burst each. Fewer, and mbufs a worker freed into
 * its own cache are out of the rx path's reach for good: measured, the rx
 * path then starved for ever (rx_nombuf climbing, nothing received).
 */
unsigned int
hyp_port_pool_min(const struct hyp_args *a)
{
	unsigned int lcores = rte_lcore_count();

	return a->queues * HYP_AFXDP_FILL_RESERVE + lcores * (POOL_CACHE * 3 / 2 + a->burst);
}

static int
make_pool(struct hyp_port *pt, unsigned int n)
{
	char name[RTE_MEMPOOL_NAMESIZE];

	snprintf(name, sizeof(name), "hyp_%.20s", pt->name);
	pt->pool = rte_pktmbuf_pool_create(name, n, POOL_CACHE, 0,
					   RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	if (pt->pool == NULL) {
		APP_LOG(ERR, "%s: a pool of %u mbufs (%u MiB) does not fit: give EAL more "
			"memory (-m), or lower --rx-desc/--ring-size/--queues: %s", pt->name, n,
			(unsigned int)((unsigned long)n * (RTE_MBUF_DEFAULT_BUF_SIZE + 128 +
			sizeof(struct rte_mbuf)) >> 20), rte_strerror(rte_errno));
		return -ENOMEM;
	}
	/* the af_xdp PMD registers the pool as one UMEM: one chunk of memory */
	if (pt->pool->nb_mem_chunks != 1) {
		APP_LOG(ERR, "%s: the mbuf pool came in %u chunks; AF_XDP needs one "
			"(use --no-huge, or larger hugepages)", pt->name,
			pt->pool->nb_mem_chunks);
		return -ENOMEM;
	}
	APP_LOG(INFO, "%s: %u mbufs in the pool", pt->name, n);
	return 0;
}

/* room for the sockets of every port's queues, with some to spare */
#define HYP_OWN_XSK_MAX (2 * HYP_PIPE_MAX_PORTS * HYP_PIPE_MAX_QUEUES)

/*
 * Queue q's socket is the one AF_XDP descriptor its set-up added: the PMD
 * says nothing of its sockets, and guessing by creation order breaks as
 * soon as anything else (libxdp, a second port) opens one in between.
 */
static void
own_socket(struct hyp_port *pt, uint16_t q, const int *before, int nb, const int *after,
	   int na)
{
	struct hyp_xsk_diag d;
	int i, j, fd = -1, added = 0;

	pt->xsk[q].fd = -1;
	pt->xsk[q].inode = 0;
	if (nb < 0 || na < 0 || nb > HYP_OWN_XSK_MAX || na > HYP_OWN_XSK_MAX) {
		APP_LOG(WARNING, "%s: queue %u: cannot list the process's AF_XDP sockets; "
			"its kernel counters come from sock_diag alone", pt->name, q);
		return;
	}
	for (i = 0; i < na; i++) {
		for (j = 0; j < nb && before[j] != after[i]; j++)
			;
		if (j == nb) {
			fd = after[i];
			added++;
		}
	}
	if (added != 1 || hyp_xskdiag_fd(fd, &d) < 0) {
		if (pt->ifindex != 0)
			APP_LOG(WARNING, "%s: queue %u: its set-up made %d AF_XDP sockets, not "
				"one; its kernel counters come from sock_diag alone", pt->name,
				q, added);
		return;
	}
	pt->xsk[q].fd = fd;
	pt->xsk[q].inode = d.inode;
	APP_LOG(INFO, "%s: queue %u: AF_XDP socket fd %d, inode %" PRIu64 ", %s", pt->name,
		q, fd, d.inode, !d.options_known ? "mode unknown" :
		d.zerocopy ? "zero-copy" : "copy mode");
}

static int
setup_queues(struct hyp_port *pt, const struct hyp_args *a)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	uint16_t q;
	int ret;

	memset(&conf, 0, sizeof(conf));
	for (q = 0; q < RTE_DIM(pt->xsk); q++)
		pt->xsk[q].fd = -1;
	ret = rte_eth_dev_info_get(pt->port_id, &info);
	if (ret < 0)
		return ret;
	if (pt->nb_queues > info.max_rx_queues || pt->nb_queues > info.max_tx_queues) {
		APP_LOG(ERR, "%s: %u queues asked, the port has %u", pt->name, pt->nb_queues,
			info.max_rx_queues);
		return -EINVAL;
	}
	ret = rte_eth_dev_configure(pt->port_id, pt->nb_queues, pt->nb_queues, &conf);
	if (ret < 0) {
		APP_LOG(ERR, "%s: configure: %s", pt->name, strerror(-ret));
		return ret;
	}
	for (q = 0; q < pt->nb_queues; q++) {
		int before[HYP_OWN_XSK_MAX], after[HYP_OWN_XSK_MAX], nb, na;

		nb = hyp_xskdiag_own_fds(before, RTE_DIM(before));
		ret = rte_eth_rx_queue_setup(pt->port_id, q, pt->nb_desc,
					     rte_eth_dev_socket_id(pt->port_id), NULL, pt->pool);
		na = ret == 0 ? hyp_xskdiag_own_fds(after, RTE_DIM(after)) : -1;
		if (ret == 0)
			own_socket(pt, q, before, nb, after, na);
		if (ret == 0)
			ret = rte_eth_tx_queue_setup(pt->port_id, q, pt->nb_desc,
						     rte_eth_dev_socket_id(pt->port_id), NULL);
		if (ret < 0) {
			APP_LOG(ERR, "%s: queue %u set-up: %s", pt->name, q, strerror(-ret));
			return ret;
		}
	}
	ret = rte_eth_dev_start(pt->port_id);
	if (ret < 0) {
		APP_LOG(ERR, "%s: start: %s", pt->name, strerror(-ret));
		return ret;
	}
	pt->started = true;
	return 0;
}

static int
probe(struct hyp_port *pt, const char *args)
{
	/* the EAL hotplug call: the vdev bus driver is not linked by pkg-config */
	int ret = rte_eal_hotplug_add("vdev", pt->name, args);

	if (ret < 0) {
		APP_LOG(ERR, "%s: cannot create the port (%s): %s", pt->name, args,
			strerror(-ret));
		return ret;
	}
	pt->probed = true;
	ret = rte_eth_dev_get_port_by_name(pt->name, &pt->port_id);
	if (ret < 0)
		APP_LOG(ERR, "%s: no ethdev after probe", pt->name);
	return ret;
}

/* A program a previous run left attached would make the PMD fail (EBUSY). */
static int
clear_stale(struct hyp_port *pt)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	struct hyp_xdp *old;
	int ret;

	if (bpf_xdp_query(pt->ifindex, 0, &q) == 0 && q.prog_id == 0 &&
	    q.drv_prog_id == 0 && q.skb_prog_id == 0)
		return 0;	/* the usual case: nothing attached */
	ret = hyp_xdp_open_attached(pt->ifindex, &old);
	if (ret == -ENOENT)
		return 0;
	if (ret == -ENOTSUP) {
		APP_LOG(ERR, "%s has another XDP program attached; remove it first "
			"(ip link set dev %s xdp off)", pt->ifname, pt->ifname);
		return -EBUSY;
	}
	if (ret < 0)
		return ret;
	{
		uint64_t kept = 0;

		hyp_xdp_config_get(old, HYP_CFG_KEPT, &kept);
		if (kept)
			APP_LOG(WARNING, "%s: replacing hyperion program id %u a graceful stop "
				"kept (fail-closed or --keep-fastpath): the interface is open "
				"until the new one is attached", pt->ifname, hyp_xdp_prog_id(old));
		else
			APP_LOG(WARNING, "%s: removing hyperion program id %u left by an "
				"earlier run", pt->ifname, hyp_xdp_prog_id(old));
	}
	ret = hyp_xdp_detach_ifindex(old, pt->ifindex);
	hyp_xdp_close(old);
	if (ret == 0)
		pt->open_since_ns = hyp_xdp_now_ns();
	return ret;
}

static const char *
xdp_prog_path(const struct hyp_args *a)
{
	if (a->xdp_prog != NULL)
		return a->xdp_prog;
	if (access(HYP_XDP_PROG_INSTALLED, R_OK) == 0)
		return HYP_XDP_PROG_INSTALLED;
	return HYP_XDP_PROG_BUILD;	/* running from the build tree */
}

int
hyp_port_open_afxdp(struct hyp_port *pt, unsigned int idx, const char *ifname,
		    const struct hyp_args *a, unsigned int n_ports)
{
	const char *prog = xdp_prog_path(a);
	char args[512], drv[128];
	int ret;

	memset(pt, 0, sizeof(*pt));
	snprintf(pt->name, sizeof(pt->name), "net_af_xdp%u", idx);
	snprintf(pt->ifname, sizeof(pt->ifname), "%s", ifname);
	pt->nb_queues = a->queues;
	pt->ifindex = if_nametoindex(ifname);
	if (pt->ifindex == 0) {
		APP_LOG(ERR, "no interface '%s'", ifname);
		return -ENODEV;
	}
	if (access(prog, R_OK) != 0) {
		APP_LOG(ERR, "XDP object %s: %s (build it, or give --xdp-prog)", prog,
			strerror(errno));
		return -ENOENT;
	}
	ret = hyp_driver_prepare(pt, a, drv, sizeof(drv));
	if (ret < 0)
		return ret;
	ret = make_pool(pt, a->mbufs != 0 ? a->mbufs : hyp_port_pool_size(a, pt->nb_desc, n_ports));
	if (ret < 0)
		return ret;
	snprintf(args, sizeof(args), "iface=%s,start_queue=%u,queue_count=%u,xdp_prog=%s%s",
		 ifname, a->start_queue, a->queues, prog, drv);
	/* as late as can be: from here the interface is bare until the PMD attaches */
	ret = clear_stale(pt);
	if (ret == 0)
		ret = probe(pt, args);
	if (ret == 0)
		ret = setup_queues(pt, a);
	if (ret < 0)
		return ret;
	hyp_driver_check(pt);
	/* the PMD attached the program at queue set-up: take its maps */
	ret = hyp_xdp_open_attached(pt->ifindex, &pt->xdp);
	if (ret < 0)
		APP_LOG(ERR, "%s: the af_xdp port is up but its XDP program cannot be found",
			ifname);
	else if (pt->open_since_ns != 0)
		/* the PMD attaches only to a bare interface: say how long it was one */
		APP_LOG(INFO, "%s: no XDP program for %" PRIu64 " us between the old "
			"program's removal and the PMD's attach", ifname,
			(hyp_xdp_now_ns() - pt->open_since_ns) / 1000);
	return ret;
}

int
hyp_port_open_pcap(struct hyp_port *pt, const char *file, const struct hyp_args *a)
{
	char args[PATH_MAX + 64];
	int ret;

	memset(pt, 0, sizeof(*pt));
	snprintf(pt->name, sizeof(pt->name), "net_pcap0");
	snprintf(pt->ifname, sizeof(pt->ifname), "pcap");
	pt->nb_queues = 1;
	if (access(file, R_OK) != 0) {
		APP_LOG(ERR, "pcap %s: %s", file, strerror(errno));
		return -errno;
	}
	pt->nb_desc = a->nb_desc;
	ret = make_pool(pt, hyp_port_pool_size(a, pt->nb_desc, 1));
	if (ret < 0)
		return ret;
	/* no tx_pcap: the PMD drops what is sent, and IDS replay sends nothing */
	snprintf(args, sizeof(args), "rx_pcap=%s", file);
	ret = probe(pt, args);
	return ret < 0 ? ret : setup_queues(pt, a);
}

int
hyp_port_fence(struct hyp_port *pt, unsigned int start_queue, unsigned int *n)
{
	int ret;

	*n = 0;
	if (pt->xdp == NULL)
		return 0;
	ret = hyp_xdp_fence(pt->xdp, start_queue, pt->nb_queues);
	if (ret == 0)
		*n = pt->nb_queues;
	return ret;
}

/*
 * The program a graceful stop leaves behind, made while the port still
 * runs: the running policy's fast path (blocklists, rate limits), the fail
 * mode in force, no sockets (every redirect candidate gets the fail mode), no
 * watchdog (nobody will beat), the peer for IPS, and the auto-blocks in
 * force (they carry their expiry; the program deletes them when met).
 */
int
hyp_port_keep_prepare(struct hyp_port *pt, const struct hyp_policy *p, uint64_t fail_mode,
		      bool ips, unsigned int peer_ifindex,
		      const struct hyp_autoblock_entry *ab, unsigned int n_ab)
{
	uint64_t now = hyp_xdp_now_ns();
	unsigned int i;
	int ret;

	ret = hyp_xdp_load(&pt->keep);
	if (ret == 0)
		ret = hyp_xdp_config_defaults(pt->keep);
	if (ret == 0)
		ret = hyp_fastpath_apply(pt->keep, p, NULL);
	/* the fail mode in force (the console may have changed the policy's) */
	if (ret == 0)
		ret = hyp_xdp_config_set(pt->keep, HYP_CFG_FAIL_MODE, fail_mode);
	if (ret == 0)
		ret = hyp_xdp_config_set(pt->keep, HYP_CFG_WATCHDOG_NS, 0);
	if (ret == 0 && ips)
		ret = hyp_xdp_config_set(pt->keep, HYP_CFG_IPS, HYP_IPS_ON);
	if (ret == 0 && ips)
		ret = hyp_xdp_set_peer(pt->keep, peer_ifindex);
	for (i = 0; ret == 0 && i < n_ab; i++)
		if (ab[i].expires_ns > now)
			ret = hyp_xdp_autoblock_add(pt->keep, &ab[i].key, ab[i].expires_ns - now);
	if (ret == 0)
		ret = hyp_xdp_config_set(pt->keep, HYP_CFG_KEPT, 1);
	if (ret < 0) {
		APP_LOG(ERR, "%s: preparing the fast path to keep: %s; the interface will "
			"be left without it", pt->ifname, strerror(-ret));
		hyp_xdp_close(pt->keep);
		pt->keep = NULL;
	}
	return ret;
}

/* After the close: attach what keep_prepare made, and leave it there. */
int
hyp_port_keep_attach(struct hyp_port *pt)
{
	int ret;

	if (pt->keep == NULL)
		return 0;
	ret = hyp_xdp_attach(pt->keep, pt->ifindex, 0);
	if (ret == 0) {
		APP_LOG(INFO, "%s: kept the fast path: hyperion program id %u stays attached",
			pt->ifname, hyp_xdp_prog_id(pt->keep));
		hyp_xdp_disown(pt->keep);
	} else {
		APP_LOG(ERR, "%s: attaching the kept fast path: %s; the interface has no "
			"XDP program", pt->ifname, strerror(-ret));
	}
	hyp_xdp_close(pt->keep);
	pt->keep = NULL;
	return ret;
}

/* Stop and close: the af_xdp PMD removes the XDP program at close. */
void
hyp_port_close(struct hyp_port *pt)
{
	if (pt->xdp != NULL) {
		hyp_xdp_close(pt->xdp);
		pt->xdp = NULL;
	}
	if (pt->started) {
		rte_eth_dev_stop(pt->port_id);
		pt->started = false;
	}
	if (pt->probed) {
		int fds[HYP_OWN_XSK_MAX], before, after;

		before = hyp_xskdiag_own_fds(fds, RTE_DIM(fds));
		rte_eth_dev_close(pt->port_id);
		rte_eal_hotplug_remove("vdev", pt->name);
		pt->probed = false;
		after = hyp_xskdiag_own_fds(fds, RTE_DIM(fds));
		/* software teardown is not the kernel's: say what it still holds */
		if (pt->ifindex != 0 && before >= 0 && after >= 0)
			APP_LOG(INFO, "%s: the close left %d of the process's %d AF_XDP sockets "
				"open", pt->name, after, before);
	}
	hyp_driver_restore(pt);
	/*
	 * DPDK 22.11.5+ never deletes the af_xdp UMEM at close (a refcount
	 * backport bug), so the kernel may still hold the pool's pages: leave
	 * the pool to process exit rather than hand those pages out again.
	 */
	if (pt->pool != NULL && strncmp(pt->name, "net_pcap", 8) == 0)
		rte_mempool_free(pt->pool);
	pt->pool = NULL;
}
