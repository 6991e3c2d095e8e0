"""Tasks: reminders with a due date, made by hand, by entering a stage, by a missed call or a cadence."""

from __future__ import annotations

from typing import Any

from dealflow.core import clock, when
from dealflow.core.book import Book
from dealflow.core.errors import InputError


def create(book: Book, text: str, due: when.Moment, *, deal_id: int | None = None,
           contact_id: int | None = None, origin: str = "manual") -> dict[str, Any]:
    """Store a task; a deal's task is also the deal's contact's."""
    if not text or not text.strip():
        raise InputError("a task needs some text")
    if deal_id is not None and contact_id is None:
        contact_id = book.value("SELECT contact_id FROM deals WHERE id = ?", (deal_id,))
    with book.transaction():
        task_id = book.insert("tasks", {"text": text.strip(), "due": when.to_text(due), "deal_id": deal_id,
                                        "contact_id": contact_id, "origin": origin,
                                        "created_at": when.to_text(clock.now())})
    return book.row("SELECT * FROM tasks WHERE id = ?", (task_id,))


def complete_open_for_deal(book: Book, deal_id: int, at: str) -> int:
    """Close every open task of a deal (when the deal is closed); returns how many."""
    return book.conn.execute("UPDATE tasks SET done_at = ? WHERE deal_id = ? AND done_at IS NULL",
                             (at, deal_id)).rowcount
