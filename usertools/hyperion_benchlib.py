# SPDX-License-Identifier: BSD-3-Clause
"""What hyperion-bench and hyperion-experiment share: the namespace sandbox,
the sender, the receivers (dpdk-testpmd rxonly and dpdk-hyperion), what their
final statistics say, host knobs put back, medians and the run's metadata.

How frames reach the receiver on a veth: hyperion-blast runs xdp_tx.bpf.o
with BPF_PROG_RUN live frames on the SRC veth (where the kernel refuses live
frames, its packet engine sends through AF_PACKET instead: an skb per frame
on the sender's CPU, a lower offered rate; the run records which engine
sent, env.json's sender_engine and the experiments' sender_engine column);
XDP_TX becomes ndo_xdp_xmit,
which puts the frame straight on the DUT veth's XDP ring (no skb, no qdisc).
That ring exists only while the DUT veth runs NAPI, i.e. has an XDP program
attached (the PMD's default one or ours): so the sender starts only once the
receiver's program is on (Receiver.wait_ready), else the kernel drops every
frame silently (hyperion-blast then reports xdp_xmit 0). The DUT's NAPI runs
the XDP program and the copy into the UMEM (veth: copy mode) in softirq on
the SENDER's CPU, which is why the sender is pinned to CPU 0 and the
receiver's lcore is 1: the receiver's cycles are its own, the kernel's share
lands on the sender, and a receiver that costs the kernel more slows the
sender (see the fast path's live figure).

Every number here comes from a process that ran: the receivers' own TSC
accounting (testpmd --record-core-cycles, dpdk-hyperion's busy_cycles and
cyc_* counters), the sender's count, the kernel's counters. Nothing is
asserted on time: the callers print ratios of contenders run side by side.
"""

import atexit
import json
import os
import platform
import re
import signal
import subprocess
import sys
import tempfile
import time

# the two CPUs of a small machine: the sender's softirq and the receiver's lcore
SENDER_CPU = 0


def log(msg):
    print("# " + msg, file=sys.stderr, flush=True)


def sh(cmd, check=True, **kw):
    """Run cmd (a list); its stdout as text. check: a failure raises with its stderr."""
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    if check and r.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(cmd), r.returncode, r.stderr.strip()))
    return r.stdout


def median(xs):
    xs = sorted(x for x in xs if x is not None)
    if not xs:
        return None
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2.0


def lcore_count(spec):
    """Lcores in an EAL list ("0-3": 4, "0,2,4": 3) or map ("0@0,1@1,2@1": 3)."""
    n = 0
    for part in spec.split(","):
        a, _, b = part.split("@")[0].partition("-")
        n += (int(b) - int(a) + 1) if b else 1
    return n


def eal_lcores(spec):
    """-l for a list, --lcores for a map (lcore@cpu: more lcores than CPUs)."""
    return ["--lcores", spec] if "@" in spec else ["-l", spec]


def ratio(a, b):
    return a / b if a is not None and b else None


# an HTTP request's bytes: pipelined, they are the client's stream of the
# 512- and 1,400-byte HTTP cases (http_session_pcap)
HTTP_REQ = (b"GET /static/app/main.js?v=20261203 HTTP/1.1\r\nHost: www.example.com\r\n"
            b"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n"
            b"Accept: */*\r\nAccept-Language: en-US,en;q=0.5\r\nAccept-Encoding: gzip, deflate\r\n"
            b"Referer: https://www.example.com/\r\nConnection: keep-alive\r\n"
            b"Cookie: session=4f2a9c1be07d; theme=dark\r\n\r\n")

WORDS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india",
         "juliet", "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo")


