/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hyp_xskdiag against real AF_XDP sockets: in a network namespace of its
 * own (so only its own sockets are visible), a veth of four queues with
 * copy-mode sockets on queues 0 and 2 and different ring sizes each. First
 * what the kernel reports of them at rest; then the project's XDP program
 * redirects everything to the queue-0 socket, frames are sent into the peer
 * with AF_PACKET, and since nobody posts fill-ring descriptors the kernel
 * must count every one of them as dropped for an empty fill ring. Kernels
 * built without CONFIG_XDP_SOCKETS_DIAG answer -ENOENT: those cases skip.
 *
 * Before that, the same library against a scripted kernel: socket(),
 * sendto() and recvmsg() are wrapped at link time (-Wl,--wrap), and the
 * sock_diag socket the library opens gets replies built here, so multi-part
 * dumps, datagrams bigger than the library's buffer, EINTR, NLMSG_ERROR and
 * broken attributes are exercised on any kernel.
 *
 * Output is TAP. Exit 77 (skip) if not root.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/xdp_diag.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <xdp/xsk.h>

#include "hyp_xdp.h"
#include "hyp_xskdiag.h"
#include "pkt_build.h"
#include "tap.h"
#include "test_xdp.h"

#define VETH "xskd0"
#define VETH_PEER "xskd1"
#define NFRAMES 32
#define MAX_DIAG 8


static unsigned int ifindex, peer_ifindex;

/* ---- the scripted kernel ---- */

#define FAKE_MAX_DGRAMS 8
#define FAKE_DGRAM_MAX 131072

int __real_socket(int domain, int type, int protocol);
ssize_t __real_sendto(int fd, const void *buf, size_t len, int flags,
		      const struct sockaddr *to, socklen_t tolen);
ssize_t __real_recvmsg(int fd, struct msghdr *mh, int flags);
int __wrap_socket(int domain, int type, int protocol);
ssize_t __wrap_sendto(int fd, const void *buf, size_t len, int flags,
		      const struct sockaddr *to, socklen_t tolen);
ssize_t __wrap_recvmsg(int fd, struct msghdr *mh, int flags);

struct fake_sock {
	uint32_t ifindex;
	uint32_t queue;
	uint32_t ino;
	uint32_t rx, fill;
	uint64_t stats;		/* base of the six counters: stats, +1, ... */
};

static struct {
	bool on;
	int fd;
	uint32_t seq, portid;
	bool req_ok;
	int eintr_send, eintr_recv;	/* fail this many calls with EINTR */
	unsigned int n, next;
	size_t len[FAKE_MAX_DGRAMS];
	uint8_t *d[FAKE_MAX_DGRAMS];
} fk = { .fd = -1 };

int
__wrap_socket(int domain, int type, int protocol)
{
	int fd = __real_socket(domain, type, protocol);

	if (fk.on && fd >= 0 && domain == AF_NETLINK && protocol == NETLINK_SOCK_DIAG)
		fk.fd = fd;
	return fd;
}

ssize_t
__wrap_sendto(int fd, const void *buf, size_t len, int flags,
	      const struct sockaddr *to, socklen_t tolen)
{
	const struct nlmsghdr *nlh = buf;
	const struct xdp_diag_req *rq = NLMSG_DATA(nlh);
	struct sockaddr_nl sa;
	socklen_t sl = sizeof(sa);

	if (!fk.on || fd != fk.fd)
		return __real_sendto(fd, buf, len, flags, to, tolen);
	if (fk.eintr_send > 0) {
		fk.eintr_send--;
		errno = EINTR;
		return -1;
	}
	fk.req_ok = len >= NLMSG_LENGTH(sizeof(*rq)) && nlh->nlmsg_len == len &&
		nlh->nlmsg_type == SOCK_DIAG_BY_FAMILY &&
		nlh->nlmsg_flags == (NLM_F_REQUEST | NLM_F_DUMP) &&
		rq->sdiag_family == AF_XDP &&
		rq->xdiag_show == (XDP_SHOW_INFO | XDP_SHOW_RING_CFG | XDP_SHOW_UMEM |
				   XDP_SHOW_STATS);
	fk.seq = nlh->nlmsg_seq;
	if (getsockname(fd, (struct sockaddr *)&sa, &sl) < 0)
		return -1;
	fk.portid = sa.nl_pid;
	fk.next = 0;
	return (ssize_t)len;
}

