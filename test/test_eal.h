/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * EAL set-up and tear-down shared by the unit tests and benchmarks that
 * need DPDK: no hugepages, no PCI, a file prefix of their own, and the
 * runtime directory removed at the end (--no-huge still leaves a few MB of
 * files per run).
 */
#ifndef HYP_TEST_EAL_H
#define HYP_TEST_EAL_H

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>

#include "tap.h"

static char test_eal_runtime_dir[PATH_MAX];

/* 0 when up, 77 to skip (no privileges), 1 on any other failure (printed). */
static inline int
test_eal_init(const char *name)
{
	static char prefix[48];
	char *argv[] = {
		(char *)name, "--no-huge", "-m", "256", "--no-pci",
		"--file-prefix", prefix, "--log-level", "lib.eal:error",
	};

	snprintf(prefix, sizeof(prefix), "%s%d", name, (int)getpid());
	setvbuf(stdout, NULL, _IONBF, 0);
	if (rte_eal_init(RTE_DIM(argv), argv) < 0) {
		if (geteuid() != 0 || rte_errno == EACCES || rte_errno == EPERM) {
			printf("1..0 # SKIP " TAP_PREREQ "EAL init failed: %s\n",
			       rte_strerror(rte_errno));
			return 77;
		}
		printf("Bail out! EAL init failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	snprintf(test_eal_runtime_dir, sizeof(test_eal_runtime_dir), "%s",
		 rte_eal_get_runtime_dir());
	return 0;
}

static inline void
test_eal_cleanup(void)
{
	struct dirent *d;
	DIR *dp;

	rte_eal_cleanup();
	dp = opendir(test_eal_runtime_dir);
	if (dp == NULL)
		return;
	while ((d = readdir(dp)) != NULL)
		if (d->d_name[0] != '.')
			unlinkat(dirfd(dp), d->d_name, 0);
	closedir(dp);
	rmdir(test_eal_runtime_dir);
}

#endif