def http_session_pcap(path, frame_size, segments=16):
    """One HTTP/1.1 keep-alive connection as a capture: the handshake,
    `segments` client segments of frame_size bytes carrying pipelined
    requests (HTTP_REQ over and over, cut where a segment ends), an ACK
    from the server every two, and the close. Client 198.18.0.1:40000,
    server 198.18.0.2:80; hyperion-blast --sport-range/--src-count turn
    each round of it into a connection of its own. Returns (frames, mean
    frame size)."""
    from scapy.all import Ether, IP, TCP, Raw, wrpcap  # Debian's python3-scapy
    eth = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
    cl, sv = IP(src="198.18.0.1", dst="198.18.0.2"), IP(src="198.18.0.2", dst="198.18.0.1")
    cp, sp = 40000, 80
    mss = frame_size - 14 - 20 - 20
    if mss < 1:
        raise ValueError("frame_size %d leaves no TCP payload" % frame_size)
    stream = HTTP_REQ * (segments * mss // len(HTTP_REQ) + 1)
    c, v = 1000, 5000
    fr = [eth / cl / TCP(sport=cp, dport=sp, flags="S", seq=c),
          eth / sv / TCP(sport=sp, dport=cp, flags="SA", seq=v, ack=c + 1),
          eth / cl / TCP(sport=cp, dport=sp, flags="A", seq=c + 1, ack=v + 1)]
    c += 1
    v += 1
    for k in range(segments):
        fr.append(eth / cl / TCP(sport=cp, dport=sp, flags="PA", seq=c, ack=v) /
                  Raw(stream[k * mss:(k + 1) * mss]))
        c += mss
        if k % 2 == 1:
            fr.append(eth / sv / TCP(sport=sp, dport=cp, flags="A", seq=v, ack=c))
    fr += [eth / cl / TCP(sport=cp, dport=sp, flags="FA", seq=c, ack=v),
           eth / sv / TCP(sport=sp, dport=cp, flags="FA", seq=v, ack=c + 1),
           eth / cl / TCP(sport=cp, dport=sp, flags="A", seq=c + 1, ack=v + 1)]
    wrpcap(path, fr)
    sizes = [len(bytes(f)) for f in fr]
    return len(fr), sum(sizes) / len(sizes)


def policy_yaml(n_rules, dport, dns_rules=1, blocklist=0, redirect_all=False):
    """A policy redirecting UDP dport (redirect_all: everything); n_rules
    YAML payload rules (half literal signatures, half regexes, none
    matching the benchmark's payloads), dns_rules DNS rules, blocklist
    prefixes (documentation ranges, 203.0.113.0/24 split finer)."""
    lines = ["fast_path:", "  redirect_ports: [{protocol: 17, port: %d}]" % dport]
    if redirect_all:
        lines.append("  redirect_all: true")
    if blocklist:
        lines.append("  drop_ips: [192.0.2.0/24]")
    lines.append("slow_path:")
    if dns_rules:
        lines.append("  dns_rules:")
        for i in range(dns_rules):
            lines.append("    - {match: \"%s%04d.example.net\", action: drop, id: %d}"
                         % (WORDS[i % len(WORDS)], i, 1000 + i))
    if n_rules:
        half = n_rules // 2
        lines.append("  payload_signatures:")
        for i in range(half):
            lines.append("    - {match: 'zq%s%05dxv', action: alert, id: %d}"
                         % (WORDS[i % len(WORDS)], i, 100000 + i))
        lines.append("  payload_rules:")
        for i in range(n_rules - half):
            w = "%s%04d" % (WORDS[i % len(WORDS)], i)
            shape = i % 4
            rx = ("(?i)user-agent:\\s*[a-z]{3,8}%s\\d{2,4}" % w,
                  "(?i)x-%s-token:\\s*[0-9a-f]{16,32}" % w,
                  "(?i)(get|post)\\s+/%s/[a-z0-9_]{2,12}\\.php" % w,
                  "(?i)cookie:\\s*%s=[a-z0-9]{8,16};" % w)[shape]
            lines.append("    - {id: %d, regex: '%s', action: alert}" % (200000 + i, rx))
    return "\n".join(lines) + "\n"


# ---- cleanup that survives a signal -----------------------------------------

_cleanups = []


def on_exit(fn):
    """fn runs at exit, on SIGINT/SIGTERM/SIGHUP too, last registered first."""
    _cleanups.append(fn)


def _run_cleanups():
    while _cleanups:
        fn = _cleanups.pop()
        try:
            fn()
        except Exception as e:  # a cleanup must not stop the others
            log("cleanup: %s" % e)


def _on_signal(sig, _frame):
    log("signal %d: cleaning up" % sig)
    _run_cleanups()
    sys.exit(128 + sig)


atexit.register(_run_cleanups)
for _s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
    signal.signal(_s, _on_signal)


# ---- host knobs ---------------------------------------------------------------

class Knobs:
    """Files of /proc and /sys written for a run; every old value is put back
    at restore(), at exit, or on a signal. ns: write inside that netns (its
    own /sys/class/net)."""

    def __init__(self):
        self.saved = []  # (ns, path, old) in the order written
        on_exit(self.restore)

    @staticmethod
    def _read(ns, path):
        cmd = ["cat", path]
        if ns:
            cmd = ["ip", "netns", "exec", ns] + cmd
        return sh(cmd).strip()

    @staticmethod
    def _write(ns, path, value):
        cmd = ["sh", "-c", 'printf "%s\\n" "$1" > "$2"', "knob", str(value), path]
        if ns:
            cmd = ["ip", "netns", "exec", ns] + cmd
        sh(cmd)

    def set(self, path, value, ns=None):
        old = self._read(ns, path)
        if old == str(value):
            return old
        self.saved.append((ns, path, old))
        self._write(ns, path, value)
        log("knob %s%s: %s -> %s" % (ns + ":" if ns else "", path, old, value))
        return old

    def restore(self):
        while self.saved:
            ns, path, old = self.saved.pop()
            try:
                self._write(ns, path, old)
                log("knob %s%s: put back %s" % (ns + ":" if ns else "", path, old))
            except RuntimeError as e:
                # the namespace is gone with its interface: nothing left to restore
                if ns is None:
                    raise
                log("knob %s: %s" % (path, e))


# ---- the sandbox ----------------------------------------------------------------

SANDBOX_SH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "hyperion-sandbox.sh")


