"""How fast is `dealflow today` on a big book? Targets: ≤150 ms median with 10,000 open deals (each with a
task) and 100,000 closed ones, and less than 20 % growth from a 1,000-deal book.

    python bench/agenda_bench.py [--runs 9] [--keep DIR]

Each book is created by dealflow itself (so it has the real schema, indexes and pipeline), then filled with
bulk SQL inserts: open deals created up to 95 days ago (a few past the 90-day lifetime), spread over the
stages, one in twenty overstaying its stage, each with a task due from 3 days ago to 60 days ahead; and
closed deals with their stage history, a completed task and an activity each, won ones invoiced and paid.
A third book holds the 1k book's open deals among 109,000 closed ones: what closed history alone costs.
The whole process is timed (start-up included), with stdout piped, beside `python -c pass` for the
interpreter's own start-up, in a fresh environment where dealflow is installed as a seller installs it
(see install.py).
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
from datetime import date, timedelta
from pathlib import Path

import install  # bench/install.py

ROOT = Path(__file__).resolve().parent.parent
NOW = date(2026, 11, 22)
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "DEALFLOW_NOW": f"{NOW.isoformat()}T09:00", "TZ": "Europe/Moscow"}


BIN = Path(sys.executable).parent  # where the timed `python` and `dealflow` are: set by main (see install.py)


def dealflow(*args: str) -> list[str]:
    script = BIN / "dealflow"
    return [str(script) if script.exists() else str(BIN / "python"), *([] if script.exists() else ["-m", "dealflow"]),
            *args]


def stamp(day: date, hour: int = 10) -> str:
    return f"{day.isoformat()}T{hour:02d}:00:00+03:00"


def build(path: Path, open_deals: int, closed_deals: int) -> None:
    """A fresh book made by dealflow, filled in bulk."""
    subprocess.run(dealflow("--db", str(path), "stage", "list"), env=ENV, check=True, capture_output=True)
    rng = random.Random(7)
    conn = sqlite3.connect(path)
    stages = conn.execute("SELECT id, coalesce(max_days, 30) FROM stages ORDER BY position").fetchall()
    invoice_stage = conn.execute("SELECT id FROM stages WHERE role = 'invoice'").fetchone()[0]
    contacts = max(open_deals, 1000)
    conn.executemany(
        "INSERT INTO contacts (id, name, phone, phone_digits, created_at) VALUES (?, ?, ?, ?, ?)",
        ((i, f"Client {i}", f"+7 900 {i:07d}", f"7900{i:07d}", stamp(NOW - timedelta(days=400)))
         for i in range(1, contacts + 1)))
    deals, history, tasks, acts, invoices = [], [], [], [], []
    for deal_id in range(1, open_deals + closed_deals + 1):
        created = NOW - timedelta(days=rng.randint(1, 95) if deal_id <= open_deals else rng.randint(60, 1500))
        contact = rng.randint(1, contacts)
        stage, max_days = rng.choice(stages)
        if deal_id <= open_deals:
            # Most deals move on in time; one in twenty overstays its stage.
            stay = rng.randint(0, max_days) if rng.random() > 0.05 else rng.randint(max_days + 1, 3 * max_days)
            entered = max(created, NOW - timedelta(days=stay))
            deals.append((deal_id, f"Deal {deal_id}", contact, rng.randint(1, 5000) * 10000, "RUB", stage, "open",
                          stamp(created), stamp(entered), None))
            tasks.append((f"Next step {deal_id}", (NOW + timedelta(days=rng.randint(-3, 60))).isoformat(), deal_id,
                          contact, stamp(created), None))
            if stage == invoice_stage:  # a deal in the invoice stage has its invoice out, due later
                invoices.append((deal_id, f"INV-{deal_id:06d}", deal_id, deal_id, deals[-1][3], entered.isoformat(),
                                 (NOW + timedelta(days=rng.randint(1, 14))).isoformat(), None, None))
        else:
            closed = created + timedelta(days=rng.randint(5, 50))
            status = rng.choice(["won", "lost"])
            deals.append((deal_id, f"Deal {deal_id}", contact, rng.randint(1, 5000) * 10000, "RUB", stage, status,
                          stamp(created), stamp(created), stamp(closed)))
            history.append((deal_id, status, stage, stage, stamp(closed)))
            if status == "won":  # a seller invoices what they win: history is not on the agenda
                value = deals[-1][3]
                invoices.append((deal_id, f"INV-{deal_id:06d}", deal_id, deal_id, value, closed.isoformat(),
                                 (closed + timedelta(days=14)).isoformat(), value, stamp(closed)))
            tasks.append((f"Old step {deal_id}", created.isoformat(), deal_id, contact, stamp(created), stamp(closed)))
            acts.append((deal_id, contact, "call", "out", stamp(created, 12)))
        history.append((deal_id, "created", None, stage, stamp(created)))
    conn.executemany("""INSERT INTO deals (id, title, contact_id, value, currency, stage_id, status, created_at,
                        stage_entered_at, closed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", deals)
    conn.executemany("INSERT INTO stage_history (deal_id, event, from_stage_id, to_stage_id, at) VALUES (?, ?, ?, ?, ?)",
                     history)
    conn.executemany("INSERT INTO tasks (text, due, deal_id, contact_id, created_at, done_at) VALUES (?, ?, ?, ?, ?, ?)",
                     tasks)
    conn.executemany("INSERT INTO activities (deal_id, contact_id, kind, direction, at) VALUES (?, ?, ?, ?, ?)", acts)
    conn.executemany("""INSERT INTO invoices (id, number, seq, deal_id, currency, total, issued, due, paid_at)
                        VALUES (?, ?, ?, ?, 'RUB', ?, ?, ?, ?)""", [row[:7] + row[8:] for row in invoices])
    conn.executemany("INSERT INTO payments (invoice_id, amount, at) VALUES (?, ?, ?)",
                     [(row[0], row[7], row[8]) for row in invoices if row[7]])
    conn.commit()
    conn.close()


def median_ms(command: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, env=ENV, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--keep", type=Path, help="build the books in this folder and keep them")
    options = parser.parse_args()
    folder = options.keep or Path(tempfile.mkdtemp(prefix="dealflow-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    books = {"1k (1,000 open)": (1000, 0), "110k (10,000 open + 100,000 closed)": (10_000, 100_000),
             # The same agenda as the 1k book in a 110k book: what closed history alone costs.
             "110k (1,000 open + 109,000 closed)": (1000, 109_000)}
    global BIN
    BIN = install.installed(folder)
    python = median_ms([str(BIN / "python"), "-c", "pass"], options.runs)
    print(f"python -c pass: {python:.0f} ms")
    results = {}
    for label, (open_deals, closed_deals) in books.items():
        path = folder / f"{open_deals}-{closed_deals}.db"
        if not path.exists():
            started = time.perf_counter()
            build(path, open_deals, closed_deals)
            print(f"built {label} in {time.perf_counter() - started:.1f} s")
        lines = subprocess.run(dealflow("--db", str(path), "today"), env=ENV, check=True,
                               capture_output=True, text=True).stdout.count("\n") - 1
        results[label] = median_ms(dealflow("--db", str(path), "today"), options.runs)
        print(f"dealflow today, {label}: {results[label]:.0f} ms median of {options.runs} ({lines} items)")
    small, big, history = results.values()
    growth = (big - small) / small * 100
    print(f"growth 1k → 110k: {growth:+.0f} %  (targets: ≤150 ms, <20 %)")
    print(f"growth from closed history alone (1,000 open deals in both): {(history - small) / small * 100:+.0f} %")
    if big > 150 or growth >= 20:
        sys.exit(1)


if __name__ == "__main__":
    main()
