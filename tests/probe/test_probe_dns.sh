#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# probe_dns_once against real servers on loopback: dnsmasq serving the
# probe.test zone below (IPv4 and IPv6), dns_rcode_server.py for the rcodes
# and the silence dnsmasq will not produce on demand, and a closed port.
# Fixed addresses, so it runs under the netns lock; every server it starts
# is killed on exit (they would hold the lock's fd otherwise).
set -uo pipefail

BIN_DIR=${NETOBS_BIN_DIR:?set NETOBS_BIN_DIR to the build directory}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ADDR=127.0.0.77
ZONE_PORT=5399
RCODE_PORT=5400
CLOSED_PORT=5401 # nothing listens there: the kernel answers ICMP port unreachable

[ "$(id -u)" = 0 ] || { echo "test_probe_dns.sh: needs root (fixed loopback addresses)"; exit 1; }
command -v dnsmasq >/dev/null || { echo "test_probe_dns.sh: dnsmasq missing: run scripts/deps.sh"; exit 1; }

TMP=$(mktemp -d /tmp/netobs-probe-dns.XXXXXX)
cleanup() {
	local rc=$? job
	for job in $(jobs -p); do kill "$job" 2>/dev/null; done
	wait 2>/dev/null
	[ "$rc" -ne 0 ] && [ -f "$TMP/dnsmasq.log" ] && tail -n 20 "$TMP/dnsmasq.log" | sed 's/^/# dnsmasq: /'
	rm -rf "$TMP"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ZONE=(--local=/probe.test/
	--host-record=a.probe.test,10.1.2.3,fd00::3
	--cname=c.probe.test,a.probe.test
	--mx-host=probe.test,mail.probe.test,10
	--txt-record=t.probe.test,"hello"
	--txt-record=q.probe.test,'say "hi"','x\y'
	--dns-rr=r.probe.test,65280,010203
	--dns-rr=spf.probe.test,99,010203)
dnsmasq --keep-in-foreground --no-resolv --no-hosts --bind-interfaces \
	--listen-address="$ADDR" --listen-address=::1 --port="$ZONE_PORT" "${ZONE[@]}" \
	--pid-file="$TMP/dnsmasq.pid" \
	--log-queries --log-facility=- >"$TMP/dnsmasq.log" 2>&1 &
# The same zone on port 53, for the resolv.conf case.
dnsmasq --keep-in-foreground --no-resolv --no-hosts --bind-interfaces \
	--listen-address="$ADDR" --port=53 "${ZONE[@]}" \
	--pid-file="$TMP/dnsmasq53.pid" \
	--log-queries --log-facility=- >"$TMP/dnsmasq53.log" 2>&1 &
/usr/bin/python3 "$HERE/dns_rcode_server.py" "$ADDR" "$RCODE_PORT" >"$TMP/rcode.log" 2>&1 &

for _ in $(seq 50); do
	grep -q ready "$TMP/rcode.log" 2>/dev/null && grep -q started "$TMP/dnsmasq.log" &&
		grep -q started "$TMP/dnsmasq53.log" && break
	sleep 0.1
done
grep -q ready "$TMP/rcode.log" || { echo "dns_rcode_server.py did not start:"; cat "$TMP/rcode.log"; exit 1; }
for log in dnsmasq dnsmasq53; do
	grep -q started "$TMP/$log.log" || { echo "dnsmasq did not start:"; cat "$TMP/$log.log"; exit 1; }
done

export NETOBS_DNS_ZONE="$ADDR:$ZONE_PORT"
export NETOBS_DNS_ZONE6="[::1]:$ZONE_PORT"
export NETOBS_DNS_RCODE="$ADDR:$RCODE_PORT"
export NETOBS_DNS_CLOSED="$ADDR:$CLOSED_PORT"
CK_RUN_CASE=probe_dns_once "$BIN_DIR/tests/test_probe_dns" || exit 1

# No --server: the system's resolver, in a mount namespace of our own so the
# host's /etc/resolv.conf is untouched. "search" must not be applied.
printf 'search probe.test\nnameserver %s\n' "$ADDR" >"$TMP/resolv.conf"
CK_RUN_CASE=system_resolver unshare -m bash -c \
	'mount --bind "$1" /etc/resolv.conf && exec "$2"' _ "$TMP/resolv.conf" "$BIN_DIR/tests/test_probe_dns"
