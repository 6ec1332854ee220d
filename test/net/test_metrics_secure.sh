#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# /metrics locked down, as an operator sets it up and an attacker on the
# defended segment tries it: by default it listens on 127.0.0.1 only (a
# scrape from the other namespace is refused; --metrics-addr 0.0.0.0
# widens it); with --metrics-auth only the listed users get in (bcrypt and
# plain secrets, 401 and a counter otherwise; a group-readable file or a
# broken line is refused at start with file:line, never a secret); with
# --metrics-tls-cert/key it speaks HTTPS only. Then Debian's real
# Prometheus scrapes it over TLS with basic auth: its target is up, and a
# job with the wrong password is down with a 401. TAP; 77 = skip.
#   usage: test_metrics_secure.sh BUILD_DIR SOURCE_DIR
set -u
build=$1 src=$2
. "$src/test/net/tap.sh"
prom=/usr/bin/prometheus
[ -x "$prom" ] || skip_prereq "needs prometheus (usertools/hyperion-deps.sh)"
command -v curl >/dev/null || skip_prereq "needs curl"
command -v openssl >/dev/null || skip_prereq "needs openssl"
net_open hypm
mport=$((20000 + $$ % 20000)) pport=$((40000 + $$ % 20000))
dut() { ip netns exec "$HYP_NS_DUT" "$@"; }
code() { dut curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@"; }
start() { app_start -- --iface "$HYP_IF_DUT" --metrics-port "$mport" "$@"; }
refused_start() {	# the app's output when it must not start
	ip netns exec "$HYP_NS_DUT" timeout 20 "$app" -l 0-1 --no-huge -m 1024 --no-pci \
		--file-prefix "${prefix}x" -- --iface "$HYP_IF_DUT" --metrics-port "$mport" "$@" 2>&1
	rm -rf "/var/run/dpdk/${prefix}x"
}

echo "1..14"
start || { nok "started"; exit 1; }
check_eq "default: scraped on 127.0.0.1 inside the host" "$(code "http://127.0.0.1:$mport/metrics")" 200
out=$(ip netns exec "$HYP_NS_SRC" curl -s -o /dev/null -w '%{http_code}' --max-time 3 \
	"http://198.18.0.2:$mport/metrics")
check_eq "default: a scrape from the defended segment gets no connection" "$out" 000
app_stop
start --metrics-addr 0.0.0.0 || { nok "started"; exit 1; }
check_eq "--metrics-addr 0.0.0.0: the other side may scrape (what widening means)" \
	"$(ip netns exec "$HYP_NS_SRC" curl -s -o /dev/null -w '%{http_code}' --max-time 3 \
		"http://198.18.0.2:$mport/metrics")" 200
app_stop

# -- basic auth ---------------------------------------------------------------
hash=$(/usr/bin/python3 -c "import crypt; print(crypt.crypt('s3cret-prom', crypt.mksalt(crypt.METHOD_BLOWFISH)))" 2>/dev/null)
case $hash in '$2'*) ;; *) skip_prereq "python3 crypt with bcrypt";; esac
auth=$tmp/metrics.auth
printf '# scrapers\nprom:%s\nops:plain-pass-42\n' "$hash" >"$auth"
chmod 644 "$auth"
out=$(refused_start --metrics-auth "$auth")
if grep -q "metrics.auth: readable by group or others (mode 644): chmod 600 it" <<<"$out"; then
	ok "a group-readable auth file is refused at start"
else nok "auth file mode" "$(grep -i metrics <<<"$out" | tail -2)"; fi
printf 'prom:%s\nno colon here hunter2\n' "$hash" >"$tmp/bad.auth"
chmod 600 "$tmp/bad.auth" "$auth"
out=$(refused_start --metrics-auth "$tmp/bad.auth")
if grep -q "bad.auth:2: expected user:secret" <<<"$out" && ! grep -q "hunter2\|\\\$2b" <<<"$out"; then
	ok "a broken line is refused by file:line, its content not quoted"
else nok "broken auth line" "$(grep -i metrics <<<"$out" | tail -2)"; fi
# hostile auth files: huge, too many users, a secret past its bound, a FIFO
dd if=/dev/zero of="$tmp/huge.auth" bs=1M count=8 2>/dev/null
/usr/bin/python3 -c "
for i in range(65): print('u%d:pass%d' % (i, i))" >"$tmp/many.auth"
printf 'prom:%s\n' "$(printf 'y%.0s' $(seq 600))" >"$tmp/long.auth"
mkfifo -m 600 "$tmp/fifo.auth"
chmod 600 "$tmp/huge.auth" "$tmp/many.auth" "$tmp/long.auth"
bad=""
for f in huge:"huge.auth: too large" many:"many.auth:65: more than 64 users" \
	long:"long.auth:1: the secret must be" fifo:"fifo.auth: not a regular file"; do
	out=$(refused_start --metrics-auth "$tmp/${f%%:*}.auth")
	grep -qF "${f#*:}" <<<"$out" && ! grep -q "yyyy\|pass6" <<<"$out" ||
		bad="$bad [${f%%:*}: $(grep -i 'auth' <<<"$out" | tail -1)]"
