"""log-gardener as tasks of Apache Spark: one report over more logs than one machine reads.

    spark-submit [spark options] engines/spark/log_gardener_job.py \
        --binary PATH --partitions N --out DIR [report options] INPUT...

INPUT: Cloud Storage sink files (newline-delimited JSON, gzipped or not) or folders of them, as
any path Spark reads (gs:// on Dataproc, file:// or a plain path locally). Folders are read
recursively.

What the job does:
1. reads every line of the inputs with Spark (gzip by file extension, as Spark decompresses),
   numbering lines in their file's order;
2. keys each line by its log stream (logName, resource, labels.instanceId) with Spark's own JSON
   functions (no schema inference over jsonPayload) and repartitions by that key into N
   partitions, so every stream, with its duplicates and the lines of its split tracebacks, is in
   one partition, each partition in file order;
3. pipes each partition through `log-gardener summarize - --out -` on the executors (the binary
   is shipped with SparkContext.addFile), giving one small summary per partition;
4. tree-merges the summaries with `log-gardener merge --partial` on the executors;
5. on the driver, writes the report with `log-gardener merge` into --out, listing the input files
   as Spark read them (their stored size and entry count).

The report equals `log-gardener report` over the same files (generation time aside, or fixed with
SOURCE_DATE_EPOCH), for every report option: scope options (--min-severity, --since, --until,
--service, --message-budget, and the rules file's [[redact]] patterns) go to `summarize`, the
others (--format, --template, --config, --baseline) to `merge`. Entries that are not JSON are
counted as skipped under standard input ("-"), since Spark does not say where in a file a line
was. docs/summaries.md has the Dataproc commands.
"""

import argparse
import itertools
import json
import os
import subprocess
import sys
import tempfile

SCOPE_OPTIONS = ["--min-severity", "--since", "--until", "--message-budget"]
OUTPUT_OPTIONS = ["--format", "--template", "--baseline"]


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="log_gardener_job.py",
        description="Run log-gardener's summarize/merge as Spark tasks over sink exports.",
    )
    p.add_argument("--binary", required=True,
                   help="the log-gardener executable (Linux x86_64), a path on the driver; it is shipped to the executors")
    p.add_argument("--partitions", type=int, required=True,
                   help="partitions (summarize tasks); each log stream goes to exactly one")
    p.add_argument("--out", required=True, help="where the report files go, on the driver")
    p.add_argument("--merge-depth", type=int, default=2,
                   help="depth of the tree of partial merges (default 2)")
    for opt in SCOPE_OPTIONS + OUTPUT_OPTIONS:
        p.add_argument(opt)
    p.add_argument("--service", action="append", default=[])
    p.add_argument("--config", help="the rules file (a path on the driver; shipped to the executors)")
    p.add_argument("--quiet", action="store_true")
    p.add_argument("inputs", nargs="+", metavar="INPUT")
    args = p.parse_args(argv)
    if args.partitions < 1:
        p.error("--partitions must be at least 1")
    return args


def flags(args, names):
    """The command-line flags among `names` that were given."""
    out = []
    for name in names:
        value = getattr(args, name.lstrip("-").replace("-", "_"))
        if value is not None:
            out += [name, value]
    return out


def scope_flags(args, config_path):
    out = flags(args, SCOPE_OPTIONS)
    for s in args.service:
        out += ["--service", s]
    if config_path:
        out += ["--config", config_path]
    return out


def shipped(name):
    """A file shipped with addFile, executable, on this executor."""
    from pyspark import SparkFiles
    path = SparkFiles.get(name)
    if not os.access(path, os.X_OK):
        os.chmod(path, 0o755)
    return path


