"""What a new book starts with: the default pipeline and the default loss reasons."""

from __future__ import annotations

import sqlite3

from dealflow.core.pipeline import BUILTIN

DEFAULT_REASONS = ("price", "competitor", "timing", "no budget", "no response", "not a fit", "stale", "other")


def new_book(conn: sqlite3.Connection) -> None:
    """Called once, inside the transaction that creates the schema."""
    for position, spec in enumerate(BUILTIN["default"], 1):
        conn.execute(
            "INSERT INTO stages (name, position, probability, max_days, role, task, task_due)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (spec.name, position, spec.probability, spec.max_days, spec.role, spec.task, spec.task_due),
        )
    conn.executemany("INSERT INTO reasons (name) VALUES (?)", [(name,) for name in DEFAULT_REASONS])
