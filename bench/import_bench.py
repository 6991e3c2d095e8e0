"""Import benchmark: 10,000 and 100,000 generated deals with contacts; median wall and CPU time, peak memory.

Targets (ARCHITECTURE.md keeps them here, never in tests): 10k deals ≤ 1 s, 100k deals ≤ 5 s, peak RSS of
the importing process ≤ 150 MB. CPU time (user + sys) is reported beside the wall time because it is the
steadier number on a shared, busy machine. dealflow runs installed as a seller installs it (see install.py).
Run from the repository root:  python bench/import_bench.py [--runs 3]
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STAGES = ("Lead", "Qualified", "Proposal", "Negotiation", "Invoiced", "Won", "Lost")


def generate(path: Path, count: int) -> Path:
    """A Pipedrive-like export: `count` deals, one contact per three deals (email and phone), every stage;
    every date before the pinned now (2026-11-22), as an import requires of what has happened."""
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["Deal - ID", "Deal - Title", "Deal - Value", "Deal - Currency of Value", "Deal - Stage",
                         "Deal - Owner", "Person - Name", "Person - Email", "Person - Phone", "Deal - Deal created",
                         "Deal - Won time", "Deal - Lost reason"])
        for n in range(count):
            person = n // 3
            stage = STAGES[n % len(STAGES)]
            writer.writerow([f"D{n}", f"Deal {n}", f"{(n * 37) % 100000}.{n % 100:02d}", "USD", stage,
                             f"owner{n % 5}", f"Client {person}", f"client{person}@example.com",
                             f"+1 555 {person:07d}", f"2025-{n % 12 + 1:02d}-{n % 28 + 1:02d} 10:00",
                             f"2026-{n % 10 + 1:02d}-{n % 28 + 1:02d}" if stage in ("Won", "Lost") else "",
                             "price" if stage == "Lost" else ""])
    return path


def run_once(source: Path, workdir: Path, python: Path) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS MB) of one `dealflow import deals` into a fresh book."""
    book = workdir / "bench.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{book}{suffix}").unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DEALFLOW_DB": str(book), "DEALFLOW_NOW": "2026-11-22T10:00"}
    command = [str(python), "-m", "dealflow"]
    subprocess.run([*command, "stage", "list"], env=env, check=True, capture_output=True)  # create the book
    started = time.perf_counter()
    process = subprocess.Popen([*command, "import", "deals", str(source)], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"import failed: {process.stderr.read().decode()}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        import install  # bench/install.py; here, as tests import this module for `generate`

        workdir = Path(folder)
        python = install.installed(workdir) / "python"
        for size in args.sizes:
            source = generate(workdir / f"deals-{size}.csv", size)
            results = [run_once(source, workdir, python) for _ in range(args.runs)]
            walls, cpus, peaks = (list(column) for column in zip(*results))
            print(f"{size:>7} deals: median {statistics.median(walls):.2f} s wall "
                  f"(runs {', '.join(f'{w:.2f}' for w in walls)}), median {statistics.median(cpus):.2f} s CPU, "
                  f"peak RSS {max(peaks):.0f} MB")


if __name__ == "__main__":
    main()
