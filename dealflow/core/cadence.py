"""Follow-up cadences for undecided clients (SPEC §8)."""

from __future__ import annotations

from dealflow.core.book import Book


def end(book: Book, deal_id: int, at: str, reason: str) -> bool:
    """End a deal's active cadence (the deal moved or closed); True when there was one."""
    return book.conn.execute(
        "UPDATE cadences SET ended_at = ?, end_reason = ? WHERE deal_id = ? AND ended_at IS NULL",
        (at, reason, deal_id),
    ).rowcount > 0
