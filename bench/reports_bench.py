"""Time every `dealflow report` on a big book: the whole process, piped, as a user's script runs it.

    python bench/reports_bench.py [--deals 100000] [--runs 5]

Builds the book quickly: `dealflow` creates and seeds it (pipeline, settings), then deals with their
stage history, activities, tasks, invoices and payments are written in bulk SQL. Prints the median
wall time of each report beside `python -c pass` and `dealflow --version` (the start-up floor), and the
median time of the same command run in this process (imports already done: the report's own work).
The processes run dealflow installed as a seller installs it (see install.py).
Targets: ≤ 150 ms per report at 10 000 deals, ≤ 300 ms at 100 000.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import install  # bench/install.py

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime.fromisoformat("2026-11-22T10:00:00+03:00")
REPORTS = [
    ["report", "funnel"], ["report", "funnel", "--by", "owner"], ["report", "velocity"], ["report", "losses"],
    ["report", "forecast"], ["report", "forecast", "--by", "stage"], ["report", "sources"],
    ["report", "revenue"], ["report", "revenue", "--by", "week"], ["report", "activity", "--by", "owner"],
    ["report", "funnel", "--since", "2026-01-01", "--until", "2026-06-30"],
]


PYTHON = sys.executable  # the timed interpreter: set by main to a fresh install (see install.py)


def dealflow(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, "-m", "dealflow", *args], env=env, capture_output=True, text=True, check=True)


def stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def build(path: Path, count: int, env: dict[str, str]) -> None:
    """A book of `count` deals over two years, each walked some way along the pipeline, then closed or not."""
    dealflow("stage", "list", env=env)  # creates and seeds the book
    rng = random.Random(7)
    conn = sqlite3.connect(path)
    stages = [row[0] for row in conn.execute("SELECT id FROM stages ORDER BY position")]
    reasons = [row[0] for row in conn.execute("SELECT name FROM reasons")]
    deals, history, acts, tasks, invoices, payments = [], [], [], [], [], []
    for deal_id in range(1, count + 1):
        at = NOW - timedelta(days=rng.uniform(1, 730))
        created = at
        walked = stages[:rng.randint(1, len(stages))]
        entries = [(deal_id, "created", None, walked[0], stamp(at))]
        for before, stage in zip(walked, walked[1:]):
            at += timedelta(days=rng.expovariate(1 / 6))
            entries.append((deal_id, "moved", before, stage, stamp(at)))
        status = rng.choices(["open", "won", "lost"], [4, 3, 3])[0]
        closed = at + timedelta(days=rng.expovariate(1 / 5)) if status != "open" else None
        if closed:
            entries.append((deal_id, status, walked[-1], walked[-1], stamp(closed)))
        # Each visit ends where the next entry begins (stage_history.left_at); the last is open or a close.
        ends = [entry[4] for entry in entries[1:]] + [None]
        history.extend((*entry, end if entry[1] in ("created", "moved") else None) for entry, end in zip(entries, ends))
        currency = rng.choice(["RUB", "RUB", "USD"])
        value = rng.randrange(10_000, 5_000_000) * 100
        close_day = (NOW + timedelta(days=rng.randint(-30, 200))).date().isoformat() if rng.random() < .7 else None
        deals.append((deal_id, f"Deal {deal_id}", value, currency, walked[-1], status,
                      rng.choice([None, None, None, 35]), rng.choice(["site", "referral", "ads", "cold", None]),
                      rng.choice(["anna", "boris", "vera"]), close_day, stamp(created), stamp(at),
                      stamp(closed) if closed else None, rng.choice(reasons) if status == "lost" else None))
        for _ in range(rng.randint(0, 2)):
            acts.append((deal_id, rng.choice(["call", "email", "meeting", "message", "note"]),
                         stamp(created + timedelta(days=rng.uniform(0, 30)))))
        due = created + timedelta(days=rng.randint(1, 20))
        done = due + timedelta(days=rng.randint(-3, 5)) if rng.random() < .6 else None
        tasks.append((f"Call deal {deal_id}", due.date().isoformat(), deal_id, stamp(created),
                      stamp(done) if done else None))
        if status == "won":
            number = len(invoices) + 1
            invoices.append((number, f"INV-{number:06d}", number, deal_id, currency, value,
                             closed.date().isoformat(), (closed + timedelta(days=14)).date().isoformat()))
            if rng.random() < .8:
                payments.append((number, value, stamp(closed + timedelta(days=rng.randint(1, 20)))))
    with conn:
        conn.executemany(
            """INSERT INTO deals (id, title, value, currency, stage_id, status, probability, source, owner,
                                  expected_close, created_at, stage_entered_at, closed_at, lost_reason)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", deals)
        conn.executemany("INSERT INTO stage_history (deal_id, event, from_stage_id, to_stage_id, at, left_at) "
                         "VALUES (?, ?, ?, ?, ?, ?)", history)
        conn.executemany("INSERT INTO activities (deal_id, kind, at) VALUES (?, ?, ?)", acts)
        conn.executemany("INSERT INTO tasks (text, due, deal_id, created_at, done_at) VALUES (?, ?, ?, ?, ?)", tasks)
        conn.executemany("INSERT INTO invoices (id, number, seq, deal_id, currency, total, issued, due) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", invoices)
        conn.executemany("INSERT INTO payments (invoice_id, amount, at) VALUES (?, ?, ?)", payments)
    conn.execute("ANALYZE")
    conn.close()
    print(f"book: {count} deals, {len(history)} history rows, {len(acts)} activities, {len(tasks)} tasks, "
          f"{len(invoices)} invoices, {len(payments)} payments")


def timed(command: list[str], runs: int, env: dict[str, str]) -> float:
    """Median wall time in milliseconds of the whole process, stdout piped."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def in_process(args: list[str], runs: int, env: dict[str, str]) -> float:
    """Median milliseconds of the command run in this process: the report's own work, without start-up."""
    from typer.testing import CliRunner

    from dealflow.cli.app import app

    os.environ.update(env)
    runner, times = CliRunner(), []
    for _ in range(runs):
        start = time.perf_counter()
        result = runner.invoke(app, args)
        times.append((time.perf_counter() - start) * 1000)
        assert result.exit_code == 0, result.output
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deals", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    global PYTHON
    with tempfile.TemporaryDirectory() as folder:
        PYTHON = str(install.installed(Path(folder)) / "python")
        path = Path(folder) / "bench.db"
        env = {**os.environ, "PYTHONPATH": str(ROOT), "DEALFLOW_DB": str(path), "DEALFLOW_NOW": stamp(NOW)}
        started = time.perf_counter()
        build(path, options.deals, env)
        print(f"built in {time.perf_counter() - started:.1f} s; median of {options.runs} runs")
        print(f"{'process':>8} {'work':>8}")
        print(f"{timed([PYTHON, '-c', 'pass'], options.runs, env):8.0f} {'':8}  python -c pass")
        print(f"{timed([PYTHON, '-m', 'dealflow', '--version'], options.runs, env):8.0f} {'':8}  "
              "dealflow --version")
        sys.path.insert(0, str(ROOT))
        for args in REPORTS:
            whole = timed([PYTHON, "-m", "dealflow", *args], options.runs, env)
            print(f"{whole:8.0f} {in_process(args, options.runs, env):8.0f}  dealflow {' '.join(args)}")
        print("(milliseconds; process = the whole command piped, work = the same run in-process)")


if __name__ == "__main__":
    main()
