"""Options and helpers every command shares: output format, quiet mode, WHEN/AMOUNT arguments."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from dealflow import render
from dealflow.core import when


class Fmt(str, Enum):
    auto = "auto"
    table = "table"
    tsv = "tsv"
    csv = "csv"
    json = "json"


FormatOpt = Annotated[Fmt, typer.Option(
    "--format", "-f", help="auto (a table on a terminal, TSV when piped), table, tsv, csv or json.")]
NoHeaderOpt = Annotated[bool, typer.Option("--no-header", help="Leave out the header row (tsv, csv).")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print only the id of what was changed.")]
AtOpt = Annotated[str | None, typer.Option("--at", metavar="WHEN", help="When it happened (default: now).")]
NoteOpt = Annotated[str | None, typer.Option("--note", "-n", help="A note kept with the change.")]


def book(ctx: typer.Context):
    """The open book for this invocation."""
    return ctx.obj.book()


def moment(text: str | None, *, ahead: bool | None = False) -> when.Moment | None:
    """A WHEN option's value (None when not given). A date typed without a year (`5 Jan`) is the last such day
    for an option that records what happened (`--at`, the default), the next one for an option that plans
    (`ahead=True`: `--due`, `--to`, `--close`), and this year's when the option is neither (`ahead=None`)."""
    return when.parse_option(text, ahead=ahead)


def confirm(fmt: Fmt, quiet: bool, line: str, obj: dict[str, Any], ident: Any) -> None:
    """What a mutating command prints: a line, the object as JSON, or with -q just its id."""
    if quiet:
        print(ident)
    elif fmt == Fmt.json:
        render.write_json(obj)
    else:
        render.message(line)


def show(table: render.Table, fmt: Fmt, no_header: bool) -> None:
    render.write(table, fmt.value, no_header=no_header)


def sub_app(help_text: str) -> typer.Typer:
    """A command group (`contact`, `stage`, …) with the same plain help and errors as the top level."""
    return typer.Typer(help=help_text, no_args_is_help=True, rich_markup_mode=None, add_completion=False)


def write_file(path: Path, content: str | bytes) -> None:
    """Write a file the user named; a path that cannot be written is their mistake, said plainly."""
    from dealflow.core.errors import InputError

    target = path.expanduser()
    try:
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror}") from None
