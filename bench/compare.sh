#!/usr/bin/env bash
# Throughput and peak memory of `log-gardener report`, side by side with DuckDB and jq where
# installed, on inputs made by the repo's own generator.
#
#   [RUNS=3] bench/compare.sh [SIZE_MB ...]        default sizes: 256 1024
#
# For each size: a Cloud Storage sink export (NDJSON), the same entries as a gcloud JSON array,
# the NDJSON gzipped, and a high-cardinality NDJSON (every message distinct after masking,
# three templates: log-gardener-gen --distinct). DuckDB and polars (Python) run from a virtual
# environment in ~/.cache/log-gardener/bench-venv, made on first use (pip install duckdb polars);
# jq where installed. Times are the median wall-clock seconds of RUNS runs (default 3; the
# inputs are read once beforehand, so every tool reads them from the page cache), memory the
# largest peak resident set size from /usr/bin/time. Absolute numbers vary between machines;
# the ratios travel.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("${@:-256 1024}")
[ $# -eq 0 ] && sizes=(256 1024)
work=${BENCH_DIR:-/tmp/log-gardener-bench}
mkdir -p "$work"
cargo build --release --quiet --workspace
bin=target/release/log-gardener
gen=target/release/log-gardener-gen

# Entries per MB, from a calibration dump.
"$gen" --entries 20000 --format ndjson --out "$work/calib.ndjson" 2>/dev/null
per_mb=$(( 20000 * 1048576 / $(stat -c %s "$work/calib.ndjson") ))
"$gen" --distinct --entries 20000 --out "$work/calib-distinct.ndjson" 2>/dev/null
hc_per_mb=$(( 20000 * 1048576 / $(stat -c %s "$work/calib-distinct.ndjson") ))

runs=${RUNS:-3}

measure() { # label, size bytes, command...: the median time of $runs runs, the largest peak
  local label=$1 bytes=$2; shift 2
  : > "$work/times.txt"
  for _ in $(seq "$runs"); do
    /usr/bin/time -o "$work/time.txt" -f "%e %M" "$@" >/dev/null 2>"$work/stderr.txt" || {
      echo "$label: failed: $(tail -3 "$work/stderr.txt")"; return; }
    tail -1 "$work/time.txt" >> "$work/times.txt"
  done
  sort -n "$work/times.txt" | awk -v l="$label" -v b="$bytes" '
    { t[NR] = $1; if ($2 > k) k = $2 }
    END { s = t[int((NR + 1) / 2)]
          printf "%-44s %8.2f s %9.0f MB/s %8.0f MB peak\n", l, s, b / 1048576 / s, k / 1024 }'
}

venv=${BENCH_VENV:-$HOME/.cache/log-gardener/bench-venv}
if ! "$venv/bin/python" -c "import duckdb, polars" 2>/dev/null; then
  python3 -m venv "$venv" && "$venv/bin/pip" install --quiet duckdb polars || true
fi
py="$venv/bin/python"
have_duckdb=""
if command -v duckdb >/dev/null; then have_duckdb=cli
elif "$py" -c "import duckdb" 2>/dev/null; then have_duckdb=python; fi
have_polars=""
"$py" -c "import polars" 2>/dev/null && have_polars=yes

# The engines users would pick instead, on one NDJSON file: DuckDB's and polars' bare GROUP BY
# of (severity, message) -- they count exact pairs, nothing more.
others() { # size, file
  local size=$1 file=$2
  case "$have_duckdb" in
    cli) measure "duckdb CLI, GROUP BY severity, message" "$size" duckdb -c \
      "SELECT severity, coalesce(jsonPayload.message, textPayload) AS m, count(*) FROM read_json('$file', format='newline_delimited', maximum_object_size=268435456) GROUP BY ALL" ;;
    python) measure "duckdb (Python), GROUP BY severity, message" "$size" "$py" -c \
      "import duckdb; duckdb.sql(\"SELECT severity, coalesce(json_extract_string(jsonPayload, '\$.message'), textPayload) AS m, count(*) FROM read_json('$file', format='newline_delimited', maximum_object_size=268435456, columns={'severity': 'VARCHAR', 'jsonPayload': 'JSON', 'textPayload': 'VARCHAR'}) GROUP BY ALL\").fetchall()" ;;
    *) echo "duckdb: not installed (pip install duckdb), skipped" ;;
  esac
  if [ -n "$have_polars" ]; then
    measure "polars (Python), scan_ndjson + group_by" "$size" "$py" -c \
      "import polars as pl; s = pl.Schema({'severity': pl.String, 'textPayload': pl.String, 'jsonPayload': pl.Struct({'message': pl.String})}); pl.scan_ndjson('$file', schema=s).select(pl.col('severity'), pl.coalesce(pl.col('jsonPayload').struct.field('message'), pl.col('textPayload')).alias('m')).group_by('severity', 'm').len().collect()"
  else
    echo "polars: not installed (pip install polars), skipped"
  fi
}

