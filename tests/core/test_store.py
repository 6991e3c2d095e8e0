"""The one file: created and seeded on first use, migrated forward, refused when foreign or newer."""

import os
import sqlite3

import pytest

from dealflow.core import Book, DealflowError
from dealflow.store import db
from dealflow.store.schema import VERSION
from tests.conftest import foreign_sqlite


def test_a_new_book_is_created_with_the_default_pipeline_and_reasons(tmp_path):
    path = tmp_path / "deep" / "folder" / "crm.db"
    book = Book.open(path)
    try:
        assert [s["name"] for s in book.rows("SELECT name FROM stages ORDER BY position")] == [
            "Lead", "Qualified", "Proposal", "Negotiation", "Invoiced"]
        assert book.value("SELECT count(*) FROM reasons") == 8
        assert book.value("PRAGMA user_version") == VERSION
        assert book.value("PRAGMA foreign_keys") == 1
        assert book.value("PRAGMA journal_mode") == "wal"
    finally:
        book.close()


def test_reopening_does_not_seed_twice(db_path):
    Book.open(db_path).close()
    book = Book.open(db_path)
    assert book.value("SELECT count(*) FROM stages") == 5
    book.close()


def test_a_newer_book_is_refused_and_left_byte_for_byte(db_path):
    Book.open(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {VERSION + 1}")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    before = db_path.read_bytes()
    with pytest.raises(DealflowError, match="newer dealflow"):
        Book.open(db_path)
    assert db_path.read_bytes() == before


def test_a_foreign_sqlite_file_is_refused(tmp_path):
    path = tmp_path / "other.db"
    before = foreign_sqlite(path)
    with pytest.raises(DealflowError, match="not a dealflow database"):
        Book.open(path)
    assert path.read_bytes() == before


def test_a_file_that_is_not_sqlite_is_refused(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("just some text, long enough to have a header of sorts\n" * 20)
    with pytest.raises(DealflowError, match="cannot open"):
        Book.open(path)


def test_a_folder_is_refused(tmp_path):
    with pytest.raises(DealflowError, match="folder"):
        Book.open(tmp_path)


def test_a_new_book_closed_after_a_failure_is_removed_only_if_nothing_else_touched_it(tmp_path):
    quiet, written, shared = (tmp_path / name for name in ("quiet.db", "written.db", "shared.db"))
    Book.open(quiet).close(failed=True)
    undone = Book.open(tmp_path / "undone.db")  # writes that were rolled back leave it as untouched
    with pytest.raises(RuntimeError):
        with undone.transaction():
            undone.insert("reasons", {"name": "rolled back"})
            raise RuntimeError("boom")
    undone.close(failed=True)
    book = Book.open(written)
    book.insert("contacts", {"name": "Анна", "created_at": "2026-11-22T10:00:00+03:00"})
    book.close(failed=True)
    book = Book.open(shared)
    other = sqlite3.connect(shared)
    other.execute("SELECT count(*) FROM deals").fetchone()
    book.close(failed=True)
    other.close()
    assert sorted(path.name for path in tmp_path.glob("*.db")) == ["shared.db", "written.db"]
    reopened = Book.open(written)
    assert reopened.value("SELECT name FROM contacts") == "Анна"
    reopened.close(failed=True)  # not created by this process: kept
    assert written.exists()


def test_transactions_are_all_or_nothing_and_nest(book):
    with pytest.raises(RuntimeError):
        with book.transaction():
            book.insert("reasons", {"name": "outer"})
            with book.transaction():
                book.insert("reasons", {"name": "inner"})
            raise RuntimeError("boom")
    assert book.value("SELECT count(*) FROM reasons WHERE name IN ('outer', 'inner')") == 0
    with book.transaction():
        book.insert("reasons", {"name": "kept"})
    assert book.value("SELECT count(*) FROM reasons WHERE name = 'kept'") == 1


def test_fold_matches_cyrillic_case_insensitively(book):
    assert book.value("SELECT fold('ПЁТР') = fold('пётр')") == 1


def test_backup_is_a_consistent_copy(book, tmp_path):
    book.insert("contacts", {"name": "Пётр", "created_at": "2026-11-22T10:00:00+03:00"})
    target = tmp_path / "copy.db"
    db.backup(book.conn, target)
    copy = Book.open(target)
    assert copy.rows("SELECT name FROM contacts") == [{"name": "Пётр"}]
    assert copy.value("PRAGMA user_version") == VERSION
    copy.close()


def test_check_reports_a_broken_reference(book):
    assert db.check(book.conn) == ([], [])
    book.conn.execute("PRAGMA foreign_keys = OFF")
    book.conn.execute("INSERT INTO deals (title, currency, stage_id, created_at, stage_entered_at)"
                      " VALUES ('Orphan', 'USD', 999, '2026-11-22', '2026-11-22')")
    assert db.check(book.conn) == ([], ["deals row 1 refers to a missing stages row"])


class Reported:
    """A connection whose integrity check answers as SQLite does for a garbled index page (results written out
    from a real one: its damage is one result of a heading and a line per cell), or fails half-way."""

    def __init__(self, results: list[str], fails: bool = False):
        self.results, self.fails = results, fails

    def execute(self, sql: str):
        assert sql == "PRAGMA integrity_check", "a damaged file's rows are not checked one by one"
        yield from ((result,) for result in self.results)
        if self.fails:
            raise sqlite3.DatabaseError("database disk image is malformed")


def test_check_lists_each_line_of_sqlites_damage_report_as_a_problem():
    results = ["*** in database main ***\nOn tree page 3 cell 1: Offset 65535 out of range 4049..4092\n"
               "On tree page 3 cell 0: Offset 65535 out of range 4049..4092",
               "row 1 missing from index t_x", "row 2 missing from index t_x"]
    assert db.check(Reported(results)) == ([
        "On tree page 3 cell 1: Offset 65535 out of range 4049..4092",
        "On tree page 3 cell 0: Offset 65535 out of range 4049..4092",
        "row 1 missing from index t_x", "row 2 missing from index t_x"], [])
    assert db.check(Reported(["row 1 missing from index t_x"], fails=True)) == ([
        "row 1 missing from index t_x", "the check could not go on: database disk image is malformed"], [])


def test_resolve_path_prefers_the_option_then_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DEALFLOW_DB", str(tmp_path / "env.db"))
    assert db.resolve_path(str(tmp_path / "opt.db")) == str(tmp_path / "opt.db")
    assert db.resolve_path(None) == str(tmp_path / "env.db")
    monkeypatch.delenv("DEALFLOW_DB")
    assert db.resolve_path(None) == str(tmp_path / "home" / ".config" / "dealflow" / "dealflow.db")


@pytest.mark.parametrize("xdg", ["/srv/xdg-config", None])
def test_the_default_book_is_where_click_puts_app_files(monkeypatch, xdg):
    """The application directory is written out (opening a book must not load Click): it must stay Click's."""
    import typer

    if xdg:
        monkeypatch.setenv("XDG_CONFIG_HOME", xdg)
    else:
        monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    assert db.default_path() == os.path.join(typer.get_app_dir("dealflow"), "dealflow.db")
