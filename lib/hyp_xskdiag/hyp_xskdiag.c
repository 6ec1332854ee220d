/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * AF_XDP socket statistics through sock_diag: one SOCK_DIAG_BY_FAMILY dump
 * request for AF_XDP, then every reply datagram until NLMSG_DONE. The kernel
 * (net/xdp/xsk_diag.c) answers with one struct xdp_diag_msg per socket of
 * the namespace, followed by attributes: XDP_DIAG_INFO (ifindex, queue),
 * the ring sizes, the umem and its rings, and struct xdp_diag_stats.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/xdp_diag.h>

#ifndef AF_XDP
#define AF_XDP 44
#endif

#include <dirent.h>
#include <sys/stat.h>
#include <linux/if_xdp.h>
#include "hyp_xskdiag.h"

/* the kernel's dump datagrams fit in this; bigger ones grow the buffer */
#define XSKDIAG_BUF_MIN 32768
/* a dump the kernel flags as interrupted is restarted this many times */
#define XSKDIAG_RETRIES 3
#define XSKDIAG_RESTART 1	/* xskdiag_dump(): the dump was interrupted */

struct xskdiag_ctx {
	unsigned int ifindex;
	struct hyp_xsk_diag *out;
	unsigned int max;
	unsigned int found;	/* all matching sockets, even beyond max */
	unsigned int stored;	/* min(found, max) */
};

static int
xskdiag_cmp(const struct hyp_xsk_diag *a, const struct hyp_xsk_diag *b)
{
	if (a->queue_id != b->queue_id)
		return a->queue_id < b->queue_id ? -1 : 1;
	if (a->ifindex != b->ifindex)
		return a->ifindex < b->ifindex ? -1 : 1;
	if (a->inode != b->inode)
		return a->inode < b->inode ? -1 : 1;
	return 0;
}

/* Keep the max first sockets by queue: insert in order, drop the last. */
static void
xskdiag_store(struct xskdiag_ctx *c, const struct hyp_xsk_diag *d)
{
	unsigned int pos;

	c->found++;
	if (c->max == 0)
		return;
	if (c->stored == c->max && xskdiag_cmp(d, &c->out[c->max - 1]) >= 0)
		return;
	pos = c->stored < c->max ? c->stored : c->max - 1;
	while (pos > 0 && xskdiag_cmp(d, &c->out[pos - 1]) < 0) {
		c->out[pos] = c->out[pos - 1];
		pos--;
	}
	c->out[pos] = *d;
	if (c->stored < c->max)
		c->stored++;
}

/* One struct xdp_diag_msg and its attributes. */
static int
xskdiag_parse_msg(struct xskdiag_ctx *c, const struct nlmsghdr *nlh)
{
	const struct xdp_diag_msg *msg = NLMSG_DATA(nlh);
	struct hyp_xsk_diag d;
	bool have_info = false;
	union {
		struct xdp_diag_info info;
		struct xdp_diag_ring ring;
		struct xdp_diag_stats st;
	} v;
	const struct nlattr *a;
	size_t off, len, plen, need;
	unsigned int type;
	const uint8_t *p;

	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*msg)))
		return -EBADMSG;
	if (msg->xdiag_family != AF_XDP)
		return 0;
	memset(&d, 0, sizeof(d));
	d.inode = msg->xdiag_ino;

	p = (const uint8_t *)msg;
	len = nlh->nlmsg_len - NLMSG_LENGTH(0);
	off = NLMSG_ALIGN(sizeof(*msg));
	while (off + NLA_HDRLEN <= len) {
		a = (const struct nlattr *)(p + off);
		if (a->nla_len < NLA_HDRLEN || a->nla_len > len - off)
			return -EBADMSG;
		plen = a->nla_len - NLA_HDRLEN;
		type = a->nla_type & NLA_TYPE_MASK;
		need = type == XDP_DIAG_INFO ? sizeof(v.info) :
		       type == XDP_DIAG_RX_RING || type == XDP_DIAG_UMEM_FILL_RING ?
		       sizeof(v.ring) : type == XDP_DIAG_STATS ? sizeof(v.st) : 0;
		/* a shorter attribute than ours is a kernel we do not understand */
		if (plen < need)
			return -EBADMSG;
		memcpy(&v, p + off + NLA_HDRLEN, need);
		switch (type) {
		case XDP_DIAG_INFO:
			d.ifindex = v.info.ifindex;
			d.queue_id = v.info.queue_id;
			have_info = true;
			break;
		case XDP_DIAG_RX_RING:
			d.rx_ring_entries = v.ring.entries;
			break;
		case XDP_DIAG_UMEM_FILL_RING:
			d.fill_ring_entries = v.ring.entries;
			break;
		case XDP_DIAG_STATS:
			d.rx_dropped = v.st.n_rx_dropped;
			d.rx_invalid_descs = v.st.n_rx_invalid;
			d.rx_ring_full = v.st.n_rx_full;
			d.rx_fill_ring_empty_descs = v.st.n_fill_ring_empty;
			d.tx_invalid_descs = v.st.n_tx_invalid;
			d.tx_ring_empty_descs = v.st.n_tx_ring_empty;
			break;
		default:	/* others (UMEM, TX ring, UID) are not reported */
			break;
		}
		off += NLA_ALIGN(a->nla_len);
	}

	/* without XDP_DIAG_INFO the socket's interface is unknown */
	if (c->ifindex != 0 && (!have_info || d.ifindex != c->ifindex))
		return 0;
	xskdiag_store(c, &d);
	return 0;
}

