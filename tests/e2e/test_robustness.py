"""The one copy of a seller's pipeline survives concurrent writers, kills mid-write and online backups."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

from tests.conftest import ROOT, dealflow_exe, run_exe

WRITERS = 4
ADDS_PER_WRITER = 25


def _writer_script(db: Path, writer: int) -> list[str]:
    """A shell loop of `dealflow add`, as a seller's script would run it."""
    exe = " ".join(f"'{part}'" for part in dealflow_exe())
    loop = (f"for i in $(seq 1 {ADDS_PER_WRITER}); do {exe} --db '{db}' add -q \"writer {writer} deal $i\" "
            f"--value $i || exit 1; done")
    return ["bash", "-c", loop]


def test_concurrent_writers_all_succeed_and_nothing_is_lost(tmp_path):
    db = tmp_path / "shared.db"  # created by whichever writer comes first
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen(_writer_script(db, w), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for w in range(WRITERS)]
    results = [proc.communicate(timeout=240) for proc in procs]
    for proc, (out, err) in zip(procs, results):
        assert proc.returncode == 0, err
        assert len(out.split()) == ADDS_PER_WRITER
    conn = sqlite3.connect(db)
    titles = {row[0] for row in conn.execute("SELECT title FROM deals")}
    assert len(titles) == WRITERS * ADDS_PER_WRITER
    assert titles == {f"writer {w} deal {i}" for w in range(WRITERS) for i in range(1, ADDS_PER_WRITER + 1)}
    assert conn.execute("SELECT count(*) FROM stage_history WHERE event = 'created'").fetchone()[0] == 100
    assert conn.execute("SELECT count(*) FROM stages").fetchone()[0] == 5  # seeded once, not once per writer
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_killing_the_creation_of_a_book_leaves_nothing_half_made(tmp_path):
    """SIGKILL at random moments while a new book is created and migrated: all or nothing, never half."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DEALFLOW_NOW": "2026-11-22T10:00"}
    outcomes = set()
    for attempt, delay in enumerate([0.02, 0.05, 0.08, 0.11, 0.14, 0.17, 0.2, 0.25, 0.3, 0.4]):
        db = tmp_path / f"book{attempt}.db"
        proc = subprocess.Popen([*dealflow_exe(), "--db", str(db), "stage", "list"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if not db.exists():
            outcomes.add("absent")
            continue
        conn = sqlite3.connect(db)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
        if version == 0:
            assert tables == 0, "schema half-created"
            outcomes.add("empty")
        else:
            assert conn.execute("SELECT count(*) FROM stages").fetchone()[0] == 5
            assert conn.execute("SELECT count(*) FROM reasons").fetchone()[0] == 8
            outcomes.add("complete")
        conn.close()
        # Whatever the kill left, the next run opens it and works.
        again = run_exe("--db", str(db), "stage", "list", env=env)
        assert again.returncode == 0, again.stderr
        assert again.stdout.splitlines()[1].split("\t")[1] == "Lead"
    assert outcomes & {"absent", "empty", "complete"}


def test_backup_while_another_process_writes_is_consistent(tmp_path):
    db = tmp_path / "live.db"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    assert run_exe("--db", str(db), "add", "first").returncode == 0
    writer = subprocess.Popen(_writer_script(db, 9), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True)
    copies = []
    for index in range(3):
        copy = tmp_path / f"copy{index}.db"
        result = run_exe("--db", str(db), "db", "backup", str(copy))
        assert result.returncode == 0, result.stderr
        copies.append(copy)
    writer.communicate(timeout=240)
    for copy in copies:
        conn = sqlite3.connect(copy)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        deals = conn.execute("SELECT count(*) FROM deals").fetchone()[0]
        created = conn.execute("SELECT count(*) FROM stage_history WHERE event = 'created'").fetchone()[0]
        assert deals == created >= 1  # every deal in the copy came with its history row: a consistent snapshot
        conn.close()
        check = run_exe("--db", str(copy), "db", "check")
        assert check.returncode == 0 and check.stdout.strip().endswith("ok")


def test_newer_book_is_refused_untouched(tmp_path):
    db = tmp_path / "future.db"
    assert run_exe("--db", str(db), "add", "x").returncode == 0
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    before = db.read_bytes()
    result = run_exe("--db", str(db), "deals")
    assert result.returncode == 1
    assert result.stderr.startswith("Error: ") and "newer dealflow" in result.stderr
    assert "Traceback" not in result.stderr
    assert db.read_bytes() == before



def test_a_damaged_file_is_reported_clearly(tmp_path):
    """Bytes overwritten in the middle of a book: a clear Error from every command, never a traceback."""
    db = tmp_path / "damaged.db"
    env = {"DEALFLOW_NOW": "2026-11-22T10:00"}
    for index in range(3):
        assert run_exe("--db", str(db), "add", f"deal {index} " + "x" * 3000, env=env).returncode == 0
    assert run_exe("--db", str(db), "db", "check").returncode == 0
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.close()
    data = bytearray(db.read_bytes())
    for page in range(2, pages):  # leave the header page, garble every other page's contents
        start = page * page_size + 8
        data[start:start + 64] = b"\xff" * 64
    db.write_bytes(bytes(data))
    for args in (("db", "check"), ("deals",), ("show", "1")):
        result = run_exe("--db", str(db), *args, env=env)
        assert result.returncode == 1, (args, result.stdout, result.stderr)
        assert result.stderr.startswith("Error: ") and "Traceback" not in result.stderr
        assert "damaged" in result.stderr or "problem" in result.stderr or "malformed" in result.stderr


def test_a_schema_damaged_with_text_that_is_not_utf8_is_reported_not_a_traceback(tmp_path):
    """SQLite's error for such a schema quotes the damaged name, which Python cannot decode."""
    db = tmp_path / "schema.db"
    env = {"DEALFLOW_NOW": "2026-11-22T10:00"}
    assert run_exe("--db", str(db), "add", "Окна", "--value", "100", env=env).returncode == 0
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute("UPDATE sqlite_master SET name = CAST(x'ff41' AS TEXT) WHERE name = 'deals_by_contact'")
    conn.commit()
    conn.close()
    before = db.read_bytes()
    for args in (("deals",), ("today",), ("db", "check")):
        result = run_exe("--db", str(db), *args, env=env)
        assert result.returncode == 1, (args, result.stdout, result.stderr)
        assert result.stderr == (f"Error: the database file is damaged (its schema holds text that is not UTF-8): "
                                 f"{db}; restore a backup made with `dealflow db backup`\n"), args
    assert db.read_bytes() == before


def test_text_that_is_not_utf8_in_a_book_is_reported_as_damage_by_every_command(tmp_path):
    """Another program wrote bytes that are no UTF-8 into a title: SQLite hands them over, Python cannot read
    them. Every command that reads the deal says the file is damaged, and the quick `today` path too."""
    db = tmp_path / "foreign.db"
    env = {"DEALFLOW_NOW": "2026-11-22T10:00"}
    assert run_exe("--db", str(db), "add", "Окна", "--value", "100", env=env).returncode == 0
    conn = sqlite3.connect(db)
    conn.execute("UPDATE deals SET title = CAST(x'ff4f6b' AS TEXT)")
    conn.commit()
    conn.close()
    for args in (("deals",), ("show", "1"), ("today",), ("export", "deals")):
        result = run_exe("--db", str(db), *args, env=env)
        assert result.returncode == 1, (args, result.stdout, result.stderr)
        assert result.stderr.startswith("Error: the database file is damaged (Could not decode to UTF-8"), args
        assert "Traceback" not in result.stderr
