"""The agenda's dated items as an iCalendar file (`dealflow ics`), for phone and desktop calendars.

Every event has a UID derived from what it is about (`task-12@dealflow`, `invoice-INV-0007@dealflow`,
`follow-up-42@dealflow`), so a calendar that re-imports or re-subscribes updates events instead of
duplicating them. A due with a time is a 30-minute event; a whole-day due is an all-day event.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from dealflow.core import agenda, clock, invoices, when
from dealflow.core.book import Book
from dealflow.core.errors import InputError

TIMED_LENGTH = timedelta(minutes=30)
PRODID = "-//dealflow//agenda//EN"


def uid(entry: dict[str, Any]) -> str:
    """A stable identity: the task, the invoice, else the deal the item is about."""
    if entry["task_id"] is not None:
        return f"task-{entry['task_id']}@dealflow"
    if entry["invoice"]:
        return f"invoice-{entry['invoice']}@dealflow"
    return f"{entry['kind']}-{entry['deal_id']}@dealflow"


def dated_items(book: Book, days: int = 60) -> list[dict[str, Any]]:
    """Agenda items that carry a due date, from the overdue ones up to `days` ahead, and the unpaid invoices
    falling due in that time (on the agenda only once overdue)."""
    if days < 0:
        raise InputError("--days must be 0 or more (how many days ahead the calendar reaches)")
    today = clock.today()
    return ([entry for entry in agenda.agenda(book, days=days) if entry["due"]]
            + invoices.falling_due(book, today, today + timedelta(days=days)))


def build(book: Book, days: int = 60) -> tuple[bytes, int]:
    """The iCalendar document and how many events it holds."""
    from icalendar import Calendar, Event  # only this command needs it

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "dealflow")
    stamp = clock.now()
    items = dated_items(book, days)
    for entry in items:
        event = Event()
        event.add("uid", uid(entry))
        event.add("dtstamp", stamp)
        event.add("summary", _summary(entry))
        start = _start(when.from_text(entry["due"]))
        event.add("dtstart", start)
        event.add("dtend", start + (TIMED_LENGTH if isinstance(start, datetime) else timedelta(days=1)))
        event.add("description", _description(entry))
        event.add("categories", [entry["kind"]])
        calendar.add_component(event)
    return calendar.to_ical(), len(items)


def _start(moment: when.Moment) -> when.Moment:
    """A day stays a day; an instant is written in UTC, which every calendar reads without a VTIMEZONE."""
    return moment.astimezone(timezone.utc) if isinstance(moment, datetime) else moment


def _summary(entry: dict[str, Any]) -> str:
    about = entry["deal"] or entry["contact"]
    return f"{entry['detail']} — {about}" if about else entry["detail"]


def _description(entry: dict[str, Any]) -> str:
    """Who to call and about what, for the event's notes."""
    labels = (("deal", "Deal"), ("contact", "Contact"), ("phone", "Phone"), ("email", "Email"),
              ("stage", "Stage"), ("invoice", "Invoice"))
    lines = [f"Deal #{entry['deal_id']}"] if entry["deal_id"] is not None else []
    return "\n".join(lines + [f"{label}: {entry[key]}" for key, label in labels if entry.get(key)])