done
[ -z "$bad" ] && ok "huge, 65-user, over-long and FIFO auth files refused at start, nothing quoted" ||
	nok "hostile auth files" "$bad"
start --metrics-auth "$auth" || { nok "started with auth"; exit 1; }
u=http://127.0.0.1:$mport/metrics
check_eq "auth: none, a wrong password (bcrypt and plain user), an unknown user: 401 each" \
	"$(code "$u") $(code -u prom:wrong "$u") $(code -u ops:plain-pass-4 "$u") $(code -u eve:s3cret-prom "$u")" \
	"401 401 401 401"
check_eq "auth: the 401 asks for basic auth" \
	"$(dut curl -s -D - -o /dev/null "$u" | tr -d '\r' | grep -i '^www-authenticate:' | cut -c1-40)" \
	'WWW-Authenticate: Basic realm="hyperion"'
check_eq "auth: the bcrypt user and the plain one get in" \
	"$(code -u prom:s3cret-prom "$u") $(code -u ops:plain-pass-42 "$u")" "200 200"
check_eq "auth: failures counted" \
	"$(dut curl -s -u ops:plain-pass-42 "$u" | awk '/^hyperion_metrics_auth_failures_total / {print $2}')" 5
app_stop

# -- TLS, and Prometheus over it ------------------------------------------------
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/key.pem" -out "$tmp/cert.pem" -days 1 \
	-subj "/CN=hyperion-test" -addext "subjectAltName=IP:127.0.0.1" >/dev/null 2>&1 ||
	skip_prereq "openssl could not make a certificate"
chmod 600 "$tmp/key.pem"
out=$(refused_start --metrics-tls-cert "$tmp/cert.pem")
grep -q "needs its key" <<<"$out" && ok "a certificate without its key is refused" ||
	nok "cert without key" "$(grep -i metrics <<<"$out" | tail -2)"
start --metrics-tls-cert "$tmp/cert.pem" --metrics-tls-key "$tmp/key.pem" --metrics-auth "$auth" ||
	{ nok "started with TLS"; exit 1; }
check_eq "TLS: https with the CA and the password: 200; plain http on the port: no answer" \
	"$(code --cacert "$tmp/cert.pem" -u prom:s3cret-prom "https://127.0.0.1:$mport/metrics") $(code "http://127.0.0.1:$mport/metrics")" \
	"200 000"
printf 's3cret-prom' >"$tmp/prom.pw"
printf 'nope' >"$tmp/wrong.pw"
cat >"$tmp/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: hyperion
    scheme: https
    tls_config: {ca_file: '$tmp/cert.pem'}
    basic_auth: {username: prom, password_file: '$tmp/prom.pw'}
    static_configs: [{targets: ['127.0.0.1:$mport']}]
  - job_name: intruder
    scheme: https
    tls_config: {ca_file: '$tmp/cert.pem'}
    basic_auth: {username: prom, password_file: '$tmp/wrong.pw'}
    static_configs: [{targets: ['127.0.0.1:$mport']}]
EOF
mkdir "$tmp/tsdb"
dut "$prom" --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/tsdb" \
	--web.listen-address="127.0.0.1:$pport" --log.level=warn >"$tmp/prometheus.log" 2>&1 &
net_on_exit "kill $! 2>/dev/null"
targets() { dut curl -s --max-time 2 "http://127.0.0.1:$pport/api/v1/targets" 2>/dev/null |
	$py -c 'import json,sys
t = {x["labels"]["job"]: x for x in json.load(sys.stdin)["data"]["activeTargets"]}
print(t["hyperion"]["health"], t["intruder"]["health"], "401" in t["intruder"]["lastError"])' 2>/dev/null; }
st=none
for _ in $(seq 150); do
	st=$(targets)
	[ "$st" = "up down True" ] && break
	sleep 0.2
done
check_eq "Prometheus over TLS with basic auth: hyperion up, the wrong password down with a 401" \
	"$st" "up down True"
[ "$st" = "up down True" ] || sed 's/^/# prometheus: /' "$tmp/prometheus.log" | tail -5
v=$(dut curl -s --max-time 2 -G "http://127.0.0.1:$pport/api/v1/query" \
	--data-urlencode 'query=hyperion_health_state{job="hyperion"}' |
	$py -c 'import json,sys; r = json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "none")')
check_eq "and it stores what it scraped (hyperion_health_state)" "$v" 0
app_stop
tap_done "metrics secure"
