#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Issue 6: `netobs flows --pcap FILE` agrees with tshark on the same file.
# Every crafted capture of tests/pcap/make_captures.py goes through the real
# CLI and agent, and compare_tshark.py --run-all (tests/pcap/README.md) checks
# each flow's packets and bytes, and the DNS and HTTP messages, against what
# tshark decodes; the broken files must be refused with a message. Then
# large-frames.pcap on its own: frames longer than BPF_PROG_TEST_RUN takes
# (a 9014-byte jumbo frame, a 30054-byte GRO/TSO aggregate) count all their
# bytes. Needs root (the BPF programs run): run it under the netns lock,
# `flock /tmp/netobs-netns.lock ctest --test-dir build -R pcap/test_pcap_tshark`.
source "$(dirname "${BASH_SOURCE[0]}")/../netns/lib.sh"

PCAP_DIR=$SRC_DIR/tests/pcap
CAPS=$TMP/captures

check_true "make_captures.py writes the captures and their truth" \
	"$PYTHON" "$PCAP_DIR/make_captures.py" "$CAPS"

"$PYTHON" "$PCAP_DIR/compare_tshark.py" --run-all "$CAPS" \
	"$CLI flows --pcap {} -o json" >"$TMP/compare.txt" 2>&1
rc=$?
sed 's/^/# /' "$TMP/compare.txt"
check_eq "compare_tshark.py --run-all: every capture agrees with tshark or is refused" 0 "$rc"

# ---- large-frames.pcap: the bytes past test_run's buffer are counted -----
# The generator's truth (expected/large-frames.json), not tshark's or ours.
"$CLI" flows --pcap "$CAPS/large-frames.pcap" -o json >"$TMP/large.json" 2>"$TMP/large.err"
check_eq "large-frames.pcap: exit 0" 0 "$?"
expected_bytes() { # expected_bytes SPORT DPORT: the truth's bytes of that flow
	jq -r --argjson s "$1" --argjson d "$2" \
		'.flows[] | select(.key.source_port == $s and .key.destination_port == $d) | .bytes' \
		"$CAPS/expected/large-frames.json"
}
end_bytes() { # end_bytes L4 SPORT DPORT: netobs's END record's bytes of that flow
	jq -r --arg l4 "$1" --argjson s "$2" --argjson d "$3" \
		'select(.flow.flow_event == "END" and .flow.l4[$l4].source_port == $s and
			.flow.l4[$l4].destination_port == $d) | .flow.stats.bytes' "$TMP/large.json"
}
check_eq "the truth: a 9014-byte UDP frame" 9014 "$(expected_bytes 41100 9100)"
check_eq "a 9014-byte jumbo frame counts 9014 bytes" 9014 "$(end_bytes UDP 41100 9100)"
# SYN-ACK 60, the 30054-byte segment, FIN-ACK 60.
check_eq "the truth: the TCP server's 3 frames, one of 30054 bytes" 30174 \
	"$(expected_bytes 9101 41101)"
check_eq "a 30054-byte GRO/TSO aggregate counts 30054 bytes (flow: 60 + 30054 + 60)" 30174 \
	"$(end_bytes TCP 9101 41101)"
check_true "the replay says the two frames ran in part and had their rest added" \
	grep -q "the rest added to their flows' counts: 2 frames" "$TMP/large.err"
check_true "each oversize frame's flow entry found under the parser's key" \
	bash -c "! grep -q 'no flow entry' '$TMP/large.err'"
sed 's/^/# stderr: /' "$TMP/large.err"

finish
