/* SPDX-License-Identifier: BSD-3-Clause */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hyp_base.h"
#include "hyp_cidr.h"


int
hyp_cidr_parse(const char *s, struct hyp_cidr *c, char *err, size_t err_len)
{
	char buf[INET6_ADDRSTRLEN + 8], net[HYP_CIDR_STRLEN];
	const char *slash = strchr(s, '/');
	size_t alen = slash != NULL ? (size_t)(slash - s) : strlen(s);
	unsigned int plen = 0, maxlen, i;
	struct hyp_cidr masked;

	memset(c, 0, sizeof(*c));
	if (alen == 0 || alen >= sizeof(buf)) {
		hyp_errf(err, err_len, "not an IPv4 or IPv6 address");
		return -EINVAL;
	}
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (inet_pton(AF_INET, buf, c->addr) == 1) {
		c->family = AF_INET;
		maxlen = 32;
	} else if (inet_pton(AF_INET6, buf, c->addr) == 1) {
		c->family = AF_INET6;
		maxlen = 128;
	} else {
		hyp_errf(err, err_len, "not an IPv4 or IPv6 address");
		return -EINVAL;
	}
	plen = maxlen;
	if (slash != NULL) {
		/* digits only, as ip(8) reads them: no sign, no space, no hex */
		size_t n = strlen(slash + 1);

		plen = 0;
		for (i = 0; i < n && n <= 3; i++) {
			if (slash[1 + i] < '0' || slash[1 + i] > '9')
				break;
			plen = plen * 10 + (slash[1 + i] - '0');
		}
		if (n == 0 || n > 3 || i != n || plen > maxlen) {
			hyp_errf(err, err_len, "prefix length must be 0..%u", maxlen);
			return -EINVAL;
		}
	}
	c->prefixlen = plen;
	/* a prefix with host bits set is almost always a typo: refuse it */
	masked = *c;
	for (i = plen; i < maxlen; i++)
		masked.addr[i / 8] &= ~(0x80 >> (i % 8));
	if (memcmp(masked.addr, c->addr, sizeof(c->addr)) != 0) {
		hyp_errf(err, err_len, "host bits set beyond /%u (did you mean %s?)", plen,
		    hyp_cidr_format(&masked, net, sizeof(net)));
		return -EINVAL;
	}
	return 0;
}

const char *
hyp_cidr_format(const struct hyp_cidr *c, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (inet_ntop(c->family, c->addr, a, sizeof(a)) == NULL)
		snprintf(a, sizeof(a), "?");
	snprintf(buf, len, "%s/%u", a, c->prefixlen);
	return buf;
}

void
hyp_cidr_to_addr(const struct hyp_cidr *c, struct hyp_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (c->family == AF_INET) {
		a->a[10] = 0xff;
		a->a[11] = 0xff;
		memcpy(&a->a[12], c->addr, 4);
	} else {
		memcpy(a->a, c->addr, 16);
	}
}

bool
hyp_cidr_contains(const struct hyp_cidr *c, unsigned int family, const uint8_t a[16])
{
	const uint8_t *x = a;
	unsigned int bits = c->prefixlen, i;

	if (family == 4 && c->family == AF_INET)
		x = a + 12;
	else if (!(family == 6 && c->family == AF_INET6))
		return false;
	for (i = 0; bits >= 8; i++, bits -= 8)
		if (x[i] != c->addr[i])
			return false;
	return bits == 0 || ((x[i] ^ c->addr[i]) & (0xff00 >> bits)) == 0;
}
