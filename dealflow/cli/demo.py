"""`dealflow demo`: a sample book to try dealflow on."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dealflow.cli.output import book
from dealflow.core.text import counted


def demo(ctx: typer.Context,
         db: Annotated[Path | None, typer.Option("--db", help="Build the sample book here (same as the global --db).")]
         = None) -> None:
    """Fill an empty book with realistic sample data dated around today."""
    from dealflow.core import demo as sample

    if db is not None:
        ctx.obj.db = str(db)
    opened = book(ctx)
    made = sample.build(opened)
    print(f"Built a demo book in {opened.path}: {counted(made['contacts'], 'contact')}, "
          f"{counted(made['deals'], 'deal')}. "
          f"Try: dealflow --db {opened.path} today")


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