def summarize_partition(binary_name, config_name, scope):
    """The function each partition runs: its lines into log-gardener summarize, the summary out."""
    def run(lines):
        first = next(lines, None)
        if first is None:
            return  # an empty partition has nothing to summarize
        binary = shipped(binary_name)
        extra = list(scope)
        if config_name:
            extra += ["--config", shipped(config_name)]
        proc = subprocess.Popen(
            [binary, "summarize", "-", "--out", "-", "--quiet", "--threads", "1"] + extra,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        # Write stdin on this thread and read stdout afterwards: summarize reads all of its input
        # before it writes, so the pipes cannot block each other.
        for line in itertools.chain([first], lines):
            proc.stdin.write(line.encode("utf-8"))
            proc.stdin.write(b"\n")
        proc.stdin.close()
        summary = proc.stdout.read()
        errors = proc.stderr.read().decode("utf-8", "replace")
        if proc.wait() != 0:
            raise RuntimeError("log-gardener summarize failed: " + errors)
        yield summary
    return run


def merge_pair(binary_name):
    """Two summaries into one, with log-gardener merge --partial (runs on the executors)."""
    def merge(a, b):
        binary = shipped(binary_name)
        with tempfile.TemporaryDirectory() as d:
            paths = []
            for k, data in enumerate((a, b)):
                path = os.path.join(d, "part-%d.lgs" % k)
                with open(path, "wb") as f:
                    f.write(data)
                paths.append(path)
            out = os.path.join(d, "merged.lgs")
            subprocess.run([binary, "merge"] + paths + ["--partial", "--out", out],
                           check=True, stdout=subprocess.DEVNULL)
            with open(out, "rb") as f:
                return f.read()
    return merge


def local_path(uri):
    """A file:// URI as the plain path `log-gardener report` would have been given."""
    from urllib.parse import unquote, urlparse
    return unquote(urlparse(uri).path) if uri.startswith("file:") else uri


def input_list(spark, lines):
    """Per input file: its path, stored size, entries (non-blank lines) and whether gzipped."""
    from pyspark.sql import functions as F
    counts = (lines.where(F.trim(F.col("value")) != "")
                   .groupBy("file").count().collect())
    jvm = spark.sparkContext._jvm
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    out = []
    for row in sorted(counts, key=lambda r: r["file"]):
        path = jvm.org.apache.hadoop.fs.Path(row["file"])
        size = path.getFileSystem(conf).getFileStatus(path).getLen()
        out.append({"path": local_path(row["file"]), "bytes": size,
                    "entries": row["count"], "gzip": row["file"].endswith(".gz")})
    return out


def main(argv):
    args = parse_args(argv)
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F

    # Cloud Storage sink files are named like 10:00:00_10:59:59_S0.json; Hadoop's checksumming
    # local file system cannot open names with ':' (HADOOP-3257), the raw one can. Only file://
    # paths are affected (local mode, tests).
    spark = (SparkSession.builder.appName("log-gardener")
             .config("spark.hadoop.fs.file.impl", "org.apache.hadoop.fs.RawLocalFileSystem")
             .getOrCreate())
    sc = spark.sparkContext
    binary = os.path.abspath(args.binary)
    sc.addFile(binary)
    binary_name = os.path.basename(binary)
    config_name = None
    if args.config:
        sc.addFile(os.path.abspath(args.config))
        config_name = os.path.basename(args.config)

    lines = (spark.read.option("recursiveFileLookup", "true").text(args.inputs)
             .withColumn("file", F.input_file_name())
             .withColumn("pos", F.monotonically_increasing_id()))
    stream = F.concat_ws(
        "|",
        F.coalesce(F.get_json_object("value", "$.logName"), F.lit("")),
        F.coalesce(F.get_json_object("value", "$.resource"), F.lit("")),
        F.coalesce(F.get_json_object("value", "$.labels.instanceId"), F.lit("")),
    )
    keyed = (lines.where(F.trim(F.col("value")) != "")
                  .withColumn("stream", stream)
                  .repartition(args.partitions, "stream")
                  .sortWithinPartitions("file", "pos"))
    scope = scope_flags(args, None)
    summaries = keyed.select("value").rdd.map(lambda r: r[0]).mapPartitions(
        summarize_partition(binary_name, config_name, scope))
    merged = summaries.treeReduce(merge_pair(binary_name), depth=max(1, args.merge_depth))

    with tempfile.TemporaryDirectory() as d:
        summary_path = os.path.join(d, "all.lgs")
        with open(summary_path, "wb") as f:
            f.write(merged)
        inputs_path = os.path.join(d, "inputs.json")
        with open(inputs_path, "w") as f:
            json.dump(input_list(spark, lines), f)
        command = [binary, "merge", summary_path, "--out", args.out,
                   "--inputs-from", inputs_path] + flags(args, OUTPUT_OPTIONS)
        if args.config:
            command += ["--config", args.config]
        if args.quiet:
            command.append("--quiet")
        result = subprocess.run(command)
    spark.stop()
    return result.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
