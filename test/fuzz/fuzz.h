/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the fuzz targets share: a broken promise aborts, so libFuzzer keeps
 * the input that broke it.
 */
#ifndef HYP_FUZZ_H
#define HYP_FUZZ_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s: check failed: %s (%s:%d)\n", __func__, #cond, \
			__FILE__, __LINE__); \
		abort(); \
	} \
} while (0)

#endif
