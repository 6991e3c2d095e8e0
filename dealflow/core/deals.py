"""Deals: what is being sold to whom, where it stands in the pipeline, and how it got there."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from dealflow.core import activities, cadence, clock, contacts, money, pipeline, reasons, settings, tasks, when
from dealflow.core.book import Book
from dealflow.core.errors import Conflict, InputError, NotFound
from dealflow.core.text import TAG_MATCH, clean, fold, refuse_empty_filters, tags_edited, tags_join

STATUSES = ("open", "won", "lost")
SORTS = {
    "pipeline": "CASE d.status WHEN 'open' THEN 0 WHEN 'won' THEN 1 ELSE 2 END, s.position, d.id",
    # Amounts compare only within a currency: the book's own (setting `currency`) first, then the others A-Z.
    "value": "d.currency IS NOT :currency, d.currency, d.value DESC, d.id",
    "age": "d.created_at, d.id",
    "stage": "s.position, d.id",
    "due": "next_due IS NULL, next_due, d.id",
}

# The list view of a deal: stored fields plus what is derived at read time for the day `:today`.
VIEW_SQL = f"""
SELECT d.id, d.title, c.name AS contact, s.name AS stage, d.status, d.value, d.currency,
       {pipeline.PROBABILITY_SQL} AS probability,
       CASE WHEN d.status = 'open'
            THEN CAST(julianday(:today) - julianday(substr(d.stage_entered_at, 1, 10)) AS INTEGER) END
            AS days_in_stage,
       (SELECT min(t.due) FROM tasks t WHERE t.deal_id = d.id AND t.done_at IS NULL) AS next_due,
       d.owner, d.source, d.created_at, d.expected_close, d.tags, d.contact_id, d.stage_entered_at,
       d.last_activity_at, d.closed_at, d.lost_reason, d.external_id
FROM deals d
JOIN stages s ON s.id = d.stage_id
LEFT JOIN contacts c ON c.id = d.contact_id
"""


def parse_ref(ref: str | int) -> int:
    """`42` or `#42` → 42."""
    text = str(ref).strip()
    if not re.fullmatch(r"#?\d+", text):
        raise InputError(f"{ref!r} is not a deal number; write it as 42 or #42")
    return int(text.lstrip("#"))


def get(book: Book, ref: str | int) -> dict[str, Any]:
    """The stored deal row."""
    deal_id = parse_ref(ref)
    found = book.row("SELECT * FROM deals WHERE id = ?", (deal_id,))
    if not found:
        raise NotFound(f"no deal #{deal_id}; `dealflow deals --status all` lists them")
    return found


def view(book: Book, deal_id: int) -> dict[str, Any]:
    """One deal as `deals` lists it."""
    return book.row(VIEW_SQL + " WHERE d.id = :id", {"id": deal_id, "today": clock.today().isoformat()})


def _label(deal: dict[str, Any]) -> str:
    return f'#{deal["id"]} "{deal["title"]}"'


def _amount(text: str | None, currency: str | None) -> tuple[int, str | None]:
    if text is None or not str(text).strip():
        return 0, currency
    minor, written = money.parse_amount(text)
    if written and currency and written != currency:
        raise InputError(f"the amount says {written} but --currency says {currency}; give one of them")
    return minor, written or currency


def _probability(value: int | None) -> int | None:
    return None if value is None else pipeline.check_probability(value)


def add(book: Book, title: str, *, contact: str | None = None, company: str | None = None,
        email: str | None = None, phone: str | None = None, value: str | None = None,
        currency: str | None = None, source: str | None = None, owner: str | None = None,
        stage: str | None = None, close: when.Moment | None = None, probability: int | None = None,
        tags: list[str] | None = None, note: str | None = None, next_text: str | None = None,
        next_due: when.Moment | None = None, at: when.Moment | None = None) -> dict[str, Any]:
    """Create a deal in the first stage (or `stage`), finding or creating its contact."""
    if not clean(title):
        raise InputError("a deal needs a title")
    next_text = tasks.next_step(next_text)
    if next_due is not None and not next_text:
        raise InputError("--due needs --next TEXT (the next step it is the due date of)")
    currency = money.normalize_currency(currency) if currency else None
    minor, currency = _amount(value, currency)
    created = when.event_text(at)
    with book.transaction():
        target = pipeline.resolve(book, stage) if stage else pipeline.first(book)
        person, _ = contacts.find_or_create(book, ref=contact, email=email, phone=phone, company=company,
                                            source=source)
        deal_id = book.insert("deals", {
            "title": title.strip(), "contact_id": person["id"] if person else None, "value": minor,
            "currency": currency or settings.get(book, "currency"), "stage_id": target["id"],
            "probability": _probability(probability), "source": clean(source),
            "owner": clean(owner) or settings.get(book, "owner"),
            "expected_close": when.to_text(when.day_of(close)) if close else None,
            "tags": tags_join(tags or []), "created_at": created, "stage_entered_at": created})
        _history(book, deal_id, "created", None, target["id"], created, None)
        _run_entry_task(book, deal_id, target, created)
        if note:
            activities.record(book, "note", created, deal_id=deal_id, note=note)
        if next_text:
            tasks.create(book, next_text, next_due if next_due is not None else clock.today(), deal_id=deal_id)
    return view(book, deal_id)


def _history(book: Book, deal_id: int, event: str, from_stage: int | None, to_stage: int, at: str,
             note: str | None) -> None:
    book.insert("stage_history", {"deal_id": deal_id, "event": event, "from_stage_id": from_stage,
                                  "to_stage_id": to_stage, "at": at, "note": clean(note)})
    end_visits(book, [deal_id])


# A visit (created, moved, reopened entry) ends at the deal's next entry, worked out from its whole history
# (a handful of rows) rather than assumed to be the entry just recorded. Entries are ordered by day, then as
# recorded: a whole-day entry (`won --at 2026-11-10`) may follow a timed one of that day (compared as a day,
# see `later_step`), and as text it would sort before it, leaving that visit without an end.
_END_VISITS_SQL = """
UPDATE stage_history AS h SET left_at = (
    SELECT n.at FROM stage_history n
    WHERE n.deal_id = h.deal_id AND (substr(n.at, 1, 10), n.id) > (substr(h.at, 1, 10), h.id)
    ORDER BY substr(n.at, 1, 10), n.id LIMIT 1)
