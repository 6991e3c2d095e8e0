"""Activities: the contact log (calls, emails, meetings, messages, notes), and the missed-call rule.

A missed inbound call becomes a "Call back NAME" task; the next outbound call or message to that contact
completes it, so a returned call never lingers on the agenda.
"""

from __future__ import annotations

import re
from typing import Any

from dealflow.core import clock, settings, tasks, when
from dealflow.core.book import Book
from dealflow.core.errors import InputError
from dealflow.core.text import clean

KINDS = ("call", "email", "meeting", "message", "note")
DIRECTED = ("call", "email", "message")  # kinds that go one way; meetings and notes have no direction
RETURNS_A_CALL = ("call", "message")  # outbound kinds that answer a missed call
_DURATION = re.compile(r"^(?:(\d+)h)?\s*(?:(\d+)m(?:in)?)?\s*(?:(\d+)s)?$")


def check_kind(kind: str) -> str:
    """A known activity kind (any case)."""
    folded = kind.strip().casefold()
    if folded not in KINDS:
        raise InputError(f"unknown activity kind {kind!r}; use one of {', '.join(KINDS)}")
    return folded


def parse_duration(text: str) -> int:
    """`5m`, `1h30m`, `90s`, `1:30` (minutes:seconds) or a bare number of minutes → seconds."""
    cleaned = text.strip().lower().replace(" ", "")
    if re.fullmatch(r"\d+", cleaned):
        return int(cleaned) * 60
    if match := re.fullmatch(r"(\d+):([0-5]\d)", cleaned):
        return int(match[1]) * 60 + int(match[2])
    match = _DURATION.match(cleaned)
    if not cleaned or not match or not any(match.groups()):
        raise InputError(f"cannot read {text!r} as a duration; write e.g. 5m, 1h30m, 90s or 12:30")
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def record(book: Book, kind: str, at: str, *, deal_id: int | None = None, contact_id: int | None = None,
           note: str | None = None, direction: str | None = None, missed: bool = False,
           duration_s: int | None = None, owner: str | None = None) -> dict[str, Any]:
    """Append an activity, bring the deal's `last_activity_at` forward and apply the missed-call rule.

    The returned row carries `call_back_task` (the task a missed call made) and `returned_calls` (how many
    open call-back tasks this outbound call or message completed).
    """
    kind = check_kind(kind)
    if deal_id is not None and contact_id is None:
        contact_id = book.value("SELECT contact_id FROM deals WHERE id = ?", (deal_id,))
    with book.transaction():
        activity_id = book.insert("activities", {
            "deal_id": deal_id, "contact_id": contact_id, "kind": kind, "direction": direction,
            "missed": int(missed), "duration_s": duration_s, "note": note, "owner": owner, "at": at})
        if deal_id is not None:
            book.conn.execute(
                "UPDATE deals SET last_activity_at = ? WHERE id = ? AND (last_activity_at IS NULL OR last_activity_at < ?)",
                (at, deal_id, at))
        call_back = _call_back_task(book, at, deal_id, contact_id) if missed else None
        returned = (_complete_call_backs(book, at, deal_id, contact_id)
                    if direction == "out" and kind in RETURNS_A_CALL and not missed else 0)
    activity = book.row("SELECT * FROM activities WHERE id = ?", (activity_id,))
    return {**activity, "call_back_task": call_back, "returned_calls": returned}


def call_back_text(name: str) -> str:
    """The text a missed call's task is given: `Call back NAME`."""
    return f"Call back {name}"


def _call_back_task(book: Book, at: str, deal_id: int | None, contact_id: int | None) -> dict[str, Any]:
    """"Call back NAME", due at the moment of the missed call."""
    name = (book.value("SELECT name FROM contacts WHERE id = ?", (contact_id,)) if contact_id is not None
            else book.value("SELECT title FROM deals WHERE id = ?", (deal_id,)))
    return tasks.create(book, call_back_text(name), when.from_text(at), deal_id=deal_id, contact_id=contact_id,
                        origin="missed-call")


