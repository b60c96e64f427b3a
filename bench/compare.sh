#!/usr/bin/env bash
# Throughput and peak memory of `log-gardener report`, side by side with DuckDB and jq where
# installed, on inputs made by the repo's own generator.
#
#   bench/compare.sh [SIZE_MB ...]        default: 256 1024
#
# For each size: a Cloud Storage sink export (NDJSON), the same entries as a gcloud JSON array,
# and the NDJSON gzipped. Times are wall-clock seconds of one run each (after one warm-up run of
# the smallest input), memory is the peak resident set size from /usr/bin/time. Absolute numbers
# vary between machines; the ratios travel.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("${@:-256 1024}")
[ $# -eq 0 ] && sizes=(256 1024)
work=${BENCH_DIR:-/tmp/log-gardener-bench}
mkdir -p "$work"
cargo build --release --quiet
bin=target/release/log-gardener

# Entries per MB, from a calibration dump.
"$bin" generate --entries 20000 --format ndjson --out "$work/calib.ndjson" 2>/dev/null
per_mb=$(( 20000 * 1048576 / $(stat -c %s "$work/calib.ndjson") ))

measure() { # label, size bytes, command...
  local label=$1 bytes=$2; shift 2
  local out
  /usr/bin/time -o "$work/time.txt" -f "%e %M" "$@" >/dev/null 2>"$work/stderr.txt" || {
    echo "$label: failed: $(tail -3 "$work/stderr.txt")"; return; }
  out=$(tail -1 "$work/time.txt")
  local secs=${out% *} kb=${out#* }
  awk -v l="$label" -v s="$secs" -v k="$kb" -v b="$bytes" \
    'BEGIN { printf "%-44s %8.2f s %9.0f MB/s %8.0f MB peak\n", l, s, b / 1048576 / s, k / 1024 }'
}

have_duckdb=""
if command -v duckdb >/dev/null; then have_duckdb=cli
elif python3 -c "import duckdb" 2>/dev/null; then have_duckdb=python; fi

for mb in "${sizes[@]}"; do
  n=$(( mb * per_mb ))
  nd="$work/sink-${mb}MB.ndjson"; js="$work/gcloud-${mb}MB.json"; gz="$nd.gz"
  [ -f "$nd" ] || "$bin" generate --entries "$n" --format ndjson --seed 42 --span 7d --out "$nd" 2>/dev/null
  [ -f "$js" ] || "$bin" generate --entries "$n" --format json --seed 42 --span 7d --out "$js" 2>/dev/null
  [ -f "$gz" ] || gzip -1 -c "$nd" > "$gz"
  size=$(stat -c %s "$nd")
  echo "== $mb MB: $n entries; NDJSON $(( size / 1048576 )) MB, JSON array $(( $(stat -c %s "$js") / 1048576 )) MB, gzip $(( $(stat -c %s "$gz") / 1048576 )) MB; $(nproc) cores"
  measure "log-gardener, NDJSON, 2 threads" "$size" "$bin" report "$nd" --out "$work/out" --threads 2 --quiet
  measure "log-gardener, NDJSON, 1 thread" "$size" "$bin" report "$nd" --out "$work/out" --threads 1 --quiet
  measure "log-gardener, JSON array, 2 threads" "$size" "$bin" report "$js" --out "$work/out" --threads 2 --quiet
  measure "log-gardener, NDJSON.gz, 2 threads" "$size" "$bin" report "$gz" --out "$work/out" --threads 2 --quiet
  case "$have_duckdb" in
    cli) measure "duckdb CLI, GROUP BY severity, message" "$size" duckdb -c \
      "SELECT severity, jsonPayload.message AS m, count(*) FROM read_json('$nd', format='newline_delimited', maximum_object_size=268435456) GROUP BY ALL" ;;
    python) measure "duckdb (Python), GROUP BY severity, message" "$size" python3 -c \
      "import duckdb; duckdb.sql(\"SELECT severity, jsonPayload.message AS m, count(*) FROM read_json('$nd', format='newline_delimited', maximum_object_size=268435456) GROUP BY ALL\").fetchall()" ;;
    *) echo "duckdb: not installed (pip install duckdb), skipped" ;;
  esac
  if command -v jq >/dev/null; then
    measure "jq | sort | uniq -c" "$size" sh -c \
      "jq -r '[.severity, (.jsonPayload.message // .textPayload // \"\")] | @tsv' '$nd' | sort | uniq -c > /dev/null"
  else
    echo "jq: not installed, skipped"
  fi
done
