#!/usr/bin/env bash
# check-generator.sh SRC_ROOT BUILD_DIR
#
# Checks scripts/gen-traffic with independent tools (capinfos, tshark):
# every small scenario is generated twice and must be byte-identical; each
# file must open with the packet count the generator reported, in time
# order, starting at the fixed base time, without malformed packets or
# checksum errors; encapsulations must decode to the same inner packets as
# the plain portscan; DNS names, HTTP hosts and TLS SNIs must be the ones
# the generator intended; and the probe counts derived from tshark must sit
# on the intended side of picket's thresholds and agree with the
# generator's expectation table.  Prints "N passed, M failed".
set -u

SRC=${1:?usage: check-generator.sh SRC_ROOT BUILD_DIR}
BUILD=${2:?usage: check-generator.sh SRC_ROOT BUILD_DIR}
GEN="$SRC/scripts/gen-traffic"
OUT="$BUILD/gen-check"
A="$OUT/a"
B="$OUT/b"
BASE=1768471200 # 2026-01-15T10:00:00Z

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   - $*"; }
bad() { fail=$((fail + 1)); echo "FAIL - $*"; }
# expect_eq DESCRIPTION EXPECTED ACTUAL
expect_eq() {
    if [[ "$2" == "$3" ]]; then ok "$1"; else bad "$1 (expected '$2', got '$3')"; fi
}

for tool in tshark capinfos python3 cmp; do
    if ! command -v "$tool" >/dev/null; then
        echo "missing tool: $tool"
        echo "0 passed, 1 failed"
        exit 1
    fi
done

# tshark with checksum validation on (it is off by default); a bad IPv4,
# TCP or UDP checksum then shows up as an expert error.
TS=(tshark -n -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE
    -o udp.check_checksum:TRUE)

rm -rf "$OUT"
mkdir -p "$A" "$B"

section() { echo "# $* (at ${SECONDS}s)"; }

# ---------------------------------------------------------------- generate
section generate
if "$GEN" all "$A" --manifest "$OUT/manifest.json" >"$OUT/gen-a.log" 2>&1; then
    ok "gen-traffic all (first run)"
else
    bad "gen-traffic all (first run)"
    cat "$OUT/gen-a.log"
fi
if "$GEN" all "$B" >"$OUT/gen-b.log" 2>&1; then
    ok "gen-traffic all (second run)"
else
    bad "gen-traffic all (second run)"
fi

mapfile -t LISTED < <("$GEN" list | awk '{print $1}')
SMALL=()
DNS=()  # DNS, behave_, beacon, baseline and threat-list scenarios: checked by their own e2e tests (e2e_dns.py, e2e_behaviour.py, e2e_baseline.py, e2e_intel.py), here only for determinism
for s in "${LISTED[@]}"; do
    case $s in flow_flood | bench_mix) ;; dns_mix) SMALL+=("$s") ;; dns_* | behave_* | beacon_* | baseline_* | intel_*) DNS+=("$s") ;; *) SMALL+=("$s") ;; esac
done
expect_eq "list has every scenario of the brief" 26 "$((${#LISTED[@]} - ${#DNS[@]}))"

# packet count the generator reported for scenario $1 (from its stdout)
reported() { awk -v f="$A/$1.pcap" '$1 == "wrote" && $NF == f {print $2}' "$OUT/gen-a.log"; }
# a value from the JSON manifest: man SCENARIO PYTHON-EXPRESSION-ON-m
man() {
    python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))[sys.argv[2]]; print(eval(sys.argv[3]))' \
        "$OUT/manifest.json" "$1" "$2"
}
# one item per line from the manifest
man_lines() {
    python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))[sys.argv[2]]
for x in eval(sys.argv[3]): print(x)' "$OUT/manifest.json" "$1" "$2"
}

declare -A EXPECT
for s in "${SMALL[@]}" bench_mix; do
    EXPECT[$s]=$("$GEN" expect "$s" --actors | sort -u | xargs)
done
for s in "${SMALL[@]}" "${DNS[@]}"; do
    if [[ -f "$A/$s.pcap" ]] && cmp -s "$A/$s.pcap" "$B/$s.pcap"; then
        ok "$s: deterministic (two runs byte-identical)"
    else
        bad "$s: deterministic (two runs byte-identical)"
    fi