class Sandbox:
    """Two namespaces and a veth pair, made and removed by
    usertools/hyperion-sandbox.sh (one definition of the layout for the
    tests, the demo and the benchmarks): SRC 198.18.0.1 <-> DUT 198.18.0.2,
    no IPv6. Removed at exit."""

    def __init__(self, prefix=None, queues=None):
        p = prefix or "hbx%d" % os.getpid()
        self.prefix = p
        self.ns_src, self.ns_dut = p + "s", p + "d"
        self.if_src, self.if_dut = p + "a", p + "b"
        self.queues = queues
        self.up_ = False

    @staticmethod
    def _sh(body, env=None, args=()):
        # $0 is the script, $1... the arguments
        return sh(["bash", "-c", ". \"$0\" && " + body, SANDBOX_SH] + list(args),
                  env=dict(os.environ, **(env or {})))

    def up(self):
        on_exit(self.down)
        self.up_ = True
        env = {"HYP_SANDBOX_QUEUES": str(self.queues)} if self.queues else {}
        # the script's EXIT trap would take the sandbox down with this shell
        out = self._sh('hyp_sandbox_up "$1" || exit 1; trap - EXIT INT TERM; '
                       'echo "$HYP_NS_SRC $HYP_NS_DUT $HYP_IF_SRC $HYP_IF_DUT $HYP_MAC_DUT '
                       '$HYP_MAC_SRC"', env, [self.prefix])
        names = out.split()
        if names[:4] != [self.ns_src, self.ns_dut, self.if_src, self.if_dut]:
            raise RuntimeError("hyperion-sandbox.sh made %s, not the names expected" % names)
        self.mac_dut, self.mac_src = names[4], names[5]
        return self

    def down(self):
        if not self.up_:
            return
        self._sh("hyp_sandbox_down", {"HYP_NS_SRC": self.ns_src, "HYP_NS_DUT": self.ns_dut})
        self.up_ = False

    def dut(self, cmd):
        return ["ip", "netns", "exec", self.ns_dut] + cmd

    def src(self, cmd):
        return ["ip", "netns", "exec", self.ns_src] + cmd

    def attached(self):
        return "prog/xdp" in sh(["ip", "-n", self.ns_dut, "link", "show", self.if_dut])

    def ethtool_s(self):
        """The DUT veth's driver counters (ethtool -S)."""
        out = sh(self.dut(["ethtool", "-S", self.if_dut]), check=False)
        st = {}
        for line in out.splitlines():
            m = re.match(r"\s*([^:]+):\s*(\d+)\s*$", line)
            if m:
                st[m.group(1).strip()] = int(m.group(2))
        return st


