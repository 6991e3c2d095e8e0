"""Activities: the contact log (calls, emails, meetings, messages, notes)."""

from __future__ import annotations

from typing import Any

from dealflow.core.book import Book
from dealflow.core.errors import InputError

KINDS = ("call", "email", "meeting", "message", "note")


def record(book: Book, kind: str, at: str, *, deal_id: int | None = None, contact_id: int | None = None,
           note: str | None = None, direction: str | None = None, missed: bool = False,
           duration_s: int | None = None, owner: str | None = None) -> dict[str, Any]:
    """Append an activity and bring the deal's `last_activity_at` forward."""
    if kind not in KINDS:
        raise InputError(f"unknown activity kind {kind!r}; use one of {', '.join(KINDS)}")
    if deal_id is not None and contact_id is None:
        contact_id = book.value("SELECT contact_id FROM deals WHERE id = ?", (deal_id,))
    with book.transaction():
        activity_id = book.insert("activities", {
            "deal_id": deal_id, "contact_id": contact_id, "kind": kind, "direction": direction,
            "missed": int(missed), "duration_s": duration_s, "note": note, "owner": owner, "at": at})
        if deal_id is not None:
            book.conn.execute(
                "UPDATE deals SET last_activity_at = ? WHERE id = ? AND (last_activity_at IS NULL OR last_activity_at < ?)",
                (at, deal_id, at))
    return book.row("SELECT * FROM activities WHERE id = ?", (activity_id,))
