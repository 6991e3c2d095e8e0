"""What `dealflow today` shows: the agenda as one table per kind at a terminal, or as rows for programs.

Free of Typer, so that `quick` can show the agenda without loading the whole command line.
"""

from __future__ import annotations

from datetime import date

from dealflow import render
from dealflow.core import agenda, clock, money, when
from dealflow.core.agenda_items import FIELDS
from dealflow.core.book import Book

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (see dealflow/__init__.py)
if TYPE_CHECKING:
    from typing import Any

COLUMNS = FIELDS + ["urgency"]
DISPLAY = ["task_id", "due", "deal_id", "deal", "contact", "value", "detail"]
NARROW = [column for column in DISPLAY if column != "contact"]  # under 100 columns: the deal cut to a line
SOMETIMES = ("task_id", "due")  # shown for a kind only when its items have them
HEADERS = {"deal_id": "deal #", "task_id": "task"}
NOTHING = "Nothing needs you today: no tasks due, nothing stuck or overdue. A good day to find new leads."
URGENT, PRESSING = 18.0, 14.0  # urgency from which a row is drawn bold red / yellow


def gather(book: Book, *, days: int, on: str | None) -> tuple[list[dict[str, Any]], date]:
    """The agenda's items, and the day they are for (`--on WHEN`, else today)."""
    moment = when.parse_option(on, ahead=True)
    day = clock.today() if moment is None else when.day_of(moment)
    return agenda.agenda(book, on=moment, days=days), day


def show(items: list[dict[str, Any]], day: date, fmt: str, no_header: bool) -> None:
    if render.resolve_format(fmt) == "table":
        draw(items, day)
    else:
        render.write(render.Table(COLUMNS, items), fmt, no_header=no_header)


def urgency_style(entry: dict[str, Any]) -> str | None:
    if entry["urgency"] >= URGENT:
        return "bold red"
    return "yellow" if entry["urgency"] >= PRESSING else None


def summary_parts(items: list[dict[str, Any]]) -> list[str]:
    """`3 overdue`, `2 stuck`, `1 invoice overdue`, `₽ 1 250 000 at risk` (money per currency, never summed)."""
    facts = agenda.summary(items)
    parts = [entry["text"] for entry in facts["counts"]]
    return parts + [f"{money.to_human(entry['value'], entry['currency'])} at risk" for entry in facts["at_risk"]]


def draw(items: list[dict[str, Any]], day: date) -> None:
    """The terminal view: the summary line, then one table per kind, most urgent kind first."""
    if not items:
        render.message(NOTHING)
        return
    render.summary(f"{'Today' if day == clock.today() else 'On ' + day.isoformat()}: ", summary_parts(items))
    kinds = list(dict.fromkeys([*agenda.KINDS, *(entry["kind"] for entry in items)]))
    for kind in kinds:
        rows = [entry for entry in items if entry["kind"] == kind]
        if rows:
            heading = agenda.KINDS.get(kind, agenda.OTHER_KIND).heading
            shown = [column for column in SOMETIMES if any(row[column] for row in rows)]
            display, narrow = ([column for column in columns if column not in SOMETIMES or column in shown]
                               for columns in (DISPLAY, NARROW))
            render.message("")
            render.draw_table(render.Table(COLUMNS, rows, title=f"{heading} ({len(rows)})", display=display,
                                           narrow=narrow, headers=HEADERS, today=day, row_style=urgency_style))
