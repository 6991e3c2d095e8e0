"""Follow-up cadences for undecided clients (SPEC §8).

A client who "went to think" is parked: the deal's value picks an importance tier, the tier's coefficient
times `cadence.base` gives the number of touches the client is worth, spaced `cadence.interval` apart on
channels cycled from `cadence.channels`. The cadence row keeps only what was decided at park time; the
touches done and the next due date are derived from the activity log when read, so nothing has to hook
into `log`: any activity on the deal other than a note, at or after parking, is the next touch.
"""

from __future__ import annotations

from datetime import date

from dealflow.core import money, settings, when
from dealflow.core.agenda_items import DEAL_COLUMNS, DEAL_JOINS, RANKS, item
from dealflow.core.book import Book
from dealflow.core.errors import Conflict, InputError
from dealflow.core.text import clean, counted

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (see dealflow/__init__.py)
if TYPE_CHECKING:
    from typing import Any

KEYS = ("base", "tiers", "interval", "channels")

# Every active cadence of an open deal with the deal's agenda fields and its touches so far: activities
# after the parking moment (at the same moment, only those logged after the `park` command, which matters
# when a script pins the clock). A whole day against an instant is compared as a day, as `when.earlier` does:
# both are cut to the shorter one's length (`2026-11-23` against `2026-11-23T09:00…` is the same moment), so a
# call logged `--at today` after parking at 09:00 counts. The count is capped at the total; `last_touch_at` is
# the last that counted.
_ACTIVE_SQL = """
WITH touches AS (
    SELECT deal_id, at, row_number() OVER (PARTITION BY deal_id ORDER BY at, id) AS n
    FROM (SELECT a.deal_id, a.at, a.id, k.parked_at, k.last_activity_before,
                 min(length(a.at), length(k.parked_at)) AS width
          FROM cadences k JOIN activities a ON a.deal_id = k.deal_id AND a.kind <> 'note'
          WHERE k.ended_at IS NULL {where})
    WHERE (substr(at, 1, width), id) > (substr(parked_at, 1, width), last_activity_before)
), {ranks}, active AS (
    SELECT k.*, min(k.touches_total, coalesce((SELECT max(t.n) FROM touches t WHERE t.deal_id = k.deal_id), 0))
                AS touches_done
    FROM cadences k WHERE k.ended_at IS NULL {where}
)
SELECT k.parked_at, k.coefficient, k.touches_total, k.touches_done, k.interval, k.channels, k.note,
       (SELECT t.at FROM touches t WHERE t.deal_id = k.deal_id AND t.n = k.touches_done) AS last_touch_at,
       {deal_columns}
FROM active k
CROSS JOIN deals d ON d.id = k.deal_id AND d.status = 'open'  -- CROSS: from the few cadences, not every open deal
{deal_joins}
ORDER BY k.deal_id
"""


def touches_for(coefficient: float, base: int) -> int:
    """coefficient × base, rounded half up in exact decimal arithmetic (1.15 × 10 is 12, never 11)."""
    from decimal import ROUND_HALF_UP, Decimal  # lazily: every command imports this module via deals

    exact = Decimal(str(coefficient)) * base
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def coefficient_for(tiers: list[tuple[int, float]], value: int) -> float:
    """The coefficient of the highest tier whose threshold the value reaches (a threshold belongs to its tier)."""
    return [coefficient for threshold, coefficient in tiers if value >= threshold][-1]


def configuration(book: Book) -> dict[str, Any]:
    """The cadence settings, typed, with the tier table they give."""
    base = settings.get(book, "cadence.base")
    currency = settings.get(book, "currency")
    tiers = settings.get(book, "cadence.tiers")
    return {
        "base": base,
        "interval": str(settings.get(book, "cadence.interval")).lstrip("+"),
        "channels": settings.get(book, "cadence.channels"),
        "currency": currency,
        "tiers": [{"threshold": threshold, "currency": currency, "coefficient": coefficient,
                   "touches": touches_for(coefficient, base)} for threshold, coefficient in tiers],
    }


def configure(book: Book, *, base: str | None = None, tiers: str | None = None, interval: str | None = None,
              channels: str | None = None) -> dict[str, Any]:
    """Change any of the cadence settings: every value is checked before any is stored."""
    given = {f"cadence.{key}": value for key, value in zip(KEYS, (base, tiers, interval, channels))
             if value is not None}
    if not given:
        raise InputError("nothing to change; give --base, --tiers, --interval or --channels")
    for key, value in given.items():
        try:
            settings.known(key).read(value)
        except InputError as exc:
            raise InputError(f"--{key.removeprefix('cadence.')}: {exc}") from None
    with book.transaction():
        for key, value in given.items():
            settings.set_value(book, key, value)
    return configuration(book)