WHERE h.deal_id IN (SELECT value FROM json_each(?)) AND h.event IN ('created', 'moved', 'reopened')
"""


def end_visits(book: Book, deal_ids: Iterable[int]) -> None:
    """Store when each visit of these deals ended (`stage_history.left_at`, read by `report velocity`).

    Every writer of history calls this after recording entries, for the deals it recorded them for."""
    import json

    book.conn.execute(_END_VISITS_SQL, (json.dumps(list(deal_ids)),))


def _run_entry_task(book: Book, deal_id: int, stage: dict[str, Any], at: str) -> None:
    """A stage with a `task` gives every deal that enters it that task, due `task_due` after entry.

    Days and longer give a whole-day due; hours give a time, but only after a timed entry: a deal entered on a
    whole day (`--at 2026-11-20`) has no hour to count from, so its task is due on the day the hours reach
    (`+4h`: that day), never at an invented 04:00."""
    if stage.get("task"):
        offset = when.parse_offset(stage["task_due"])
        entered = when.from_text(at)
        due = offset.apply(entered)
        if offset.unit != "h" or not isinstance(entered, datetime):
            due = when.day_of(due)
        tasks.create(book, stage["task"], due, deal_id=deal_id, origin="stage")


def _open_deal(book: Book, ref: str | int, action: str) -> dict[str, Any]:
    deal = get(book, ref)
    if deal["status"] != "open":
        raise Conflict(f"deal {_label(deal)} is {deal['status']}; `dealflow reopen {deal['id']}` first to {action} it")
    return deal


def later_step(book: Book, deal_id: int, moment: when.Moment) -> dict[str, Any] | None:
    """The last recorded event of a deal's history that `moment` would come before, if any.

    Every recorded event counts, not only the last step: a whole-day step (`--at 2026-11-20`) is compared as a
    day, so any time that day passes it, yet such a time must still not come before the times recorded that
    day (created at 12:00, moved on the 20th, won at 11:30 would be closed before it was created)."""
    steps = book.rows("""SELECT h.event, h.at, s.name AS stage
                         FROM stage_history h JOIN stages s ON s.id = h.to_stage_id
                         WHERE h.deal_id = ? ORDER BY h.id DESC""", (deal_id,))
    return next((step for step in steps if when.earlier(moment, when.from_text(step["at"]))), None)


def in_order(book: Book, deal_id: int, at: str) -> None:
    """Events are recorded in order: a new one cannot come before anything the deal's history holds."""
    step = later_step(book, deal_id, when.from_text(at))
    if step:
        raise InputError(f"--at {at} is before deal #{deal_id} {step_text(step)} ({step['at']}); "
                         "events must be recorded in order")


def step_text(step: dict[str, Any]) -> str:
    """A `later_step` as a sentence says it: `moved to Proposal`, `was won`."""
    return f"moved to {step['stage']}" if step["event"] == "moved" else f"was {step['event']}"


