"""Opening the one SQLite file: where it lives, pragmas, forward migrations, transactions."""

from __future__ import annotations

import os
import sqlite3
import sys

from dealflow.core.errors import DealflowError
from dealflow.store.schema import MIGRATIONS, VERSION

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (see dealflow/__init__.py)
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from contextlib import AbstractContextManager
    from typing import Any, TypeVar

    Handle = TypeVar("Handle")

BUSY_TIMEOUT_MS = 5000


def default_path() -> str:
    """`dealflow.db` in the per-user application directory, the one Click's `get_app_dir("dealflow")` names.

    Written out here (and tested against Click) so that opening a book never loads Click: `dealflow today`
    starts without it.
    """
    if sys.platform.startswith("win"):
        folder = os.environ.get("APPDATA")
        if folder is None:
            folder = os.path.expanduser("~")
    elif sys.platform == "darwin":
        folder = os.path.expanduser("~/Library/Application Support")
    else:
        folder = os.environ.get("XDG_CONFIG_HOME", os.path.expanduser("~/.config"))
    return os.path.join(folder, "dealflow", "dealflow.db")


def resolve_path(option: str | None) -> str:
    """`--db` beats `DEALFLOW_DB`, which beats the application directory."""
    chosen = option or os.environ.get("DEALFLOW_DB")
    return os.path.expanduser(chosen) if chosen else default_path()


def missing_folders(path: str) -> list[str]:
    """The folders above `path` that do not exist yet, outermost first: those that opening it creates."""
    missing = []
    folder = os.path.dirname(os.path.abspath(path))
    while not os.path.exists(folder) and folder != os.path.dirname(folder):
        missing.append(folder)
        folder = os.path.dirname(folder)
    return missing[::-1]


class Connection(sqlite3.Connection):
    """sqlite3's connection, also counting the changes its rollbacks undid.

    `total_changes` counts every row a statement changed, rolled back or not: after a failed first command
    the book it created must be told apart from one really written to (see `Book.close`), so `kept_changes`
    leaves out what `transaction` rolled back."""

    undone = 0

    @property
    def kept_changes(self) -> int:
        return self.total_changes - self.undone


def connect(path: str, on_create: Callable[[sqlite3.Connection], None] | None = None) -> sqlite3.Connection:
    """Open (creating if needed) and migrate a book; a book from a newer dealflow is refused untouched."""
    if os.path.isdir(path):
        raise DealflowError(f"{path} is a folder; give --db the path of a database file")
    try:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000, factory=Connection)
    except (OSError, sqlite3.DatabaseError) as exc:
        raise DealflowError(f"cannot open {path}: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        _prepare(conn, path, on_create)
    except UnicodeDecodeError:  # SQLite's message quotes the damaged schema text, which Python cannot decode
        conn.close()
        raise DealflowError(f"the database file is damaged (its schema holds text that is not UTF-8): {path}; "
                            "restore a backup made with `dealflow db backup`") from None
    except BaseException:
        conn.close()
        raise
    return conn


def _prepare(conn: sqlite3.Connection, path: str, on_create: Callable[[sqlite3.Connection], None] | None) -> None:
    """Check the file is a dealflow book this version can read, then set pragmas and migrate."""
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise DealflowError(f"cannot open {path} as a dealflow database: {exc}") from None
    if version > VERSION:
        raise DealflowError(
            f"{path} was written by a newer dealflow (schema {version}, this one knows {VERSION}); "
            "upgrade dealflow to open it"
        )
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    if version < VERSION:
        _migrate(conn, path, version, on_create)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")


def _migrate(conn: sqlite3.Connection, path: str, version: int,
             on_create: Callable[[sqlite3.Connection], None] | None) -> None:
    with transaction(conn):
        # Re-read under the write lock: another process may have migrated meanwhile.
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version == 0 and conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            raise DealflowError(f"{path} is an SQLite file but not a dealflow database; choose another --db")
        for number, migration in enumerate(MIGRATIONS[version:], version + 1):
            try:
                migration(conn)
            except sqlite3.OperationalError as exc:
                if not str(exc).startswith(("no such", "duplicate column")) and "already exists" not in str(exc):
                    raise  # busy, damaged…: the command line says those its own way
                raise DealflowError(
                    f"cannot upgrade {path} to schema {number} ({exc}): its tables are not as dealflow left them "
                    f"at schema {number - 1}, so another program has changed them; nothing was changed. Open it "
                    "with the dealflow that last wrote it and `dealflow export` your data, or restore a backup"
                ) from None
        if version == 0 and on_create:
            on_create(conn)
        conn.execute(f"PRAGMA user_version = {VERSION}")


def transaction(conn: sqlite3.Connection, handle: Handle | None = None) -> _Transaction:
    """One write transaction, taken up front (IMMEDIATE) so concurrent writers queue instead of failing.

    A use inside another joins it. `with` gives `handle` (what the caller holds: the connection by default).
    """
    return _Transaction(conn, conn if handle is None else handle)


class _Transaction:
    """A class rather than `@contextmanager`: contextlib would cost every command 2 ms of imports."""

    __slots__ = ("conn", "handle", "began", "changes")

    def __init__(self, conn: sqlite3.Connection, handle: Any):
        self.conn, self.handle, self.began, self.changes = conn, handle, False, 0

    def __enter__(self) -> Any:
        if not self.conn.in_transaction:
            self.conn.execute("BEGIN IMMEDIATE")
            self.began = True
            self.changes = self.conn.total_changes
        return self.handle

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: Any) -> None:
        if not self.began:
            return
        if kind is None:
            self.conn.execute("COMMIT")
            return
        self.conn.execute("ROLLBACK")
        if isinstance(self.conn, Connection):
            self.conn.undone += self.conn.total_changes - self.changes


