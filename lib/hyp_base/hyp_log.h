/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HYP_LOG_H
#define HYP_LOG_H

/**
 * @file
 * The one shape of the libraries' log lines, "hyp_<lib>: <function>():
 * <message>", through rte_log under the library's own log type (hyp.<lib>,
 * so `--log-level hyp.<lib>:debug` turns one library up). Include rte_log.h
 * first; in one .c of the library, HYP_LOG_TYPE(lib); then HYP_LOG(lib, ...).
 */

#define HYP_LOG_TYPE(lib) RTE_LOG_REGISTER(hyp_ ## lib ## _logtype, hyp.lib, INFO)

#define HYP_LOG(lib, level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, hyp_ ## lib ## _logtype, "hyp_" #lib ": %s(): " fmt "\n", \
		__func__, ##__VA_ARGS__)

#endif /* HYP_LOG_H */