# ---- the sender ---------------------------------------------------------------

class Blast:
    """hyperion-blast on the SRC veth, pinned to SENDER_CPU: a template (size,
    UDP port, payload file, source ports, source address) or a capture's
    frames in file order (pcap), at a rate (None: as fast as the kernel
    sends) for a duration."""

    def __init__(self, build, sb, size=60, dport=53, payload=None, rate=None, sports=None,
                 src=None, mix_share=None, mix_payload=None, mix_src=None, pcap=None, srcs=1):
        self.bin = os.path.join(build, "usertools/hyperion-blast/hyperion-blast")
        self.prog = os.path.join(build, "bpf/xdp_tx.bpf.o")
        self.sb, self.size, self.dport = sb, size, dport
        self.payload, self.rate, self.sports, self.src_ip = payload, rate, sports, src
        self.mix = (mix_share, mix_payload, mix_src)
        self.pcap = pcap
        self.srcs = srcs

    def cmd(self, seconds):
        c = [self.bin, "-i", self.sb.if_src, "-s", str(seconds), "--dmac", self.sb.mac_dut,
             "--prog", self.prog]
        if self.pcap:
            # the file's frames; source ports and addresses rotate its client
            c += ["--pcap", self.pcap] + (["--rate", str(int(self.rate))] if self.rate else [])
            c += ["--sport-range", self.sports] if self.sports else []
            c += ["--src-count", str(self.srcs)] if self.srcs and self.srcs > 1 else []
            return self.sb.src(["taskset", "-c", str(SENDER_CPU)] + c)
        c += ["--size", str(self.size), "--dport", str(self.dport)]
        if self.payload:
            c += ["--payload", self.payload]
        if self.rate:
            c += ["--rate", str(int(self.rate))]
        if self.sports:
            c += ["--sport-range", self.sports]
        if self.src_ip:
            c += ["--src", self.src_ip]
        if self.srcs and self.srcs > 1:
            c += ["--src-count", str(self.srcs)]
        share, mpay, msrc = self.mix
        if share:
            c += ["--mix-share", str(share)]
            c += ["--mix-payload", mpay] if mpay else []
            c += ["--mix-src", msrc] if msrc else []
        return self.sb.src(["taskset", "-c", str(SENDER_CPU)] + c)

    engines = set()  # which of hyperion-blast's engines sent, over the whole run

    def run(self, seconds):
        r = subprocess.run(self.cmd(seconds), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
        if r.returncode != 0:
            raise RuntimeError("hyperion-blast: exit %d: %s" % (r.returncode, r.stderr.strip()))
        res = json.loads(r.stdout.strip().splitlines()[-1])
        Blast.engines.add(res.get("engine", "xdp"))
        m = re.search(r"xdp_xmit (\d+), xdp_xmit_errors (\d+)", r.stderr)
        if m:
            res["xdp_xmit"], res["xdp_xmit_errors"] = int(m.group(1)), int(m.group(2))
        return res


# ---- the receivers -------------------------------------------------------------

class Receiver:
    """A DPDK process in the DUT namespace, found again by its unique
    --file-prefix (ip netns exec forks), stopped with SIGTERM so it prints
    its final statistics."""

    def __init__(self, sb, name, cmd, prefix, ready):
        self.sb, self.name, self.prefix, self.ready = sb, name, prefix, ready
        self.logf = tempfile.NamedTemporaryFile("w+", prefix="hyp-bench-%s-" % name,
                                                suffix=".log", delete=False)
        self.proc = subprocess.Popen(sb.dut(cmd), stdout=self.logf, stderr=subprocess.STDOUT)
        on_exit(self.kill)

    def log_text(self):
        with open(self.logf.name, errors="replace") as f:
            return f.read()

    def wait_ready(self, timeout=120):
        t_end = time.time() + timeout
        while time.time() < t_end:
            if self.proc.poll() is not None:
                break
            if self.sb.attached() and re.search(self.ready, self.log_text()):
                return True
            time.sleep(0.2)
        tail = "\n".join(self.log_text().splitlines()[-8:])
        raise RuntimeError("%s did not come up:\n%s" % (self.name, tail))

    def _pids(self):
        out = sh(["pgrep", "-f", "--", "--file-prefix %s( |$)" % self.prefix], check=False)
        return [int(p) for p in out.split()]

    def stop(self, timeout=30):
        for pid in self._pids():
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
        text = self.log_text()
        os.unlink(self.logf.name)
        sh(["sh", "-c", "rm -rf /var/run/dpdk/%s" % self.prefix], check=False)
        return text

    def kill(self):
        if self.proc.poll() is None:
            for pid in self._pids():
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            self.proc.wait()


_seq = [0]


def unique_prefix(tag):
    _seq[0] += 1
    return "hb%d%s%d" % (os.getpid(), tag, _seq[0])


def testpmd(sb, lcores="0-1", xdp_prog=None, extra_vdev="", mode="rxonly"):
    """dpdk-testpmd on the DUT veth. rxonly receives and frees without
    reading a frame; icmpecho also reads each frame's Ethernet header (and
    frees what is not ARP or ICMP echo: all of the benchmarks' frames), the
    least any inspecting receiver does."""
    prefix = unique_prefix("t")
    vdev = "net_af_xdp0,iface=%s%s%s" % (sb.if_dut, ",xdp_prog=" + xdp_prog if xdp_prog else "",
                                          extra_vdev)
    cmd = ["dpdk-testpmd", "-l", lcores, "--no-huge", "-m", "1024", "--no-pci",
           "--file-prefix", prefix, "--vdev", vdev, "--", "--forward-mode=" + mode,
           "--record-core-cycles", "--stats-period", "1"]
    return Receiver(sb, "testpmd", cmd, prefix, r"Rx-pps")


def parse_testpmd(text):
    """testpmd's exit statistics: RX-packets, RX-dropped and the core cycles."""
    res = {}
    rx = re.findall(r"RX-packets:\s*(\d+)", text)
    miss = re.findall(r"RX-dropped:\s*(\d+)", text)
    if rx:
        res["rx"] = int(rx[-1])
    if miss:
        res["rx_missed"] = int(miss[-1])
    # "CPU cycles/packet=92.75 (total cycles=248301874 / total rxonly packets=2677100)
    #  at 2450 MHz Clock" (DPDK 22.11; "busy cycles" and "RX packets" in others)
    m = re.findall(r"CPU cycles/packet=([\d.]+) \((?:total|busy) cycles=(\d+) / total \w+ "
                   r"packets=(\d+)\) at (\d+) MHz", text)
    if m:
        cpp, busy, pkts, mhz = m[-1]
        res.update(cycles_per_pkt=float(cpp), busy_cycles=int(busy), cyc_pkts=int(pkts),
                   tsc_mhz=int(mhz))
    return res


def hyperion(build, sb, policy, lcores="0-1", stage_cycles=False, pipeline="rtc", args=(),
             queues=1):
    prefix = unique_prefix("h")
    # DPDK 22.11's PMD counts only combined channels, which veth lacks: more
    # than one queue needs the test preload that answers ETHTOOL_GCHANNELS
    # (drivers-cfg/veth.yaml, quirk veth-no-combined-channels)
    pre = ["env", "LD_PRELOAD=" + os.path.join(build, "test/veth-channels/libhyp_veth_channels.so")] \
        if queues > 1 else []
    cmd = pre + [os.path.join(build, "app/dpdk-hyperion")] + eal_lcores(lcores) + ["--no-huge", "-m", "1024",
           "--no-pci", "--file-prefix", prefix, "--", "--iface", sb.if_dut, "--policy", policy,
           "--xdp-prog", os.path.join(build, "bpf/hyp_xdp.bpf.o"), "--stats-period", "1",
           "--metrics-port", "0", "--pipeline", pipeline] + list(args)
    if stage_cycles:
        cmd.append("--stage-cycles")
    return Receiver(sb, "hyperion", cmd, prefix, r"== statistics")


STAGES = ("rx", "defrag", "parse", "flow", "stream", "dns", "scan", "sigs", "app", "verdict",
          "eve", "output", "steer", "other")


def _kv(s):
    return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", s)}


def parse_hyperion(text):
    """dpdk-hyperion's final statistics: the slow path's totals, every
    lcore's counters (role, busy), the latency histogram, the fast path's
    reasons."""
    tail = text.split("== final statistics", 1)
    if len(tail) < 2:
        raise RuntimeError("no final statistics in the log:\n" +
                           "\n".join(text.splitlines()[-8:]))
    res = {"lcores": {}, "latency": {}, "fast_path": {}}
    for line in tail[1].splitlines():
        m = re.match(r"\s+slow path:(.*)", line)
        if m:
            res["slow"] = _kv(m.group(1))
            continue
        m = re.match(r"\s+latency:(.*)", line)
        if m:
            res["latency"] = {k: int(v) for k, v in re.findall(r"(le_\w+|sum_ns)=(\d+)",
                                                                 m.group(1))}
            continue
        m = re.match(r"\s+lcore (\d+) (\S+) busy=([\d.]+)%:(.*)", line)
        if m:
            d = _kv(m.group(4))
            d["role"] = m.group(2)
            res["lcores"][int(m.group(1))] = d
            continue
        m = re.match(r"\s+fast path \S+:(.*)", line)
        if m:
            res["fast_path"] = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", m.group(1))}
    if "slow" not in res:
        raise RuntimeError("no slow path line in the final statistics")
    return res


def latency_percentiles(lat, ps=(50, 99, 99.9)):
    """Percentiles from the histogram, as the upper bound of the bucket the
    p-th packet falls in (the histogram's resolution: 250 ns, 500 ns, ...;
    'inf' past 32 us). Per packet, averaged over its burst."""
    bounds = sorted((int(k[3:-2]), v) for k, v in lat.items()
                    if k.startswith("le_") and k != "le_inf")
    buckets = bounds + [(None, lat.get("le_inf", 0))]
    total = sum(v for _, v in buckets)
    out = {}
    for p in ps:
        if total == 0:
            out[p] = None
            continue
        want, cum = total * p / 100.0, 0
        for b, v in buckets:
            cum += v
            if cum >= want:
                out[p] = b if b is not None else float("inf")
                break
    return out


# ---- what ran where ----------------------------------------------------------------

def environment(build):
    env = {"date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
           "kernel": platform.release(), "machine": platform.machine(),
           "cpus": os.cpu_count()}
    try:
        with open("/proc/cpuinfo") as f:
            m = re.search(r"model name\s*:\s*(.*)", f.read())
            env["cpu_model"] = m.group(1).strip() if m else "?"
    except OSError:
        env["cpu_model"] = "?"
    env["dpdk"] = sh(["pkg-config", "--modversion", "libdpdk"], check=False).strip() or "?"
    env["hypervisor"] = sh(["systemd-detect-virt"], check=False).strip() or "none"
    env["nic"] = "veth (namespace sandbox)"
    env["driver"] = "veth"
    env["firmware"] = "n/a"
    env["xsk_mode"] = "copy (veth has no zero-copy)"
    env["commit"] = sh(["git", "-C", os.path.dirname(os.path.abspath(build)), "rev-parse",
                        "--short", "HEAD"], check=False).strip() or "?"
    return env


def proc_stat():
    """Per-CPU busy and total jiffies."""
    out = {}
    with open("/proc/stat") as f:
        for line in f:
            if re.match(r"cpu\d+ ", line):
                v = [int(x) for x in line.split()[1:]]
                idle = v[3] + (v[4] if len(v) > 4 else 0)
                out[line.split()[0]] = (sum(v) - idle, sum(v))
    return out


def cpu_share(a, b):
    return {c: (100.0 * (b[c][0] - a[c][0]) / (b[c][1] - a[c][1]) if b[c][1] > a[c][1] else 0.0)
            for c in b if c in a}


def softnet():
    with open("/proc/net/softnet_stat") as f:
        rows = [[int(x, 16) for x in line.split()] for line in f]
    # processed, dropped, time_squeeze: summed over CPUs
    return {"processed": sum(r[0] for r in rows), "dropped": sum(r[1] for r in rows),
            "time_squeeze": sum(r[2] for r in rows)}


def interrupts():
    total = 0
    with open("/proc/interrupts") as f:
        next(f)
        for line in f:
            total += sum(int(x) for x in line.split()[1:] if x.isdigit())
    return total