static ssize_t
xskdiag_recv(int fd, void *buf, size_t len, int flags)
{
	struct sockaddr_nl sa;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr mh = {
		.msg_name = &sa,
		.msg_namelen = sizeof(sa),
		.msg_iov = &iov,
		.msg_iovlen = 1,
	};
	ssize_t n;

	do {
		n = recvmsg(fd, &mh, flags);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	/* only the kernel answers sock_diag requests */
	if (mh.msg_namelen < sizeof(sa) || sa.nl_family != AF_NETLINK || sa.nl_pid != 0)
		return -EPROTO;
	if (!(flags & MSG_PEEK) && (mh.msg_flags & MSG_TRUNC))
		return -EMSGSIZE;
	return n;
}

/*
 * One dump: send the request, read until NLMSG_DONE. Returns 0,
 * XSKDIAG_RESTART if the kernel flagged the dump as interrupted (sockets
 * came or went meanwhile), or a negative errno.
 */
static int
xskdiag_dump(int fd, uint32_t portid, uint32_t seq, struct xskdiag_ctx *c,
	     uint8_t **bufp, size_t *buf_len)
{
	struct {
		struct nlmsghdr nlh;
		struct xdp_diag_req req;
	} rq;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	bool interrupted = false;
	const struct nlmsghdr *nlh;
	ssize_t n;
	size_t left;
	int ret;

	memset(&rq, 0, sizeof(rq));
	rq.nlh.nlmsg_len = sizeof(rq);
	rq.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	rq.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	rq.nlh.nlmsg_seq = seq;
	rq.req.sdiag_family = AF_XDP;
	rq.req.xdiag_show = XDP_SHOW_INFO | XDP_SHOW_RING_CFG | XDP_SHOW_UMEM |
		XDP_SHOW_STATS;

	do {
		n = sendto(fd, &rq, sizeof(rq), 0, (struct sockaddr *)&kernel,
			   sizeof(kernel));
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if ((size_t)n != sizeof(rq))
		return -EIO;

	for (;;) {
		/* the size of the next datagram, to grow the buffer first */
		n = xskdiag_recv(fd, *bufp, *buf_len, MSG_PEEK | MSG_TRUNC);
		if (n < 0)
			return (int)n;
		if ((size_t)n > *buf_len) {
			uint8_t *nb = realloc(*bufp, (size_t)n);

			if (nb == NULL)
				return -ENOMEM;
			*bufp = nb;
			*buf_len = (size_t)n;
		}
		n = xskdiag_recv(fd, *bufp, *buf_len, 0);
		if (n < 0)
			return (int)n;

		left = (size_t)n;
		for (nlh = (const struct nlmsghdr *)*bufp; NLMSG_OK(nlh, left);
		     nlh = NLMSG_NEXT(nlh, left)) {
			if (nlh->nlmsg_seq != seq || nlh->nlmsg_pid != portid)
				continue;	/* not an answer to this request */
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				interrupted = true;
			switch (nlh->nlmsg_type) {
			case NLMSG_DONE:
				/* the dump's error, if any, follows the header */
				if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(int))) {
					int err;

					memcpy(&err, NLMSG_DATA(nlh), sizeof(err));
					if (err < 0)
						return err;
				}
				return interrupted ? XSKDIAG_RESTART : 0;
			case NLMSG_ERROR: {
				struct nlmsgerr e;

				if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(e)))
					return -EBADMSG;
				memcpy(&e, NLMSG_DATA(nlh), sizeof(e));
				/* an ack (0) ends the request like DONE */
				if (e.error < 0)
					return e.error;
				return interrupted ? XSKDIAG_RESTART : 0;
			}
			case NLMSG_OVERRUN:
				return -ENOBUFS;
			case SOCK_DIAG_BY_FAMILY:
				ret = xskdiag_parse_msg(c, nlh);
				if (ret < 0)
					return ret;
				break;
			default:
				break;
			}
		}
		if (left != 0)
			return -EBADMSG;	/* a message cut short */
	}
}

