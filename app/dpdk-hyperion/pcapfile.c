/* SPDX-License-Identifier: BSD-3-Clause */
/* Apart from replay.c: libpcap's <pcap/bpf.h> and <linux/bpf.h> collide. */
#include <errno.h>
#include <pcap/pcap.h>

#include "hyperion.h"

long
hyp_pcap_count(const char *file)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	pcap_t *p = pcap_open_offline(file, err);
	long n = 0;
	int ret;

	if (p == NULL) {
		APP_LOG(ERR, "pcap %s: %s", file, err);
		return -EINVAL;
	}
	while ((ret = pcap_next_ex(p, &h, &d)) == 1)
		n++;
	if (ret == PCAP_ERROR)
		APP_LOG(WARNING, "pcap %s: %s after %ld packets", file, pcap_geterr(p), n);
	pcap_close(p);
	return n;
}
