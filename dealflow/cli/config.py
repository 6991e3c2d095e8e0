"""`config list|get|set|unset`: the book's settings."""

from __future__ import annotations

from typing import Annotated

import typer

from dealflow import render
from dealflow.cli.output import Fmt, FormatOpt, NoHeaderOpt, QuietOpt, book, confirm, show, sub_app
from dealflow.core import settings

config_app = sub_app("Settings: currency, owner, deal lifetime, invoices, cadences.")
KeyArg = Annotated[str, typer.Argument(metavar="KEY", help="A setting name (`dealflow config list`).")]


@config_app.command("list")
def config_list(ctx: typer.Context, fmt: FormatOpt = Fmt.auto, no_header: NoHeaderOpt = False) -> None:
    """Every setting, its value and whether it is the default."""
    show(render.Table(["key", "value", "default", "help"], settings.listing(book(ctx))), fmt, no_header)


@config_app.command("get")
def config_get(ctx: typer.Context, key: KeyArg) -> None:
    """Print one setting's value (empty line when unset)."""
    row = next(row for row in settings.listing(book(ctx)) if row["key"] == settings.known(key).key)
    print(row["value"] if row["value"] is not None else "")


@config_app.command("set")
def config_set(ctx: typer.Context, key: KeyArg, value: Annotated[str, typer.Argument(help="The new value.")],
               fmt: FormatOpt = Fmt.auto, quiet: QuietOpt = False) -> None:
    """Change a setting (validated first)."""
    stored = settings.stored_form(settings.set_value(book(ctx), key, value))
    confirm(fmt, quiet, f"Set {key} = {stored}", {"key": key, "value": stored}, key)


@config_app.command("unset")
def config_unset(ctx: typer.Context, key: KeyArg, fmt: FormatOpt = Fmt.auto, quiet: QuietOpt = False) -> None:
    """Return a setting to its default."""
    settings.unset(book(ctx), key)
    value = next(row["value"] for row in settings.listing(book(ctx)) if row["key"] == key)
    confirm(fmt, quiet, f"Unset {key} (back to the default: {value if value is not None else 'none'})",
            {"key": key, "value": value}, key)


def register(app: typer.Typer) -> None:
    app.add_typer(config_app, name="config")
