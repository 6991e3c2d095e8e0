"""Shared fixtures: every test gets its own book, a pinned clock, and an isolated home directory."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

NOW = "2026-11-22T10:00:00+03:00"  # a Sunday
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """No test reads the real user's book, home or clock."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home" / ".config"))
    monkeypatch.setenv("DEALFLOW_DB", str(tmp_path / "book.db"))
    monkeypatch.setenv("DEALFLOW_NOW", NOW)
    monkeypatch.setenv("TZ", "Europe/Moscow")
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("COLUMNS", raising=False)  # tables written to a pipe are 160 wide unless a test says
    import time

    time.tzset()
    yield
    time.tzset()


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "book.db"


@pytest.fixture
def book(db_path):
    from dealflow.core import Book

    opened = Book.open(db_path)
    yield opened
    opened.close()


@pytest.fixture
def clock(monkeypatch):
    """Move the pinned clock: `clock("2026-11-25")` or `clock("2026-11-25T18:00")`."""

    def set_now(value: str) -> None:
        monkeypatch.setenv("DEALFLOW_NOW", value)

    return set_now


class Cli:
    """Runs `dealflow` in-process the way a user types it."""

    def __init__(self):
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None):
        from dealflow.cli.app import app

        return self.runner.invoke(app, list(args), input=input, catch_exceptions=False)

    def ok(self, *args: str, input: str | None = None):
        result = self(*args, input=input)
        assert result.exit_code == 0, f"{args} failed ({result.exit_code}): {result.stdout}{result.stderr}"
        return result


@pytest.fixture
def cli() -> Cli:
    return Cli()


def foreign_sqlite(path: Path) -> bytes:
    """An SQLite file some other program wrote (one table of its own); returns its bytes, to prove it untouched."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE photos (id INTEGER)")
    conn.commit()
    conn.close()
    return path.read_bytes()


def db_state(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table: compare before and after to prove a failed command changed nothing."""
    conn = sqlite3.connect(path)
    try:
        tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {table: conn.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall() for table in tables}
    finally:
        conn.close()


@pytest.fixture
def assert_refused(cli, db_path):
    """`assert_refused(*args, message=...)`: the command fails with exit 1 and `Error: …`, the book is untouched."""

    def check(*args: str, message: str, code: int = 1):
        before = db_state(db_path) if db_path.exists() else None
        result = cli(*args)
        assert result.exit_code == code, f"exit {result.exit_code}: {result.stdout}{result.stderr}"
        if code == 1:
            assert result.stderr.startswith("Error: "), result.stderr
        assert message.lower() in result.stderr.lower(), result.stderr
        assert "Traceback" not in result.stderr
        after = db_state(db_path) if db_path.exists() else None
        assert after == before, "a failed command changed the book"
        return result

    return check


def dealflow_exe() -> list[str]:
    """The installed `dealflow` script next to this Python, else `python -m dealflow`."""
    script = Path(sys.executable).parent / "dealflow"
    return [str(script)] if script.exists() else [sys.executable, "-m", "dealflow"]


def run_exe(*args: str, env: dict[str, str] | None = None, input: str | None = None) -> subprocess.CompletedProcess:
    """The real executable in a subprocess, stdout and stderr piped (not a terminal)."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([*dealflow_exe(), *args], capture_output=True, text=True, env=full_env, input=input,
                          timeout=120)


def one(db_path: Path, sql: str) -> tuple | None:
    """The first row a query of the book gives, read outside dealflow."""
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql).fetchone()
    finally:
        conn.close()
