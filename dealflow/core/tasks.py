"""Tasks: reminders with a due date, made by hand, by entering a stage, by a missed call or a cadence."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from dealflow.core import clock, when
from dealflow.core.book import Book
from dealflow.core.errors import Conflict, InputError, NotFound

LISTS = ("due", "all", "overdue", "done")
DEAL_NUMBER = re.compile(r"#?\d{1,6}")  # a bare number is a deal; a contact's number goes in --contact

# A task with its deal and contact, and how many whole days it is overdue on the day `:today`: 0 when due
# that day, negative when due later (-3: due in three days), as the agenda's `days`; always a number. A done
# task stopped being late when it was done: its days count up to that day (0 done on the due day, negative
# done early), so they do not grow after.
VIEW_SQL = """
SELECT t.id, t.text, t.due,
       CAST(julianday(coalesce(substr(t.done_at, 1, 10), :today)) - julianday(substr(t.due, 1, 10))
            AS INTEGER) AS overdue_days,
       t.deal_id, d.title AS deal, c.name AS contact, c.phone, t.origin, t.created_at, t.done_at
FROM tasks t
LEFT JOIN deals d ON d.id = t.deal_id
LEFT JOIN contacts c ON c.id = t.contact_id
"""


def create(book: Book, text: str, due: when.Moment, *, deal_id: int | None = None,
           contact_id: int | None = None, origin: str = "manual") -> dict[str, Any]:
    """Store a task; a deal's task is also the deal's contact's."""
    if not text or not text.strip():
        raise InputError("a task needs some text")
    if deal_id is not None and contact_id is None:
        contact_id = book.value("SELECT contact_id FROM deals WHERE id = ?", (deal_id,))
    with book.transaction():
        task_id = book.insert("tasks", {"text": text.strip(), "due": when.to_text(due), "deal_id": deal_id,
                                        "contact_id": contact_id, "origin": origin,
                                        "created_at": when.to_text(clock.now())})
    return book.row("SELECT * FROM tasks WHERE id = ?", (task_id,))


def next_step(text: str | None) -> str | None:
    """The text of a `--next` option: None when it was not given; given empty, it is a mistake."""
    if text is not None and not text.strip():
        raise InputError("--next needs the text of the next step, e.g. --next \"send the contract\"")
    return text


def complete_open_for_deal(book: Book, deal_id: int, at: str) -> int:
    """Close every open task of a deal (when the deal is closed); returns how many."""
    return book.conn.execute("UPDATE tasks SET done_at = ? WHERE deal_id = ? AND done_at IS NULL",
                             (at, deal_id)).rowcount