/* The datagrams carry seq/portid 0 until the request names them. */
static void
fake_stamp(uint8_t *d, size_t len)
{
	struct nlmsghdr *nlh;
	size_t left = len;

	for (nlh = (struct nlmsghdr *)d; NLMSG_OK(nlh, left); nlh = NLMSG_NEXT(nlh, left)) {
		if (nlh->nlmsg_seq == 0)
			nlh->nlmsg_seq = fk.seq;
		if (nlh->nlmsg_pid == 0)
			nlh->nlmsg_pid = fk.portid;
		else if (nlh->nlmsg_pid == 1)	/* "someone else's": keep wrong */
			nlh->nlmsg_pid = fk.portid + 1;
	}
}

ssize_t
__wrap_recvmsg(int fd, struct msghdr *mh, int flags)
{
	struct sockaddr_nl *sa = mh->msg_name;
	size_t len, copy;
	unsigned int i = fk.next;

	if (!fk.on || fd != fk.fd)
		return __real_recvmsg(fd, mh, flags);
	if (fk.eintr_recv > 0) {
		fk.eintr_recv--;
		errno = EINTR;
		return -1;
	}
	if (i >= fk.n) {
		errno = EAGAIN;	/* the script ran out: the library read too far */
		return -1;
	}
	fake_stamp(fk.d[i], fk.len[i]);
	len = fk.len[i];
	copy = len < mh->msg_iov[0].iov_len ? len : mh->msg_iov[0].iov_len;
	memcpy(mh->msg_iov[0].iov_base, fk.d[i], copy);
	mh->msg_flags = copy < len ? MSG_TRUNC : 0;
	if (sa != NULL && mh->msg_namelen >= sizeof(*sa)) {
		memset(sa, 0, sizeof(*sa));
		sa->nl_family = AF_NETLINK;
		mh->msg_namelen = sizeof(*sa);
	}
	if (!(flags & MSG_PEEK))
		fk.next++;
	return (ssize_t)((flags & MSG_TRUNC) ? len : copy);
}

static void
fake_reset(void)
{
	unsigned int i;

	for (i = 0; i < fk.n; i++)
		free(fk.d[i]);
	memset(&fk, 0, sizeof(fk));
	fk.fd = -1;
	fk.on = true;
}

static uint8_t *
fake_dgram(void)
{
	fk.d[fk.n] = calloc(1, FAKE_DGRAM_MAX);
	fk.len[fk.n] = 0;
	return fk.d[fk.n++];
}

static void *
fake_put(size_t len)
{
	unsigned int i = fk.n - 1;
	void *p = fk.d[i] + fk.len[i];

	fk.len[i] += NLMSG_ALIGN(len);
	return p;
}

static void
fake_attr(struct nlmsghdr *nlh, uint16_t type, const void *v, size_t len)
{
	struct nlattr *a = fake_put(NLA_HDRLEN + len);

	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	memcpy((uint8_t *)a + NLA_HDRLEN, v, len);
	nlh->nlmsg_len += NLA_ALIGN(a->nla_len);
}

static struct nlmsghdr *
fake_hdr(uint16_t type, uint16_t flags, size_t payload)
{
	struct nlmsghdr *nlh = fake_put(NLMSG_LENGTH(payload));

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_len = NLMSG_ALIGN(NLMSG_LENGTH(payload));
	return nlh;
}

static struct nlmsghdr *
fake_sock(const struct fake_sock *f)
{
	struct nlmsghdr *nlh = fake_hdr(SOCK_DIAG_BY_FAMILY, NLM_F_MULTI,
					sizeof(struct xdp_diag_msg));
	struct xdp_diag_msg *m = NLMSG_DATA(nlh);
	struct xdp_diag_info info = { .ifindex = f->ifindex, .queue_id = f->queue };
	struct xdp_diag_ring rx = { .entries = f->rx }, fill = { .entries = f->fill };
	struct xdp_diag_ring tx = { .entries = 77 }, comp = { .entries = 88 };
	struct xdp_diag_umem umem = { .size = 4096, .id = 1, .refs = 1 };
	struct xdp_diag_stats st = {
		f->stats, f->stats + 1, f->stats + 2, f->stats + 3, f->stats + 4, f->stats + 5,
	};
	uint32_t uid = 0;

	m->xdiag_family = AF_XDP;
	m->xdiag_type = SOCK_RAW;
	m->xdiag_ino = f->ino;
	/* in the kernel's order, with the ones the library ignores */
	fake_attr(nlh, XDP_DIAG_INFO, &info, sizeof(info));
	fake_attr(nlh, XDP_DIAG_UID, &uid, sizeof(uid));
	if (f->rx)
		fake_attr(nlh, XDP_DIAG_RX_RING, &rx, sizeof(rx));
	fake_attr(nlh, XDP_DIAG_TX_RING, &tx, sizeof(tx));
	fake_attr(nlh, XDP_DIAG_UMEM, &umem, sizeof(umem));
	fake_attr(nlh, XDP_DIAG_UMEM_FILL_RING, &fill, sizeof(fill));
	fake_attr(nlh, XDP_DIAG_UMEM_COMPLETION_RING, &comp, sizeof(comp));
	fake_attr(nlh, XDP_DIAG_STATS, &st, sizeof(st));
	return nlh;
}

