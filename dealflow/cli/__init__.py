"""The `dealflow` command line: global options, error handling, and the command modules.

Every module in this package that defines `register(app)` adds its commands; the modules stay light
(no Rich, no sqlite-utils at import) so that start-up stays fast.
"""

from __future__ import annotations

import importlib
import pkgutil
import sqlite3
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from dealflow import __version__
from dealflow.core.errors import DealflowError


class DealflowGroup(TyperGroup):
    """Turns a user's mistake anywhere below into `Error: …` on stderr and exit 1, never a traceback."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except DealflowError as exc:
            fail(str(exc))
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                fail("the database is busy (another dealflow is writing); try again in a moment")
            raise


def fail(text: str) -> None:
    from dealflow.render import inert

    sys.stderr.write(f"Error: {inert(text)}\n")
    raise typer.Exit(1)


app = typer.Typer(
    cls=DealflowGroup,
    name="dealflow",
    help="A terminal CRM for solo sellers. Start every morning with `dealflow today`.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class State:
    """Per-invocation state: where the book is, and the book once opened."""

    def __init__(self, db: str | None):
        self.db = db
        self._book = None

    def book(self):
        if self._book is None:
            from dealflow.core import Book

            self._book = Book.open(self.db)
        return self._book

    def close(self) -> None:
        if self._book is not None:
            self._book.close()


def _version(value: bool) -> None:
    if value:
        print(f"dealflow {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    db: Annotated[Path | None, typer.Option("--db", help="Database file (default: $DEALFLOW_DB, else the app dir).",
                                            envvar=None, show_default=False)] = None,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    """A terminal CRM for solo sellers. Start every morning with `dealflow today`."""
    state = State(str(db) if db else None)
    ctx.obj = state
    ctx.call_on_close(state.close)


def _register_commands() -> None:
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        loaded = importlib.import_module(f"{__name__}.{module.name}")
        if hasattr(loaded, "register"):
            loaded.register(app)


_register_commands()


def main() -> None:
    """Console-script entry point."""
    app(prog_name="dealflow")
