"""The "Prove it" benchmark: dealflow's commands on books of 1k, 10k and 110k deals, beside taskwarrior.

    python bench/bench.py [--sizes 1000,10000,110000] [--runs 5] [--activities 1000000] [--quick]

For each size it writes CSV files of deals (with contacts), tasks and activities, dated around a pinned
DEALFLOW_NOW, and loads them into a fresh book under a temporary folder with the real `dealflow import`
executable. One deal in eleven is open (so the 110k book has 10,000 open deals and 100,000 closed ones),
each with the time it entered its stage (one in twenty past the stage's limit); every deal has one task (pending for open deals, done for closed ones), and the activities are spread over
all deals (1,000,000 in the largest book, proportionally fewer in the smaller ones; `--activities` sets it).
Then dealflow issues an invoice for every won deal and every deal in the invoice stage, as a seller would.

Every command is then timed as a whole process, as a script runs it: stdout piped, start-up included, from
a fresh virtual environment where dealflow is installed as the README's Quick start installs it (install.py).
Reported: the median wall time, the peak resident memory of the child (`os.wait4`), and the ratio to
`python -c pass` measured in the same run. `import deals` is timed into fresh books (100,000 rows when the
size is larger). Where taskwarrior is installed, `task next` runs over as many pending tasks as the book
has open deals, in an isolated TASKRC/TASKDATA, and `today` is also given as a multiple of it.
The output is a Markdown table; the targets come from the "Prove it" issue. Standard library only.
"""

from __future__ import annotations

import argparse
import compileall
import csv
import json
import marshal
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import install  # bench/install.py

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime.fromisoformat("2026-11-22T10:00:00+03:00")
STAGES = ("Lead", "Qualified", "Proposal", "Negotiation", "Invoiced")
STAGE_DAYS = (1, 7, 10, 14, 14)  # the default pipeline's stage limits (max_days)
REASONS = ("Price", "Timing", "Competitor", "No budget", "No response")
KINDS = ("call", "email", "meeting", "message", "note")
REPORTS = ("funnel", "velocity", "losses", "forecast", "sources", "revenue", "activity")
IMPORT_CAP = 100_000  # the import targets are stated for 10k and 100k rows
LARGEST = 110_000


# --- generating the books --------------------------------------------------------------------------------


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


@dataclass
class Deal:
    """What the tasks and activities files need to know about a generated deal."""

    key: str
    created: datetime
    closed: datetime | None


def write_deals(path: Path, count: int, rng: random.Random) -> list[Deal]:
    """`count` deals, one open in eleven, two deals per contact (matched by email on import).

    An open deal entered its stage within the stage's limit, but one in twenty overstays (as a CRM export's
    "last stage change" column tells); a closed deal's stage-entry column is empty.
    """
    deals = []
    with path.open("w", encoding="utf-8", newline="") as file:
        out = csv.writer(file)
        out.writerow(["external_id", "title", "value", "currency", "stage", "status", "contact", "email", "phone",
                      "company", "owner", "source", "created", "closed", "stage_entered", "expected_close",
                      "lost_reason"])
        for n in range(count):
            is_open = n % 11 == 0
            created = NOW - timedelta(days=rng.uniform(1, 95) if is_open else rng.uniform(60, 1500))
            closed = None if is_open else min(created + timedelta(days=rng.uniform(3, 90)), NOW - timedelta(hours=1))
            status = "open" if is_open else rng.choices(("won", "lost"), (4, 6))[0]
            expected = (NOW + timedelta(days=rng.randint(-10, 120))).date().isoformat() if is_open else ""
            person = n // 2
            stage = rng.randrange(len(STAGES))
            entered = ""
            if is_open:
                limit = STAGE_DAYS[stage]
                stay = rng.uniform(0, limit) if rng.random() > 0.05 else rng.uniform(limit + 1, 3 * limit)
                entered = stamp(max(created, NOW - timedelta(days=stay)))
            out.writerow([f"B{n}", f"Deal {n}", rng.randrange(100, 50_000) * 100, rng.choice(("RUB", "RUB", "USD")),
                          STAGES[stage], status, f"Client {person}", f"client{person}@example.com",
                          f"+7 900 {person:07d}", f"Company {person % 997}", rng.choice(("anna", "boris", "vera")),
                          rng.choice(("site", "referral", "ads", "cold", "")), stamp(created),
                          stamp(closed) if closed else "", entered, expected,
                          rng.choice(REASONS) if status == "lost" else ""])
            deals.append(Deal(f"B{n}", created, closed))
    return deals