static void
fake_done(int err)
{
	struct nlmsghdr *nlh = fake_hdr(NLMSG_DONE, NLM_F_MULTI, sizeof(int));

	memcpy(NLMSG_DATA(nlh), &err, sizeof(err));
}

static void
fake_error(int err)
{
	struct nlmsghdr *nlh = fake_hdr(NLMSG_ERROR, 0, sizeof(struct nlmsgerr));
	struct nlmsgerr *e = NLMSG_DATA(nlh);

	e->error = err;
}

static bool
diag_is(const struct hyp_xsk_diag *d, const struct fake_sock *f)
{
	return d->ifindex == f->ifindex && d->queue_id == f->queue && d->inode == f->ino &&
		d->rx_ring_entries == f->rx && d->fill_ring_entries == f->fill &&
		d->rx_dropped == f->stats && d->rx_invalid_descs == f->stats + 1 &&
		d->rx_ring_full == f->stats + 2 &&
		d->rx_fill_ring_empty_descs == f->stats + 3 &&
		d->tx_invalid_descs == f->stats + 4 && d->tx_ring_empty_descs == f->stats + 5;
}

#define FAKE_CASES 7

static void
fake_cases(void)
{
	static const struct fake_sock s[] = {
		{ 7, 3, 1003, 512, 1024, 100 },
		{ 7, 1, 1001, 0, 2048, 200 },		/* no rx ring */
		{ 9, 0, 1009, 2048, 2048, 300 },
		{ 7, 2, 1002, 4096, 4096, 400 },
	};
	struct hyp_xsk_diag d[MAX_DIAG];
	struct nlmsghdr *nlh;
	unsigned int i;
	int n, m, big;
	bool ok;

	/* three datagrams, a stale reply and someone else's in between */
	fake_reset();
	fake_dgram();
	fake_sock(&s[0]);
	nlh = fake_sock(&s[2]);
	nlh->nlmsg_seq = 12345;	/* another request's: ignored */
	fake_sock(&s[1]);
	fake_dgram();
	fake_sock(&s[2]);
	nlh = fake_sock(&s[0]);
	nlh->nlmsg_pid = 1;	/* another socket's: ignored */
	fake_sock(&s[3]);
	fake_dgram();
	fake_done(0);
	fk.eintr_send = 2;
	fk.eintr_recv = 3;
	n = hyp_xskdiag_query(7, d, MAX_DIAG);
	tap(fk.req_ok && n == 3 && diag_is(&d[0], &s[1]) && diag_is(&d[1], &s[3]) &&
	    diag_is(&d[2], &s[0]) && fk.next == fk.n && fk.eintr_recv == 0,
	    "scripted: multi-part dump through EINTR, filtered, ordered, all fields",
	    "n %d, request %s, read %u of %u", n, fk.req_ok ? "ok" : "bad", fk.next, fk.n);

	fk.eintr_send = 0;
	n = hyp_xskdiag_query(0, d, MAX_DIAG);
	tap(n == 4 && diag_is(&d[0], &s[2]) && diag_is(&d[1], &s[1]) &&
	    diag_is(&d[2], &s[3]) && diag_is(&d[3], &s[0]),
	    "scripted: ifindex 0 is every socket", "n %d", n);

	/* one datagram bigger than the library's 32 KiB, in scrambled order */
	fake_reset();
	fake_dgram();
	for (big = 0; big < 600; big++) {
		struct fake_sock f = { 5, (uint32_t)((big * 7919) % 600), (uint32_t)big, 64,
				       64, 0 };

		fake_sock(&f);
	}
	fake_done(0);
	memset(d, 0, sizeof(d));
	n = hyp_xskdiag_query(5, d, 5);
	ok = n == 600 && fk.len[0] > 32768;
	for (i = 0; ok && i < 5; i++)
		ok = d[i].queue_id == i;
	tap(ok, "scripted: datagram over 32 KiB, the max first by queue",
	    "n %d, datagram %zu bytes, queues %u %u %u %u %u", n, fk.len[0],
	    d[0].queue_id, d[1].queue_id, d[2].queue_id, d[3].queue_id, d[4].queue_id);

	fake_reset();
	fake_dgram();
	fake_sock(&s[0]);
	fake_dgram();
	fake_error(-EPERM);
	n = hyp_xskdiag_query(0, d, MAX_DIAG);
	fake_reset();
	fake_dgram();
	fake_done(-ENOBUFS);
	m = hyp_xskdiag_query(0, d, MAX_DIAG);
	tap(n == -EPERM && m == -ENOBUFS, "scripted: NLMSG_ERROR and an error in DONE",
	    "%d %d", n, m);

	/* an attribute running past its message */
	fake_reset();
	fake_dgram();
	nlh = fake_sock(&s[0]);
	((struct nlattr *)((uint8_t *)NLMSG_DATA(nlh) +
			   NLMSG_ALIGN(sizeof(struct xdp_diag_msg))))->nla_len = 4000;
	fake_done(0);
	n = hyp_xskdiag_query(0, d, MAX_DIAG);
	tap(n == -EBADMSG, "scripted: attribute past its message is -EBADMSG", "%d", n);

	/* a stats attribute too short for struct xdp_diag_stats */
	fake_reset();
	fake_dgram();
	nlh = fake_hdr(SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, sizeof(struct xdp_diag_msg));
	((struct xdp_diag_msg *)NLMSG_DATA(nlh))->xdiag_family = AF_XDP;
	fake_attr(nlh, XDP_DIAG_STATS, &big, sizeof(big));
	fake_done(0);
	n = hyp_xskdiag_query(0, d, MAX_DIAG);
	tap(n == -EBADMSG, "scripted: short stats attribute is -EBADMSG", "%d", n);

	/* a dump that never ends in DONE: the library must not invent one */
	fake_reset();
	fake_dgram();
	fake_sock(&s[0]);
	n = hyp_xskdiag_query(0, d, MAX_DIAG);
	tap(n == -EAGAIN, "scripted: no NLMSG_DONE is an error, not a result", "%d", n);

	fake_reset();
	fk.on = false;
}