def _label(deal: dict[str, Any]) -> str:
    return f'#{deal["id"]} "{deal["title"]}"'


def _active_id(book: Book, deal_id: int) -> int | None:
    return book.value("SELECT id FROM cadences WHERE deal_id = ? AND ended_at IS NULL", (deal_id,))


def _coefficient(book: Book, deal: dict[str, Any], given: str | None) -> float:
    """The deal's tier coefficient, or the one the seller gives.

    Tier thresholds are in the default currency and dealflow converts no currencies, so a deal in another
    currency has no tier: the seller names its importance with `--coefficient` rather than have a dollar
    amount silently compared with rouble thresholds.
    """
    if given is not None:
        from decimal import Decimal

        try:
            coefficient = Decimal(given.strip())
            valid = coefficient.is_finite() and 0 <= coefficient <= 100
        except ArithmeticError:  # not a number at all
            valid = False
        if not valid:
            raise InputError(f"--coefficient {given!r} must be a number from 0 to 100, e.g. 0.5 or 1.5")
        return float(coefficient)
    currency = settings.get(book, "currency")
    if deal["currency"] != currency:
        choices = ", ".join(f"{c:g}" for c in sorted({c for _, c in settings.get(book, "cadence.tiers")}))
        raise InputError(
            f"deal {_label(deal)} is in {deal['currency']} but the cadence tiers are in {currency} "
            f"(setting `currency`) and dealflow does not convert currencies; say how much the client is "
            f"worth chasing with --coefficient (the tiers use {choices})")
    return coefficient_for(settings.get(book, "cadence.tiers"), deal["value"])


def park(book: Book, ref: str | int, *, note: str | None = None, at: when.Moment | None = None,
         coefficient: str | None = None) -> dict[str, Any]:
    """Park an open deal into a follow-up cadence sized by its tier; returns the deal with its `cadence`."""
    from dealflow.core import deals  # deals imports this module to end cadences

    with book.transaction():
        deal = deals.get(book, ref)
        if deal["status"] != "open":
            raise Conflict(f"deal {_label(deal)} is {deal['status']}; only an open deal can be parked "
                           f"(`dealflow reopen {deal['id']}` first)")
        if _active_id(book, deal["id"]):
            raise Conflict(f"deal {_label(deal)} is already parked; `dealflow show {deal['id']}` shows its "
                           f"cadence, `dealflow unpark {deal['id']}` ends it")
        moment = when.event_text(at)
        deals.in_order(book, deal["id"], moment)  # parked before a move or a reopen, the move would have ended it
        factor = _coefficient(book, deal, coefficient)
        book.insert("cadences", {
            "deal_id": deal["id"], "parked_at": moment,
            "coefficient": factor, "touches_total": touches_for(factor, settings.get(book, "cadence.base")),
            "interval": str(settings.get(book, "cadence.interval")).lstrip("+"),
            "channels": ",".join(settings.get(book, "cadence.channels")), "note": clean(note),
            "last_activity_before": book.value("SELECT coalesce(max(id), 0) FROM activities")})
        return {**deals.view(book, deal["id"]), "cadence": state(book, deal["id"])}


def unpark(book: Book, ref: str | int, *, at: when.Moment | None = None) -> dict[str, Any]:
    """End a deal's cadence without moving or closing it; returns the deal as listed."""
    from dealflow.core import deals  # deals imports this module to end cadences

    with book.transaction():
        deal = deals.get(book, ref)
        if not end(book, deal["id"], when.event_text(at), "unparked"):
            raise Conflict(f"deal {_label(deal)} is not parked; `dealflow deals --parked` lists parked deals")
    return deals.view(book, deal["id"])


def end(book: Book, deal_id: int, at: str, reason: str) -> bool:
    """End a deal's active cadence (the deal moved or closed); True when there was one.

    A cadence cannot end before it began: a back-dated move, close or unpark before the parking is refused."""
    parked_at = book.value("SELECT parked_at FROM cadences WHERE deal_id = ? AND ended_at IS NULL", (deal_id,))
    if parked_at and when.earlier(when.from_text(at), when.from_text(parked_at)):
        raise InputError(f"--at {at} is before deal #{deal_id} was parked ({parked_at}); "
                         "events must be recorded in order")
    return book.conn.execute(
        "UPDATE cadences SET ended_at = ?, end_reason = ? WHERE deal_id = ? AND ended_at IS NULL",
        (at, reason, deal_id),
    ).rowcount > 0