def target(book: Book, ref: str | None, contact_ref: str | None = None
           ) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The (deal, contact) a `log` or `remind` is about.

    A bare number (`12`, `#12`) is a deal; anything else (name, phone, email) is a contact. `--contact`
    names the contact explicitly: alone it means "this contact, no deal"; beside a deal it names who at
    the client the deal's activity was with. A deal without `--contact` brings its own contact.
    """
    from dealflow.core import contacts

    if not (ref and ref.strip()) and not (contact_ref and contact_ref.strip()):
        raise InputError("say who it is about: a deal number (12) or a contact (name, phone, email, --contact 5)")
    deal = person = None
    if ref and ref.strip():
        if DEAL_NUMBER.fullmatch(ref.strip()):
            deal_id = int(ref.strip().lstrip("#"))
            deal = book.row("SELECT * FROM deals WHERE id = ?", (deal_id,))
            if deal is None:
                raise NotFound(f"no deal #{deal_id}; for contact #{deal_id} write --contact {deal_id}")
        elif contact_ref:
            raise InputError(f"{ref!r} is not a deal number; name the contact once, with --contact")
        else:
            person = contacts.resolve(book, ref)
    if contact_ref and contact_ref.strip():
        person = contacts.resolve(book, contact_ref)
    if deal is not None and person is None and deal["contact_id"] is not None:
        person = contacts.get(book, deal["contact_id"])
    return deal, person


def remind(book: Book, ref: str | None, text: str, due: when.Moment | None = None, *,
           contact: str | None = None) -> dict[str, Any]:
    """`dealflow remind`: a manual task for a deal or a contact, due today unless said otherwise."""
    with book.transaction():
        deal, person = target(book, ref, contact)
        made = create(book, text, due if due is not None else clock.today(), deal_id=deal["id"] if deal else None,
                      contact_id=person["id"] if person else None)
    return view(book, made["id"])


def parse_ref(ref: str | int) -> int:
    """`T12` or `12` → 12."""
    text = str(ref).strip()
    if not re.fullmatch(r"[Tt]?\d+", text):
        raise InputError(f"{ref!r} is not a task number; write it as T12 or 12 (see `dealflow tasks`)")
    return int(text.lstrip("Tt"))


def get(book: Book, ref: str | int) -> dict[str, Any]:
    task_id = parse_ref(ref)
    found = book.row("SELECT * FROM tasks WHERE id = ?", (task_id,))
    if not found:
        raise NotFound(f"no task T{task_id}; `dealflow tasks --all` lists the open ones")
    return found


def view(book: Book, task_id: int, today: date | None = None) -> dict[str, Any]:
    """One task as `tasks` lists it."""
    return book.row(VIEW_SQL + " WHERE t.id = :id",
                    {"id": task_id, "today": (today or clock.today()).isoformat()})


def listing(book: Book, show: str = "due", due: when.Moment | None = None) -> list[dict[str, Any]]:
    """Tasks to show: `due` (open, due up to today or `due`), `all` open, `overdue`, or `done`."""
    if show not in LISTS:
        raise InputError(f"unknown task list {show!r}; use one of {', '.join(LISTS)}")
    if due is not None and show != "due":
        raise InputError("--due chooses how far ahead the default list looks; leave it out with --all/--overdue/--done")
    today = clock.today()
    params = {"today": today.isoformat()}
    if show == "done":
        sql = VIEW_SQL + " WHERE t.done_at IS NOT NULL ORDER BY t.done_at DESC, t.id DESC"
    elif show == "all":
        sql = VIEW_SQL + " WHERE t.done_at IS NULL ORDER BY t.due, t.id"
    elif show == "overdue":
        # One rule for "overdue" everywhere (SPEC §7 counts whole days, 0 for items due today): due on a day
        # before today, i.e. `overdue_days` above 0. A call missed at 08:00 is due today at 10:00, as in `today`.
        sql = VIEW_SQL + " WHERE t.done_at IS NULL AND t.due < :today ORDER BY t.due, t.id"
    else:
        params["until"] = when.day_of(due).isoformat() if due is not None else today.isoformat()
        sql = VIEW_SQL + " WHERE t.done_at IS NULL AND substr(t.due, 1, 10) <= :until ORDER BY t.due, t.id"
    return book.rows(sql, params)


def done(book: Book, refs: list[str], at: when.Moment | None = None) -> list[dict[str, Any]]:
    """Complete several tasks at once; one unknown or already-done task and none is completed."""
    if not refs:
        raise InputError("name at least one task: `dealflow done T12 T13`")
    moment = when.event_text(at)
    with book.transaction():
        found = list({task["id"]: task for task in (get(book, ref) for ref in refs)}.values())  # `T1 1` is one task
        for task in found:
            if task["done_at"]:
                raise Conflict(f"task T{task['id']} {task['text']!r} was already done at {task['done_at']}")
        for task in found:
            book.update("tasks", task["id"], {"done_at": moment})
    return [view(book, task["id"]) for task in found]


def snooze(book: Book, ref: str, to: when.Moment | None) -> dict[str, Any]:
    """Move an open task's due date."""
    if to is None:
        raise InputError("say until when: `dealflow snooze T12 --to mon`")
    with book.transaction():
        task = get(book, ref)
        if task["done_at"]:
            raise Conflict(f"task T{task['id']} {task['text']!r} is done; there is nothing to snooze")
        book.update("tasks", task["id"], {"due": when.to_text(to)})
    return view(book, task["id"])
