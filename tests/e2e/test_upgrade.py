"""Books written by every released schema open in this dealflow with nothing lost.

`tests/fixtures/book-vN.db` is a small book (the demo plus a logged call) written by schema version N.
When a migration is added, add the book the previous version wrote; never regenerate an old one.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from dealflow.store.schema import VERSION
from tests.conftest import ROOT, dealflow_exe, run_exe

FIXTURES = sorted((Path(__file__).parent.parent / "fixtures").glob("book-v*.db"))


def _tables(path: Path) -> dict[str, tuple[list[str], list[tuple]]]:
    conn = sqlite3.connect(path)
    try:
        names = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {name: ([col[1] for col in conn.execute(f"PRAGMA table_info({name})")],
                       conn.execute(f"SELECT * FROM {name} ORDER BY rowid").fetchall()) for name in names}
    finally:
        conn.close()


def test_there_is_a_fixture_for_the_first_schema():
    assert [path.name for path in FIXTURES][:1] == ["book-v1.db"]


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda path: path.stem)
def test_an_old_book_is_migrated_with_nothing_lost(fixture, tmp_path):
    book = tmp_path / fixture.name
    shutil.copy(fixture, book)
    before = _tables(book)
    env = {"DEALFLOW_NOW": "2026-11-22T10:00:00+03:00"}
    listed = run_exe("--db", str(book), "deals", "--status", "all", env=env)
    assert listed.returncode == 0, listed.stderr
    conn = sqlite3.connect(book)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == VERSION
    conn.close()
    after = _tables(book)
    for table, (columns, rows) in before.items():
        assert table in after, f"table {table} disappeared"
        new_columns, new_rows = after[table]
        keep = [new_columns.index(column) for column in columns]
        assert [tuple(row[i] for i in keep) for row in new_rows] == rows, f"rows of {table} changed"
    assert len(listed.stdout.splitlines()) == len(before["deals"][1]) + 1
    for args in (("db", "check"), ("today",), ("report", "funnel"), ("invoice", "list", "--all")):
        result = run_exe("--db", str(book), *args, env=env)
        assert result.returncode == 0, (args, result.stderr)


def test_a_migration_killed_midway_leaves_the_old_book_or_the_new_one(tmp_path):
    """SIGKILL at moments around the upgrade of the first schema's book (which moments land before, during or
    after the migration depends on the machine): never a half-migrated or damaged book, never a row lost."""
    before = _tables(FIXTURES[0])
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DEALFLOW_NOW": "2026-11-22T10:00:00+03:00"}
    for attempt, delay in enumerate([0.03, 0.06, 0.09, 0.12, 0.15, 0.18, 0.22, 0.3]):
        book = tmp_path / f"upgrade{attempt}.db"
        shutil.copy(FIXTURES[0], book)
        proc = subprocess.Popen([*dealflow_exe(), "--db", str(book), "deals"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        conn = sqlite3.connect(book)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        indexes = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        conn.close()
        assert version in (1, VERSION)
        assert ("tasks_open_by_deal" in indexes) == (version == VERSION)  # schema 3's index: all or nothing
        after = _tables(book)
        for table, (columns, rows) in before.items():
            keep = [after[table][0].index(column) for column in columns]
            assert [tuple(row[i] for i in keep) for row in after[table][1]] == rows, f"rows of {table} changed"
        again = run_exe("--db", str(book), "deals", "--status", "all", env=env)
        assert again.returncode == 0, again.stderr
        assert len(again.stdout.splitlines()) == len(before["deals"][1]) + 1


def test_released_migrations_are_never_edited(tmp_path):
    """The newest fixture was written by the current schema version: a fresh book must have its exact schema.
    If this fails, a released migration was changed; add a new migration instead."""
    latest = FIXTURES[-1]
    assert latest.stem == f"book-v{VERSION}", f"add tests/fixtures/book-v{VERSION}.db for the new schema"
    fresh = tmp_path / "fresh.db"
    assert run_exe("--db", str(fresh), "stage", "list").returncode == 0

    def schema(path: Path) -> list[tuple]:
        conn = sqlite3.connect(path)
        try:
            return conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
        finally:
            conn.close()

    assert schema(fresh) == schema(latest)


@pytest.mark.parametrize("fixture, change, message", [
    ("book-v1.db", "DROP INDEX deals_by_status_closed",
     "cannot upgrade BOOK to schema 2 (no such index: deals_by_status_closed)"),
    ("book-v5.db", "ALTER TABLE contacts ADD COLUMN email_key TEXT",
     "cannot upgrade BOOK to schema 6 (duplicate column name: email_key)"),
])
def test_a_book_another_program_changed_is_refused_not_half_upgraded(fixture, change, message, tmp_path):
    book = tmp_path / "book.db"
    shutil.copy(Path(__file__).parent.parent / "fixtures" / fixture, book)
    conn = sqlite3.connect(book)
    conn.execute(change)
    conn.commit()
    conn.close()
    before = book.read_bytes()
    result = run_exe("--db", str(book), "deals")
    assert result.returncode == 1
    assert result.stderr.startswith("Error: " + message.replace("BOOK", str(book)))
    assert "another program has changed them; nothing was changed" in result.stderr
    assert "Traceback" not in result.stderr
    assert book.read_bytes() == before


def test_schema_7_finds_an_office_contact_by_its_main_line(tmp_path):
    """Schema 6 and before counted an extension's digits into the phone's key, so a caller ID (the main line)
    missed the contact; the upgrade recomputes the key, and a second person on a line already taken keeps theirs."""
    book = tmp_path / "book.db"
    shutil.copy(Path(__file__).parent.parent / "fixtures" / "book-v6.db", book)
    conn = sqlite3.connect(book)
    conn.executemany("INSERT INTO contacts (id, name, phone, phone_digits, created_at) VALUES (?, ?, ?, ?, ?)", [
        (100, "Анна", "+7 495 111-22-33 доб. 123", "74951112233123", "2026-11-01"),
        (101, "Борис", "+7 495 111-22-33, доб. 7", "749511122337", "2026-11-02"),
        (102, "Вера", "8 (903) 000-00-05 ext. 9", "890300000059", "2026-11-03"),
    ])
    conn.commit()
    conn.close()
    found = run_exe("--db", str(book), "lookup", "+7 495 111-22-33", "-f", "json")
    assert found.returncode == 0, found.stderr
    assert [card["name"] for card in json.loads(found.stdout)] == ["Анна"]
    assert json.loads(run_exe("--db", str(book), "lookup", "+7 903 000 00 05", "-f", "json").stdout)[0]["name"] == "Вера"
    conn = sqlite3.connect(book)
    keys = conn.execute("SELECT name, phone_digits FROM contacts WHERE id >= 100 ORDER BY id").fetchall()
    conn.close()
    assert keys == [("Анна", "74951112233"), ("Борис", "749511122337"), ("Вера", "89030000005")]
