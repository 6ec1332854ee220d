/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HYP_HS_H
#define HYP_HS_H

/**
 * @file
 * The Hyperscan compile flags of each kind of pattern, for the policy (which
 * validates a regex with them) and the DPI engine (which compiles with them):
 * a regex the policy accepts is one the engine compiles. Include after hs.h.
 */

#ifndef HS_FLAG_SINGLEMATCH
#error "include hs.h before hyp_hs.h"
#endif

/* one match per rule per packet is all a verdict needs */
#define HYP_HS_LITERAL_FLAGS	(HS_FLAG_SINGLEMATCH)
/* payloads are bytes, not lines: "." matches a newline too */
#define HYP_HS_REGEX_FLAGS	(HS_FLAG_SINGLEMATCH | HS_FLAG_DOTALL)

#endif /* HYP_HS_H */