def not_before_created(deal: dict[str, Any], at: str) -> None:
    """Nothing about a deal (an invoice, say) happens before it was created. A whole day is compared as a day."""
    if when.earlier(when.from_text(at), when.from_text(deal["created_at"])):
        raise InputError(f"--at {at} is before deal #{deal['id']} was created ({deal['created_at']}); "
                         "events must be recorded in order")


def enter_stage(book: Book, deal: dict[str, Any], stage: dict[str, Any], at: str, note: str | None) -> None:
    """The one way an open deal changes stage: history, entry task, and the end of any cadence."""
    book.update("deals", deal["id"], {"stage_id": stage["id"], "stage_entered_at": at})
    _history(book, deal["id"], "moved", deal["stage_id"], stage["id"], at, note)
    _run_entry_task(book, deal["id"], stage, at)
    cadence.end(book, deal["id"], at, "moved")


def move(book: Book, ref: str | int, stage_ref: str, *, note: str | None = None,
         at: when.Moment | None = None) -> dict[str, Any]:
    with book.transaction():
        deal = _open_deal(book, ref, "move")
        stage = pipeline.resolve(book, stage_ref)
        if stage["id"] == deal["stage_id"]:
            raise Conflict(f"deal {_label(deal)} is already in {stage['name']}")
        moment = when.event_text(at)
        in_order(book, deal["id"], moment)
        enter_stage(book, deal, stage, moment, note)
    return view(book, deal["id"])


def advance(book: Book, ref: str | int, *, note: str | None = None, at: when.Moment | None = None) -> dict[str, Any]:
    with book.transaction():
        deal = _open_deal(book, ref, "advance")
        stage = pipeline.next_after(book, deal["stage_id"])
        if stage is None:
            raise Conflict(f"deal {_label(deal)} is in the last stage; close it with `dealflow won {deal['id']}`")
        moment = when.event_text(at)
        in_order(book, deal["id"], moment)
        enter_stage(book, deal, stage, moment, note)
    return view(book, deal["id"])


def close(book: Book, ref: str | int, status: str, *, reason: str | None = None, note: str | None = None,
          at: when.Moment | None = None) -> dict[str, Any]:
    """Mark a deal won or lost: its open tasks are completed and its cadence ends."""
    with book.transaction():
        deal = _open_deal(book, ref, "close")
        moment = when.event_text(at)
        in_order(book, deal["id"], moment)
        values: dict[str, Any] = {"status": status, "closed_at": moment}
        if status == "lost":
            if not reason:
                raise InputError(f"say why the deal was lost: --reason with one of "
                                 f"{', '.join(r['name'] for r in reasons.listing(book))}")
            values.update(lost_reason=reasons.resolve(book, reason), lost_note=clean(note))
        book.update("deals", deal["id"], values)
        _history(book, deal["id"], status, deal["stage_id"], deal["stage_id"], moment, note)
        tasks.complete_open_for_deal(book, deal["id"], moment)
        cadence.end(book, deal["id"], moment, status)
    return view(book, deal["id"])


def reopen(book: Book, ref: str | int, *, stage: str | None = None, note: str | None = None,
           at: when.Moment | None = None) -> dict[str, Any]:
    """Open a closed deal again, in the stage it was closed from or in `stage`."""
    with book.transaction():
        deal = get(book, ref)
        if deal["status"] == "open":
            raise Conflict(f"deal {_label(deal)} is already open")
        target = pipeline.resolve(book, stage) if stage else book.row(
            "SELECT * FROM stages WHERE id = ?", (deal["stage_id"],))
        moment = when.event_text(at)
        in_order(book, deal["id"], moment)
        book.update("deals", deal["id"], {"status": "open", "closed_at": None, "lost_reason": None,
                                          "lost_note": None, "stage_id": target["id"], "stage_entered_at": moment})
        _history(book, deal["id"], "reopened", deal["stage_id"], target["id"], moment, note)
        _run_entry_task(book, deal["id"], target, moment)
    return view(book, deal["id"])


