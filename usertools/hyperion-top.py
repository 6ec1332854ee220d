#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""A top-like view of a running dpdk-hyperion, read over DPDK telemetry.

Stdlib only. Speaks the dpdk_telemetry.v2 protocol (an AF_UNIX
SOCK_SEQPACKET socket at <runtime dir>/dpdk/<file-prefix>/dpdk_telemetry.v2;
the first message is a JSON greeting with max_output_len, then every command
sent gets one JSON reply) and shows the /hyperion/* commands: totals, one
line per AF_XDP queue, per worker lcore and per stage ring.
"""
import argparse
import json
import os
import socket
import sys
import time

SOCKET_NAME = "dpdk_telemetry.v2"


def runtime_dir(prefix):
    """The EAL's runtime directory for a file prefix (as dpdk-telemetry.py)."""
    base = os.environ.get("RUNTIME_DIRECTORY")
    if not base:
        base = "/var/run" if os.getuid() == 0 else os.environ.get("XDG_RUNTIME_DIR", "/tmp")
    return os.path.join(base, "dpdk", prefix)


class Telemetry:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.sock.connect(path)
        hello = json.loads(self.sock.recv(1024).decode())
        self.max_len = hello.get("max_output_len", 16384)
        self.pid = hello.get("pid")

    def query(self, cmd):
        self.sock.send(cmd.encode())
        reply = json.loads(self.sock.recv(self.max_len).decode())
        return reply.get(cmd.split(",")[0])

    def close(self):
        self.sock.close()


def num(n):
    """Counters in a narrow column: 1234567 -> 1.23M."""
    n = n or 0
    for unit, div, above in (("G", 1e9, 1e9), ("M", 1e6, 1e6), ("k", 1e3, 1e4)):
        if n >= above:
            return "%.2f%s" % (n / div, unit)
    return str(n)


def render(t, prev, dt):
    """One screen, as a list of lines; prev holds the last sample for rates."""
    st = t.query("/hyperion/stats") or {}
    lc = t.query("/hyperion/lcores") or {}
    rings = t.query("/hyperion/rings") or {}
    xsk = t.query("/hyperion/xsk") or {}
    wd = t.query("/hyperion/watchdog") or {}
    pol = t.query("/hyperion/policy") or {}
    out = []
    slow = st.get("slow", {})
    fast = {k[5:]: v for k, v in st.items() if k.startswith("fast/") and isinstance(v, dict)}
    eve = st.get("eve", {})

    def rate(key, val):
        old = prev.get(key)
        prev[key] = val
        return "" if old is None or dt <= 0 else " (%s/s)" % num(int((val - old) / dt))

    out.append("dpdk-hyperion pid %s  mode %s  up %ss  policy %s [%s]  watchdog %s" % (
        t.pid, st.get("mode", "?"), st.get("uptime_s", 0), pol.get("file") or "-",
        pol.get("hash", "")[:8], wd.get("state", "?")))
    busy = sorted(((v.get("packets", 0), k) for k, v in fast.items() if v.get("packets")), reverse=True)
    out.append("fast path: " + "  ".join("%s=%s" % (k, num(p)) for p, k in busy[:8]) +
               rate("fast", sum(p for p, _ in busy)))
    out.append("slow path: " + "  ".join("%s=%s" % (k, num(slow.get(k, 0))) for k in (
        "rx", "inspected", "dropped", "alerted", "passed", "cached_drops", "tx", "tx_failed",
        "ring_full", "parse_errors", "flow_full")) + rate("inspected", slow.get("inspected", 0)))
    out.append("redirect_failures=%s  eve written=%s lost=%s" % (
        num(st.get("redirect_failures", 0)), num(eve.get("written", 0)), num(eve.get("lost", 0))))
    out.append("")
    out.append("%-16s %5s %5s %10s %8s %8s %8s %8s %8s %9s" % (
        "xsk ifname", "queue", "sock", "rx_dropped", "ring_ful", "fill_emp", "inval", "mbuf_av",
        "mbuf_use", "redirect"))
    for q in sorted(xsk.values(), key=lambda q: (q.get("port_id", 0), q.get("queue", 0))):
        out.append("%-16s %5s %5s %10s %8s %8s %8s %8s %8s %9s" % (
            q.get("ifname") or q.get("port", "?"), q.get("queue"), q.get("socket"),
            num(q.get("rx_dropped", 0)), num(q.get("rx_ring_full", 0)),
            num(q.get("rx_fill_ring_empty_descs", 0)),
            num(q.get("rx_invalid_descs", 0) + q.get("tx_invalid_descs", 0)),
            num(q.get("mbuf_avail", 0)), num(q.get("mbuf_in_use", 0)),
            num(q.get("port_xdp_redirect", 0))))
    out.append("")
    out.append("%-9s %-10s %10s %10s %10s %6s %10s %8s %8s" % (
        "lcore", "role", "rx", "bursts", "empty", "busy%", "inspected", "dropped", "alerted"))
    for lid in sorted(lc, key=lambda k: int(k) if k.isdigit() else 0):
        v = lc[lid]
        out.append("lcore %-3s %-10s %10s %10s %10s %6.1f %10s %8s %8s" % (
            lid, v.get("role", "?"), num(v.get("rx", 0)), num(v.get("bursts", 0)),
            num(v.get("empty_polls", 0)), v.get("busy_permille", 0) / 10.0,
            num(v.get("inspected", 0)), num(v.get("dropped", 0)), num(v.get("alerted", 0))))
    if rings:
        out.append("")
        # the ring table's names (hyp_ring_stat_descs), as telemetry gives them
        out.append("%-16s %9s %8s %14s %16s" % (
            "ring", "occupancy", "capacity", "high_watermark", "enqueue_failures"))
        for r in (rings[k] for k in sorted(rings)):
            out.append("%-16s %9s %8s %14s %16s" % (
                r.get("name"), r.get("occupancy", "?"), r.get("capacity", "?"),
                r.get("high_watermark", "?"), num(r.get("enqueue_failures", 0))))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-f", "--file-prefix", default="rte", help="the EAL --file-prefix of the instance")
    ap.add_argument("-i", "--interval", type=float, default=1.0, help="seconds between refreshes")
    ap.add_argument("--once", action="store_true", help="print one screen and exit")
    args = ap.parse_args()

    path = os.path.join(runtime_dir(args.file_prefix), SOCKET_NAME)
    try:
        t = Telemetry(path)
    except OSError as e:
        sys.exit("hyperion-top: cannot connect to %s: %s" % (path, e))
    prev, last = {}, None
    try:
        while True:
            now = time.monotonic()
            lines = render(t, prev, now - last if last else 0)
            last = now
            if args.once:
                print("\n".join(lines))
                break
            sys.stdout.write("\x1b[H\x1b[2J" + "\n".join(lines) + "\n")
            sys.stdout.flush()
            time.sleep(args.interval)
    except KeyboardInterrupt:
        pass
    except (OSError, ValueError) as e:
        sys.exit("hyperion-top: %s" % e)
    finally:
        t.close()


if __name__ == "__main__":
    main()
