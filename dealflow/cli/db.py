"""`db backup` and `db check`: keeping the one file safe."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dealflow.cli.output import book, sub_app
from dealflow.core.errors import Conflict, DealflowError
from dealflow.store import db
from dealflow.core.text import counted

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


@db_app.command("check")
def check(ctx: typer.Context) -> None:
    """Check the file's integrity; exit 1 and list the problems when there are any."""
    opened = book(ctx)
    problems = db.check(opened.conn)
    if problems:
        raise DealflowError(f"{opened.path} has {counted(len(problems), 'problem')}:\n" + "\n".join(problems[:50]) +
                            "\nRestore from a backup (`dealflow db backup`) or run sqlite3's .recover.")
    print(f"{opened.path}: ok")


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
