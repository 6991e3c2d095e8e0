"""The agenda commands: `today`, `sweep` (the graveyard clean-up) and `ics` (a calendar of dated items)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from dealflow import render
from dealflow.cli.output import AtOpt, Fmt, FormatOpt, NoHeaderOpt, book, moment, show
from dealflow.core import agenda, clock, money, when
from dealflow.core.agenda_items import FIELDS

COLUMNS = FIELDS + ["urgency"]
DISPLAY = ["task_id", "due", "deal_id", "deal", "contact", "value", "detail"]  # what fits 80 columns
SOMETIMES = ("task_id", "due")  # shown for a kind only when its items have them
HEADERS = {"deal_id": "deal #", "task_id": "task"}
NOTHING = "Nothing needs you today: no tasks due, nothing stuck or overdue. A good day to find new leads."
URGENT, PRESSING = 18.0, 14.0  # urgency from which a row is drawn bold red / yellow


def urgency_style(entry: dict[str, Any]) -> str | None:
    if entry["urgency"] >= URGENT:
        return "bold red"
    return "yellow" if entry["urgency"] >= PRESSING else None


def summary_line(items: list[dict[str, Any]]) -> str:
    """`3 overdue · 2 stuck · 1 invoice overdue · ₽ 1 250 000 at risk` (money per currency, never summed)."""
    facts = agenda.summary(items)
    parts = [f"{entry['count']} {entry['label']}" for entry in facts["counts"]]
    parts += [f"{money.to_human(entry['value'], entry['currency'])} at risk" for entry in facts["at_risk"]]
    return " · ".join(parts)


def draw(items: list[dict[str, Any]], day) -> None:
    """The terminal view: the summary line, then one table per kind, most urgent kind first."""
    if not items:
        render.message(NOTHING)
        return
    render.message(f"{'Today' if day == clock.today() else 'On ' + day.isoformat()}: {summary_line(items)}")
    kinds = list(dict.fromkeys([*agenda.KINDS, *(entry["kind"] for entry in items)]))
    for kind in kinds:
        rows = [entry for entry in items if entry["kind"] == kind]
        if rows:
            heading = agenda.KINDS.get(kind, agenda.OTHER_KIND).heading
            display = [column for column in DISPLAY if column not in SOMETIMES or any(row[column] for row in rows)]
            render.message("")
            render.draw_table(render.Table(COLUMNS, rows, title=f"{heading} ({len(rows)})", display=display,
                                           headers=HEADERS, today=day, row_style=urgency_style))


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
    day_moment = moment(on)
    items = agenda.agenda(book(ctx), on=day_moment, days=days)
    if render.resolve_format(fmt.value) == "table":
        draw(items, when.day_of(day_moment) if day_moment is not None else clock.today())
    else:
        show(render.Table(COLUMNS, items), fmt, no_header)


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
        render.message(f"{verb} {len(found)} deal{'s' if len(found) > 1 else ''} as lost (stale).")


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
    output.expanduser().write_bytes(document)
    render.message(f"Wrote {count} event{'' if count == 1 else 's'} to {output}")


def register(app: typer.Typer) -> None:
    app.command("today")(today)
    app.command("sweep")(sweep)
    app.command("ics")(ics)