def _progress(row: dict[str, Any]) -> dict[str, Any]:
    """Add what is derived from a cadence row: the next touch's number, due day and channel."""
    channels = row["channels"].split(",")
    done, total = row["touches_done"], row["touches_total"]
    last = when.day_of(when.from_text(row["last_touch_at"] or row["parked_at"]))
    pending = done < total
    return {
        **row,
        "next_touch": done + 1 if pending else None,
        "next_due": when.parse_offset(row["interval"]).apply(last) if pending else None,
        "channel": channels[done % len(channels)] if pending else None,
        "exhausted_on": None if pending else last,
    }


def _active(book: Book, deal_id: int | None = None) -> list[dict[str, Any]]:
    """The progress of every active cadence (or one deal's): one query, then a little arithmetic each."""
    sql = _ACTIVE_SQL.format(where="AND k.deal_id = :deal" if deal_id is not None else "", ranks=RANKS,
                             deal_columns=DEAL_COLUMNS, deal_joins=DEAL_JOINS)
    return [_progress(row) for row in book.rows(sql, {"deal": deal_id})]


def _public(progress: dict[str, Any]) -> dict[str, Any]:
    """The cadence as the deal card and `show --format json` give it."""
    due = progress["next_due"]
    return {"coefficient": progress["coefficient"], "touches_total": progress["touches_total"],
            "touches_done": progress["touches_done"], "next_due": due.isoformat() if due else None,
            "channel": progress["channel"], "parked_at": progress["parked_at"], "note": progress["note"]}


def state(book: Book, deal_id: int) -> dict[str, Any] | None:
    """The deal's active cadence, or None when it is not parked."""
    found = _active(book, deal_id)
    return _public(found[0]) if found else None


def states(book: Book) -> dict[int, dict[str, Any]]:
    """Every parked deal's cadence by deal id (for `deals --parked`)."""
    return {progress["deal_id"]: _public(progress) for progress in _active(book)}


def _item(progress: dict[str, Any], kind: str, due: date, day: date, detail: str) -> dict[str, Any]:
    return item(kind, progress, due=due.isoformat(), days=(day - due).days, detail=detail)


def agenda_follow_up(book: Book, day: date, until: date) -> list[dict[str, Any]]:
    """`follow-up` items: a touch due on or before `until`; `days` counts from `day` (negative: ahead)."""
    items = []
    for progress in _active(book):
        if progress["next_due"] is not None and progress["next_due"] <= until:
            who = progress["contact"] or progress["deal"]
            detail = (f"Follow up {who} (touch {progress['next_touch']} of {progress['touches_total']}, "
                      f"{progress['channel']})")
            items.append(_item(progress, "follow-up", progress["next_due"], day, detail))
    return sorted(items, key=lambda item: (item["due"], item["deal_id"]))


def agenda_decide(book: Book, day: date, until: date) -> list[dict[str, Any]]:
    """`decide` items: a cadence with no touches left, due from its last touch (or parking, for none)."""
    items = []
    for progress in _active(book):
        exhausted = progress["exhausted_on"]
        if exhausted is not None and exhausted <= until:
            total = progress["touches_total"]
            done = (f"{total} of {counted(total, 'touch', 'touches')} done" if total
                    else "its tier allows no follow-ups")
            items.append(_item(progress, "decide", exhausted, day, f"Decide: {done} — close it won or lost"))
    return sorted(items, key=lambda item: (item["due"], item["deal_id"]))


DRAFTS = {
    "email": ("Subject: {deal}\n\nHello {contact},\n\nI am following up on {deal} ({value}). Have you had a "
              "chance to think it over? I am happy to answer any questions or adjust the proposal.\n\n"
              "Best regards"),
    "call": ("Call {contact} about {deal} ({value}): ask whether they have decided, what is holding them back, "
             "and agree on the next step."),
    "meeting": "Offer {contact} a short meeting about {deal} ({value}) to go through open questions.",
    "message": "Hello {contact}! Just checking in on {deal} ({value}) — any thoughts so far?",
}


def draft(book: Book, ref: str | int) -> dict[str, Any]:
    """The text for a parked deal's next touch, from the template of its channel."""
    from dealflow.core import deals  # deals imports this module to end cadences

    deal = deals.get(book, ref)
    found = _active(book, deal["id"])
    if not found:
        raise Conflict(f"deal {_label(deal)} is not parked; `dealflow park {deal['id']}` starts a cadence")
    progress = found[0]
    if progress["channel"] is None:
        raise Conflict(f"deal {_label(deal)} has no follow-ups left; time to decide: "
                       f"`dealflow won {deal['id']}` or `dealflow lost {deal['id']} --reason R`")
    text = DRAFTS[progress["channel"]].format(
        contact=progress["contact"] or "there", deal=progress["deal"],
        value=money.to_human(progress["value"], progress["currency"]))
    return {"deal_id": deal["id"], "touch": progress["next_touch"], "touches_total": progress["touches_total"],
            "channel": progress["channel"], "due": progress["next_due"].isoformat(), "text": text}
