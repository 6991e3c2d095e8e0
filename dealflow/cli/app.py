"""The whole `dealflow` command line in Typer: global options, error handling, and the command modules.

Each module of `dealflow.cli` defines `register(app)` for its commands and is named in `COMMANDS`.
Only the module of the command being run is imported and turned into Click commands: building the whole
tree on every start would cost more than the command itself (`dealflow --help` still builds it all).
"""

from __future__ import annotations

import functools
import importlib
import sqlite3
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from dealflow import __version__
from dealflow.core.errors import DealflowError


# Command name → the module of dealflow.cli that registers it, in the order `--help` lists them.
COMMANDS: dict[str, str] = {
    "today": "agenda", "sweep": "agenda", "ics": "agenda",
    "log": "activities", "remind": "tasks", "tasks": "tasks", "done": "tasks", "snooze": "tasks",
    "add": "deals", "deals": "deals", "show": "deals", "edit": "deals", "move": "deals",
    "advance": "deals", "won": "deals", "lost": "deals", "reopen": "deals",
    "invoice": "invoices", "report": "reports", "import": "transfer", "export": "transfer",
    "contact": "contacts", "lookup": "contacts",
    "park": "cadence", "unpark": "cadence", "draft": "cadence", "cadence": "cadence",
    "init": "pipeline", "stage": "pipeline", "reason": "pipeline",
    "config": "config", "db": "db", "demo": "demo",
}


@functools.cache
def _commands_of(module_name: str) -> dict[str, Any]:
    """Import one command module and build its Click commands."""
    from typer.main import get_group

    module = importlib.import_module(f"dealflow.cli.{module_name}")
    holder = typer.Typer(rich_markup_mode=None, add_completion=False)
    module.register(holder)
    return get_group(holder).commands


class DealflowGroup(TyperGroup):
    """Loads commands lazily, and turns a user's mistake anywhere below into `Error: …` and exit 1."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, name: str) -> Any:
        module_name = COMMANDS.get(name)
        return _commands_of(module_name).get(name) if module_name else None

    def invoke(self, ctx: Any) -> Any:
        try:
            return self._invoke(ctx)
        except BaseException as exc:
            if isinstance(ctx.obj, State) and getattr(exc, "exit_code", 1):
                ctx.obj.failed = True
            raise

    def _invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except DealflowError as exc:
            fail(str(exc))
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                fail("the database is busy (another dealflow is writing); try again in a moment")
            _fail_if_damaged(exc)
            raise
        except OverflowError:  # a date or number past what Python's calendar or SQLite can hold
            fail("a date or number is out of range (dealflow handles the years 1900 to 2999 and amounts up to "
                 "9 999 999 999 999.99); use a smaller value")
        except sqlite3.IntegrityError as exc:  # a rule the checks above missed: still no traceback, no change
            fail(f"the book refused the change, which would break one of its rules ({exc}); nothing was changed")
        except sqlite3.DatabaseError as exc:
            _fail_if_damaged(exc)
            raise


def _fail_if_damaged(exc: sqlite3.DatabaseError) -> None:
    """A damaged file (or text another program wrote in no valid UTF-8) is the user's to repair, not a crash."""
    if any(sign in str(exc) for sign in ("malformed", "not a database", "Could not decode")):
        fail(f"the database file is damaged ({exc}); run `dealflow db check` and restore a backup "
             "made with `dealflow db backup`")


def fail(text: str) -> None:
    from dealflow.render import error

    error(text)
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
        self.failed = False  # set when the command ends in an error: see `Book.close`
        self._book = None

    def book(self):
        if self._book is None:
            from dealflow.core import Book

            self._book = Book.open(self.db)
        return self._book

    def close(self) -> None:
        if self._book is not None:
            self._book.close(failed=self.failed)


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