#define OWN_CASES 6

/*
 * The descriptors of our own sockets, which need no sock_diag: what the app
 * does around each rx_queue_setup (list, make a socket, list again) and the
 * per-queue reading that follows from it.
 */
static void
own_cases(struct xsk_slot *xs)
{
	struct xsk_slot third = { .queue = 1, .rx_size = 128, .fill_size = 128 };
	struct hyp_xsk_owned own[3];
	struct hyp_xsk_diag d, q[3];
	int before[8], after[8], nb, na, i, j, added = -1, nadded = 0, udp, ret, f0, f1;
	unsigned int bad = 99;

	f0 = xsk_socket__fd(xs[0].xsk);
	f1 = xsk_socket__fd(xs[1].xsk);
	udp = socket(AF_INET, SOCK_DGRAM, 0);
	nb = hyp_xskdiag_own_fds(before, 8);
	tap(nb == 2 && before[0] == (f0 < f1 ? f0 : f1) && before[1] == (f0 < f1 ? f1 : f0),
	    "own: the two AF_XDP descriptors, ascending, the UDP socket not among them",
	    "%d found: %d %d (want %d %d)", nb, nb > 0 ? before[0] : -1, nb > 1 ? before[1] : -1,
	    f0, f1);
	ret = xsk_open(&third, VETH);
	na = hyp_xskdiag_own_fds(after, 8);
	for (i = 0; ret == 0 && i < na && i < 8; i++) {
		for (j = 0; j < nb && before[j] != after[i]; j++)
			;
		if (j == nb) {
			added = after[i];
			nadded++;
		}
	}
	tap(ret == 0 && nadded == 1 && added == xsk_socket__fd(third.xsk),
	    "own: listing before and after a socket's creation finds exactly its descriptor",
	    "open %d, %d new, %d (want %d)", ret, nadded, added,
	    ret == 0 ? xsk_socket__fd(third.xsk) : -1);
	ret = hyp_xskdiag_fd(f1, &d);
	tap(ret == 0 && d.inode == xs[1].inode && d.options_known && !d.zerocopy &&
	    d.queue_id == UINT32_MAX,
	    "own: a descriptor's inode and XDP_OPTIONS (copy mode on veth)",
	    "ret %d, inode %llu (want %llu), options %d zerocopy %d", ret,
	    (unsigned long long)d.inode, (unsigned long long)xs[1].inode, d.options_known,
	    d.zerocopy);
	i = hyp_xskdiag_fd(udp, &d);
	j = hyp_xskdiag_fd(1000, &d);
	tap(i == -ENOTSOCK && j == -EBADF, "own: a UDP socket and a closed descriptor refused",
	    "%d %d", i, j);
	/* queues 0..2: ours on 0 and 2 (third on 1 is not handed over) */
	own[0] = (struct hyp_xsk_owned){ f0, xs[0].inode };
	own[1] = (struct hyp_xsk_owned){ -1, 0 };
	own[2] = (struct hyp_xsk_owned){ f1, xs[1].inode };
	ret = hyp_xskdiag_port(ifindex, 0, 3, own, q, &bad);
	tap(ret > 0 && q[0].queue_id == 0 && q[0].inode == xs[0].inode &&
	    q[1].queue_id == UINT32_MAX && q[2].queue_id == 2 && q[2].inode == xs[1].inode &&
	    q[0].options_known && bad == 0,
	    "own: per queue by descriptor, none where none was handed over, none misplaced",
	    "source %d, queues %u %u %u, bad %u", ret, q[0].queue_id, q[1].queue_id,
	    q[2].queue_id, bad);
	/* the descriptor was closed and its number reused by another socket */
	own[0].inode = xs[0].inode + 1000000;
	ret = hyp_xskdiag_port(ifindex, 0, 1, own, q, NULL);
	tap(ret > 0 && q[0].queue_id == UINT32_MAX,
	    "own: a descriptor whose inode changed is no socket of ours", "source %d, queue %u",
	    ret, q[0].queue_id);
	if (third.xsk != NULL)
		xsk_close(&third);
	if (udp >= 0)
		close(udp);
}