done
types=$(for s in "${SMALL[@]}"; do xargs -n2 <<<"${EXPECT[$s]}"; done | cut -d' ' -f1 | sort -u | xargs)
expect_eq "expect prints only the three finding types" \
    "Impact:EC2/PortSweep Recon:EC2/InboundPortscan Recon:EC2/Portscan" "$types"
expect_eq "expect demo prints one type per line" \
    "Recon:EC2/Portscan Impact:EC2/PortSweep Recon:EC2/InboundPortscan" "$("$GEN" expect demo | xargs)"
expect_eq "expect portscan_below prints nothing" "" "$("$GEN" expect portscan_below)"

# ------------------------------------------------------- per-file checks
section 'per-file checks'
declare -A LINKTYPE=([encap_sll]=linux-sll [encap_sll2]=linux-sll2 [encap_raw]=rawip)
for s in "${SMALL[@]}"; do
    f="$A/$s.pcap"
    case $s in broken_*) continue ;; esac
    info=$(capinfos -T -r -M -c -a -o -E -S "$f" 2>&1)
    rc=$?
    IFS=$'\t' read -r _ encap count start order <<<"$info"
    if [[ $rc -eq 0 ]]; then ok "$s: capinfos opens it"; else bad "$s: capinfos opens it: $info"; fi
    expect_eq "$s: packet count matches the generator's report" "$(reported "$s")" "$count"
    expect_eq "$s: link type" "${LINKTYPE[$s]:-ether}" "$encap"
    expect_eq "$s: timestamps non-decreasing" True "$order"
    if [[ ${start%.*} -ge $BASE && ${start%.*} -lt $((BASE + 60)) ]]; then
        ok "$s: starts at the fixed base time ($start)"
    else
        bad "$s: starts at the fixed base time (got $start)"
    fi
    # (one pass: both filters must match nothing)
    nerr=$("${TS[@]}" -r "$f" -Y '_ws.malformed || _ws.expert.severity == error' 2>/dev/null | wc -l)
    expect_eq "$s: no malformed packets, no expert errors (checksums validated)" 0 "$nerr"
    ngood=$("${TS[@]}" -r "$f" -Y 'ip.checksum.status == 1 || ipv6' 2>/dev/null | wc -l)
    expect_eq "$s: every packet has a verified IP header checksum (or is IPv6)" "$count" "$ngood"
done

# ------------------------------------------------------- encapsulations
section 'encapsulations'
inner() { # FILE [FILTER]: inner-most addresses, ports and flags
    tshark -n -r "$1" ${2:+-Y "$2"} -T fields -E occurrence=l -e ip.src -e ip.dst \
        -e tcp.srcport -e tcp.dstport -e tcp.flags 2>/dev/null
}
# every packet must carry the intended tunnel parameters (the filter) and
# decode to the same inner packet as the plain portscan
declare -A TUNNEL=(
    [encap_vlan]='vlan.id == 100 && eth.type == 0x8100'
    [encap_qinq]='eth.type == 0x88a8 && ieee8021ad.id == 200 && vlan.id == 100'
    [encap_mpls]='mpls.label == 1000 && mpls.label == 2000 && mpls.bottom == 1'
    [encap_vxlan]='udp.dstport == 4789 && vxlan.vni == 4242'
    [encap_gre]='gre.key == 77 && gre.proto == 0x0800'
    [encap_erspan2]='gre.proto == 0x88be && gre.flags.sequence_number == 1 && erspan.version == 1 && erspan.spanid == 5'
    [encap_erspan3]='gre.proto == 0x22eb && erspan.version == 2'
    [encap_geneve]='udp.dstport == 6081 && geneve.vni == 99 && geneve.proto_type == 0x6558'
    [encap_sll]='sll.hatype == 1'
    [encap_sll2]='sll.hatype == 1 && sll.ifindex == 2'
    [encap_raw]='!eth && ip'
)
inner "$A/portscan.pcap" >"$OUT/portscan.inner"
if [[ -s "$OUT/portscan.inner" ]]; then ok "portscan: inner list extracted"; else bad "portscan: inner list extracted"; fi
for e in vlan qinq mpls vxlan gre erspan2 erspan3 geneve sll sll2 raw; do
    inner "$A/encap_$e.pcap" "${TUNNEL[encap_$e]}" >"$OUT/encap_$e.inner"
    if cmp -s "$OUT/portscan.inner" "$OUT/encap_$e.inner"; then
        ok "encap_$e: every packet has ${TUNNEL[encap_$e]}; same inner list as portscan"
    else
        bad "encap_$e: every packet has ${TUNNEL[encap_$e]}; same inner list as portscan"
    fi