for mb in "${sizes[@]}"; do
  n=$(( mb * per_mb ))
  nd="$work/sink-${mb}MB.ndjson"; js="$work/gcloud-${mb}MB.json"; gz="$nd.gz"
  [ -f "$nd" ] || "$gen" --entries "$n" --format ndjson --seed 42 --span 7d --out "$nd" 2>/dev/null
  [ -f "$js" ] || "$gen" --entries "$n" --format json --seed 42 --span 7d --out "$js" 2>/dev/null
  [ -f "$gz" ] || gzip -1 -c "$nd" > "$gz"
  cat "$nd" "$js" "$gz" >/dev/null # into the page cache, alike for every tool
  size=$(stat -c %s "$nd")
  echo "== $mb MB: $n entries; NDJSON $(( size / 1048576 )) MB, JSON array $(( $(stat -c %s "$js") / 1048576 )) MB, gzip $(( $(stat -c %s "$gz") / 1048576 )) MB; $(nproc) cores"
  measure "log-gardener, NDJSON, 2 threads" "$size" "$bin" report "$nd" --out "$work/out" --threads 2 --quiet
  measure "log-gardener, NDJSON, 1 thread" "$size" "$bin" report "$nd" --out "$work/out" --threads 1 --quiet
  # --threads sets the parsers; the reader and collector threads still use a second core. One
  # core for everything is the baseline for scaling with cores.
  if command -v taskset >/dev/null; then
    measure "log-gardener, NDJSON, 1 core (taskset)" "$size" taskset -c 0 "$bin" report "$nd" --out "$work/out" --threads 1 --quiet
  fi
  measure "log-gardener, JSON array, 2 threads" "$size" "$bin" report "$js" --out "$work/out" --threads 2 --quiet
  measure "log-gardener, NDJSON.gz, 2 threads" "$size" "$bin" report "$gz" --out "$work/out" --threads 2 --quiet
  others "$size" "$nd"
  if command -v jq >/dev/null; then
    measure "jq | sort | uniq -c" "$size" sh -c \
      "jq -r '[.severity, (.jsonPayload.message // .textPayload // \"\")] | @tsv' '$nd' | sort | uniq -c > /dev/null"
  else
    echo "jq: not installed, skipped"
  fi
  # High cardinality: every in-scope message distinct after masking (three templates).
  hc="$work/distinct-${mb}MB.ndjson"
  [ -f "$hc" ] || "$gen" --distinct --entries $(( mb * hc_per_mb )) --seed 42 --out "$hc" 2>/dev/null
  cat "$hc" >/dev/null
  hsize=$(stat -c %s "$hc")
  echo "-- $mb MB, every message distinct: $(( mb * hc_per_mb )) entries, $(( hsize / 1048576 )) MB"
  measure "log-gardener, distinct NDJSON, 2 threads" "$hsize" "$bin" report "$hc" --out "$work/out" --threads 2 --quiet
  others "$hsize" "$hc"
done
