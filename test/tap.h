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

static unsigned int test_no;
static int failed;

static inline void
tap(bool ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	test_no++;
	printf("%sok %u - %s\n", ok ? "" : "not ", test_no, name);
	if (!ok) {
		failed = 1;
		if (fmt != NULL) {
			printf("# ");
			va_start(ap, fmt);
			vprintf(fmt, ap);
			va_end(ap);
			printf("\n");
		}
	}
}

#endif
