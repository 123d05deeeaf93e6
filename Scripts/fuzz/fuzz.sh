#!/bin/sh
# Builds and runs the libFuzzer targets of ScalingLaws: the CSV reader and the formula parser.
#
#   Scripts/fuzz/fuzz.sh csv [seconds]       # fuzz the CSV reader (default 600 s)
#   Scripts/fuzz/fuzz.sh formula [seconds]   # fuzz the formula parser and compiler
#   Scripts/fuzz/fuzz.sh build               # only build both fuzzers
#
# Linux only (libFuzzer ships with the Swift toolchain there). The library sources are compiled
# together with the harness (Scripts/fuzz/Fuzz*.swift) into one module with -sanitize=fuzzer,address,
# so the harness reaches internal types; nothing here touches `swift build` or `swift test`.
# Build products, corpora and crash reproducers go to .build/fuzz/ (git-ignored).
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT="$ROOT/.build/fuzz"
TARGET=${1:-csv}
SECONDS_TO_RUN=${2:-600}

build() {
    mkdir -p "$OUT/include/CScalingSupport"
    cp "$ROOT/Sources/CScalingSupport/include/scaling_support.h" "$OUT/include/CScalingSupport/"
    cat > "$OUT/include/CScalingSupport/module.modulemap" <<MAP
module CScalingSupport {
    header "scaling_support.h"
    link "dl"
    export *
}
MAP
    for c in xerbla output; do
        clang -O1 -g -fsanitize=fuzzer-no-link,address -c "$ROOT/Sources/CScalingSupport/$c.c" \
            -I "$ROOT/Sources/CScalingSupport/include" -o "$OUT/$c.o"
    done
    SOURCES=$(find "$ROOT/Sources/ScalingLaws" -name '*.swift' | sort)
    for name in CSV Formula; do
        # shellcheck disable=SC2086
        swiftc -O -g -sanitize=fuzzer,address -parse-as-library -module-name ScalingLaws \
            -I "$ROOT/Sources/CLAPACK" -I "$OUT/include/CScalingSupport" \
            $SOURCES "$ROOT/Scripts/fuzz/Fuzz$name.swift" "$OUT/xerbla.o" "$OUT/output.o" \
            -llapack -lblas -ldl -o "$OUT/fuzz-$(echo $name | tr 'A-Z' 'a-z')" 2>&1 \
            | grep -v "Cannot export local symbol" || true
        test -x "$OUT/fuzz-$(echo $name | tr 'A-Z' 'a-z')"
    done
}

seed() {
    # Seed corpora: the example data files (CSV) and the formulas of the documentation (formula).
    mkdir -p "$OUT/corpus-csv" "$OUT/corpus-formula"
    cp "$ROOT"/Examples/data/*.csv "$OUT/corpus-csv/" 2>/dev/null || true
    i=0
    for f in 'E + A*N^-alpha + B*D^-beta' 'E + A/N^alpha + B/D^beta' 'E + (A*N^-a + B*D^-b)^c' \
             'log(exp(a) + min(N, D, C))' 'max(E, sqrt(A*x)) - -2e-3*N^-(alpha)' '((E)) ÷ 3 × N'; do
        printf '%s' "$f" > "$OUT/corpus-formula/seed$i"; i=$((i + 1))
    done
}

case "$TARGET" in
    build) build ;;
    csv|formula)
        build
        seed
        mkdir -p "$OUT/crashes-$TARGET"
        cd "$OUT"
        # -rss_limit_mb: a leak or unbounded allocation is a finding too. Timeouts over 10 s are hangs.
        "./fuzz-$TARGET" "corpus-$TARGET" -max_total_time="$SECONDS_TO_RUN" -timeout=10 -rss_limit_mb=2048 \
            -max_len=65536 -artifact_prefix="crashes-$TARGET/" -print_final_stats=1
        ;;
    *) echo "usage: $0 csv|formula|build [seconds]" >&2; exit 2 ;;
esac