def indexes_built_after(conn: sqlite3.Connection, tables: Iterable[str]) -> AbstractContextManager[None]:
    """Fill `tables` without their plain indexes, then build each index again in one pass.

    SQLite builds an index from a sorted run of the rows much faster than it inserts every new row into every
    index as it comes (importing 100,000 deals into a new book: 0.6 s less). Only plain indexes are dropped:
    UNIQUE ones enforce rules while the rows arrive, and the block's own lookups may use them. The
    definitions are each index's own, as the book stores them, so they cannot drift from the schema.

    Runs inside the caller's transaction (SQLite's DDL is transactional): if the block fails, or the process
    dies, the transaction's rollback brings the indexes back with the rows as they were.
    """
    from contextlib import contextmanager  # here, not at the top: see _Transaction

    return contextmanager(_indexes_built_after)(conn, tables)


def _indexes_built_after(conn: sqlite3.Connection, tables: Iterable[str]) -> Iterator[None]:
    if not conn.in_transaction:
        raise RuntimeError("indexes_built_after needs the caller's transaction")
    plain = [(name, conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (name,)).fetchone()[0])
             for table in tables
             for _, name, unique, origin, _ in conn.execute("SELECT * FROM pragma_index_list(?)", (table,))
             if not unique and origin == "c"]
    for name, _ in plain:
        conn.execute(f'DROP INDEX "{name}"')
    yield
    for _, sql in plain:
        conn.execute(sql)


def backup(conn: sqlite3.Connection, target: str | os.PathLike[str]) -> None:
    """A consistent online copy, even while other processes write."""
    dest = sqlite3.connect(target)
    try:
        conn.backup(dest)
    finally:
        dest.close()


def check(conn: sqlite3.Connection) -> tuple[list[str], list[str]]:
    """What is wrong with a book, one problem a line: damage to the file itself (SQLite's integrity check:
    pages, indexes), then rows that refer to a row that is gone (its foreign-key check). Both empty when the
    book is sound.

    SQLite reports the damage of a b-tree as one result of several lines under a `*** in database main ***`
    heading: each line is a problem of its own. On a badly damaged file the check itself can fail: what SQLite
    said then is the last line of damage. The rows of a damaged file are not worth checking one by one.
    """
    damage: list[str] = []
    try:
        for (found,) in conn.execute("PRAGMA integrity_check"):
            if found != "ok":
                damage += [line for line in found.splitlines() if line and not line.startswith("*** ")]
    except sqlite3.DatabaseError as exc:
        damage.append(f"the check could not go on: {exc}")
    if damage:
        return damage, []
    return [], [f"{table} row {rowid} refers to a missing {parent} row"
                for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check")]
