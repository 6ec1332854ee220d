/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The verifier's view of the fast path, printed on every run so that growth
 * is seen when it happens: instructions the verifier processed, the
 * program's size, and its stack depth per subprogram. Fails when a budget
 * in doc/verifier.md is exceeded. Also what the program calls, read from its
 * instructions: no tail call and no program array (the af_xdp PMD loads one
 * entry point and fills no array), and exactly the helpers doc/verifier.md
 * lists (the path of the document is the test's argument).
 * TAP; exit 77 without the right to load BPF.
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

/* helper id -> name, from the kernel's own list (it puts the commas in) */
static const char *const helper_names[] = {
#define HYP_FN(x) "bpf_" #x
	__BPF_FUNC_MAPPER(HYP_FN)
#undef HYP_FN
};

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "a b c": the helpers the program's instructions call, sorted, each once */
static void
helpers_used(const struct bpf_program *prog, char *out, size_t len, int *tail_calls)
{
	const struct bpf_insn *in = bpf_program__insns(prog);
	size_t n = bpf_program__insn_cnt(prog), i, k, nn = 0, off = 0;
	const char *names[64];

	*tail_calls = 0;
	for (i = 0; i < n; i++) {
		const char *name;

		if (in[i].code != (BPF_JMP | BPF_CALL) || in[i].src_reg != 0)
			continue;	/* not a helper call (subprogram, kfunc) */
		if (in[i].imm == BPF_FUNC_tail_call)
			(*tail_calls)++;
		name = in[i].imm >= 0 && (size_t)in[i].imm < sizeof(helper_names) /
			sizeof(helper_names[0]) ? helper_names[in[i].imm] : "?";
		for (k = 0; k < nn && strcmp(names[k], name) != 0; k++)
			;
		if (k == nn && nn < 64)
			names[nn++] = name;
	}
	qsort(names, nn, sizeof(names[0]), cmp_str);
	out[0] = '\0';
	for (k = 0; k < nn; k++)
		off += snprintf(out + off, off < len ? len - off : 0, "%s%s", k ? " " : "", names[k]);
}

/* the `names` after "Helpers used:" in the document, sorted, space-separated */
static int
helpers_documented(const char *doc, char *out, size_t len)
{
	static char text[16384];
	const char *names[64], *p, *end;
	size_t nn = 0, off = 0, k, got;
	char *q;
	FILE *f = fopen(doc, "r");

	if (f == NULL)
		return -errno;
	got = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[got] = '\0';
	p = strstr(text, "Helpers used:");
	if (p == NULL)
		return -ENOENT;
	end = strstr(p, "\n\n");
	if (end == NULL)
		end = p + strlen(p);
	while (nn < 64 && (p = strchr(p, '`')) != NULL && p < end) {
		q = strchr(p + 1, '`');
		if (q == NULL || q > end)
			break;
		*q = '\0';
		names[nn++] = p + 1;
		p = q + 1;
	}
	qsort(names, nn, sizeof(names[0]), cmp_str);
	out[0] = '\0';
	for (k = 0; k < nn; k++)
		off += snprintf(out + off, off < len ? len - off : 0, "%s%s", k ? " " : "", names[k]);
	return 0;
}

int
main(int argc, char **argv)
{
	struct hyp_xdp_bpf *skel;
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);
	char *log = calloc(1, LOG_SIZE);
	char used[1024], documented[1024], name[128];
	struct bpf_map *m;
	const char *p;
	long processed = -1, stack = 0, part;
	int ret, tail_calls, prog_arrays = 0, doc_ret;

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
	bpf_object__for_each_map(m, skel->obj)
		prog_arrays += bpf_map__type(m) == BPF_MAP_TYPE_PROG_ARRAY;
	doc_ret = argc > 1 ? helpers_documented(argv[1], documented, sizeof(documented)) : -EINVAL;
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
	/* after the load: libbpf has appended the global subprograms by now */
	helpers_used(skel->progs.hyp_xdp, used, sizeof(used), &tail_calls);

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

	printf("# verified_insns=%u processed_insns=%ld xlated_bytes=%u jited_bytes=%u "
	       "stack_depth=%ld\n", info.verified_insns, processed, info.xlated_prog_len,
	       info.jited_prog_len, stack);
	snprintf(name, sizeof(name), "processed instructions %ld within the budget of %d",
		 processed, BUDGET_PROCESSED_INSNS);
	tap(processed >= 0 && processed <= BUDGET_PROCESSED_INSNS, name, NULL);
	snprintf(name, sizeof(name), "stack depth %ld bytes within the budget of %d",
		 stack, BUDGET_STACK_BYTES);
	tap(p != NULL && stack > 0 && stack <= BUDGET_STACK_BYTES, name, NULL);
	tap(tail_calls == 0 && prog_arrays == 0, "tail calls 0, program arrays 0",
	    "%d tail calls, %d arrays", tail_calls, prog_arrays);
	tap(doc_ret == 0 && strcmp(used, documented) == 0,
	    "the helpers it calls are the ones doc/verifier.md lists",
	    "calls: %s; documented: %s (%s)", used, doc_ret == 0 ? documented : "",
	    doc_ret == 0 ? "read" : strerror(-doc_ret));
	printf("1..%u\n", test_no);
	hyp_xdp_bpf__destroy(skel);
	free(log);
	return failed;
}