done
# the IPv6 variant: same ports and flags, IPv6 endpoints
tshark -n -r "$A/portscan.pcap" -T fields -e tcp.srcport -e tcp.dstport -e tcp.flags \
    2>/dev/null >"$OUT/portscan.ports"
tshark -n -r "$A/encap_ipv6.pcap" -T fields -e tcp.srcport -e tcp.dstport -e tcp.flags \
    2>/dev/null >"$OUT/ipv6.ports"
if cmp -s "$OUT/portscan.ports" "$OUT/ipv6.ports"; then
    ok "encap_ipv6: same ports and flags as portscan"
else
    bad "encap_ipv6: same ports and flags as portscan"
fi
expect_eq "encap_ipv6: endpoints fd00:1::5 and 2001:db8::10" "2001:db8::10 fd00:1::5" \
    "$(tshark -n -r "$A/encap_ipv6.pcap" -T fields -e ipv6.src 2>/dev/null | sort -u | xargs)"

# ------------------------------------------------------- DNS / HTTP / TLS
section 'DNS / HTTP / TLS'
sorted_field() { # FILE FILTER FIELD -> one value per line, sorted
    tshark -n -r "$1" -Y "$2" -T fields -E occurrence=a -E aggregator=$'\n' -e "$3" \
        2>/dev/null | sed '/^$/d' | LC_ALL=C sort
}
for s in benign_web dns_mix demo; do
    f="$A/$s.pcap"
    man_lines "$s" "m['dns_queries']" | LC_ALL=C sort >"$OUT/$s.q.want"
    sorted_field "$f" 'dns.flags.response == 0' dns.qry.name >"$OUT/$s.q.got"
    if [[ -s "$OUT/$s.q.want" ]] && cmp -s "$OUT/$s.q.want" "$OUT/$s.q.got"; then
        ok "$s: DNS query names as intended ($(wc -l <"$OUT/$s.q.got"), case preserved)"
    else
        bad "$s: DNS query names as intended"
        diff "$OUT/$s.q.want" "$OUT/$s.q.got" | head -5
    fi
    man_lines "$s" "m['dns_responses']" | LC_ALL=C sort >"$OUT/$s.r.want"
    sorted_field "$f" 'dns.flags.response == 1' dns.qry.name >"$OUT/$s.r.got"
    if cmp -s "$OUT/$s.r.want" "$OUT/$s.r.got"; then
        ok "$s: DNS response question names as intended ($(wc -l <"$OUT/$s.r.got"))"
    else
        bad "$s: DNS response question names as intended"
    fi
    # Resource record owner names through compression pointers.  tshark 4.0
    # leaves SRV owners out of dns.resp.name (it splits them into
    # dns.srv.service/proto/name), so SRV records are compared separately.
    # Compression may point into a differently-cased earlier name, so the
    # comparison is case-insensitive.
    man_lines "$s" "[n for n, t in m['dns_rrs'] if t != 'SRV']" | tr 'A-Z' 'a-z' |
        LC_ALL=C sort >"$OUT/$s.rr.want"
    sorted_field "$f" 'dns.flags.response == 1' dns.resp.name | tr 'A-Z' 'a-z' |
        LC_ALL=C sort >"$OUT/$s.rr.got"
    if cmp -s "$OUT/$s.rr.want" "$OUT/$s.rr.got"; then
        ok "$s: DNS record owner names as intended ($(wc -l <"$OUT/$s.rr.got"))"
    else
        bad "$s: DNS record owner names as intended"
        diff "$OUT/$s.rr.want" "$OUT/$s.rr.got" | head -5
    fi
    nsrv_want=$(man "$s" "sum(1 for n, t in m['dns_rrs'] if t == 'SRV')")
    nsrv_got=$(sorted_field "$f" 'dns.flags.response == 1' dns.srv.target | wc -l)
    expect_eq "$s: SRV record count" "$nsrv_want" "$nsrv_got"
done

