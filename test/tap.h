/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The smallest TAP producer the unit tests share: one line per check, the
 * reason on a comment line when it fails, the plan printed at the end.
 */
#ifndef HYP_TAP_H
#define HYP_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* the number of elements of an array (tests do not all link DPDK) */
#define DIM(a) (sizeof(a) / sizeof((a)[0]))

/* not every user of the header counts with these */
static unsigned int test_no __attribute__((unused));
static int failed __attribute__((unused));

static inline void
tap(bool ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	test_no++;
	printf("%sok %u - %s\n", ok ? "" : "not ", test_no, name);
	if (!ok) {
		failed = 1;
		if (fmt != NULL) {
			char why[8192];
			const char *l;

			/* every line of the reason a TAP comment, so a harness reads it as one */
			va_start(ap, fmt);
			vsnprintf(why, sizeof(why), fmt, ap);
			va_end(ap);
			for (l = why; *l != '\0';) {
				size_t n = strcspn(l, "\n");

				printf("# %.*s\n", (int)n, l);
				l += n + (l[n] == '\n');
			}
		}
	}
}

/*
 * A whole test skipped because the machine lacks what the suite needs and
 * every supported machine has (root, bpffs, BPF loading, namespaces). The
 * test command (usertools/hyperion-test.sh) counts these as failures, so a
 * run that did not really run cannot pass. Returns the skip status, 77.
 */
#define TAP_PREREQ "prerequisite missing: "

static inline int
tap_skip_prereq(const char *why)
{
	printf("1..0 # SKIP " TAP_PREREQ "%s\n", why);
	fflush(stdout);
	return 77;
}

#endif
