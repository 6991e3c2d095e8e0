"""`db backup` and `db check`: keeping the one file safe."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Annotated

import typer

from dealflow.cli.output import book, sub_app
from dealflow.core.errors import Conflict, DealflowError
from dealflow.core.text import counted
from dealflow.store import db

db_app = sub_app("The database file: backup and integrity check.")


@db_app.command("backup")
def backup(ctx: typer.Context, target: Annotated[Path, typer.Argument(metavar="FILE", help="Where to write the copy.")],
           force: Annotated[bool, typer.Option("--force", help="Overwrite FILE if it exists.")] = False) -> None:
    """Write a consistent copy of the book, safe even while dealflow is in use."""
    target = target.expanduser()
    if target.exists() and not force:
        raise Conflict(f"{target} already exists; choose another name or add --force")
    opened = book(ctx)
    if target.resolve() == Path(opened.path).resolve():
        raise Conflict("the backup must go to another file than the book itself")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            target.unlink()
        db.backup(opened.conn, target)
    except OSError as exc:
        raise DealflowError(f"cannot write {target}: {exc.strerror}") from None
    print(f"Backed up {opened.path} to {target}")


SHOWN = 50  # problems listed at most: a badly damaged file can have thousands


@db_app.command("check")
def check(ctx: typer.Context) -> None:
    """Check the file's integrity; exit 1, list the problems and say how to repair the book when there are any."""
    path = db.resolve_path(ctx.obj.db)
    try:
        opened = book(ctx)
        damage, dangling = db.check(opened.conn)
    except sqlite3.DatabaseError as exc:  # too damaged even to open: that is the finding
        damage, dangling = [f"it cannot be opened: {exc}"], []
    problems = damage + dangling
    if problems:
        more = f" (the first {SHOWN} are listed)" if len(problems) > SHOWN else ""
        raise DealflowError("\n".join([f"{path} has {counted(len(problems), 'problem')}{more}:", *problems[:SHOWN],
                                       repair(path) if damage else relink(path)]))
    print(f"{path}: ok")


def repair(path: str) -> str:
    """What to do about a damaged file: keep it, then a backup, else salvage what can still be read."""
    return "\n".join([
        "The file is damaged. To repair the book:",
        f"  1. Copy the file aside first, so that nothing more is lost: cp {path} {path}.damaged",
        "  2. If you have a copy made with `dealflow db backup`, check it (`dealflow --db COPY db check`) and, if it",
        f"     is ok, put it in place of {path}.",
        "  3. Without one, save what can still be read: `dealflow export KIND -o KIND.csv` for contacts, deals,",
        "     activities and tasks, and import those into a new book (the README's \"Move to a new book\"); or let",
        f"     SQLite salvage every readable row: sqlite3 {path} .recover | sqlite3 recovered.db",
        "     (where .recover fails with \"SQL logic error\", as some sqlite3 builds do, .dump reads less but works)",
        "     then check the result: dealflow --db recovered.db db check"])


def relink(path: str) -> str:
    """What to do about rows that refer to rows that are gone (the file itself is sound)."""
    return ("The file itself is sound, but these rows refer to rows that are gone (changed outside dealflow?). "
            "Restore a copy made with `dealflow db backup` (check it first: `dealflow --db COPY db check`), or "
            f"open the book with `sqlite3 {path}` and point each row at one that exists, or delete it.")


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
