"""What `dealflow lookup` shows: a card per contact at a terminal, or their rows for a phone system's hook.

Free of Typer, so that `quick` can answer caller ID without loading the whole command line.
"""

from __future__ import annotations

from dealflow import render
from dealflow.core import clock

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (see dealflow/__init__.py)
if TYPE_CHECKING:
    from typing import Any

COLUMNS = ["id", "name", "company", "phone", "email", "open_deals", "open_tasks", "last_activity_at",
           "last_activity"]


def show(cards: list[dict[str, Any]], fmt: str, no_header: bool) -> None:
    fmt = render.resolve_format(fmt)
    if fmt == "json":
        render.write_json(cards)
    elif fmt in ("tsv", "csv"):
        render.write_delimited(COLUMNS, [_flat(card) for card in cards], fmt, no_header=no_header)
    else:
        for card in cards:
            render.write_card(_card(card), "table")


def _flat(card: dict[str, Any]) -> dict[str, Any]:
    """One row: the open deals and tasks counted, the last activity as `kind: note`."""
    last = card["last_activity"]
    return {**card, "open_deals": len(card["open_deals"]), "open_tasks": len(card["open_tasks"]),
            "last_activity_at": last["at"] if last else None,
            "last_activity": f"{last['kind']}: {last['note'] or ''}".strip() if last else None}


def _card(card: dict[str, Any]) -> render.Card:
    sections = [
        render.Table(["id", "title", "stage", "value"], card["open_deals"], title="Open deals",
                     empty="No open deals."),
        render.Table(["id", "text", "due", "deal_id"], card["open_tasks"], title="Open tasks", empty="No open tasks."),
    ]
    last = card["last_activity"]
    fields = [("company", "Company"), ("phone", "Phone"), ("email", "Email"), ("last", "Last activity")]
    data = {**card, "last": f"{last['at'][:16].replace('T', ' ')} {last['kind']}: {last['note'] or ''}".strip()
            if last else None}
    return render.Card(f'#{card["id"]} {card["name"]}', fields, data, sections, today=clock.today())