def edit(book: Book, ref: str | int, *, title: str | None = None, value: str | None = None,
         currency: str | None = None, contact: str | None = None, source: str | None = None,
         owner: str | None = None, close: when.Moment | None = None, probability: int | None = None,
         clear_probability: bool = False, add_tags: list[str] = (), remove_tags: list[str] = ()) -> dict[str, Any]:
    """Change the fields given; stage and status change only through move/won/lost/reopen."""
    if probability is not None and clear_probability:
        raise InputError("give --probability or --no-probability, not both")
    with book.transaction():
        deal = get(book, ref)
        values: dict[str, Any] = {}
        if title is not None:
            if not clean(title):
                raise InputError("a deal needs a title")
            values["title"] = title.strip()
        if currency is not None:
            values["currency"] = money.normalize_currency(currency)
        if value is not None:
            values["value"], written = _amount(value, values.get("currency"))
            if written:
                values["currency"] = written
        if values.get("currency", deal["currency"]) != deal["currency"] and book.value(
                "SELECT count(*) FROM invoices WHERE deal_id = ? AND voided_at IS NULL", (deal["id"],)):
            raise Conflict(f"deal {_label(deal)} has invoices in {deal['currency']}; its currency cannot change "
                           "(void them first, or keep the currency)")
        if contact is not None:
            values["contact_id"] = contacts.resolve(book, contact)["id"] if contact.strip() else None
        if source is not None:
            values["source"] = clean(source)
        if owner is not None:
            values["owner"] = clean(owner)
        if close is not None:
            values["expected_close"] = when.to_text(when.day_of(close))
        if probability is not None:
            values["probability"] = _probability(probability)
        if clear_probability:
            values["probability"] = None
        if add_tags or remove_tags:
            values["tags"] = tags_edited(deal["tags"], list(add_tags), list(remove_tags))
        if not values:
            raise InputError("nothing to change; give at least one option (see `dealflow edit --help`)")
        book.update("deals", deal["id"], values)
        if values.get("title", deal["title"]) != deal["title"]:
            activities.rename_call_backs(book, deal["title"], values["title"], deal_id=deal["id"])
        if values.get("contact_id", deal["contact_id"]) != deal["contact_id"]:
            _hand_over_tasks(book, deal, values["contact_id"])
    return view(book, deal["id"])


def _hand_over_tasks(book: Book, deal: dict[str, Any], contact_id: int | None) -> None:
    """The deal's open tasks that were its old contact's become the new contact's, so that `tasks` and `today`
    do not send the seller to the old person and number. A call-back stays with whoever called, a task made for
    someone else at the client (`remind 12 … --contact Анна`) stays theirs, and done tasks are history."""
    book.conn.execute(
        """UPDATE tasks SET contact_id = ? WHERE deal_id = ? AND done_at IS NULL AND origin <> 'missed-call'
           AND contact_id IS ?""", (contact_id, deal["id"], deal["contact_id"]))


FILTER_HINTS = {
    "stage": "a stage (its name or the start of it: --stage prop)", "owner": "an owner (--owner alex)",
    "source": "a source (--source site)", "contact": "a contact (a number, name, email or phone)",
    "tag": "a tag (--tag vip)", "search": "some text of the title, contact or company",
}


def listing(book: Book, *, status: str = "open", stage: str | None = None, owner: str | None = None,
            source: str | None = None, contact: str | None = None, tag: str | None = None,
            search: str | None = None, sort: str = "pipeline", limit: int | None = None,
            parked: bool = False) -> list[dict[str, Any]]:
    """Deals filtered and sorted; by default the open ones in pipeline order."""
    if status not in (*STATUSES, "all"):
        raise InputError(f"unknown status {status!r}; use open, won, lost or all")
    if sort not in SORTS:
        raise InputError(f"unknown sort {sort!r}; use {', '.join(SORTS)}")
    if limit is not None and not 1 <= limit <= 10**9:
        raise InputError("--limit must be from 1 to 1000000000")
    refuse_empty_filters({"stage": stage, "owner": owner, "source": source, "contact": contact, "tag": tag,
                          "search": search}, FILTER_HINTS, "deal")
    where, params = [], {"today": clock.today().isoformat()}
    if sort == "value":
        params["currency"] = settings.get(book, "currency")
    if status != "all":
        where.append("d.status = :status")
        params["status"] = status
    if stage:
        where.append("d.stage_id = :stage")
        params["stage"] = pipeline.resolve(book, stage)["id"]
    if owner:
        where.append("fold(d.owner) = :owner")
        params["owner"] = fold(owner.strip())
    if source:
        where.append("fold(d.source) = :source")
        params["source"] = fold(source.strip())
    if contact:
        where.append("d.contact_id = :contact")
        params["contact"] = contacts.resolve(book, contact)["id"]
    if tag:
        where.append(TAG_MATCH.format(column="d.tags").replace("?", ":tag"))
        params["tag"] = fold(tag.strip())
    if search:
        where.append("(instr(fold(d.title), :search) OR instr(fold(coalesce(c.name, '')), :search) "
                     "OR instr(fold(coalesce(c.company, '')), :search))")
        params["search"] = fold(search.strip())
    if parked:
        where.append("EXISTS (SELECT 1 FROM cadences k WHERE k.deal_id = d.id AND k.ended_at IS NULL)")
    sql = VIEW_SQL + (" WHERE " + " AND ".join(where) if where else "") + f" ORDER BY {SORTS[sort]}"
    if limit:
        sql += f" LIMIT {int(limit)}"
    rows = book.rows(sql, params)
    if parked:
        _add_cadences(book, rows)
    return rows