f="$A/benign_web.pcap"
man_lines benign_web "m['http_hosts']" | LC_ALL=C sort >"$OUT/hosts.want"
sorted_field "$f" 'http.request.method == "GET"' http.host >"$OUT/hosts.got"
if [[ -s "$OUT/hosts.want" ]] && cmp -s "$OUT/hosts.want" "$OUT/hosts.got"; then
    ok "benign_web: HTTP GET Host headers as intended ($(wc -l <"$OUT/hosts.got"))"
else
    bad "benign_web: HTTP GET Host headers as intended"
fi
nua=$(tshark -n -r "$f" -Y 'http.request && !http.user_agent' 2>/dev/null | wc -l)
expect_eq "benign_web: every HTTP request has a User-Agent" 0 "$nua"
man_lines benign_web "m['tls_sni']" | LC_ALL=C sort >"$OUT/sni.want"
sorted_field "$f" 'tls.handshake.type == 1' tls.handshake.extensions_server_name >"$OUT/sni.got"
if [[ -s "$OUT/sni.want" ]] && cmp -s "$OUT/sni.want" "$OUT/sni.got"; then
    ok "benign_web: TLS ClientHello SNIs as intended ($(wc -l <"$OUT/sni.got"))"
else
    bad "benign_web: TLS ClientHello SNIs as intended"
