/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hyp_base: prefixes parsed and refused as the policy and the console need
 * them, and the one rule every renderer uses to write an address (family 4,
 * family 6 with a v4-mapped address, family unknown). TAP; no privileges.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hyp_addr.h"
#include "hyp_base.h"
#include "hyp_cidr.h"
#include "tap.h"

static void
parses(const char *in, const char *want)
{
	char buf[HYP_CIDR_STRLEN], err[128] = "", name[160];
	struct hyp_cidr c;
	int ret = hyp_cidr_parse(in, &c, err, sizeof(err));

	snprintf(name, sizeof(name), "'%s' parses as %s", in, want);
	tap(ret == 0 && strcmp(hyp_cidr_format(&c, buf, sizeof(buf)), want) == 0, name,
	    "ret %d, got %s (%s)", ret, ret == 0 ? buf : "-", err);
}

static void
refuses(const char *in, const char *why)
{
	char err[128] = "", name[160];
	struct hyp_cidr c;
	int ret = hyp_cidr_parse(in, &c, err, sizeof(err));

	snprintf(name, sizeof(name), "'%s' refused: %s", in, why);
	tap(ret == -EINVAL && strstr(err, why) != NULL, name, "ret %d, err '%s'", ret, err);
}

static void
formats(const char *ip, unsigned int family, const char *want)
{
	char buf[HYP_ADDR_STRLEN], name[160];
	uint8_t a[16] = { 0 };

	if (inet_pton(AF_INET6, ip, a) != 1) {
		a[10] = a[11] = 0xff;
		inet_pton(AF_INET, ip, a + 12);
	}
	snprintf(name, sizeof(name), "%s, family %u, prints as %s", ip, family, want);
	hyp_addr_format(a, family, buf, sizeof(buf));
	tap(strcmp(buf, want) == 0, name, "got %s", buf);
}

int
main(void)
{
	struct hyp_cidr c;
	struct hyp_addr a;
	char small[8];

	parses("192.0.2.0/24", "192.0.2.0/24");
	parses("198.51.100.7", "198.51.100.7/32");
	parses("0.0.0.0/0", "0.0.0.0/0");
	parses("2001:db8::/32", "2001:db8::/32");
	parses("2001:DB8:bad::1", "2001:db8:bad::1/128");
	refuses("198.51.100.7/24", "host bits set beyond /24 (did you mean 198.51.100.0/24?)");
	refuses("192.0.2.0/33", "prefix length must be 0..32");
	refuses("2001:db8::/129", "prefix length must be 0..128");
	refuses("192.0.2.0/+8", "prefix length must be 0..32");
	refuses("192.0.2.0/ 8", "prefix length must be 0..32");
	refuses("192.0.2.0/", "prefix length must be 0..32");
	refuses("192.0.2.0/0x8", "prefix length must be 0..32");
	refuses("evil.com", "not an IPv4 or IPv6 address");
	refuses("", "not an IPv4 or IPv6 address");
	refuses("/8", "not an IPv4 or IPv6 address");
	tap(hyp_cidr_parse("bad", &c, NULL, 0) == -EINVAL, "no error buffer: still refused", NULL);

	hyp_cidr_parse("203.0.113.9", &c, NULL, 0);
	hyp_cidr_to_addr(&c, &a);
	tap(hyp_addr_is_v4mapped(a.a) && a.a[12] == 203 && a.a[15] == 9,
	    "an IPv4 prefix becomes ::ffff:a.b.c.d in the maps' 16 bytes", NULL);
	hyp_cidr_parse("2001:db8::1", &c, NULL, 0);
	hyp_cidr_to_addr(&c, &a);
	tap(!hyp_addr_is_v4mapped(a.a) && a.a[0] == 0x20 && a.a[15] == 1,
	    "an IPv6 prefix is its own 16 bytes", NULL);

	/* the one rule */
	formats("198.51.100.7", 4, "198.51.100.7");
	formats("198.51.100.7", 0, "198.51.100.7");
	formats("::ffff:198.51.100.7", 6, "::ffff:198.51.100.7");
	formats("2001:db8::1", 6, "2001:db8::1");
	formats("2001:db8::1", 0, "2001:db8::1");
	formats("2001:0db8:0:0:1:0:0:1", 6, "2001:db8::1:0:0:1");	/* the first of two runs */
	formats("2001:db8:0:1:1:1:1:1", 6, "2001:db8:0:1:1:1:1:1");	/* one zero word stays */
	formats("::", 6, "::");
	formats("::1", 6, "::1");
	formats("fe80::", 6, "fe80::");
	formats("::1.2.3.4", 6, "::102:304");	/* IPv4-compatible is not mixed */
	hyp_addr_format((const uint8_t *)"\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 6, small,
			sizeof(small));
	tap(strlen(small) == sizeof(small) - 1, "a short buffer is filled and terminated",
	    "got '%s'", small);

	tap(strcmp(hyp_action_name(HYP_ACTION_DROP), "drop") == 0 &&
	    strcmp(hyp_action_name(HYP_ACTION_ALERT), "alert") == 0 &&
	    strcmp(hyp_action_name(HYP_ACTION_PASS), "pass") == 0 &&
	    strcmp(hyp_action_name((enum hyp_action)7), "?") == 0, "action names", NULL);
	printf("1..%u\n", test_no);
	return failed;
}