static void
tap_skip(unsigned int count, const char *why)
{
	while (count--)
		printf("ok %u - # SKIP %s\n", ++test_no, why);
}





static void
sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* The diag entry of the socket on this queue, or NULL. */
static const struct hyp_xsk_diag *
find_queue(const struct hyp_xsk_diag *d, int n, uint32_t queue)
{
	int i;

	for (i = 0; i < n && i < MAX_DIAG; i++)
		if (d[i].queue_id == queue)
			return &d[i];
	return NULL;
}

static int
read_queue(uint32_t queue, struct hyp_xsk_diag *out)
{
	struct hyp_xsk_diag d[MAX_DIAG];
	const struct hyp_xsk_diag *e;
	int n;

	n = hyp_xskdiag_query(ifindex, d, MAX_DIAG);
	if (n < 0)
		return n;
	e = find_queue(d, n, queue);
	if (e == NULL)
		return -ENOENT;
	*out = *e;
	return 0;
}

/* What an undeliverable frame moves: either counter, as the kernel sees fit. */
static uint64_t
lost(const struct hyp_xsk_diag *d)
{
	return d->rx_fill_ring_empty_descs + d->rx_dropped;
}

static int
send_frames(int pfd, uint16_t sport, unsigned int count)
{
	struct pkt_spec spec = {
		.family = 4, .src = "10.11.0.1", .dst = "10.11.0.2",
		.proto = 0, .sport = sport, .dport = 9, .payload = 18,
	};
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_IP),
		.sll_ifindex = (int)peer_ifindex,
		.sll_halen = ETH_ALEN,
	};
	struct frame f;
	unsigned int i;
	ssize_t n;

	if (pkt_build(&spec, &f) < 0)
		return -EINVAL;
	for (i = 0; i < count; i++) {
		do {
			n = sendto(pfd, f.b, f.len, 0, (struct sockaddr *)&sll, sizeof(sll));
		} while (n < 0 && errno == EINTR);
		if (n < 0)
			return -errno;
		if ((size_t)n != f.len)
			return -EIO;
	}
	return 0;
}