def write_tasks(path: Path, deals: list[Deal], rng: random.Random) -> None:
    """One task per deal: pending (due from 3 days ago to 60 days ahead) if open, done if closed."""
    with path.open("w", encoding="utf-8", newline="") as file:
        out = csv.writer(file)
        out.writerow(["deal_external_id", "text", "due", "done_at", "created"])
        for deal in deals:
            if deal.closed is None:
                due, done = (NOW + timedelta(days=rng.randint(-3, 60))).date(), ""
            else:
                due, done = deal.closed.date(), stamp(deal.closed)
            out.writerow([deal.key, f"Next step for {deal.key}", due.isoformat(), done, stamp(deal.created)])


def write_activities(path: Path, deals: list[Deal], count: int, rng: random.Random) -> None:
    """`count` calls, emails, meetings… on random deals, dated within each deal's life."""
    with path.open("w", encoding="utf-8", newline="") as file:
        out = csv.writer(file)
        out.writerow(["deal_external_id", "kind", "at", "direction", "note"])
        for _ in range(count):
            deal = rng.choice(deals)
            end = deal.closed or NOW
            at = deal.created + (end - deal.created) * rng.random()
            kind = rng.choice(KINDS)
            out.writerow([deal.key, kind, stamp(at), rng.choice(("in", "out")) if kind == "call" else "",
                          "talked" if kind == "note" else ""])


def write_taskwarrior(path: Path, count: int, rng: random.Random) -> None:
    """`count` pending taskwarrior tasks, due like the open deals' tasks (relative to the real today)."""
    today = datetime.now().replace(hour=18, minute=0, second=0, microsecond=0)
    tasks = [{"description": f"Next step for deal {n}", "status": "pending", "project": rng.choice(STAGES),
              "entry": (today - timedelta(days=rng.randint(1, 95))).strftime("%Y%m%dT%H%M%SZ"),
              "due": (today + timedelta(days=rng.randint(-3, 60))).strftime("%Y%m%dT%H%M%SZ")}
             for n in range(count)]
    path.write_text(json.dumps(tasks), encoding="utf-8")


# --- running ---------------------------------------------------------------------------------------------


BIN = Path(sys.executable).parent  # where the timed `python` and `dealflow` are: set by main (see install.py)


def dealflow(*args: str) -> list[str]:
    """The installed `dealflow` script (PYTHONPATH makes it run this checkout), else `python -m dealflow`."""
    script = BIN / "dealflow"
    return [str(script), *args] if script.exists() else [str(BIN / "python"), "-m", "dealflow", *args]


# Peak memory comes from `os.wait4`, but Linux carries a process's high-water RSS across exec: a child forked
# from this (large) process would report at least this process's size. So the commands are started by a
# small launcher (`python -I -S`, builtins only, about 9 MB) that forks them, drains their piped stdout and
# sends back (wall seconds, peak RSS KB, exit code, lines written, stderr).
LAUNCHER = r"""
import marshal, os, sys, time
requests, replies = sys.stdin.buffer, sys.stdout.buffer
while head := requests.read(10):
    command, env, errors = marshal.loads(requests.read(int(head)))
    read_end, write_end = os.pipe()
    err = os.open(errors, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        os.dup2(write_end, 1)
        os.dup2(err, 2)
        try:
            os.execvpe(command[0], command, env)
        finally:
            os._exit(127)
    os.close(write_end)
    lines = 0
    while chunk := os.read(read_end, 1 << 16):
        lines += chunk.count(b"\n")
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - started
    os.close(read_end)
    os.close(err)
    with open(errors, "rb") as file:
        text = file.read()
    reply = marshal.dumps((wall, usage.ru_maxrss, os.waitstatus_to_exitcode(status), lines, text))
    replies.write(b"%10d" % len(reply) + reply)
    replies.flush()
"""


class Launcher:
    """The small process that starts the measured commands (see LAUNCHER)."""

    def __init__(self, folder: Path):
        self.errors = str(folder / "stderr.txt")
        self.process = subprocess.Popen([sys.executable, "-I", "-S", "-c", LAUNCHER], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE)

    def run(self, command: list[str], env: dict[str, str]) -> tuple[float, float, int]:
        """(wall ms, peak RSS MB, lines written) of one whole process, stdout piped and drained."""
        request = marshal.dumps((command, env, self.errors))
        self.process.stdin.write(b"%10d" % len(request) + request)
        self.process.stdin.flush()
        wall, peak, code, lines, errors = marshal.loads(self.process.stdout.read(int(self.process.stdout.read(10))))
        if code != 0:
            raise SystemExit(f"{' '.join(command)} failed ({code}):\n{errors.decode(errors='replace')}")
        return wall * 1000, peak / 1024, lines

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait()


@dataclass
class Result:
    command: str
    size: str
    ms: float
    mb: float
    lines: int
    target: str = ""
    met: bool | None = None
    python_ms: float = 0.0  # `python -c pass` measured beside it


