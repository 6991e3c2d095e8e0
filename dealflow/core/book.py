"""The Book: one open dealflow database, the handle every core function takes."""

from __future__ import annotations

import os
import sqlite3

from dealflow.core.text import fold
from dealflow.store import db

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (see dealflow/__init__.py)
if TYPE_CHECKING:
    from collections.abc import Iterable
    from contextlib import AbstractContextManager
    from typing import Any


def _fold(text: str | None) -> str | None:
    return None if text is None else fold(text)


class Book:
    """An open book. Core functions take it first: `deals.add(book, ...)`."""

    def __init__(self, conn: sqlite3.Connection, path: str):
        self.conn = conn
        self.path = path
        self._seeded: tuple[int, int] | None = None  # see `close`
        self._folders: list[str] = []  # the folders opening the book created, outermost first (see `close`)
        conn.row_factory = sqlite3.Row
        # SQLite's lower()/LIKE only fold ASCII; Cyrillic names need Python's casefold.
        conn.create_function("fold", 1, _fold, deterministic=True)

    @classmethod
    def open(cls, path: str | os.PathLike[str] | None = None) -> "Book":
        """Open the book at `path` (or the default location), creating and seeding it on first use."""
        from dealflow.core import seed

        resolved = db.resolve_path(str(path) if path else None)
        folders = db.missing_folders(resolved)
        created: list[bool] = []

        def create(conn: sqlite3.Connection) -> None:
            seed.new_book(conn)
            created.append(True)

        book = cls(db.connect(resolved, on_create=create), resolved)
        book._seeded = book._writes() if created else None
        book._folders = folders if created else []
        return book

    def _writes(self) -> tuple[int, int]:
        """Marks that move when anything is written: rows changed here (and not rolled back), commits by other
        connections."""
        return self.conn.kept_changes, self.conn.execute("PRAGMA data_version").fetchone()[0]

    def _alone(self) -> bool:
        """No other connection has the file open: leaving WAL mode needs that, and says so at once if not."""
        self.conn.execute("PRAGMA busy_timeout = 0")
        try:
            return self.conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0] == "delete"
        except sqlite3.OperationalError:
            return False

    def close(self, *, failed: bool = False) -> None:
        """Close the book. After a failed command, a book this process just created is removed again, with the
        folders it made for it while they are empty (a mistake changes nothing, and a mistyped --db leaves no
        stray file or folder), unless anything was written to it since it was seeded, here or elsewhere, or
        another process has it open."""
        untouched = failed and self._seeded is not None and self._seeded == self._writes() and self._alone()
        self.conn.close()
        if untouched:
            for leftover in (self.path, self.path + "-wal", self.path + "-shm"):
                try:
                    os.remove(leftover)
                except FileNotFoundError:
                    pass
            for folder in reversed(self._folders):  # innermost first; one that is not empty keeps its parents
                try:
                    os.rmdir(folder)
                except OSError:
                    break

    def transaction(self) -> AbstractContextManager[Book]:
        """All or nothing; nested uses join the outer transaction."""
        return db.transaction(self.conn, self)

    def indexes_built_after(self, tables: Iterable[str]) -> AbstractContextManager[None]:
        """Inside a transaction: fill `tables` first, build their plain indexes after (see `db.indexes_built_after`)."""
        return db.indexes_built_after(self.conn, tables)

    def rows(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        """Every row as a dict: zipped from plain tuples, which is twice as quick as `dict(sqlite3.Row)`
        (the agenda turns thousands of rows into dicts on a big book)."""
        cursor = self.conn.cursor()
        cursor.row_factory = None
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description or ()]
        return [dict(zip(names, row)) for row in cursor]

    def row(self, sql: str, params: Any = ()) -> dict[str, Any] | None:
        found = self.conn.execute(sql, params).fetchone()
        return dict(found) if found else None

    def value(self, sql: str, params: Any = ()) -> Any:
        found = self.conn.execute(sql, params).fetchone()
        return found[0] if found else None

    def insert(self, table: str, values: dict[str, Any]) -> int:
        columns = ", ".join(values)
        marks = ", ".join(f":{name}" for name in values)
        return self.conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", values).lastrowid

    def update(self, table: str, row_id: int, values: dict[str, Any]) -> None:
        if values:
            assignments = ", ".join(f"{name} = :{name}" for name in values)
            self.conn.execute(f"UPDATE {table} SET {assignments} WHERE id = :_id", {**values, "_id": row_id})