fi
nsh=$(tshark -n -r "$f" -Y 'tls.handshake.type == 2' 2>/dev/null | wc -l)
expect_eq "benign_web: every ClientHello answered by a ServerHello" "$(wc -l <"$OUT/sni.got")" "$nsh"
nsrv=$(tshark -n -r "$f" -Y 'tcp.flags == 0x002' -T fields -e ip.dst 2>/dev/null | sort -u | wc -l)
if [[ $nsrv -ge 50 ]]; then ok "benign_web: $nsrv distinct servers"; else bad "benign_web: only $nsrv servers"; fi
# every TCP conversation is complete: SYN, SYN/ACK, and a FIN from both ends
incomplete=$(tshark -n -r "$f" -Y tcp -T fields -e tcp.stream -e tcp.flags.syn \
    -e tcp.flags.ack -e tcp.flags.fin 2>/dev/null | awk -F'\t' '
    { s[$1] = 1
      if ($2 == 1 && $3 == 0) syn[$1]++; if ($2 == 1 && $3 == 1) sa[$1]++; if ($4 == 1) fin[$1]++ }
    END { n = 0; for (k in s) if (!syn[k] || !sa[k] || fin[k] < 2) n++; print n }')
expect_eq "benign_web: all TCP sessions complete (handshake + FIN both ways)" 0 "$incomplete"
ntcpdns=$(tshark -n -r "$f" -Y 'dns && tcp.dstport == 53 && dns.flags.response == 0' 2>/dev/null | wc -l)
expect_eq "benign_web: one DNS query over TCP" 1 "$ntcpdns"
rtypes=" $(sorted_field "$f" 'dns.flags.response == 1' dns.resp.type | sort -un | xargs) "
for t in 1 5 12 15 16 28; do
    if [[ $rtypes == *" $t "* ]]; then ok "benign_web: has answer records of type $t"; else bad "benign_web: no answer of type $t"; fi
done
n=$(tshark -n -r "$f" -Y 'dns.flags.rcode == 3' 2>/dev/null | wc -l)
expect_eq "benign_web: one NXDOMAIN" 1 "$n"
n=$(tshark -n -r "$f" -Y 'dns.flags.response == 1 && frame contains c0:0c' 2>/dev/null | wc -l)
if [[ $n -ge 50 ]]; then ok "benign_web: answers use name compression ($n)"; else bad "benign_web: compression ($n)"; fi

f="$A/dns_mix.pcap"
types=$(tshark -n -r "$f" -Y 'dns.flags.response == 0' -T fields -e dns.qry.type 2>/dev/null | sort -un | xargs)
expect_eq "dns_mix: query types A NS CNAME PTR MX TXT AAAA SRV" "1 2 5 12 15 16 28 33" "$types"
ntx=$(man dns_mix "len(set(m['dns_queries']))")
if [[ $ntx -ge 200 ]]; then ok "dns_mix: $ntx distinct query names"; else bad "dns_mix: $ntx names"; fi
tshark -n -r "$f" -Y dns -T fields -e dns.flags.response -e dns.flags.rcode -e ipv6.version \
    -e tcp.stream -e dns.response_in -e dns.qry.name 2>/dev/null >"$OUT/dns_mix.fields"
count_if() { awk -F'\t' "$1 { n++ } END { print n + 0 }" "$OUT/dns_mix.fields"; }
for cond in 'NXDOMAIN:$2 == 3' 'SERVFAIL:$2 == 2' 'over IPv6:$3 == 6' 'over TCP:$4 != ""' \
    'unanswered:$1 == 0 && $5 == ""' 'mixed case:$1 == 0 && $6 ~ /[A-Z]/'; do
    n=$(count_if "${cond#*:}")
    if [[ $n -ge 3 ]]; then ok "dns_mix: has ${cond%%:*} ($n)"; else bad "dns_mix: has ${cond%%:*} ($n)"; fi
done

# ------------------------------------------------------- probes and thresholds
section 'probes and thresholds'
# From tshark's inner-most fields: a TCP conversation is a probe when its
# initiator (sender of the first SYN) sent no payload; a UDP conversation
# when only one side spoke.  Print, per actor, the distinct probed ports per
# target and the distinct probed targets per port.
probe_counts() {
    tshark -n -r "$1" -T fields -E occurrence=l -e tcp.stream -e udp.stream -e ip.src \
        -e ip.dst -e ipv6.src -e ipv6.dst -e tcp.dstport -e udp.dstport -e tcp.flags.syn \
        -e tcp.flags.ack -e tcp.len 2>/dev/null | awk -F'\t' '
    {
        src = $3 != "" ? $3 : $5; dst = $4 != "" ? $4 : $6
        if ($1 != "") {
            k = "t" $1
            if (!(k in init)) {
                if ($9 == 1 && $10 == 0) { init[k] = src; tgt[k] = dst; port[k] = "tcp/" $7 }
                else init[k] = "?"
            }
            if (src == init[k]) pay[k] += $11; else resp[k] = 1
        } else if ($2 != "") {
            k = "u" $2
            if (!(k in init)) { init[k] = src; tgt[k] = dst; port[k] = "udp/" $8 }
            if (src != init[k]) resp[k] = 1
        }
    }
    END {
        for (k in init) {
            if (init[k] == "?") continue
            probe = substr(k, 1, 1) == "t" ? pay[k] == 0 : !(k in resp)
            if (!probe) continue
            a = init[k]
            if (!((a, tgt[k], port[k]) in sp)) { sp[a, tgt[k], port[k]] = 1; ports[a " " tgt[k]]++ }
            if (!((a, port[k], tgt[k]) in sh)) { sh[a, port[k], tgt[k]] = 1; hosts[a " " port[k]]++ }
        }
        for (x in ports) print "ports", x, ports[x]
        for (x in hosts) print "hosts", x, hosts[x]
    }'
}
# findings implied by the counts: local actors (10/8, fd00::/8) give
# Portscan/PortSweep, remote actors InboundPortscan
implied() {
    awk '($1 == "ports" && $4 >= 15) || ($1 == "hosts" && $4 >= 25) {
        local = ($2 ~ /^10\./ || $2 ~ /^fd/)
        if ($1 == "ports") t = local ? "Recon:EC2/Portscan" : "Recon:EC2/InboundPortscan"
        else t = local ? "Impact:EC2/PortSweep" : "Recon:EC2/InboundPortscan"
        print t, $2 }' | sort -u
}
maxof() { awk -v k="$1" '$1 == k && $4 > m { m = $4 } END { print m + 0 }'; }

