/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A probe of DPDK 22.11's af_xdp PMD for test_pmd_facts.sh: make an af_xdp
 * port on IFACE queue 0, close it the way an application would (stop,
 * close, hotplug remove), then make it again in the same process, with a
 * pool of its own (so a leaked fill ring cannot be the reason). Prints
 * one line per step, "second: <errno name>" for the second set-up's result
 * (0 if it worked), and what the close left: the process's AF_XDP
 * descriptors before and after it. Exit 0 when every step ran, whatever
 * the PMD answered (the script decides what is expected).
 *   usage: hyp_pmd_recreate IFACE XDP_OBJECT [SECOND_QUEUE]
 * SECOND_QUEUE (default 0) is the queue of the second port: another queue
 * tells "the same queue" from "any second port".
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_bus_vdev.h>
#include <rte_mbuf.h>

#include "hyp_xskdiag.h"

static int
make_port(const char *name, const char *args, struct rte_mempool *mp, uint16_t *port)
{
	struct rte_eth_conf conf;
	int ret;

	memset(&conf, 0, sizeof(conf));
	ret = rte_eal_hotplug_add("vdev", name, args);
	if (ret < 0)
		return ret;
	ret = rte_eth_dev_get_port_by_name(name, port);
	if (ret == 0)
		ret = rte_eth_dev_configure(*port, 1, 1, &conf);
	if (ret == 0)
		ret = rte_eth_rx_queue_setup(*port, 0, 512, SOCKET_ID_ANY, NULL, mp);
	if (ret == 0)
		ret = rte_eth_tx_queue_setup(*port, 0, 512, SOCKET_ID_ANY, NULL);
	if (ret == 0)
		ret = rte_eth_dev_start(*port);
	return ret;
}

static void
close_port(const char *name, uint16_t port)
{
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	rte_eal_hotplug_remove("vdev", name);
}

int
main(int argc, char **argv)
{
	char args[512], prefix[64];
	char *eal[] = { argv[0], "--no-huge", "-m", "256", "--no-pci", "--file-prefix", prefix,
			"--log-level", "*:error" };
	struct rte_mempool *mp;
	int fds[64], before, after, ret;
	uint16_t port;

	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: %s IFACE XDP_OBJECT [SECOND_QUEUE]\n", argv[0]);
		return 2;
	}
	snprintf(prefix, sizeof(prefix), "pmdrecreate%d", (int)getpid());
	if (rte_eal_init((int)RTE_DIM(eal), eal) < 0) {
		printf("eal: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	/* the PMD registers a port's pool as its UMEM */
	mp = rte_pktmbuf_pool_create("pmdrecreate", 4095, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				     SOCKET_ID_ANY);
	if (mp == NULL) {
		printf("pool: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	snprintf(args, sizeof(args), "iface=%s,start_queue=0,queue_count=1,xdp_prog=%s",
		 argv[1], argv[2]);
	ret = make_port("net_af_xdp0", args, mp, &port);
	printf("first: %s\n", ret == 0 ? "0" : strerror(-ret));
	if (ret != 0)
		return 1;
	before = hyp_xskdiag_own_fds(fds, RTE_DIM(fds));
	close_port("net_af_xdp0", port);
	after = hyp_xskdiag_own_fds(fds, RTE_DIM(fds));
	printf("close: %d of %d AF_XDP descriptors left open\n", after, before);
	snprintf(args, sizeof(args), "iface=%s,start_queue=%s,queue_count=1,xdp_prog=%s",
		 argv[1], argc == 4 ? argv[3] : "0", argv[2]);
	mp = rte_pktmbuf_pool_create("pmdrecreate2", 4095, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				     SOCKET_ID_ANY);
	ret = mp == NULL ? -ENOMEM : make_port("net_af_xdp1", args, mp, &port);
	printf("second: %s\n", ret == 0 ? "0" : ret == -EBUSY ? "EBUSY" : strerror(-ret));
	if (ret == 0)
		close_port("net_af_xdp1", port);
	rte_eal_cleanup();
	return 0;
}