/* Wait until the queue-0 socket's loss counters reach want (or 1 s). */
static int
wait_lost(uint64_t want, struct hyp_xsk_diag *d)
{
	int i, ret = 0;

	for (i = 0; i < 100; i++) {
		ret = read_queue(0, d);
		if (ret < 0 || lost(d) >= want)
			break;
		sleep_ms(10);
	}
	if (ret == 0)	/* anything late would make the count too high */
		sleep_ms(20), ret = read_queue(0, d);
	return ret;
}

int
main(void)
{
	struct xsk_slot xs[2] = {
		{ .queue = 0, .rx_size = 512, .fill_size = 1024 },
		{ .queue = 2, .rx_size = 256, .fill_size = 4096 },
	};
	struct hyp_xsk_diag d[MAX_DIAG], before, after, q2;
	const struct hyp_xsk_diag *a, *b;
	struct hyp_xdp *x = NULL;
	uint32_t key = 0;
	uint16_t sport = 0, p;
	int n, ret, fd, pfd = -1, one = 1;
	cpu_set_t cpus;
	bool ok;

	setvbuf(stdout, NULL, _IOLBF, 0);
	ret = test_netns_veth(VETH, VETH_PEER, 4);
	if (ret != 0)
		return ret;
	ifindex = if_nametoindex(VETH);
	peer_ifindex = if_nametoindex(VETH_PEER);
	if ((ret = xsk_open(&xs[0], VETH)) < 0 || (ret = xsk_open(&xs[1], VETH)) < 0) {
		printf("Bail out! AF_XDP sockets on " VETH ": %s\n", strerror(-ret));
		return 1;
	}
	printf("1..%d\n", FAKE_CASES + OWN_CASES + 13);
	fake_cases();
	own_cases(xs);

	/* at rest */
	n = hyp_xskdiag_query(ifindex, d, MAX_DIAG);
	if (n == -ENOENT) {
		tap_skip(13, "kernel without CONFIG_XDP_SOCKETS_DIAG (sock_diag has no AF_XDP)");
		xsk_close(&xs[0]);
		xsk_close(&xs[1]);
		return failed ? 1 : 0;
	}
	tap(n == 2, "two sockets on the veth", "query: %d (%s)", n,
	    n < 0 ? strerror(-n) : "count");
	if (n < 0)
		n = 0;
	tap(n >= 2 && d[0].queue_id == 0 && d[1].queue_id == 2 &&
	    d[0].ifindex == ifindex && d[1].ifindex == ifindex,
	    "queues 0 and 2, in order", "queues %u %u, ifindex %u %u (want %u)",
	    n > 0 ? d[0].queue_id : 0, n > 1 ? d[1].queue_id : 0,
	    n > 0 ? d[0].ifindex : 0, n > 1 ? d[1].ifindex : 0, ifindex);
	a = find_queue(d, n, 0);
	b = find_queue(d, n, 2);
	tap(a && b && a->inode == xs[0].inode && b->inode == xs[1].inode,
	    "inodes are the sockets'", "inodes %llu %llu, want %llu %llu",
	    a ? (unsigned long long)a->inode : 0ULL, b ? (unsigned long long)b->inode : 0ULL,
	    (unsigned long long)xs[0].inode, (unsigned long long)xs[1].inode);
	tap(a && b && a->rx_ring_entries == xs[0].rx_size && b->rx_ring_entries == xs[1].rx_size &&
	    a->fill_ring_entries == xs[0].fill_size && b->fill_ring_entries == xs[1].fill_size,
	    "rx and fill ring sizes as configured", "rx %u %u fill %u %u",
	    a ? a->rx_ring_entries : 0, b ? b->rx_ring_entries : 0,
	    a ? a->fill_ring_entries : 0, b ? b->fill_ring_entries : 0);
	ok = a && b;
	for (ret = 0; ok && ret < 2; ret++) {
		const struct hyp_xsk_diag *e = ret ? b : a;

		ok = !e->rx_dropped && !e->rx_invalid_descs && !e->tx_invalid_descs &&
			!e->rx_ring_full && !e->rx_fill_ring_empty_descs &&
			!e->tx_ring_empty_descs;
	}
	tap(ok, "statistics all zero", NULL);

	n = hyp_xskdiag_query(peer_ifindex, d, MAX_DIAG);
	tap(n == 0, "none on the peer", "query: %d", n);
	n = hyp_xskdiag_query(0, d, MAX_DIAG);
	tap(n == 2, "ifindex 0: all sockets of the namespace", "query: %d", n);
	memset(d, 0xff, sizeof(d));
	n = hyp_xskdiag_query(ifindex, d, 1);
	tap(n == 2 && d[0].queue_id == 0 && d[1].queue_id == UINT32_MAX,
	    "max 1: count of all, first by queue only", "query: %d, queue %u, next %u",
	    n, d[0].queue_id, d[1].queue_id);
	n = hyp_xskdiag_query(ifindex, NULL, 0);
	ret = hyp_xskdiag_query(ifindex, NULL, 1);
	tap(n == 2 && ret == -EINVAL, "count only; NULL out is -EINVAL", "%d %d", n, ret);

	/* traffic: everything on queue 0 goes to the queue-0 socket */
	ret = hyp_xdp_load(&x);
	if (ret == 0)
		ret = hyp_xdp_config_defaults(x);
	if (ret == 0)
		ret = hyp_xdp_config_set(x, HYP_CFG_REDIRECT_ALL, 1);
	if (ret == 0) {
		fd = xsk_socket__fd(xs[0].xsk);
		if (bpf_map_update_elem(hyp_xdp_map_fd(x, HYP_MAP_ID_XSKS), &key, &fd, BPF_ANY) < 0)
			ret = -errno;
	}
	if (ret == 0)
		ret = hyp_xdp_attach(x, ifindex, XDP_FLAGS_SKB_MODE);
	if (ret == 0) {
		pfd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
		if (pfd < 0)
			ret = -errno;
	}
	/*
	 * Bypassing the qdisc, AF_PACKET picks the peer's transmit queue from
	 * the sending CPU (cpu % queues), and the veth hands the frame on with
	 * that queue: one CPU means one receive queue for every frame.
	 */
	if (ret == 0 && setsockopt(pfd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)) < 0)
		ret = -errno;
	if (ret == 0) {
		CPU_ZERO(&cpus);
		CPU_SET(0, &cpus);
		if (sched_setaffinity(0, sizeof(cpus), &cpus) < 0)
			ret = -errno;
	}
	tap(ret == 0, "XDP program redirecting to the queue-0 socket", "%s", strerror(-ret));

	/* and should that ever change: find a flow that reaches queue 0 */
	for (p = 40000; ret == 0 && p < 40064 && sport == 0; p++) {
		ret = read_queue(0, &before);
		if (ret == 0)
			ret = send_frames(pfd, p, 1);
		if (ret == 0)
			ret = wait_lost(lost(&before) + 1, &after);
		if (ret == 0 && lost(&after) > lost(&before))
			sport = p;
	}
	tap(ret == 0 && sport != 0, "a flow that reaches queue 0", "%s",
	    ret ? strerror(-ret) : "no source port did");

	ret = sport ? read_queue(0, &before) : -ENOENT;
	if (ret == 0)
		ret = send_frames(pfd, sport, NFRAMES);
	if (ret == 0)
		ret = wait_lost(lost(&before) + NFRAMES, &after);
	tap(ret == 0 &&
	    (after.rx_fill_ring_empty_descs - before.rx_fill_ring_empty_descs == NFRAMES ||
	     after.rx_dropped - before.rx_dropped == NFRAMES),
	    "every frame counted: fill ring empty or rx_dropped",
	    "%s; sent %u, fill_ring_empty %llu -> %llu, rx_dropped %llu -> %llu",
	    ret ? strerror(-ret) : "ok", NFRAMES,
	    (unsigned long long)before.rx_fill_ring_empty_descs,
	    (unsigned long long)after.rx_fill_ring_empty_descs,
	    (unsigned long long)before.rx_dropped, (unsigned long long)after.rx_dropped);

	ret = read_queue(2, &q2);
	tap(ret == 0 && !lost(&q2) && !q2.rx_ring_full && !q2.rx_invalid_descs,
	    "the queue-2 socket saw nothing", "%s; lost %llu", strerror(-ret),
	    ret ? 0ULL : (unsigned long long)lost(&q2));

	if (pfd >= 0)
		close(pfd);
	hyp_xdp_close(x);
	xsk_close(&xs[0]);
	xsk_close(&xs[1]);
	return failed ? 1 : 0;
}
