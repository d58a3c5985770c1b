#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Fuzz every decoder target (tests/fuzz/fuzz_*.c) with libFuzzer for SECONDS
# each (default 60), starting from a copy of its seed corpus. Crashes are
# written to build-fuzz/artifacts/; add them to tests/fuzz/corpus/NAME/ so
# the ordinary build replays them. scripts/test.sh runs it for 15 s per
# target (NETOBS_FUZZ_SECONDS: longer runs, or 0 to skip). Inputs go up to
# 20000 bytes: past the decoders' 8 KiB bounds (DNS over TCP, HTTP heads).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-60}
BUILD_DIR=build-fuzz
CC=clang cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNETOBS_FUZZ=ON >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)" >/dev/null
mkdir -p "$BUILD_DIR/artifacts"
found=0
for src in tests/fuzz/fuzz_*.c; do
	[ -e "$src" ] || continue
	target=$(basename "$src" .c) name=${target#fuzz_}
	found=1
	work="$BUILD_DIR/corpus/$name"
	mkdir -p "$work"
	cp -n tests/fuzz/corpus/"$name"/* "$work"/ 2>/dev/null || true
	# tests/fuzz/NAME.dict: the tokens (member names, enum values) a target's
	# format needs, which random mutation would take long to spell
	dict=()
	[ -e tests/fuzz/"$name".dict ] && dict=(-dict=tests/fuzz/"$name".dict)
	echo "== fuzz $name for ${SECONDS_EACH}s"
	"$BUILD_DIR/tests/fuzz/$target" -max_total_time="$SECONDS_EACH" -print_final_stats=1 \
		-max_len=20000 "${dict[@]}" \
		-artifact_prefix="$BUILD_DIR/artifacts/$name-" "$work"
done
[ "$found" = 1 ] || { echo "scripts/fuzz.sh: no fuzz targets in tests/fuzz" >&2; exit 1; }
echo "== fuzzing found nothing"
