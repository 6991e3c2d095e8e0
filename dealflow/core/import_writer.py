"""Writing an import's rows in batches inside the caller's transaction."""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from dealflow.core.book import Book
from dealflow.core.text import fold

BATCH = 2000  # rows held before a write: big enough for SQLite, small enough to keep memory flat
ROWS_PER_INSERT = 32  # rows written by one INSERT statement when grouped (see Writer._insert); more gains nothing


class Writer:
    """Rows waiting to be written, flushed in batches inside the caller's transaction.

    A batch is written with prepared statements (`executemany`, see `_insert`), not sqlite-utils'
    `insert_all`/`upsert_all`: their per-value checks and SQL built for every batch cost more than SQLite's own
    work (100,000 deals: 1.5–1.9 s of CPU through insert_all, 0.84 s through executemany).

    Ids of new contacts and deals are handed out here (the transaction holds the write lock, so nobody
    else can take them), which lets a deal refer to a contact created a few rows earlier in the same batch.
    """

    TABLES = ("contacts", "deals", "stage_history", "activities", "tasks")

    def __init__(self, book: Book, grouped: bool = False):
        self.book = book
        self.rows_per_insert = ROWS_PER_INSERT if grouped else 1  # see _insert
        self.new: dict[str, dict[int, dict[str, Any]]] = {"contacts": {}, "deals": {}}
        self.changed: dict[str, dict[int, dict[str, Any]]] = {"contacts": {}, "deals": {}}
        self.appended: dict[str, list[dict[str, Any]]] = {"stage_history": [], "activities": [], "tasks": []}
        self.keys: dict[tuple[str, str], int] = {}  # pending contacts/deals by email, phone, name, external_id
        self.absent: set[tuple[str, str]] = set()  # keys that no stored row has (see Job.look_ahead)
        self.named: dict[str, set[int]] = {}  # pending contacts by folded name: several people may share one
        self.next_id = {table: (book.value(f"SELECT max(id) FROM {table}") or 0) + 1 for table in self.new}
        self.names_indexed = False
        self.waiting = 0

    def create(self, table: str, row: dict[str, Any], keys: list[tuple[str, str]]) -> int:
        """Take `row` (a dict the caller built for this and no longer changes) as a new row; its id is added
        unless it has one (a contact imported with its number, which no stored row has)."""
        row_id = row.get("id")
        if row_id is None:
            row_id = row["id"] = self.next_id[table]
            self.next_id[table] += 1
        else:
            self.next_id[table] = max(self.next_id[table], row_id + 1)
        self.new[table][row_id] = row
        self._register(keys, row_id)
        self._count()
        return row_id

    def change(self, table: str, row: dict[str, Any], keys: list[tuple[str, str]] = ()) -> None:
        """Replace a whole stored (or pending) row."""
        target = self.new[table] if row["id"] in self.new[table] else self.changed[table]
        target[row["id"]] = row
        self._register(keys, row["id"])
        self._count()

    def _register(self, keys: list[tuple[str, str]], row_id: int) -> None:
        """The row will be stored with these keys, so they are no longer absent."""
        for key in keys:
            self.absent.discard(key)
            if key[0] == "name":
                self.named.setdefault(key[1], set()).add(row_id)
                continue
            self.keys[key] = row_id

    def pending(self, table: str, row_id: int) -> dict[str, Any] | None:
        return self.new[table].get(row_id) or self.changed[table].get(row_id)

    def append(self, table: str, row: dict[str, Any]) -> None:
        self.appended[table].append(row)
        self._count()

    def _count(self) -> None:
        self.waiting += 1
        if self.waiting >= BATCH:
            self.flush()

    def flush(self) -> None:
        """Write what is waiting: contacts before the deals that refer to them, then their events."""
        for table in self.TABLES:
            if table in self.new and self.new[table]:
                self._insert(table, list(self.new[table].values()))
                if table == "contacts" and self.names_indexed:
                    self.book.conn.executemany("INSERT INTO temp.import_names VALUES (?, ?)",
                                               [(fold(row["name"]), row["id"]) for row in self.new[table].values()])
            if table in self.changed and self.changed[table]:
                self._update(table, list(self.changed[table].values()))
            if table in self.appended and self.appended[table]:
                self._insert(table, self.appended[table])
        touched = sorted({row["deal_id"] for row in self.appended["activities"] if row["deal_id"]})
        if touched:
            import json

            self.book.conn.execute(
                """UPDATE deals SET last_activity_at = (SELECT max(at) FROM activities a WHERE a.deal_id = deals.id)
                   WHERE id IN (SELECT value FROM json_each(?))""", (json.dumps(touched),))
        for bucket in (*self.new.values(), *self.changed.values(), *self.appended.values()):
            bucket.clear()
        self.keys.clear()
        self.named.clear()
        self.waiting = 0

    def _insert(self, table: str, rows: list[dict[str, Any]]) -> None:
        """Every row of a table is built by one function with the same keys, so the first names the columns.

        Values are bound by position: binding by name costs a lookup per value, a fifth of the insert.

        Grouped, rows go ROWS_PER_INSERT to a statement (`INSERT … VALUES (…), (…), …`; two statement shapes
        per table, each prepared once): Python's sqlite3 spends more on running a statement than SQLite does
        on storing a row (100,000 deals with their history: 0.5 s less). Only while the tables are filled
        without their plain indexes: SQLite journals every page a statement of several rows changes, so as to
        undo that statement alone, which is cheap for the pages rows are appended to but dear for index pages
        scattered over a big book (1 s of system time for 100,000 deals).
        """
        names = list(rows[0])
        values = itemgetter(*names)
        one = f"({', '.join('?' * len(names))})"
        insert = f"INSERT INTO {table} ({', '.join(names)}) VALUES "
        size = self.rows_per_insert
        grouped = len(rows) - len(rows) % size if size > 1 else 0  # the rows written in groups
        if grouped:
            flat = [value for row in rows[:grouped] for value in values(row)]
            step = size * len(names)
            self.book.conn.executemany(insert + ", ".join([one] * size),
                                       [flat[start:start + step] for start in range(0, len(flat), step)])
        self.book.conn.executemany(insert + one, map(values, rows[grouped:]))

    def _update(self, table: str, rows: list[dict[str, Any]]) -> None:
        """Changed rows are whole stored rows (see `change`), so every column but the id is set."""
        names = [name for name in rows[0] if name != "id"]
        self.book.conn.executemany(f"UPDATE {table} SET {', '.join(f'{name} = ?' for name in names)} WHERE id = ?",
                                   map(itemgetter(*names, "id"), rows))

    def index_names(self) -> None:
        """A temporary index of contact names folded for Cyrillic-correct matching, built on first need."""
        if not self.names_indexed:
            self.book.conn.execute("CREATE TEMP TABLE import_names (folded TEXT, id INTEGER)")
            self.book.conn.execute("INSERT INTO temp.import_names SELECT fold(name), id FROM contacts")
            self.book.conn.execute("CREATE INDEX temp.import_names_folded ON import_names (folded)")
            self.names_indexed = True

    def close(self) -> None:
        if self.names_indexed:
            self.book.conn.execute("DROP TABLE temp.import_names")
