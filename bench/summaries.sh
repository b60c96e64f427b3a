#!/usr/bin/env bash
# Summaries at scale: for one generated NDJSON dump of SIZE_MB (default 1024), split by log
# stream into 1, 8 and 64 parts, the size of the parts' summaries, the time to summarize them,
# and the time and peak memory of merging them into the report; then the Spark job in local mode
# (local[2]) against `report` on the same files. Inputs are made at run time in $BENCH_DIR.
#
#   bench/summaries.sh [SIZE_MB]
#
# Needs Python 3; the Spark row needs the virtual environment tests/spark_local.rs makes
# (~/.cache/log-gardener/spark-venv) and Java 17.
set -euo pipefail
cd "$(dirname "$0")/.."
mb=${1:-1024}
work=${BENCH_DIR:-/tmp/log-gardener-bench}/summaries-$mb
mkdir -p "$work"
cargo build --release --quiet --workspace
bin=$PWD/target/release/log-gardener
gen=$PWD/target/release/log-gardener-gen

"$gen" --entries 20000 --format ndjson --out "$work/calib.ndjson" 2>/dev/null
per_mb=$(( 20000 * 1048576 / $(stat -c %s "$work/calib.ndjson") ))
all="$work/all.ndjson"
[ -f "$all" ] || "$gen" --entries $(( mb * per_mb )) --format ndjson --seed 42 --span 7d --out "$all" 2>/dev/null
size=$(stat -c %s "$all")
echo "== $(( size / 1048576 )) MB NDJSON, $(( mb * per_mb )) entries, $(nproc) cores"

timed() { # label, command...: wall seconds and peak memory
  local label=$1; shift
  /usr/bin/time -o "$work/time.txt" -f "%e %M" "$@" > /dev/null 2> "$work/err.txt" || {
    echo "$label: failed: $(tail -3 "$work/err.txt")"; exit 1; }
  read -r secs kb < "$work/time.txt"
  printf "%-52s %8.2f s %8d MB peak\n" "$label" "$secs" $(( kb / 1024 ))
}

timed "report over the whole file" "$bin" report "$all" --out "$work/report" --quiet

for parts in 1 8 64; do
  dir="$work/parts-$parts"
  if [ ! -d "$dir/in" ]; then
    mkdir -p "$dir/in"
    python3 - "$all" "$dir/in" "$parts" <<'PY'
import json, sys, zlib
src, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
files = [open(f"{out}/part-{k:02}.ndjson", "w") for k in range(n)]
for line in open(src):
    e = json.loads(line)
    stream = f'{e.get("logName")}|{json.dumps(e.get("resource"), sort_keys=True)}|{(e.get("labels") or {}).get("instanceId")}'
    files[zlib.crc32(stream.encode()) % n].write(line)
PY
  fi
  rm -rf "$dir/summaries"; mkdir -p "$dir/summaries"
  start=$(date +%s.%N)
  for f in "$dir"/in/part-*.ndjson; do
    "$bin" summarize "$f" --out "$dir/summaries/$(basename "$f" .ndjson).lgs" --quiet > /dev/null
  done
  end=$(date +%s.%N)
  bytes=$(cat "$dir"/summaries/*.lgs | wc -c)
  printf "%-52s %8.2f s %8d KB of summaries (%d files)\n" "$parts parts: summarize each, one after another" \
    "$(echo "$end - $start" | bc)" $(( bytes / 1024 )) "$parts"
  timed "$parts parts: merge into the report" "$bin" merge "$dir/summaries" --out "$dir/report" --quiet
done

venv=${LOG_GARDENER_SPARK_VENV:-$HOME/.cache/log-gardener/spark-venv}
if [ -x "$venv/bin/spark-submit" ]; then
  timed "report over the 8 part files" "$bin" report "$work/parts-8/in" --out "$work/report-8" --quiet
  timed "Spark local[2], 8 partitions, same files" env PATH="$venv/bin:$PATH" \
    PYSPARK_PYTHON="$venv/bin/python" PYSPARK_DRIVER_PYTHON="$venv/bin/python" \
    "$venv/bin/spark-submit" --master 'local[2]' --conf spark.ui.enabled=false \
    --driver-memory 4g engines/spark/log_gardener_job.py --binary "$bin" --partitions 8 \
    --out "$work/spark" --quiet "$work/parts-8/in"
else
  echo "Spark: no virtual environment at $venv (cargo test --test spark_local makes it), skipped"
fi
