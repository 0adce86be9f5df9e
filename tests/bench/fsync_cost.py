#!/usr/bin/env python3
"""fsync_cost.py [DIR]: what an fdatasync costs on this disk as a function
of the bytes appended before it, as SQLite's WAL does at each commit: a
file of 8 MB is written and synced once, then KB bytes are written at
successive offsets and fdatasync'd, 400 times for each size
(FSYNC_COST_REPS in the environment changes that). Prints p50 and p90
per size. The one-row SQLite probe of planboard-bench appends one
or two pages per commit, a group commit ~100 KB; this says how much of
the difference between their per-commit costs is the bytes.
DIR (default: the current folder) must be on the disk being measured."""
import os, sys, time

def main():
    path = os.path.join(sys.argv[1] if len(sys.argv) > 1 else ".", "fsync_cost.tmp")
    size = 8 << 20
    reps = int(os.environ.get("FSYNC_COST_REPS", "400"))
    if reps < 1:
        sys.exit("FSYNC_COST_REPS must be at least 1")
    try:
        for kb in (4, 8, 16, 32, 48, 64, 96, 128, 256):
            fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
            os.write(fd, b"\0" * size)
            os.fsync(fd)
            buf, off, took = os.urandom(kb * 1024), 0, []
            for _ in range(reps):
                os.pwrite(fd, buf, off)
                off = (off + len(buf)) % (size - len(buf))
                t = time.perf_counter()
                os.fdatasync(fd)
                took.append(time.perf_counter() - t)
            os.close(fd)
            took.sort()
            print("%4d KB: fdatasync p50 %4.0f us  p90 %4.0f us"
                  % (kb, took[reps // 2] * 1e6, took[reps * 9 // 10] * 1e6))
    finally:
        if os.path.exists(path):
            os.unlink(path)

main()
