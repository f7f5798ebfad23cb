#!/usr/bin/env python3
"""Summarises a JFR recording's execution samples (docs/BENCHMARKS.md, "Where the time went").

    jobs/jfr-summary.py RECORDING.jfr [TOP]

Prints the share of samples per pipeline stage (each sample goes to the first stage, in the order below,
whose pattern occurs anywhere in its stack) and the TOP (default 25) leaf frames by self samples. Needs the
JDK's `jfr` tool on the PATH.
"""
import collections
import re
import subprocess
import sys

# (stage, pattern on a frame); the first stage whose pattern matches any frame of a sample takes it.
STAGES = [
    ("engine: filter and smoother (io.statespace.inference)", r"^io\.statespace\.inference\."),
    ("state, summary and quarantine rows (UnionRows, OutputLayout)", r"^io\.statespace\.spark\.(UnionRows|OutputLayout)"),
    ("assembly (TrajectoryAssembler, TrajectoryBuffer)", r"^io\.statespace\.spark\.Trajectory(Assembler|Buffer)"),
    ("input parse and validation (ParsedRows, ValueParser, TimeKey)", r"^io\.statespace\.spark\.(ParsedRows|ValueParser|TimeKey|TextTimes)"),
    ("Parquet/ORC write", r"^org\.apache\.(parquet|orc)\..*(Writer|write)|FileFormatWriter|FileFormatDataWriter"),
    ("Parquet/ORC read", r"^org\.apache\.(parquet|orc)\.|VectorizedParquetRecordReader|ParquetFileFormat"),
    ("CSV read", r"univocity|\.csv\.|CSVFileFormat|UnivocityParser"),
    ("shuffle write", r"ShuffleExternalSorter|UnsafeShuffleWriter|SortShuffleWriter|BypassMergeSortShuffleWriter"),
    ("shuffle read and sort", r"ShuffleBlockFetcherIterator|BlockStoreShuffleReader|UnsafeExternalSorter|UnsafeInMemorySorter|ExternalSorter"),
    ("Row conversion (deserializers, encoders)", r"DeserializeToObject|SerializeFromObject|ExpressionEncoder|CatalystTypeConverters|GenericRowWithSchema"),
    ("other Spark task work", r"^org\.apache\.spark\.(executor\.Executor|scheduler\.Task)"),
]
COMPILED = [(name, re.compile(p)) for name, p in STAGES]


def samples(path):
    out = subprocess.run(["jfr", "print", "--events", "jdk.ExecutionSample", "--stack-depth", "200", path],
                         check=True, capture_output=True, text=True).stdout
    frames, inside = [], False
    for line in out.splitlines():
        s = line.strip()
        if s.startswith("stackTrace = ["):
            frames, inside = [], True
        elif inside and s == "]":
            inside = False
            yield frames
        elif inside and s and s != "...":
            frames.append(s.split("(")[0] if "(" in s else s)


def main():
    path = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    stages, leaves, total = collections.Counter(), collections.Counter(), 0
    for frames in samples(path):
        total += 1
        leaves[frames[0] if frames else "?"] += 1
        stage = "outside tasks (JIT, GC, driver, planning)"
        for name, pattern in COMPILED:
            if any(pattern.search(f) for f in frames):
                stage = name
                break
        stages[stage] += 1
    print(f"{total} execution samples in {path}")
    for name, count in stages.most_common():
        print(f"{100.0 * count / total:6.1f}%  {name}")
    print(f"\ntop {top} leaf frames (self samples):")
    for frame, count in leaves.most_common(top):
        print(f"{100.0 * count / total:6.1f}%  {frame}")


if __name__ == "__main__":
    main()
