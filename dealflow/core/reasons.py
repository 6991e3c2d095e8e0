"""Loss reasons: a managed list, so that `report losses` groups like with like."""

from __future__ import annotations

from typing import Any

from dealflow.core.book import Book
from dealflow.core.errors import Ambiguous, Conflict, InputError, NotFound
from dealflow.core.text import fold

STALE = "stale"  # the reason `sweep --close` files the deals it closes under
# Reasons dealflow itself files deals under, and why each must stay on the list.
RESERVED = {STALE: "`dealflow sweep --close` closes deals past their lifetime as lost with it"}


def listing(book: Book) -> list[dict[str, Any]]:
    return book.rows(
        """SELECT r.id, r.name, (SELECT count(*) FROM deals d WHERE d.lost_reason = r.name) AS deals
           FROM reasons r ORDER BY fold(r.name)"""
    )


def resolve(book: Book, ref: str) -> str:
    """A reason by name (any case, ё as е) or unique prefix; returns its name as stored. A book from before
    `add` read ё as е may hold two spellings of one reason: the one typed exactly is taken first."""
    wanted = fold(ref.strip())
    names = [row["name"] for row in listing(book)]
    exact = [name for name in names if fold(name) == wanted]
    if exact:
        return ref.strip() if ref.strip() in exact else exact[0]
    prefixed = [name for name in names if fold(name).startswith(wanted)] if wanted else []
    if len(prefixed) == 1:
        return prefixed[0]
    if prefixed:
        raise Ambiguous(f"reason {ref!r} could be any of: {', '.join(prefixed)}; type more of it")
    raise NotFound(f"no loss reason {ref!r}; known reasons: {', '.join(names)} "
                   f"(add one with `dealflow reason add NAME`)")


def add(book: Book, name: str) -> dict[str, Any]:
    """A new reason; refused when one reads the same (any case, ё as е), as `resolve` could not tell them apart."""
    clean = name.strip()
    if not clean:
        raise InputError("a reason needs a name")
    with book.transaction():
        for row in listing(book):
            if fold(row["name"]) == fold(clean):
                raise Conflict(f"reason {row['name']!r} already exists")
        reason_id = book.insert("reasons", {"name": clean})
    return {"id": reason_id, "name": clean, "deals": 0}


def remove(book: Book, name: str) -> dict[str, Any]:
    """Remove from the list; deals already lost for it keep their reason."""
    with book.transaction():
        found = resolve(book, name)
        if fold(found) != fold(name.strip()):
            raise InputError(f"type the whole name to remove a reason: {found!r}")
        if fold(found) in RESERVED:
            raise Conflict(f"reason {found!r} cannot be removed: {RESERVED[fold(found)]}")
        row = book.row("SELECT id, name FROM reasons WHERE name = ?", (found,))
        book.conn.execute("DELETE FROM reasons WHERE id = ?", (row["id"],))
    return row