int
hyp_xskdiag_query(unsigned int ifindex, struct hyp_xsk_diag *out, unsigned int max)
{
	struct sockaddr_nl local;
	socklen_t local_len = sizeof(local);
	struct xskdiag_ctx c;
	size_t buf_len = XSKDIAG_BUF_MIN;
	uint8_t *buf;
	unsigned int attempt;
	uint32_t seq;
	int fd, ret;

	if (out == NULL && max != 0)
		return -EINVAL;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return -errno;
	memset(&local, 0, sizeof(local));
	local.nl_family = AF_NETLINK;
	if (bind(fd, (struct sockaddr *)&local, sizeof(local)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&local, &local_len) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	if (local_len < sizeof(local) || local.nl_family != AF_NETLINK) {
		close(fd);
		return -EPROTO;
	}
	buf = malloc(buf_len);
	if (buf == NULL) {
		close(fd);
		return -ENOMEM;
	}

	seq = (uint32_t)getpid();
	for (attempt = 0; attempt < XSKDIAG_RETRIES; attempt++) {
		memset(&c, 0, sizeof(c));
		c.ifindex = ifindex;
		c.out = out;
		c.max = max;
		ret = xskdiag_dump(fd, local.nl_pid, seq + attempt, &c, &buf, &buf_len);
		if (ret != XSKDIAG_RESTART)
			break;
	}
	if (ret == XSKDIAG_RESTART)
		ret = -EAGAIN;

	free(buf);
	if (close(fd) < 0 && ret == 0)
		ret = -errno;
	if (ret < 0)
		return ret;
	return c.found > (unsigned int)INT32_MAX ? INT32_MAX : (int)c.found;
}

int
hyp_xskdiag_own_fds(int *fds, unsigned int max)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	unsigned int found = 0, j;

	if (d == NULL)
		return -errno;
	while ((de = readdir(d)) != NULL) {
		int domain = 0;
		socklen_t len = sizeof(domain);
		char *end;
		long fd = strtol(de->d_name, &end, 10);

		if (*end != '\0' || de->d_name[0] == '\0' || fd == dirfd(d) || fd > INT32_MAX)
			continue;
		if (getsockopt((int)fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) != 0 ||
		    domain != AF_XDP)
			continue;
		if (found < max) {
			/* readdir gives no order: keep them ascending */
			for (j = found; j > 0 && fds[j - 1] > (int)fd; j--)
				fds[j] = fds[j - 1];
			fds[j] = (int)fd;
		}
		found++;
	}
	closedir(d);
	return found > (unsigned int)INT32_MAX ? INT32_MAX : (int)found;
}

