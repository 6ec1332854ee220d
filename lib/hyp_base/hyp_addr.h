/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HYP_ADDR_H
#define HYP_ADDR_H

/**
 * @file
 * The one way every renderer (EVE, telemetry, the console, xdpctl) writes an
 * address. Addresses are 16 bytes everywhere, IPv4 as ::ffff:a.b.c.d
 * (RFC 4291 2.5.5.2), so the family decides how a v4-mapped address prints:
 *
 * - family 4: "a.b.c.d";
 * - family 6: RFC 5952 (lower case, no leading zeros, the longest run of
 *   two or more zero words as "::", the first if tied), a v4-mapped one
 *   mixed: "::ffff:a.b.c.d", since a real IPv6 packet carried it;
 * - family 0 (not known, e.g. an auto-block key): v4-mapped prints as IPv4,
 *   the rest as family 6.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Room hyp_addr_format() needs, the terminating NUL included. */
#define HYP_ADDR_STRLEN	48

/** The 12 bytes before an IPv4 address mapped into IPv6. */
extern const uint8_t hyp_v4mapped_prefix[12];

/** True if the 16 bytes are ::ffff:a.b.c.d. */
bool hyp_addr_is_v4mapped(const uint8_t a[16]);

/** Write a (16 bytes) into buf as the family says (see above); returns buf. */
const char *hyp_addr_format(const uint8_t a[16], unsigned int family, char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* HYP_ADDR_H */