def timed(launcher: Launcher, label: str, size: str, command: list[str], env: dict[str, str], runs: int,
          fresh: Callable[[], None] | None = None) -> Result:
    """The median wall time and the peak memory over `runs` runs (`fresh()` before each, untimed)."""
    walls, peaks = [], []
    for _ in range(runs):
        if fresh:
            fresh()
        wall, peak, lines = launcher.run(command, env)
        walls.append(wall)
        peaks.append(peak)
    return Result(label, size, statistics.median(walls), max(peaks), lines)


def new_book(path: Path, env: dict[str, str]) -> None:
    """A fresh book made by dealflow itself (schema, default pipeline and settings)."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    subprocess.run(dealflow("--db", str(path), "stage", "list"), env=env, check=True, capture_output=True)


def load(book: Path, kind: str, source: Path, env: dict[str, str]) -> float:
    """Import one file into the book; seconds taken."""
    started = time.perf_counter()
    done = subprocess.run(dealflow("--db", str(book), "import", kind, str(source)), env=env, capture_output=True,
                          text=True)
    if done.returncode != 0:
        raise SystemExit(f"import {kind} failed:\n{done.stderr}")
    return time.perf_counter() - started


# Run by `invoice_sold` in a child process: dealflow's own invoicing, one transaction for the whole book.
INVOICE_SOLD = """
import sys
from dealflow.core import invoices
from dealflow.core.book import Book
book = Book.open(sys.argv[1])
sold = book.rows(\"""SELECT d.id FROM deals d JOIN stages s ON s.id = d.stage_id
                     WHERE d.status = 'won' OR (d.status = 'open' AND s.role = 'invoice')\""")
with book.transaction():
    for deal in sold:
        invoices.add(book, deal["id"])
print(len(sold))
"""


def invoice_sold(book: Path, env: dict[str, str]) -> int:
    """Issue an invoice for every won deal and every deal in the invoice stage, as a seller does (invoices
    cannot be imported); otherwise `today` would list thousands of deals as "not invoiced"."""
    done = subprocess.run([sys.executable, "-c", INVOICE_SOLD, str(book)], env=env, capture_output=True,
                          text=True, check=True)
    return int(done.stdout)


def label(size: int) -> str:
    return f"{size // 1000}k" if size % 1000 == 0 else str(size)


# --- one size --------------------------------------------------------------------------------------------


def bench_size(launcher: Launcher, size: int, folder: Path, runs: int, activities: int, base: dict[str, str]) -> list[Result]:
    """Build the book of `size` deals, then time every command on it."""
    rng = random.Random(size)
    work = folder / label(size)
    work.mkdir()
    env = {**base, "DEALFLOW_DB": str(work / "book.db")}
    book = work / "book.db"
    started = time.perf_counter()
    deals = write_deals(work / "deals.csv", size, rng)
    write_tasks(work / "tasks.csv", deals, rng)
    write_activities(work / "activities.csv", deals, activities, rng)
    open_count = sum(deal.closed is None for deal in deals)
    log(f"{label(size)}: generated {size} deals ({open_count} open), {size} tasks, {activities} activities "
        f"in {time.perf_counter() - started:.1f} s")
    new_book(book, env)
    for kind in ("deals", "tasks", "activities"):
        log(f"{label(size)}: import {kind} took {load(book, kind, work / f'{kind}.csv', env):.1f} s")
    started_invoicing = time.perf_counter()
    log(f"{label(size)}: {invoice_sold(book, env)} invoices issued in {time.perf_counter() - started_invoicing:.1f} s")

    tag = label(size)
    results = [timed(launcher, "python -c pass", tag, [str(BIN / "python"), "-c", "pass"], env, runs),
               timed(launcher, "dealflow --version", tag, dealflow("--version"), env, runs),
               timed(launcher, "today", tag, dealflow("today"), env, runs),
               timed(launcher, "lookup", tag, dealflow("lookup", "8 (900) 000-00-00", "--format", "json"), env, runs),
               timed(launcher, "deals", tag, dealflow("deals"), env, runs)]
    results += [timed(launcher, f"report {name}", tag, dealflow("report", name), env, runs) for name in REPORTS]
    results.append(timed(launcher, "export deals", tag, dealflow("export", "deals"), env, runs))
    results.append(import_result(launcher, work, size, runs, env))
    if shutil.which("task"):
        results += taskwarrior(launcher, work, open_count, runs, rng, tag)
    for result in results:
        result.python_ms = results[0].ms
    log(f"{label(size)}: measured in {time.perf_counter() - started:.0f} s")
    return results


def import_result(launcher: Launcher, work: Path, size: int, runs: int, base: dict[str, str]) -> Result:
    """`import deals` of this size's file (its first 100k rows at most) into a fresh book each run."""
    rows = min(size, IMPORT_CAP)
    source = work / "deals.csv"
    if rows < size:
        source = work / f"deals-{rows}.csv"
        with (work / "deals.csv").open(encoding="utf-8") as whole, source.open("w", encoding="utf-8") as part:
            part.writelines(line for _, line in zip(range(rows + 1), whole))
    scratch = work / "scratch.db"
    env = {**base, "DEALFLOW_DB": str(scratch)}
    return timed(launcher, "import deals", label(rows), dealflow("import", "deals", str(source)), env, runs,
                 fresh=lambda: new_book(scratch, env))


def taskwarrior(launcher: Launcher, work: Path, pending: int, runs: int, rng: random.Random,
                tag: str) -> list[Result]:
    """`task next` over `pending` pending tasks in its own TASKRC/TASKDATA under the temp folder; it prints
    one page, so `limit:none` (every task, like `today`) is timed too."""
    data = work / "taskdata"
    data.mkdir()
    rc = work / "taskrc"
    rc.write_text(f"data.location={data}\nconfirmation=off\nverbose=nothing\nnews.version=2.6.2\n", encoding="utf-8")
    env = {**os.environ, "TASKRC": str(rc), "TASKDATA": str(data)}
    write_taskwarrior(work / "tasks.json", pending, rng)
    subprocess.run(["task", "import", str(work / "tasks.json")], env=env, check=True, capture_output=True)
    command = ["task", "rc.verbose=nothing", "next"]
    return [timed(launcher, f"task next ({pending} pending)", tag, command, env, runs),
            timed(launcher, "task next limit:none", tag, [*command, "limit:none"], env, runs)]


# --- the table -------------------------------------------------------------------------------------------


def judge(results: list[Result], size: int) -> None:
    """Attach the issue's targets: start-up, today (and vs taskwarrior on the big book), reports, import."""
    peer = next((r for r in results if r.command.startswith("task next (")), None)
    for result in results:
        if result.command == "dealflow --version":
            result.target, result.met = "≤ 100 ms", result.ms <= 100
        elif result.command == "today":
            result.target, result.met = "≤ 120 ms", result.ms <= 120
            if peer and size >= LARGEST:
                result.target += f"; ≤ 0.6× task ({result.ms / peer.ms:.2f}×)"
                result.met = result.met and result.ms <= 0.6 * peer.ms
        elif result.command.startswith("report") and size <= 10_000:
            result.target, result.met = "≤ 150 ms", result.ms <= 150
        elif result.command == "import deals":
            limit = 1000 if min(size, IMPORT_CAP) <= 10_000 else 5000
            result.target, result.met = f"≤ {limit // 1000} s", result.ms <= limit


def table(results: list[Result]) -> str:
    lines = ["| command | size | lines out | median ms | peak MB | × python -c pass | target | met? |",
             "|---|---|--:|--:|--:|--:|---|---|"]
    for r in results:
        met = "" if r.met is None else ("yes" if r.met else "**no**")
        lines.append(f"| {r.command} | {r.size} | {r.lines} | {r.ms:.0f} | {r.mb:.0f} | {r.ms / r.python_ms:.1f} | {r.target} "
                     f"| {met} |")
    return "\n".join(lines)


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,110000", help="deals per book, comma-separated")
    parser.add_argument("--runs", type=int, default=5, help="runs per command (the median is reported)")
    parser.add_argument("--activities", type=int, default=1_000_000,
                        help="activities in a 110k book (smaller books get proportionally fewer)")
    parser.add_argument("--quick", action="store_true", help="1k and 10k books, 3 runs each")
    parser.add_argument("--keep", type=Path, help="build in this (new) folder and keep it")
    args = parser.parse_args()
    # Measure dealflow as installed: with byte-code compiled, even where PYTHONDONTWRITEBYTECODE is set.
    compileall.compile_dir(ROOT / "dealflow", quiet=1)
    sizes = [1000, 10_000] if args.quick else [int(text) for text in args.sizes.split(",")]
    runs = 3 if args.quick else args.runs
    base = {**os.environ, "PYTHONPATH": str(ROOT), "DEALFLOW_NOW": NOW.isoformat(), "TZ": "Europe/Moscow"}
    folder = args.keep or Path(tempfile.mkdtemp(prefix="dealflow-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    global BIN
    BIN = install.installed(folder)
    results = []
    launcher = Launcher(folder)
    try:
        for size in sizes:
            measured = bench_size(launcher, size, folder, runs, round(args.activities * size / LARGEST), base)
            judge(measured, size)
            results += measured
    finally:
        launcher.close()
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"{date.today().isoformat()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
          f"median of {runs} runs, stdout piped\n")
    print(table(results))


if __name__ == "__main__":
    main()
