"""The agenda commands: `today`, `sweep` (the graveyard clean-up) and `ics` (a calendar of dated items)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dealflow import render
from dealflow.cli import agenda_view
from dealflow.cli.output import AtOpt, Fmt, FormatOpt, NoHeaderOpt, book, moment, show, write_file
from dealflow.core import agenda, clock
from dealflow.core.text import counted


def today(
    ctx: typer.Context,
    days: Annotated[int, typer.Option("--days", "-d", help="Also show tasks and follow-ups due in the next N days.")]
    = 0,
    on: Annotated[str | None, typer.Option("--on", metavar="WHEN", help="Show the agenda as it will be on that "
                                                                         "day (changes nothing).")] = None,
    fmt: FormatOpt = Fmt.auto,
    no_header: NoHeaderOpt = False,
) -> None:
    """What needs you today, most urgent first: tasks, stuck and stale deals, deals with no next step, …"""
    agenda_view.show(*agenda_view.gather(book(ctx), days=days, on=on), fmt.value, no_header)


SWEEP_COLUMNS = ["deal_id", "deal", "contact", "stage", "value", "currency", "created_at", "age_days", "status"]


def sweep(
    ctx: typer.Context,
    older_than: Annotated[int | None, typer.Option("--older-than", metavar="DAYS", help=(
        "Deals older than this many days (default: setting deal_lifetime_days)."))] = None,
    close: Annotated[bool, typer.Option("--close", help="Close them as lost, reason `stale`.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="With --close: show what would be closed.")] = False,
    at: AtOpt = None,
    fmt: FormatOpt = Fmt.auto,
    no_header: NoHeaderOpt = False,
) -> None:
    """The graveyard: open deals past their lifetime; --close marks them lost (stale)."""
    found = agenda.sweep(book(ctx), older_than_days=older_than, close=close, dry_run=dry_run, at=moment(at))
    empty = "No open deal is past its lifetime. The pipeline is honest."
    show(render.Table(SWEEP_COLUMNS, found, empty=empty, headers={"deal_id": "deal #", "age_days": "age (days)"},
                      today=clock.today()), fmt, no_header)
    if close and found and render.resolve_format(fmt.value) == "table":
        verb = "Would close" if dry_run else "Closed"
        render.message(f"{verb} {counted(len(found), 'deal')} as lost (stale).")


def ics(
    ctx: typer.Context,
    days: Annotated[int, typer.Option("--days", "-d", help="How many days ahead the calendar reaches.")] = 60,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file (default: stdout).")]
    = None,
) -> None:
    """The agenda's dated items (tasks, follow-ups, invoice due dates) as an iCalendar file."""
    import sys

    from dealflow.core import calendar

    document, count = calendar.build(book(ctx), days)
    if output is None:
        sys.stdout.buffer.write(document)
        return
    write_file(output, document)
    render.message(f"Wrote {counted(count, 'event')} to {output}")


def register(app: typer.Typer) -> None:
    app.command("today")(today)
    app.command("sweep")(sweep)
    app.command("ics")(ics)
