# SPDX-License-Identifier: BSD-3-Clause
"""The invariants that matter most, each broken on purpose once.

A mutant is one exact piece of a source file (found exactly once, or the
mutant is stale and the run says so) replaced by a wrong version of it, and
the meson tests that must then fail. test/mutate/run.py applies each to a
copy of the tree, builds and runs its tests; a mutant whose tests still pass
"survived": the suite does not protect that behaviour. Every issue that adds
an invariant adds its mutant here.
"""

MUTANTS = [
    {
        "name": "fast path apply: stale entries removed before the new ones are written",
        "file": "lib/hyp_fastpath/hyp_fastpath.c",
        # each map removes its stale entries before it takes the new ones
        "find": "			ret = fp_add_all(x, p, &m[i], &st->map[m[i].id]);",
        "replace": """			ret = fp_remove_rest(x, &m[i], &st->map[m[i].id]);
		if (ret == 0)
			ret = fp_add_all(x, p, &m[i], &st->map[m[i].id]);""",
        "tests": ["fastpath"],
    },
    {
        "name": "fast path apply: removals go on after a failed write",
        "file": "lib/hyp_fastpath/hyp_fastpath.c",
        "find": """	for (i = 0; ret == 0 && i < RTE_DIM(m); i++) {
		ret = fp_snapshot(x, &m[i]);
		if (ret == 0)
			ret = fp_remove_rest(""",
        "replace": """	for (i = 0; i < RTE_DIM(m); i++) {
		int r = fp_snapshot(x, &m[i]);

		if (r == 0)
			r = fp_remove_rest(x, &m[i], &st->map[m[i].id]);
		ret = ret != 0 ? ret : r;
		if (0)
			ret = fp_remove_rest(""",
        "tests": ["fastpath"],
    },
    {
        "name": "fast path apply: a failed write in a map does not stop that map",
        "file": "lib/hyp_fastpath/hyp_fastpath.c",
        "find": """				   hyp_xdp_map_name(m->id), strerror(-ret));
			return ret;
		}
		if (kept)""",
        "replace": """				   hyp_xdp_map_name(m->id), strerror(-ret));
			continue;
		}
		if (kept)""",
        "tests": ["fastpath"],
    },
    {
        "name": "rollback: the port whose write failed is not brought back",
        "file": "lib/hyp_fastpath/hyp_fastpath.c",
        "find": "for (k = 0; k <= i && old != NULL; k++) {",
        "replace": "for (k = 0; k < i && old != NULL; k++) {",
        "tests": ["fastpath"],
    },
    {
        "name": "rollback: none at all",
        "file": "lib/hyp_fastpath/hyp_fastpath.c",
        "find": "for (k = 0; k <= i && old != NULL; k++) {",
        "replace": "for (k = 0; k <= i && old == (void *)1; k++) {",
        "tests": ["fastpath"],
    },
    {
        "name": "verdict cache: a dropped flow's later packets are inspected again",
        "file": "lib/hyp_pipeline/pipeline_datapath.c",
        "find": "			if (fe->verdict == HYP_ACTION_DROP &&\n",
        "replace": "			if (fe->verdict == HYP_ACTION_DROP && 0 &&\n",
        "tests": ["autoblock", "abuse_live", "ips_stream"],
    },
    {
        "name": "verdict cache: a cached drop outlives the policy generation that made it",
        "file": "lib/hyp_pipeline/pipeline_datapath.c",
        "find": "(fe->verdict_gen == gen || meta.proto == IPPROTO_TCP)) {",
        "replace": "(fe->verdict_gen != 0 || meta.proto == IPPROTO_TCP)) {",
        "tests": ["abuse_live"],
    },
    {
        "name": "verdict cache: a dropped TCP connection is resumed by a reload",
        "file": "lib/hyp_pipeline/pipeline_datapath.c",
        "find": "(fe->verdict_gen == gen || meta.proto == IPPROTO_TCP)) {",
        "replace": "(fe->verdict_gen == gen)) {",
        "tests": ["abuse_live"],
    },
    {
        "name": "flow sweep: examines twice its budget",
        "file": "lib/hyp_flow/hyp_flow.c",
        "find": """	for (i = 0; i < budget; i++) {
		uint32_t pos = t->cursor;""",
        "replace": """	for (i = 0; i < 2 * budget; i++) {
		uint32_t pos = t->cursor;""",
        "tests": ["flow"],
    },
    {
        "name": "flow sweep: starts from slot 0 every time instead of resuming",
        "file": "lib/hyp_flow/hyp_flow.c",
        "find": """	for (i = 0; i < budget; i++) {
		uint32_t pos = t->cursor;""",
        "replace": """	t->cursor = 0;
	for (i = 0; i < budget; i++) {
		uint32_t pos = t->cursor;""",
        "tests": ["flow"],
    },
    {
        "name": "XDP check order: the redirect decision before the blocklist",
        "file": "bpf/hyp_xdp.bpf.c",
        "find": """	why = hyp_source_checks(&p);\n""",
        "replace": """	if (hyp_wants_redirect(&p, in_use))
		return hyp_redirect(ctx, &p, &now, len, HYP_R_REDIRECT);
	why = hyp_source_checks(&p);\n""",
        "tests": ["xdp_verdicts"],
    },
    {
        "name": "fail mode: fail-closed falls back like fail-open",
        "file": "bpf/hyp_xdp.bpf.c",
        "find": "	if (hyp_cfg(HYP_CFG_FAIL_MODE) == HYP_FAIL_CLOSED)\n"
                "		return hyp_verdict(ctx, p, reason, XDP_DROP, len);",
        "replace": "	if (hyp_cfg(HYP_CFG_FAIL_MODE) == HYP_FAIL_CLOSED + 1)\n"
                   "		return hyp_verdict(ctx, p, reason, XDP_DROP, len);",
        "tests": ["xdp_verdicts"],
    },
    {
        "name": "rate limit: one packet more than the burst",
        "file": "bpf/hyp_xdp.bpf.c",
        "find": "		if (base - now > tol)\n",
        "replace": "		if (base - now > tol + iv)\n",
        "tests": ["xdp_verdicts"],
    },
    {
        "name": "reload swap: the new generation is never published",
        "file": "lib/hyp_pipeline/pipeline_setup.c",
        "find": "	__atomic_store_n(&p->gen, g, __ATOMIC_RELEASE);\n",
        "replace": "	__atomic_store_n(&p->gen, old, __ATOMIC_RELEASE);\n",
        "tests": ["reload"],
    },
    {
        "name": "reload swap: rule hits start again at 0",
        "file": "lib/hyp_pipeline/pipeline_setup.c",
        "find": "	gen_carry_hits(p, old, g);\n",
        "replace": "",
        "tests": ["reload"],
    },
    {
        "name": "reload swap: the old generation is never freed",
        "file": "lib/hyp_pipeline/pipeline_setup.c",
        "find": "	gen_carry_hits(p, old, g);\n	gen_free(old);\n",
        "replace": "	gen_carry_hits(p, old, g);\n",
        "tests": ["reload_soak"],
    },
    {
        "name": "auto-block cap: one block more than half the LRU map",
        "file": "lib/hyp_autoblock/hyp_autoblock.c",
        "find": "if (active >= HYP_AUTOBLOCK_CAP) {",
        "replace": "if (active > HYP_AUTOBLOCK_CAP) {",
        "tests": ["autoblock_unit"],
    },
    {
        "name": "XDP parser: an IPv6 atomic fragment's UDP length goes unchecked",
        "file": "bpf/hyp_parse.bpf.h",
        "find": """frag = ((bpf_ntohs(ext->frag_off) & (HYP_IP6_OFFMASK | HYP_IP6_MF)) +
				0xffff) >> 16;""",
        "replace": "frag = 1;",
        "tests": ["xdp_parsers"],
    },
    {
        "name": "xdpctl set: an unknown word for a setting is taken as its first",
        "file": "app/hyperion-xdpctl/main.c",
        "find": """		if (w == RTE_DIM(settable[i].words) || settable[i].words[w] == NULL)
			return usage(2);""",
        "replace": """		if (w == RTE_DIM(settable[i].words) || settable[i].words[w] == NULL)
			w = 0;""",
        "tests": ["fastpath_live"],
    },
    {
        "name": "fragments: overlapping different bytes pass as a retransmission",
        "file": "lib/hyp_defrag/hyp_defrag.c",
        "find": "memcmp(g->buf + olo, data + (olo - lo), ohi - olo) != 0 ?",
        "replace": "memcmp(g->buf + olo, data + (olo - lo), ohi - olo) == 12345 ?",
        "tests": ["defrag", "evasion"],
    },
    {
        "name": "fragments: the last bytes to arrive win over the first",
        "file": "lib/hyp_defrag/hyp_defrag.c",
        "find": """	if (pos < hi)
		memcpy(g->buf + pos, data + (pos - lo), hi - pos);""",
        "replace": """	memcpy(g->buf + lo, data, hi - lo);""",
        "tests": ["defrag"],
    },
    {
        "name": "fragments: a datagram never times out",
        "file": "lib/hyp_defrag/hyp_defrag.c",
        "find": "	return now - g->start > d->timeout_tsc;",
        "replace": "	return now - g->start > d->timeout_tsc && now == 0;",
        "tests": ["defrag"],
    },
    {
        "name": "fragments: ips forwards the reassembled frame, not the fragments it came in",
        "file": "lib/hyp_pipeline/pipeline_datapath.c",
        "find": "		else if (hyp_defrag_is_reassembled(m))",
        "replace": "		else if (hyp_defrag_is_reassembled(m) && m == NULL)",
        "tests": ["ips_live"],
    },
    {
        "name": "fragments: ips lets a conflicting overlap through",
        "file": "lib/hyp_pipeline/pipeline_datapath.c",
        "find": """				if (ips) {
					st->dropped++;""",
        "replace": """				if (ips && m == NULL) {
					st->dropped++;""",
        "tests": ["ips_live"],
    },
    {
        "name": "fragments: XDP does not redirect them (inspect acts as pass)",
        "file": "bpf/hyp_xdp.bpf.c",
        "find": "		if (fm == HYP_FRAG_INSPECT)",
        "replace": "		if (fm == HYP_FRAG_INSPECT + 7)",
        "tests": ["xdp_verdicts", "evasion"],
    },
    {
        "name": "streams: resent bytes that differ pass as a retransmission",
        "file": "lib/hyp_stream/hyp_stream.c",
        "find": "		differ |= d->ring[(d->ring_head + c->c.retain - back) % c->c.retain] != data[i];",
        "replace": "		differ |= d->ring[(d->ring_head + c->c.retain - back) % c->c.retain] == 0x100;",
        "tests": ["stream", "evasion"],
    },
    {
        "name": "streams: a segment over waiting ones replaces their bytes",
        "file": "lib/hyp_stream/hyp_stream.c",
        "find": "	for (i = 0; i < d->n_ooo && seq_diff(pos, end) < 0; i++) {",
        "replace": "	for (i = 0; i < d->n_ooo && seq_diff(pos, end) < 0 && 0; i++) {",
        "tests": ["stream"],
    },
    {
        "name": "streams: an attacker's SYN after data resets what was seen",
        "file": "lib/hyp_stream/hyp_stream.c",
        "find": "		if (d->delivered == 0 && d->n_ooo == 0) {",
        "replace": "		if (d->n_ooo == 0) {",
        "tests": ["stream"],
    },
    {
        "name": "streams: a stream of another generation is scanned with the new one",
        "file": "lib/hyp_engine/hyp_engine.c",
        "find": "	if (st->dpi != NULL && st->gen != e->gen) {",
        "replace": "	if (st->dpi != NULL && st->gen != e->gen && 0) {",
        "tests": ["engine"],
    },
    {
        "name": "streams: TCP segments inspected one by one",
        "file": "lib/hyp_pipeline/pipeline_datapath.c",
        "find": "		switch (meta.proto == IPPROTO_TCP && fe != NULL && w->streams != NULL ?",
        "replace": "		switch (meta.proto == IPPROTO_TCP && fe != NULL && w->streams == NULL ?",
        "tests": ["evasion", "ips_stream"],
    },
    {
        "name": "DNS: only the first question is matched",
        "file": "lib/hyp_engine/hyp_engine.c",
        "find": "		for (i = 0; i < (int)n; i++) {",
        "replace": "		for (i = 0; i < (int)n && i < 1; i++) {",
        "tests": ["engine"],
    },
    {
        "name": "prerequisite skips pass the test command",
        "file": "usertools/hyperion-test-summary.py",
        "find": "        if prereq:\n",
        "replace": "        if prereq and False:\n",
        "tests": ["summary"],
    },
    {
        "name": "auto-block: a drop counts whoever's source it was, responder too",
        "file": "lib/hyp_autoblock/hyp_autoblock.c",
        "find": "	if (!h->initiator)\n		ign = HYP_AB_IGN_RESPONDER;",
        "replace": "	if (0)\n		ign = HYP_AB_IGN_RESPONDER;",
        "tests": ["autoblock_unit"],
    },
    {
        "name": "auto-block: a TCP drop counts if the stream vouches, whatever tcp: says",
        "file": "lib/hyp_autoblock/hyp_autoblock.c",
        "find": "ign = h->handshake || (a->tcp == HYP_AB_TCP_STREAM && h->vouched) ? -1 :",
        "replace": "ign = h->handshake || h->vouched ? -1 :",
        "tests": ["autoblock_unit"],
    },
    {
        "name": "auto-block: connectionless drops count with udp: false",
        "file": "lib/hyp_autoblock/hyp_autoblock.c",
        "find": "	else if (!a->udp)\n",
        "replace": "	else if (0)\n",
        "tests": ["autoblock_unit", "autoblock"],
    },
    {
        "name": "auto-block: exempt prefixes are blocked like any",
        "file": "lib/hyp_autoblock/hyp_autoblock.c",
        "find": "			if (exempt(a, &buf[i])) {",
        "replace": "			if (0 && exempt(a, &buf[i])) {",
        "tests": ["autoblock_unit", "autoblock"],
    },
    {
        "name": "auto-block: an expired block stays in the maps",
        "file": "lib/hyp_autoblock/hyp_autoblock.c",
        "find": "				int ret = hyp_xdp_autoblock_del(x[i], &s->key);",
        "replace": "				int ret = 0;",
        "tests": ["autoblock_unit", "autoblock"],
    },
    {
        "name": "auto-block: a worker posts every report of a source",
        "file": "lib/hyp_autoblock/hyp_autoblock.c",
        "find": "	return ++t->count <= max;",
        "replace": "	return true;",
        "tests": ["autoblock_unit"],
    },
    {
        "name": "policy: ttl_s 0 accepted",
        "file": "lib/hyp_policy/policy_slow.c",
        "find": "		ret = yw_uint(c, 1, HYP_AUTOBLOCK_TTL_MAX_S, &v);",
        "replace": "		ret = yw_uint(c, 0, HYP_AUTOBLOCK_TTL_MAX_S, &v);",
        "tests": ["policy"],
    },
    {
        "name": "flows: a drop verdict is cached on a flow that is not established",
        "file": "lib/hyp_pipeline/pipeline_datapath.c",
        "find": "		if (hyp_flow_established(fe) || vouched) {",
        "replace": "		if (1) {",
        "tests": ["autoblock", "ids_live", "reload"],
    },
    {
        "name": "flows: eviction does not spare verdicts and established flows",
        "file": "lib/hyp_flow/hyp_flow.c",
        "find": "	return (e->verdict != HYP_FLOW_VERDICT_NONE) * 2 + hyp_flow_established(e);",
        "replace": "	return 0;",
        "tests": ["flow", "abuse_live"],
    },
    {
        "name": "flows: a SYN-ACK from either side completes the handshake's second step",
        "file": "lib/hyp_flow/hyp_flow.c",
        "find": "	} else if (syn && ack && (e->tcp_hs & HYP_FLOW_HS_SYN)) {",
        "replace": "	}\n	if (syn && ack && (e->tcp_hs & HYP_FLOW_HS_SYN)) {",
        "tests": ["flow"],
    },
    {
        "name": "flows: the slow path counts a frame it cannot parse as passed",
        "file": "lib/hyp_pipeline/pipeline_datapath.c",
        "find": "				st->not_ip++;\n			goto out;",
        "replace": "				st->not_ip++;\n			st->passed++;\n			goto out;",
        "tests": ["abuse_live"],
    },
    {
        "name": "XDP: the malformed verdict comes before the blocklists and limits",
        "file": "bpf/hyp_xdp.bpf.c",
        "find": "	why = hyp_source_checks(&p);\n",
        "replace": "	if (r != HYP_R_PASS)\n		return hyp_malformed(ctx, &p, r, &now, in_use, len);\n	why = hyp_source_checks(&p);\n",
        "tests": ["xdp_verdicts", "console_live"],
    },
    {
        "name": "XDP: malformed: pass never goes inward",
        "file": "bpf/hyp_xdp.bpf.c",
        "find": "		if (w)\n			return hyp_redirect(ctx, p, now, len, HYP_R_MAL_REDIRECT);",
        "replace": "		if (w && 0)\n			return hyp_redirect(ctx, p, now, len, HYP_R_MAL_REDIRECT);",
        "tests": ["xdp_verdicts", "abuse_live"],
    },
    {
        "name": "XDP: IPv6 sources rate-limited per address, not per /ipv6_mask",
        "file": "bpf/hyp_xdp.bpf.c",
        "find": "		       p->family == 4 ? 32 : rule->ipv6_mask;",
        "replace": "		       p->family == 4 ? 32 : 128;",
        "tests": ["xdp_verdicts", "abuse_live"],
    },
    {
        "name": "XDP: the redirect budget is never enforced",
        "file": "bpf/hyp_xdp.bpf.c",
        "find": "	if (hyp_redirect_over_budget(ctx))",
        "replace": "	if (hyp_redirect_over_budget(ctx) && 0)",
        "tests": ["xdp_verdicts", "abuse_live"],
    },
    {
        "name": "XDP: IPS forwards every non-IP EtherType",
        "file": "bpf/hyp_xdp.bpf.c",
        "find": "	    bpf_map_lookup_elem(&pass_ethertypes, &et) == NULL)",
        "replace": "	    bpf_map_lookup_elem(&pass_ethertypes, &et) == NULL && 0)",
        "tests": ["xdp_verdicts", "ips_live"],
    },
    {
        "name": "XDP: an auto-block key without its family (v4-mapped IPv6 is the IPv4 host)",
        "file": "bpf/hyp_xdp.bpf.c",
        "find": "		struct hyp_src_key k = { .addr = p->src, .family = p->family };\n\n		ab =",
        "replace": "		struct hyp_src_key k = { .addr = p->src,\n			.family = p->src.a[10] == 0xff && p->src.a[11] == 0xff ? 4 : p->family };\n\n		ab =",
        "tests": ["xdp_verdicts"],
    },
    {
        "name": "stop: fail-closed leaves the interface without our program",
        "file": "app/dpdk-hyperion/main.c",
        "find": "	if (fm != HYP_FAIL_CLOSED && !app->a.keep_fastpath)\n		return;",
        "replace": "	if (fm != HYP_FAIL_CLOSED || !app->a.keep_fastpath)\n		return;",
        "tests": ["lifecycle"],
    },
    {
        "name": "stop: the queues are not fenced before the drain",
        "file": "app/dpdk-hyperion/main.c",
        "find": "		if (hyp_port_fence(&app->ports[i], app->a.start_queue, &n) < 0)",
        "replace": "		if ((n = 0) != 0)",
        "tests": ["lifecycle"],
    },
    {
        "name": "heartbeat: written by the control loop, which a reload blocks",
        "file": "app/dpdk-hyperion/main.c",
        "find": "	if (app->replay == NULL) {\n		ret = hyp_ctl_heartbeat_start(c);",
        "replace": "	if (0) {\n		ret = hyp_ctl_heartbeat_start(c);",
        "tests": ["watchdog"],
    },
    {
        "name": "heartbeat: written even when a data-path lcore stood still",
        "file": "lib/hyp_ctl/hyp_ctl.c",
        "find": "		if (cur[i] == prev[i]) {",
        "replace": "		if (cur[i] == prev[i] && 0) {",
        "tests": ["console"],
    },
    {
        "name": "health: a lost packet waits enter_ticks like a trend",
        "file": "lib/hyp_health/hyp_health.c",
        "find": "		if (v.immediate || ++h->worse_run >= h->conf.enter_ticks)",
        "replace": "		if (++h->worse_run >= h->conf.enter_ticks)",
        "tests": ["health", "watchdog"],
    },
    {
        "name": "health: recovery jumps straight to healthy",
        "file": "lib/hyp_health/hyp_health.c",
        "find": "			go(h, h->state - 1, now_ms);",
        "replace": "			go(h, v.level, now_ms);",
        "tests": ["health", "watchdog"],
    },
    {
        "name": "XDP: the class at the shedding level is not shed",
        "file": "bpf/hyp_xdp.bpf.c",
        "find": "	if (shed != 0 && *prio >= shed)",
        "replace": "	if (shed != 0 && *prio > shed)",
        "tests": ["xdp_verdicts"],
    },
    {
        "name": "reload by path: a file outside --reload-dir is taken",
        "file": "lib/hyp_ctl/hyp_ctl.c",
        "find": "strncmp(real, c->reload_dir, dl) != 0 || real[dl] != '/') {",
        "replace": "strncmp(real, c->reload_dir, dl) != 0 || 0) {",
        "tests": ["reload_path"],
    },
    {
        "name": "reload: prefixes blocked by hand are removed",
        "file": "lib/hyp_fastpath/hyp_fastpath.c",
        "find": "(v.flags & HYP_BLOCK_F_RUNTIME)) {",
        "replace": "(v.flags & HYP_BLOCK_F_RUNTIME) && 0) {",
        "tests": ["runtime_state"],
    },
    {
        "name": "metrics: any password for a plain-secret user",
        "file": "lib/hyp_metrics/hyp_metrics.c",
        "find": "			return ct_equal(m->users[i].secret, pass);",
        "replace": "			return true;",
        "tests": ["metrics_secure"],
    },
    {
        "name": "eve: alert-only posts may take the slots reserved for drops",
        "file": "lib/hyp_eve/hyp_eve.c",
        "find": "	    (!drop || e->reserve == NULL ||",
        "replace": "	    (e->reserve == NULL ||",
        "tests": ["eve", "eve_limits"],
    },
    {
        "name": "eve: a failed write drops its lines instead of retrying them",
        "file": "lib/hyp_eve/hyp_eve.c",
        "find": "			if (!eve_write_pending(e) && stopping)\n				eve_give_up(e);\n			idle_us",
        "replace": "			if (!eve_write_pending(e))\n				eve_give_up(e);\n			idle_us",
        "tests": ["eve", "eve_limits"],
    },
    {
        "name": "threshold: limit lets one alert too many through",
        "file": "lib/hyp_threshold/hyp_threshold.c",
        "find": "		alert = e->count <= s->count;",
        "replace": "		alert = e->count <= s->count + 1;",
        "tests": ["threshold", "eve_limits"],
    },
    {
        "name": "threshold: by_both keys depend on the direction",
        "file": "lib/hyp_threshold/hyp_threshold.c",
        "find": "		if (memcmp(src, dst, 16) <= 0) {",
        "replace": "		if (1) {",
        "tests": ["threshold"],
    },
    {
        "name": "pipeline: the threshold is ignored",
        "file": "lib/hyp_pipeline/pipeline_datapath.c",
        "find": "	if (p->c.threshold == NULL || v->slot < 0)",
        "replace": "	if (1)",
        "tests": ["eve_limits"],
    },
    {
        "name": "detect: a failed relative content does not retry the earlier one",
        "file": "lib/hyp_detect/hyp_detect.c",
        "find": "		if (chain(v, i + 1, next))\n			return true;\n		if (v->limited)\n			return false;",
        "replace": "		return chain(v, i + 1, next);",
        "tests": ["detect"],
    },
    {
        "name": "detect: within counted from the match start, not after the distance",
        "file": "lib/hyp_detect/hyp_detect.c",
        "find": "		end = k->has_within ? start + k->within : len;",
        "replace": "		end = k->has_within ? (int64_t)cur[b] + k->within : len;",
        "tests": ["detect", "suricata_verify"],
    },
    {
        "name": "detect: a pass rule does not silence the packet",
        "file": "lib/hyp_engine/hyp_engine.c",
        "find": "		if (r->action == HYP_RULE_PASS) {",
        "replace": "		if (r->action == HYP_RULE_PASS && 0) {",
        "tests": ["engine"],
    },
    {
        "name": "detect: tcp rules see the segments their stream also delivers",
        "file": "lib/hyp_detect/hyp_detect.c",
        "find": "	bool tcp_view = p->stream || !p->in_stream;",
        "replace": "	bool tcp_view = true;",
        "tests": ["suricata_verify"],
    },
    {
        "name": "rules: a group's negated member does not exclude",
        "file": "lib/hyp_rules/hyp_rules.c",
        "find": "				if (!v)		/* v is the negation already: in the excluded set */\n					m = false;",
        "replace": "				(void)v;",
        "tests": ["rules"],
    },
    {
        "name": "detect: flowbit tiers verified readers first",
        "file": "lib/hyp_detect/hyp_detect.c",
        "find": "			if (dr->fb_tier != pass)",
        "replace": "			if (dr->fb_tier != FB_TIERS - 1 - pass)",
        "tests": ["detect"],
    },
    {
        "name": "detect: noalert rules alert",
        "file": "lib/hyp_detect/hyp_detect.c",
        "find": "			if (dr->noalert)\n				continue;",
        "replace": "			(void)dr->noalert;",
        "tests": ["detect", "rules_live"],
    },
    {
        "name": "detect: a window's match of only old bytes reported again",
        "file": "lib/hyp_detect/hyp_detect.c",
        "find": "	return !v->dr->reads_payload || cur[HI] > v->new_from;",
        "replace": "	return true;",
        "tests": ["detect"],
    },
    {
        "name": "detect: depth counted from the window's start, not the stream's",
        "file": "lib/hyp_detect/hyp_detect.c",
        "find": "	return b == BUF_PAYLOAD ? off - v->base : off;",
        "replace": "	return off;",
        "tests": ["detect"],
    },
    {
        "name": "pipeline: no bytes before the chunk in the rules' window",
        "file": "lib/hyp_pipeline/pipeline_datapath.c",
        "find": "	n = hyp_stream_dir_recent(f->w->streams, f->td->sd, f->w->window, max, &off);",
        "replace": "	n = hyp_stream_dir_recent(f->w->streams, f->td->sd, f->w->window, 0, &off);",
        "tests": ["evasion"],
    },
    {
        "name": "stream: recent bytes kept across a gap",
        "file": "lib/hyp_stream/hyp_stream.c",
        "find": "			d->ring_len = 0;\n			ev |= drain(c, d, deliver, arg);",
        "replace": "			ev |= drain(c, d, deliver, arg);",
        "tests": ["stream"],
    },
    {
        "name": "detect: detection_filter never asked",
        "file": "lib/hyp_detect/hyp_detect.c",
        "find": "			    p->filter != NULL && !p->filter(p->filter_arg, &d->rules[r])) {",
        "replace": "			    p->filter != NULL && 0) {",
        "tests": ["detect", "rules_live"],
    },
    {
        "name": "threshold: detection_filter from its count, not after it",
        "file": "lib/hyp_threshold/hyp_threshold.c",
        "find": "		alert = e->count > s->count;",
        "replace": "		alert = e->count >= s->count;",
        "tests": ["threshold"],
    },
    {
        "name": "reject: ICMP errors answered",
        "file": "lib/hyp_reject/hyp_reject.c",
        "find": "		return type < 128;\n	return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;",
        "replace": "		return false;\n	return false;",
        "tests": ["reject"],
    },
    {
        "name": "reject: RST to the sender acknowledges without SYN/FIN's count",
        "file": "lib/hyp_reject/hyp_reject.c",
        "find": "	seg_len = m->payload_len + !!(m->tcp_flags & TCP_SYN) + !!(m->tcp_flags & TCP_FIN);",
        "replace": "	seg_len = m->payload_len;",
        "tests": ["reject"],
    },
    {
        "name": "reject: the quote not bounded by the minimum MTU",
        "file": "lib/hyp_reject/hyp_reject.c",
        "find": "	if (quote > total - ip_len - 8)\n		quote = total - ip_len - 8;",
        "replace": "	(void)total;",
        "tests": ["reject"],
    },
    {
        "name": "reject: multicast destinations answered",
        "file": "lib/hyp_reject/hyp_reject.c",
        "find": "	return a[12] != 0 && a[12] < 224;",
        "replace": "	return a[12] != 0;",
        "tests": ["reject"],
    },
    {
        "name": "pipeline: reject answers never sent",
        "file": "lib/hyp_pipeline/pipeline_datapath.c",
        "find": "			if (v.reject != 0 && out_port != HYP_PIPE_NO_PORT)",
        "replace": "			if (0)",
        "tests": ["reject_live"],
    },
    {
        "name": "detect: byte_jump before the buffer fails instead of landing on its start",
        "file": "lib/hyp_detect/hyp_detect.c",
        "find": "		if (pos < 0)\n			pos = 0;\n		if (pos > len)",
        "replace": "		if (pos < 0 || pos > len)",
        "tests": ["detect"],
    },
    {
        "name": "detect: byte_jump's count from a variable read as its fixed count",
        "file": "lib/hyp_detect/hyp_detect.c",
        "find": "		nb = (unsigned int)want;",
        "replace": "		(void)want;",
        "tests": ["detect"],
    },
    {
        "name": "detect: port groups: the source port's group not asked",
        "file": "lib/hyp_detect/hyp_detect.c",
        "find": "		if (gs != 0 && gs != gd)\n			candidates(s, d->groups[gs - 1].always, d->groups[gs - 1].n);",
        "replace": "		(void)gs;",
        "tests": ["detect"],
    },
    {
        "name": "detect: port groups: a negated port grouped",
        "file": "lib/hyp_detect/hyp_detect.c",
        "find": "	if (e->n == 0 || e->nodes[0].neg)\n		return 0;",
        "replace": "	if (e->n == 0)\n		return 0;",
        "tests": ["detect"],
    },
]
