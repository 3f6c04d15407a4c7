#!/usr/bin/env bash
# scripts/coverage-summary.sh INFO [files] - the totals of an lcov
# tracefile (make coverage, mk/coverage.mk) per folder of lib/ and in
# all: lines and branches hit, as percentages and counts.  With a second
# argument, one line per source file instead, lowest line coverage first.
set -euo pipefail
awk -v root="$(pwd)/" -v files="${2:-}" '
/^SF:/ { f = substr($0, 4); sub("^" root, "", f); d = f; sub("/[^/]*$", "", d) }
/^LF:/ { lf[d] += substr($0, 4); flf[f] = substr($0, 4) }
/^LH:/ { lh[d] += substr($0, 4); flh[f] = substr($0, 4) }
/^BRF:/ { bf[d] += substr($0, 5) }
/^BRH:/ { bh[d] += substr($0, 5) }
function pct(h, n) { return n ? sprintf("%5.1f%%", 100 * h / n) : "    -" }
function row(name, h, n, b, bn) {
    return sprintf("%-12s %7s %13s %8s %13s", name, pct(h, n),
                   "(" h "/" n ")", pct(b, bn), "(" b "/" bn ")")
}
END {
    if (files != "") {
        for (f in flf)
            printf "%6.1f%% %5d/%-5d %s\n", flf[f] ? 100 * flh[f] / flf[f] : 100,
                flh[f], flf[f], f | "sort -n"
        exit
    }
    printf "%-12s %7s %13s %8s %13s\n", "coverage", "lines", "", "branches", ""
    for (k in lf) {
        print row(k, lh[k], lf[k], bh[k], bf[k]) | "sort"
        TL += lf[k]; TH += lh[k]; TB += bf[k]; TBH += bh[k]
    }
    close("sort")
    print row("lib (all)", TH, TL, TBH, TB)
}' "$1"
