"""Exporting the book: every noun as rows whose columns the importer reads back.

Deals and contacts export under the generic field names `import` understands (`title`, `contact`,
`email`, `stage`, `status`, `value`, `created_at`, …), so export → import into an empty book gives back
the same deals, contacts, stages and statuses. Rows are streamed from SQL, never collected in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dealflow.core import deals, pipeline
from dealflow.core.book import Book
from dealflow.core.errors import InputError

_CONTACT_OF = "LEFT JOIN contacts c ON c.id = {alias}.contact_id"
_DEAL_OF = "LEFT JOIN deals d ON d.id = {alias}.deal_id"
_PAID = "coalesce((SELECT sum(p.amount) FROM payments p WHERE p.invoice_id = i.id), 0)"

QUERIES: dict[str, str] = {
    "contacts": """
        SELECT id, name, company, email, phone, source, tags, notes, created_at FROM contacts ORDER BY id""",
    "deals": f"""
        SELECT d.id, d.external_id, d.title, c.name AS contact, d.contact_id, c.company, c.email, c.phone, s.name AS stage,
               d.status, d.value, d.currency, d.probability, d.owner, d.source, d.tags, d.expected_close,
               d.created_at, d.stage_entered_at, d.closed_at, d.lost_reason, d.lost_note
        FROM deals d JOIN stages s ON s.id = d.stage_id {_CONTACT_OF.format(alias="d")} ORDER BY d.id""",
    "activities": f"""
        SELECT a.id, a.at, a.kind, a.direction, a.missed, a.duration_s, a.note, a.owner, a.deal_id,
               d.external_id AS deal_external_id, a.contact_id, c.name AS contact, c.email, c.phone
        FROM activities a {_DEAL_OF.format(alias="a")} {_CONTACT_OF.format(alias="a")} ORDER BY a.at, a.id""",
    "tasks": f"""
        SELECT t.id, t.text, t.due, t.done_at, t.origin, t.created_at, t.deal_id,
               d.external_id AS deal_external_id, t.contact_id, c.name AS contact, c.email, c.phone
        FROM tasks t {_DEAL_OF.format(alias="t")} {_CONTACT_OF.format(alias="t")} ORDER BY t.id""",
    "invoices": f"""
        SELECT i.number, i.deal_id, d.title AS deal, c.name AS contact, c.company, i.currency, i.total,
               {_PAID} AS paid,
               CASE WHEN i.voided_at IS NULL THEN i.total - {_PAID} ELSE 0 END AS balance,
               CASE WHEN i.voided_at IS NOT NULL THEN 'void' WHEN {_PAID} >= i.total THEN 'paid'
                    WHEN {_PAID} > 0 THEN 'partial' ELSE 'issued' END AS status,
               i.issued, i.due, i.voided_at, i.void_note
        FROM invoices i {_DEAL_OF.format(alias="i")} {_CONTACT_OF.format(alias="d")} ORDER BY i.seq""",
    "payments": """
        SELECT p.id, i.number AS invoice, i.deal_id, p.amount, i.currency, p.at, p.method
        FROM payments p JOIN invoices i ON i.id = p.invoice_id ORDER BY p.at, p.id""",
    "stages": f"SELECT {', '.join(pipeline.EXPORTED)} FROM stages WHERE removed_at IS NULL ORDER BY position",
    "history": f"""
        SELECT h.id, h.deal_id, d.external_id AS deal_external_id, d.title AS deal, {deals.HISTORY_COLUMNS}
        FROM stage_history h JOIN deals d ON d.id = h.deal_id {deals.HISTORY_JOINS}
        ORDER BY h.deal_id, {deals.HISTORY_ORDER}""",
}
KINDS = tuple(QUERIES)


def columns(book: Book, kind: str) -> list[str]:
    """The column names of an export, known before any row is read (so an empty export has a header)."""
    cursor = book.conn.execute(_query(kind) + " LIMIT 0")
    return [description[0] for description in cursor.description]


def count(book: Book, kind: str) -> int:
    """How many rows an export will write (for a progress bar)."""
    return book.value(f"SELECT count(*) FROM ({_query(kind)})")


def rows(book: Book, kind: str) -> Iterator[dict[str, Any]]:
    """The rows of one kind, streamed through sqlite-utils."""
    import sqlite_utils

    db = sqlite_utils.Database(book.conn, recursive_triggers=False, execute_plugins=False)
    return db.query(_query(kind))


def _query(kind: str) -> str:
    if kind not in QUERIES:
        raise InputError(f"cannot export {kind!r}; export one of {', '.join(KINDS)}")
    return QUERIES[kind]
