"""Books written by every released schema open in this dealflow with nothing lost.

`tests/fixtures/book-vN.db` is a small book (the demo plus a logged call) written by schema version N.
When a migration is added, add the book the previous version wrote; never regenerate an old one.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from dealflow.store.schema import VERSION
from tests.conftest import run_exe

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