declare -A WANT_PORTS=([portscan]=100 [portscan_below]=14 [inbound_portscan]=50)
declare -A WANT_HOSTS=([portsweep]=40 [portsweep_below]=24 [inbound_sweep]=30)
for s in "${SMALL[@]}"; do
    case $s in broken_*) continue ;; esac
    f="$A/$s.pcap"
    dur=$(capinfos -T -r -u -S "$f" 2>/dev/null | cut -f2)
    if awk -v d="$dur" 'BEGIN { exit !(d < 300) }'; then
        ok "$s: fits in one 300 s detection window (${dur%.*} s)"
    else
        bad "$s: fits in one 300 s detection window ($dur s)"
    fi
    probe_counts "$f" >"$OUT/$s.probes"
    if [[ -n ${WANT_PORTS[$s]:-} ]]; then
        expect_eq "$s: distinct probed ports (threshold 15)" "${WANT_PORTS[$s]}" "$(maxof ports <"$OUT/$s.probes")"
    fi
    if [[ -n ${WANT_HOSTS[$s]:-} ]]; then
        expect_eq "$s: distinct probed hosts on one port (threshold 25)" "${WANT_HOSTS[$s]}" "$(maxof hosts <"$OUT/$s.probes")"
    fi
    got=$(implied <"$OUT/$s.probes" | xargs)
    want=${EXPECT[$s]}
    expect_eq "$s: thresholds crossed agree with 'gen-traffic expect'" "$want" "$got"
done

# ------------------------------------------------------- broken inputs
section 'broken inputs'
f="$A/broken_truncated_file.pcap"
complete=$(man broken_truncated_file "m['complete_packets']")
n=$(tshark -n -r "$f" 2>"$OUT/trunc.err" | wc -l)
expect_eq "broken_truncated_file: tshark reads the complete records" "$complete" "$n"
if grep -q 'cut short in the middle of a packet' "$OUT/trunc.err"; then
    ok "broken_truncated_file: tshark reports the cut record"
else
    bad "broken_truncated_file: tshark reports the cut record"
fi
expect_eq "broken_truncated_file: generator reported one more record than complete" \
    "$((complete + 1))" "$(reported broken_truncated_file)"

f="$A/broken_garbage.pcap"
if capinfos "$f" >/dev/null 2>&1; then
    bad "broken_garbage: capinfos rejects it"
else
    ok "broken_garbage: capinfos rejects it"
fi
if tshark -n -r "$f" >/dev/null 2>&1; then
    bad "broken_garbage: tshark rejects it"
else
    ok "broken_garbage: tshark rejects it"
fi

f="$A/broken_bad_frames.pcap"
info=$(capinfos -T -r -M -c "$f" 2>&1)
expect_eq "broken_bad_frames: a valid pcap with the reported frame count" \
    "$(reported broken_bad_frames)" "$(cut -f2 <<<"$info")"
mal=$("${TS[@]}" -r "$f" -Y '_ws.malformed || _ws.expert.severity == error' -T fields \
    -e frame.number 2>/dev/null | xargs)
if [[ -n $mal ]]; then ok "broken_bad_frames: tshark flags frames $mal"; else bad "broken_bad_frames: nothing flagged"; fi
for good in 1 19 20 21 22; do
    if [[ " $mal " == *" $good "* ]]; then
        bad "broken_bad_frames: valid frame $good is clean"
    else
        ok "broken_bad_frames: valid frame $good is clean"
    fi
done

# ------------------------------------------------------- big scenarios, small counts
section 'big scenarios, small counts'
for s in flow_flood bench_mix; do
    [[ $s == flow_flood ]] && c=5000 || c=10000
    "$GEN" "$s" "$OUT/$s.1.pcap" --count $c --seed 7 >"$OUT/$s.log" 2>&1
    "$GEN" "$s" "$OUT/$s.2.pcap" --count $c --seed 7 >/dev/null 2>&1
    if cmp -s "$OUT/$s.1.pcap" "$OUT/$s.2.pcap"; then ok "$s: deterministic"; else bad "$s: deterministic"; fi
    n=$(capinfos -T -r -M -c "$OUT/$s.1.pcap" 2>/dev/null | cut -f2)
    expect_eq "$s: --count $c gives $c packets" "$c" "$n"
    nerr=$("${TS[@]}" -r "$OUT/$s.1.pcap" -Y '_ws.malformed || _ws.expert.severity == error' \
        2>/dev/null | wc -l)
    expect_eq "$s: no malformed packets or expert errors" 0 "$nerr"
done
"$GEN" bench_mix "$OUT/bench.pcap" --count 60000 >/dev/null 2>&1
probe_counts "$OUT/bench.pcap" >"$OUT/bench.probes"
expect_eq "bench_mix (60000 packets): thresholds crossed agree with 'gen-traffic expect'" \
    "${EXPECT[bench_mix]}" "$(implied <"$OUT/bench.probes" | xargs)"
rm -f "$OUT"/*.pcap

section done
echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
