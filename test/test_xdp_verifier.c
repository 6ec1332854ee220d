/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The verifier's view of the fast path, printed on every run so that growth
 * is seen when it happens: instructions the verifier processed, the
 * program's size, and its stack depth per subprogram. Fails when a budget
 * in doc/verifier.md is exceeded. TAP; exit 77 without the right to load BPF.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "hyp_xdp.skel.h"
#include "tap.h"

/* budgets, in doc/verifier.md too; the kernel's limits are 1M and 512 */
#define BUDGET_PROCESSED_INSNS	200000
#define BUDGET_STACK_BYTES	256

#define LOG_SIZE (1 << 20)

int
main(void)
{
	struct hyp_xdp_bpf *skel;
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);
	char *log = calloc(1, LOG_SIZE);
	const char *p;
	long processed = -1, stack = 0, part;
	int ret, fail = 0;

	if (log == NULL)
		return 1;
	if (geteuid() != 0) {
		return tap_skip_prereq("needs root to load BPF");
	}
	skel = hyp_xdp_bpf__open();
	if (skel == NULL) {
		printf("Bail out! opening the skeleton: %s\n", strerror(errno));
		return 1;
	}
	/* BPF_LOG_STATS: totals only, not the instruction trace */
	bpf_program__set_log_level(skel->progs.hyp_xdp, 4);
	bpf_program__set_log_buf(skel->progs.hyp_xdp, log, LOG_SIZE);
	ret = hyp_xdp_bpf__load(skel);
	if (ret == -EPERM) {
		return tap_skip_prereq("not allowed to load BPF programs");
	}
	if (ret < 0) {
		printf("Bail out! load failed: %s\n%s\n", strerror(-ret), log);
		return 1;
	}

	p = strstr(log, "processed ");
	if (p != NULL)
		processed = strtol(p + strlen("processed "), NULL, 10);
	/* "stack depth 120+32": one term per subprogram; the sum bounds it */
	p = strstr(log, "stack depth ");
	if (p != NULL) {
		p += strlen("stack depth ");
		while (sscanf(p, "%ld", &part) == 1) {
			stack += part;
			while (*p >= '0' && *p <= '9')
				p++;
			if (*p != '+')
				break;
			p++;
		}
	}
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(bpf_program__fd(skel->progs.hyp_xdp), &info, &len) < 0) {
		printf("Bail out! bpf_obj_get_info_by_fd: %s\n", strerror(errno));
		return 1;
	}

	printf("1..2\n");
	printf("# verified_insns=%u processed_insns=%ld xlated_bytes=%u jited_bytes=%u "
	       "stack_depth=%ld\n", info.verified_insns, processed, info.xlated_prog_len,
	       info.jited_prog_len, stack);
	if (processed < 0 || processed > BUDGET_PROCESSED_INSNS) {
		printf("not ok 1 - processed instructions %ld within the budget of %d\n",
		       processed, BUDGET_PROCESSED_INSNS);
		fail = 1;
	} else {
		printf("ok 1 - processed instructions %ld within the budget of %d\n",
		       processed, BUDGET_PROCESSED_INSNS);
	}
	if (p == NULL || stack <= 0 || stack > BUDGET_STACK_BYTES) {
		printf("not ok 2 - stack depth %ld bytes within the budget of %d\n",
		       stack, BUDGET_STACK_BYTES);
		fail = 1;
	} else {
		printf("ok 2 - stack depth %ld bytes within the budget of %d\n",
		       stack, BUDGET_STACK_BYTES);
	}
	hyp_xdp_bpf__destroy(skel);
	free(log);
	return fail;
}
