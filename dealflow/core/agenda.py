"""The morning agenda (`dealflow today`): everything that needs the seller on a day, most urgent first.

Each kind of item comes from one *source*: a function `fn(book, day, until) -> list[dict]` in `SOURCES`
that asks the database one question (in SQL, so the agenda stays fast however much closed history the
book holds) and returns items with exactly `agenda_items.FIELDS` plus the two urgency inputs
`probability` (effective %, 100 for won) and `stage_rank` (stage position / number of stages, 1 for won).
`day` is the agenda's day; `until` is the last day whose dated items (tasks, follow-ups) are included.
A new kind is one new source function appended to `SOURCES` and a line in `KINDS`.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

from dealflow.core import cadence, clock, invoices, settings, when
from dealflow.core.agenda_items import DEAL_COLUMNS, DEAL_JOINS, RANKS, item
from dealflow.core.book import Book
from dealflow.core.errors import InputError
from dealflow.core.text import counted

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (see dealflow/__init__.py)
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    Source = Callable[[Book, date, date], list[dict[str, Any]]]



class Kind:
    """How a kind of item is shown and weighed: its heading, its words in the summary (for one item and for
    several: `1 invoice overdue`, `2 invoices overdue`), its urgency weight."""

    __slots__ = ("heading", "label", "plural", "weight")

    def __init__(self, heading: str, label: str, weight: float, plural: str | None = None):
        self.heading, self.label, self.weight = heading, label, weight
        self.plural = plural or label


KINDS: dict[str, Kind] = {
    "invoice-overdue": Kind("Invoices overdue", "invoice overdue", 8.0, "invoices overdue"),
    "task": Kind("Tasks", "due today", 6.0),
    "follow-up": Kind("Follow-ups due", "follow-up", 5.0, "follow-ups"),
    "decide": Kind("Decide: close won or lost", "to decide", 5.0),
    "not-invoiced": Kind("Won or agreed, not invoiced", "not invoiced", 5.0),
    "stuck": Kind("Stuck in a stage", "stuck", 4.0),
    "no-next-step": Kind("No next step planned", "without a next step", 3.0),
    "stale": Kind("Past their lifetime", "stale", 2.0),
}
OTHER_KIND = Kind("Other", "other", 3.0)

# Urgency weights (see `urgency` and the README).
DAYS_WEIGHT, DAYS_MIN, DAYS_MAX = 0.5, -14, 30
MONEY_WEIGHT = 1.0
STAGE_WEIGHT = 3.0

def tasks_due(book: Book, day: date, until: date) -> list[dict[str, Any]]:
    """`task`: open tasks due on or before `until` (missed-call tasks included)."""
    rows = book.rows(f"""WITH {RANKS}
        SELECT t.id AS task_id, t.text, t.due, t.origin, {DEAL_COLUMNS},
               CAST(julianday(:day) - julianday(substr(t.due, 1, 10)) AS INTEGER) AS days
        FROM tasks t
        LEFT JOIN deals d ON d.id = t.deal_id
        LEFT JOIN stages s ON s.id = d.stage_id
        LEFT JOIN ranks r ON r.id = d.stage_id
        LEFT JOIN contacts c ON c.id = t.contact_id
        WHERE t.done_at IS NULL AND t.due < :after""",
        {"day": day.isoformat(), "after": (until + timedelta(days=1)).isoformat()})
    return [item("task", row, due=row["due"], days=row["days"], task_id=row["task_id"],
                 detail=row["text"] + (" (missed call)" if row["origin"] == "missed-call" else ""))
            for row in rows]


def stuck(book: Book, day: date, until: date) -> list[dict[str, Any]]:
    """`stuck`: open deals that have sat in their stage strictly more whole days than its `max_days`."""
    rows = book.rows(f"""WITH {RANKS}
        SELECT {DEAL_COLUMNS}, s.max_days,
               CAST(julianday(:day) - julianday(substr(d.stage_entered_at, 1, 10)) AS INTEGER) AS in_stage
        FROM stages s CROSS JOIN deals d ON d.stage_id = s.id
        JOIN ranks r ON r.id = d.stage_id
        LEFT JOIN contacts c ON c.id = d.contact_id
        WHERE s.max_days IS NOT NULL AND d.status = 'open'
          AND d.stage_entered_at < date(:day, '-' || s.max_days || ' days')""", {"day": day.isoformat()})
    return [item("stuck", row, due=None, days=row["in_stage"] - row["max_days"],
                 detail=f"{counted(row['in_stage'], 'day')} in {row['stage']}, limit {row['max_days']}")
            for row in rows]


def older_than(book: Book, day: date, lifetime: int) -> list[dict[str, Any]]:
    """Open deals created more than `lifetime` whole days before `day` (what `stale` and `sweep` find)."""
    return book.rows(f"""WITH {RANKS}
        SELECT {DEAL_COLUMNS}, d.created_at,
               CAST(julianday(:day) - julianday(substr(d.created_at, 1, 10)) AS INTEGER) AS age_days
        FROM deals d INDEXED BY deals_by_status_created {DEAL_JOINS}
        WHERE d.status = 'open' AND d.created_at < date(:day, :back)
        ORDER BY d.created_at, d.id""", {"day": day.isoformat(), "back": f"-{lifetime} days"})


def stale(book: Book, day: date, until: date) -> list[dict[str, Any]]:
    """`stale`: open deals older than the setting `deal_lifetime_days`."""
    lifetime = settings.get(book, "deal_lifetime_days")
    return [item("stale", row, due=None, days=row["age_days"] - lifetime,
                 detail=f"{counted(row['age_days'], 'day')} old, lifetime {lifetime}; close it or `dealflow sweep`")
            for row in older_than(book, day, lifetime)]


def no_next_step(book: Book, day: date, until: date) -> list[dict[str, Any]]:
    """`no-next-step`: open deals with no open task and no active follow-up cadence."""
    rows = book.rows(f"""WITH {RANKS}
        SELECT {DEAL_COLUMNS}
        FROM deals d {DEAL_JOINS}
        WHERE d.status = 'open'
          AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.deal_id = d.id AND t.done_at IS NULL)
          AND NOT EXISTS (SELECT 1 FROM cadences k WHERE k.deal_id = d.id AND k.ended_at IS NULL)""")
    return [item("no-next-step", row, due=None, days=0,
                 detail=f"nothing planned; `dealflow remind {row['deal_id']} TEXT` or `dealflow park {row['deal_id']}`")
            for row in rows]


SOURCES: list[Source] = [
    tasks_due, stuck, stale, no_next_step,
    invoices.agenda_overdue, invoices.agenda_not_invoiced,
    cadence.agenda_follow_up, cadence.agenda_decide,
]


def urgency(entry: dict[str, Any]) -> float:
    """How urgent an item is: a weighted sum, like taskwarrior's (documented in the README).

        urgency = kind weight
                + 0.5 × days overdue (clamped to −14…30; negative for items due later)
                + 1.0 × log10(1 + value × probability / 100, in minor units)
                + 3.0 × stage rank (0…1; 1 for won deals)

    Money is on a log scale of minor units so that deals in different currencies can be compared without
    exchange rates: a 100× larger deal weighs 2 points more, whatever the currency.
    """
    weight = KINDS.get(entry["kind"], OTHER_KIND).weight
    days = max(DAYS_MIN, min(entry["days"] or 0, DAYS_MAX))
    at_stake = (entry["value"] or 0) * (entry["probability"] or 0) // 100
    score = (weight + DAYS_WEIGHT * days + MONEY_WEIGHT * math.log10(1 + at_stake)
             + STAGE_WEIGHT * (entry["stage_rank"] or 0))
    return round(score, 1)


_KIND_ORDER = {kind: place for place, kind in enumerate(KINDS)}


def agenda(book: Book, *, on: when.Moment | None = None, days: int = 0) -> list[dict[str, Any]]:
    """Every item for the day `on` (default today) and dated items `days` ahead, most urgent first.

    Read-only: asking about a future day changes nothing. A past day is refused: the items are worked out
    from the book as it is now, so a deal won this week would show as "not invoiced" a month ago.
    """
    if not 0 <= days <= 3660:
        raise InputError("--days must be from 0 to 3660 (how many days ahead to look)")
    today = clock.today()
    day = when.day_of(on) if on is not None else today
    if day < today:
        raise InputError(f"--on looks ahead, and {day.isoformat()} has passed; `dealflow tasks --done` and "
                         "`dealflow show ID` tell what happened then")
    until = day + timedelta(days=days)
    items = [found for source in SOURCES for found in source(book, day, until)]
    for entry in items:
        entry["urgency"] = urgency(entry)
    items.sort(key=lambda e: (-e["urgency"], _KIND_ORDER.get(e["kind"], len(KINDS)), e["deal_id"] or 0,
                              e["task_id"] or 0))
    return items


DATED_KINDS = ("task", "follow-up")  # the kinds `--days` brings in ahead of their day
LATER = "coming up"  # the summary's word for them


# Items that are not merely "due today": their deal's value counts as money at risk.
def at_risk(entry: dict[str, Any]) -> bool:
    return entry["kind"] not in DATED_KINDS or (entry["days"] or 0) > 0


def summary(items: list[dict[str, Any]]) -> dict[str, Any]:
    """The agenda's one-line summary as data: counts per label (with `text`, `2 invoices overdue`), and money
    at risk per currency.

    Overdue tasks and tasks due today are counted apart; tasks and follow-ups due later (`--days`) are
    counted together as coming up; every other kind is counted by its label. Money at risk is, for each deal
    with an at-risk item, counted once, the largest amount its items carry (its value; an overdue invoice's
    balance when that is all there is), summed per currency (never across).
    """
    counts: dict[str, int] = {}
    for entry in items:
        days = entry["days"] or 0
        if entry["kind"] in DATED_KINDS and days < 0:
            label = LATER  # planned, not pressing
        elif entry["kind"] == "task" and days > 0:
            label = "overdue"
        else:
            label = KINDS.get(entry["kind"], OTHER_KIND).label
        counts[label] = counts.get(label, 0) + 1
    ordered = ["overdue"] + [kind.label for kind in KINDS.values()] + [OTHER_KIND.label, LATER]
    risky: dict[int, dict[str, Any]] = {}
    for entry in items:
        if entry["deal_id"] is not None and at_risk(entry):
            known = risky.get(entry["deal_id"])
            if known is None or (entry["value"] or 0) > (known["value"] or 0):
                risky[entry["deal_id"]] = entry
    money: dict[str, int] = {}
    for entry in risky.values():
        money[entry["currency"]] = money.get(entry["currency"], 0) + (entry["value"] or 0)
    plurals = {kind.label: kind.plural for kind in KINDS.values()}
    return {
        "counts": [{"label": label, "count": counts[label],
                    "text": counted(counts[label], label, plurals.get(label, label))}
                   for label in ordered if counts.get(label)],
        "at_risk": [{"currency": currency, "value": value} for currency, value in sorted(money.items()) if value],
    }


def sweep(book: Book, *, older_than_days: int | None = None, close: bool = False,
          dry_run: bool = False, at: when.Moment | None = None) -> list[dict[str, Any]]:
    """The graveyard: open deals past their lifetime (or older than DAYS); `close` marks them lost, `stale`."""
    from dealflow.core import deals, reasons

    if older_than_days is not None and older_than_days < 0:
        raise InputError("--older-than must be a number of days, 0 or more")
    lifetime = older_than_days if older_than_days is not None else settings.get(book, "deal_lifetime_days")
    with book.transaction():
        found = older_than(book, clock.today(), lifetime)
        for row in found:
            row["status"] = "open"
            if close and not dry_run:
                deals.close(book, row["deal_id"], "lost", reason=reasons.STALE, at=at,
                            note=f"swept: {counted(row['age_days'], 'day')} old, lifetime {lifetime}")
                row["status"] = "lost"
    return found
