#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Install what is missing, build, and run every test: unit (check) and datapath
# (BPF_PROG_TEST_RUN) on the plain build, the connectivity suite against its
# agent, then the unit tests again and the namespace end-to-end tests under
# AddressSanitizer + UndefinedBehaviorSanitizer (once: they are the slow ones,
# and under the sanitizers they also check memory). Run as root.
#   NETOBS_SKIP_SANITIZE=1  no sanitizer pass: the namespace tests run on the
#                           plain build instead
#   NETOBS_FUZZ_SECONDS=N   fuzz each decoder for N seconds (scripts/fuzz.sh;
#                           default 15, a bounded run; 0 skips it)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

bash scripts/deps.sh
# Anything under /sys/fs/bpf newer than this was made by the tests.
STAMP=$(mktemp /tmp/netobs-test-start.XXXXXX)
trap 'rm -f "$STAMP"' EXIT

leftovers() {
	# Anything a test made and did not remove is a failure too.
	local left
	# nt*: the namespace tests'; netobs-ct-*, nct-*, netobs-ct0 and its state
	# directory: the connectivity test's topology (cli/connectivity.h).
	left=$( (ip netns list | awk '{print $1}' | grep -E '^(nt|netobs-ct-)'; \
		ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -E '^(nt|nct-|netobs-ct0$)'; \
		ls -d /run/netobs/connectivity 2>/dev/null; \
		ls -d /sys/fs/bpf/netobs 2>/dev/null; \
		find /sys/fs/bpf -newer "$STAMP" -mindepth 1 2>/dev/null) || true)
	if [ -n "$left" ]; then
		echo "test.sh: tests left these behind:"; echo "$left"
		return 1
	fi
}

echo "== build (warnings are errors here)"
BUILD_DIR=build bash scripts/build.sh -DNETOBS_WERROR=ON
# Every build type must build: -O3 (Release) and -Os see warnings -O2 does not.
for type in Debug Release MinSizeRel; do
	echo "== build type $type"
	cmake -S . -B "build-types/$type" -DCMAKE_BUILD_TYPE="$type" -DNETOBS_WERROR=ON >/dev/null
	cmake --build "build-types/$type" -j"$(nproc)" >/dev/null
done
if [ "${NETOBS_SKIP_SANITIZE:-0}" != 1 ]; then
	echo "== tests (unit, datapath; the namespace tests run in the sanitizer pass)"
	(cd build && ctest --output-on-failure --timeout 900 -LE netns)
else
	echo "== tests"
	(cd build && ctest --output-on-failure --timeout 900)
fi
leftovers

# The suite an SRE runs, as CI runs it: against the agent just built, with
# its own socket and bpffs, every action's flows checked (strict), JUnit
# for the CI's test report.
echo "== netobs connectivity test against the freshly built agent"
CT_DIR=$(mktemp -d /tmp/netobs-ct-ci.XXXXXX)
CT_AGENT_PID=
connectivity_ci_stop() {
	if [ -n "$CT_AGENT_PID" ] && kill -0 "$CT_AGENT_PID" 2>/dev/null; then
		kill -TERM "$CT_AGENT_PID"
		wait "$CT_AGENT_PID" || true
	fi
	CT_AGENT_PID=
	mountpoint -q "$CT_DIR/bpffs" && umount "$CT_DIR/bpffs"
	rm -rf "$CT_DIR"
}
trap 'connectivity_ci_stop; rm -f "$STAMP"' EXIT
mkdir -p "$CT_DIR/bpffs"
mount -t bpf bpf "$CT_DIR/bpffs"
# Its own --state-dir: the policy tests' imports never touch the node's policies.
build/netobs-agent --socket "$CT_DIR/agent.sock" --bpffs "$CT_DIR/bpffs" \
	--state-dir "$CT_DIR/state" >"$CT_DIR/agent.log" 2>&1 &
CT_AGENT_PID=$!
for _ in $(seq 100); do
	build/netobs --socket "$CT_DIR/agent.sock" status >/dev/null 2>&1 && break
	sleep 0.1
done
# Without an agent the suite still passes with validation off: in CI that
# would hide a broken agent behind a green run.
if ! build/netobs --socket "$CT_DIR/agent.sock" status >/dev/null 2>&1; then
	echo "test.sh: netobs-agent did not answer at $CT_DIR/agent.sock within 10 s;" \
		"its log:"
	tail -n 30 "$CT_DIR/agent.log"
	exit 1
fi
ct_rc=0
build/netobs --socket "$CT_DIR/agent.sock" connectivity test --flow-validation strict \
	--junit-file build/connectivity-junit.xml || ct_rc=$?
if [ "$ct_rc" != 0 ]; then
	echo "test.sh: netobs connectivity test failed (exit $ct_rc); JUnit in" \
		"build/connectivity-junit.xml; the agent's log:"
	tail -n 30 "$CT_DIR/agent.log"
	exit 1
fi
connectivity_ci_stop
trap 'rm -f "$STAMP"' EXIT
leftovers

if [ "${NETOBS_SKIP_SANITIZE:-0}" != 1 ]; then
	echo "== sanitizer build (ASan + UBSan): unit and namespace tests"
	BUILD_DIR=build-sanitize bash scripts/build.sh -DNETOBS_SANITIZE=ON -DNETOBS_WERROR=ON
	(cd build-sanitize && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --output-on-failure --timeout 900 -L 'unit|netns')
	leftovers
fi
if [ "${NETOBS_FUZZ_SECONDS:=15}" != 0 ]; then
	echo "== fuzzing each decoder for ${NETOBS_FUZZ_SECONDS}s"
	bash scripts/fuzz.sh "$NETOBS_FUZZ_SECONDS"
fi
echo "== all tests passed"