int
hyp_xskdiag_fd(int fd, struct hyp_xsk_diag *o)
{
	struct xdp_statistics xs;
	struct xdp_options opt;
	socklen_t len = sizeof(xs);
	int domain = 0;
	socklen_t dlen = sizeof(domain);
	struct stat sb;

	memset(o, 0, sizeof(*o));
	o->ifindex = UINT32_MAX;
	o->queue_id = UINT32_MAX;
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &dlen) != 0)
		return -errno;
	if (domain != AF_XDP)
		return -ENOTSOCK;
	memset(&xs, 0, sizeof(xs));
	if (getsockopt(fd, SOL_XDP, XDP_STATISTICS, &xs, &len) != 0)
		return -errno;
	if (fstat(fd, &sb) != 0)
		return -errno;
	o->inode = sb.st_ino;
	o->rx_dropped = xs.rx_dropped;
	o->rx_invalid_descs = xs.rx_invalid_descs;
	o->tx_invalid_descs = xs.tx_invalid_descs;
	if (len >= sizeof(xs)) {	/* fields added in 5.9 */
		o->rx_ring_full = xs.rx_ring_full;
		o->rx_fill_ring_empty_descs = xs.rx_fill_ring_empty_descs;
		o->tx_ring_empty_descs = xs.tx_ring_empty_descs;
	}
	len = sizeof(opt);
	memset(&opt, 0, sizeof(opt));
	if (getsockopt(fd, SOL_XDP, XDP_OPTIONS, &opt, &len) == 0) {	/* since 5.3 */
		o->options_known = true;
		o->zerocopy = (opt.flags & XDP_OPTIONS_ZEROCOPY) != 0;
	}
	return 0;
}

#define HYP_XSKDIAG_MAX_SOCKETS 256

int
hyp_xskdiag_port(unsigned int ifindex, unsigned int start_queue, unsigned int nb_queues,
		 const struct hyp_xsk_owned *own, struct hyp_xsk_diag *out,
		 unsigned int *mismatch)
{
	struct hyp_xsk_diag *all = calloc(HYP_XSKDIAG_MAX_SOCKETS, sizeof(*all));
	struct hyp_xsk_diag self;
	unsigned int q, i, n = 0, bad = 0;
	bool diag;
	int found;

	if (all == NULL)
		return -ENOMEM;
	found = hyp_xskdiag_query(ifindex, all, HYP_XSKDIAG_MAX_SOCKETS);
	diag = found >= 0;
	if (diag)
		n = found < HYP_XSKDIAG_MAX_SOCKETS ? (unsigned int)found : HYP_XSKDIAG_MAX_SOCKETS;
	if (!diag && own == NULL) {
		free(all);
		return found;
	}
	for (q = 0; q < nb_queues; q++) {
		struct hyp_xsk_diag *o = &out[q];
		bool have = false;

		memset(o, 0, sizeof(*o));
		o->ifindex = ifindex;
		o->queue_id = UINT32_MAX;
		if (own == NULL) {
			for (i = 0; i < n; i++)
				if (all[i].queue_id == start_queue + q)
					*o = all[i];
			continue;
		}
		if (own[q].fd < 0 || hyp_xskdiag_fd(own[q].fd, &self) < 0 ||
		    self.inode != own[q].inode)
			continue;	/* none made, or closed since */
		for (i = 0; i < n; i++)
			if (all[i].inode == self.inode) {
				*o = all[i];
				have = true;
				break;
			}
		if (!have) {
			*o = self;
			o->ifindex = ifindex;
			o->queue_id = start_queue + q;
		} else if (o->queue_id != start_queue + q) {
			bad++;	/* the kernel bound it elsewhere than asked */
		}
		o->options_known = self.options_known;
		o->zerocopy = self.zerocopy;
	}
	free(all);
	if (mismatch != NULL)
		*mismatch = bad;
	return diag ? HYP_XSKDIAG_SOCK_DIAG : HYP_XSKDIAG_OWN_FDS;
}


const struct hyp_stat_desc hyp_xsk_stat_descs[] = {
	HYP_STAT(struct hyp_xsk_diag, rx_dropped, COUNTER,
		 "Frames the socket dropped: its rx ring or the fill ring had no room"),
	HYP_STAT(struct hyp_xsk_diag, rx_invalid_descs, COUNTER, "Invalid rx descriptors"),
	HYP_STAT(struct hyp_xsk_diag, tx_invalid_descs, COUNTER, "Invalid tx descriptors"),
	HYP_STAT(struct hyp_xsk_diag, rx_ring_full, COUNTER,
		 "Frames dropped because the rx ring was full"),
	HYP_STAT(struct hyp_xsk_diag, rx_fill_ring_empty_descs, COUNTER,
		 "Times the fill ring was empty when a frame came"),
	HYP_STAT(struct hyp_xsk_diag, tx_ring_empty_descs, COUNTER,
		 "Times the tx ring was empty when the kernel looked"),
};
const unsigned int hyp_xsk_stat_count = sizeof(hyp_xsk_stat_descs) / sizeof(hyp_xsk_stat_descs[0]);