def rename_call_backs(book: Book, old_name: str, new_name: str, *, contact_id: int | None = None,
                      deal_id: int | None = None) -> int:
    """Let the open call-back tasks of a contact (or of a deal without one, named by its title) that still
    read `Call back OLD` say `Call back NEW`; returns how many.

    The text is stored (every list, card and calendar shows it as is), so a renamed contact — often a caller
    first saved under their number — would otherwise be called back under the old name. Text the user changed
    is theirs and stays; done tasks are history and stay as they were."""
    owner = "contact_id = :contact" if contact_id is not None else "deal_id = :deal AND contact_id IS NULL"
    return book.conn.execute(
        f"""UPDATE tasks SET text = :new WHERE {owner} AND origin = 'missed-call' AND done_at IS NULL
            AND text = :old""", {"contact": contact_id, "deal": deal_id, "new": call_back_text(new_name),
                                 "old": call_back_text(old_name)}).rowcount


def _complete_call_backs(book: Book, at: str, deal_id: int | None, contact_id: int | None) -> int:
    """Complete the contact's open missed-call tasks from calls missed before `at` (the call is returned).

    A call-back is due at the missed call, so its due time says when the call came, unless it was snoozed:
    then it was logged, at the latest, when the task was created."""
    owner_column, owner_id = ("contact_id", contact_id) if contact_id is not None else ("deal_id", deal_id)
    return book.conn.execute(
        f"""UPDATE tasks SET done_at = ? WHERE {owner_column} = ? AND origin = 'missed-call'
            AND done_at IS NULL AND min(julianday(due), julianday(created_at)) <= julianday(?)""",
        (at, owner_id, at)).rowcount


def default_direction(kind: str, inbound: bool, outbound: bool, missed: bool) -> str | None:
    """Calls, emails and messages are outbound unless said otherwise; a missed call is inbound."""
    if inbound and outbound:
        raise InputError("give --in or --out, not both")
    if missed:
        if kind != "call":
            raise InputError("--missed is for calls: `dealflow log REF call --missed`")
        if outbound:
            raise InputError("a missed call is inbound; leave out --out")
        return "in"
    if inbound or outbound:
        if kind not in DIRECTED:
            raise InputError(f"a {kind} has no direction; --in/--out are for {', '.join(DIRECTED)}")
        return "in" if inbound else "out"
    return "out" if kind in DIRECTED else None


def log(book: Book, ref: str | None, kind: str, note: str | None = None, *, contact: str | None = None,
        at: when.Moment | None = None, inbound: bool = False, outbound: bool = False, missed: bool = False,
        duration: str | None = None, next_text: str | None = None,
        next_due: when.Moment | None = None) -> dict[str, Any]:
    """`dealflow log`: record what happened with a deal or contact, and optionally plan the next step."""
    kind = check_kind(kind)
    direction = default_direction(kind, inbound, outbound, missed)
    duration_s = parse_duration(duration) if duration is not None else None
    next_text = tasks.next_step(next_text)
    if next_due is not None and not next_text:
        raise InputError("--due needs --next TEXT (the next step it is the due date of)")
    moment = when.event_text(at)
    with book.transaction():
        deal, person = tasks.target(book, ref, contact)
        activity = record(book, kind, moment, deal_id=deal["id"] if deal else None,
                          contact_id=person["id"] if person else None, note=clean(note), direction=direction,
                          missed=missed, duration_s=duration_s, owner=settings.get(book, "owner"))
        planned = None
        if next_text:
            planned = tasks.create(book, next_text, next_due if next_due is not None else clock.today(),
                                   deal_id=activity["deal_id"], contact_id=activity["contact_id"])
    return {**activity, "deal": deal["title"] if deal else None, "contact": person["name"] if person else None,
            "next_task": planned}