def _add_cadences(book: Book, rows: list[dict[str, Any]]) -> None:
    """Give parked deals their cadence columns (`next_touch` is the touch's due day; `next_due` is the task's)."""
    parked = cadence.states(book)
    for row in rows:
        state = parked[row["id"]]
        row.update(coefficient=state["coefficient"], touches_done=state["touches_done"],
                   touches_total=state["touches_total"], next_touch=state["next_due"], channel=state["channel"])


# A history entry as `show` and `export history` write it (entries `h`, stages `f` from and `t` to): a win or
# loss goes to `won`/`lost` (SPEC §5) from the stage the deal was closed from. Entries in order of day, then
# as recorded: a back-dated whole day (`--at yesterday`) has no time to sort by.
HISTORY_COLUMNS = ("h.event, f.name AS from_stage, "
                   "CASE WHEN h.event IN ('won', 'lost') THEN h.event ELSE t.name END AS to_stage, h.at, h.note")
HISTORY_JOINS = "LEFT JOIN stages f ON f.id = h.from_stage_id JOIN stages t ON t.id = h.to_stage_id"
HISTORY_ORDER = "substr(h.at, 1, 10), h.id"


def history(book: Book, deal_id: int) -> list[dict[str, Any]]:
    """The stage timeline: each entry with the stage names and, for stage entries, days spent there."""
    rows = book.rows(
        f"""SELECT {HISTORY_COLUMNS} FROM stage_history h {HISTORY_JOINS}
            WHERE h.deal_id = ? ORDER BY {HISTORY_ORDER}""", (deal_id,))
    end = when.as_datetime(clock.now())
    for index, row in enumerate(rows):
        if row["event"] in ("won", "lost"):
            row["days"] = None
            continue
        following = rows[index + 1]["at"] if index + 1 < len(rows) else None
        left = when.as_datetime(when.from_text(following)) if following else end
        row["days"] = (left.date() - when.as_datetime(when.from_text(row["at"])).date()).days
    return rows


def card(book: Book, ref: str | int) -> dict[str, Any]:
    """The deal card: fields, stage timeline, activities, tasks, invoices, payments and cadence."""
    from dealflow.core import invoices  # imported here: invoices builds on this module

    deal = get(book, ref)
    shown = view(book, deal["id"])
    contact = contacts.get(book, deal["contact_id"]) if deal["contact_id"] else None
    return {
        **shown,
        "company": contact["company"] if contact else None,
        "phone": contact["phone"] if contact else None,
        "email": contact["email"] if contact else None,
        "lost_note": deal["lost_note"],
        "probability_override": deal["probability"],
        "history": history(book, deal["id"]),
        "activities": book.rows(
            """SELECT id, at, kind, direction, missed, duration_s, note FROM activities
               WHERE deal_id = ? ORDER BY at, id""", (deal["id"],)),
        "tasks": book.rows(
            "SELECT id, text, due, origin, done_at FROM tasks WHERE deal_id = ? ORDER BY done_at IS NOT NULL, due, id",
            (deal["id"],)),
        **invoices.for_deal(book, deal["id"]),
        "cadence": cadence.state(book, deal["id"]),
    }


def rehome(book: Book, old_stage: int, new_stage: int, at: when.Moment | None) -> int:
    """Move every deal of a stage being removed to another: an open one with a history entry from the old
    stage (and the new stage's task), a closed one as closed from there. Earlier history is left as it was."""
    moment = when.event_text(at)
    name = book.value("SELECT name FROM stages WHERE id = ?", (old_stage,))
    open_ids = [row[0] for row in book.conn.execute(
        "SELECT id FROM deals WHERE stage_id = ? AND status = 'open'", (old_stage,))]
    moved = book.conn.execute("UPDATE deals SET stage_id = ? WHERE stage_id = ?", (new_stage, old_stage)).rowcount
    stage = book.row("SELECT * FROM stages WHERE id = ?", (new_stage,))
    for deal_id in open_ids:
        in_order(book, deal_id, moment)
        book.update("deals", deal_id, {"stage_entered_at": moment})
        _history(book, deal_id, "moved", old_stage, new_stage, moment, f"stage {name!r} was removed")
        _run_entry_task(book, deal_id, stage, moment)
    return moved
