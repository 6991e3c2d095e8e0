"""Invoices and payments: the money side of a deal, from "terms agreed" to money received (SPEC §9).

Nothing about an invoice's progress is stored: its status (issued, partial, paid, void), balance and
"overdue" are derived from its payments, `voided_at` and the day asked about, when read.
Issuing and full payment move the deal along the pipeline through `deals.move`/`deals.close`, so the
history, entry tasks and cadence ending are exactly those of a manual move.

Money is exact: a line's amount is quantity × price rounded half up to the cent (minor unit).
"""

from __future__ import annotations

from datetime import date, timedelta

from dealflow.core import clock, money, pipeline, settings, when
from dealflow.core.agenda_items import DEAL_COLUMNS, DEAL_JOINS, RANKS, item
from dealflow.core.book import Book
from dealflow.core.errors import Conflict, InputError, NotFound
from dealflow.core.text import Regex, clean, counted, fold

# `deals` and `decimal` are imported inside the functions that need them: `today` reads this module for
# its agenda kinds only, and skips their imports.
TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (see dealflow/__init__.py)
if TYPE_CHECKING:
    from decimal import Decimal
    from typing import Any

FILTERS = {
    "open": "v.status IN ('issued', 'partial')",
    "overdue": "v.days_overdue > 0",
    "paid": "v.status = 'paid'",
    "all": "1",
}

# Each invoice with what its payments make of it on the day `:today`. The inner query sums the
# payments once per invoice (indexed by invoice), the outer one derives balance, status and lateness.
VIEW_SQL = """
SELECT f.id, f.number, f.seq, f.deal_id, d.title AS deal, c.name AS contact, c.company, d.contact_id,
       f.issued, f.due, f.total, f.paid,
       CASE WHEN f.voided_at IS NULL THEN f.total - f.paid ELSE 0 END AS balance, f.currency,
       CASE WHEN f.voided_at IS NOT NULL THEN 'void' WHEN f.paid >= f.total THEN 'paid'
            WHEN f.paid > 0 THEN 'partial' ELSE 'issued' END AS status,
       CASE WHEN f.voided_at IS NULL AND f.paid < f.total AND f.due < :today
            THEN CAST(julianday(:today) - julianday(f.due) AS INTEGER) ELSE 0 END AS days_overdue,
       f.voided_at, f.void_note
FROM (SELECT i.*, coalesce((SELECT sum(p.amount) FROM payments p WHERE p.invoice_id = i.id), 0) AS paid
      FROM invoices i) f
JOIN deals d ON d.id = f.deal_id
LEFT JOIN contacts c ON c.id = d.contact_id
"""

# Line breaks and other control characters (C0, DEL, C1, Unicode line and paragraph separators).
_CONTROL = Regex(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_ITEM = Regex(r"(?s)^(?P<text>.+)=\s*(?P<qty>\d+(?:[.,]\d{1,3})?)\s*\*\s*(?P<price>.+)$")


# --- reading ---------------------------------------------------------------------------------------------


def listing(book: Book, which: str | None = None, *, deal: str | int | None = None) -> list[dict[str, Any]]:
    """Invoices by state (open = issued or partly paid; overdue; paid; all), optionally of one deal.

    Without a state: the open ones, or every invoice of the deal when one is named, paid and void ones too
    (a seller looking at one deal wants its whole money story, as its card shows it, status beside each).
    """
    from dealflow.core import deals

    which = which or ("open" if deal is None else "all")
    if which not in FILTERS:
        raise InputError(f"unknown invoice filter {which!r}; use {', '.join(FILTERS)}")
    where, params = [FILTERS[which]], {"today": clock.today().isoformat()}
    if deal is not None:
        where.append("v.deal_id = :deal")
        params["deal"] = deals.get(book, deal)["id"]
    order = "v.due, v.seq" if which in ("open", "overdue") else "v.seq"
    return book.rows(f"SELECT * FROM ({VIEW_SQL}) v WHERE {' AND '.join(where)} ORDER BY {order}", params)


def get(book: Book, number: str) -> dict[str, Any]:
    """One invoice by its number as printed (`INV-0007`), in any case."""
    given = str(number).strip()
    # The number as printed is found through its unique index; only another case needs the scan.
    invoice_id = (book.value("SELECT id FROM invoices WHERE number = ?", (given,))
                  or book.value("SELECT id FROM invoices WHERE fold(number) = ?", (fold(given),)))
    found = invoice_id and book.row(f"SELECT * FROM ({VIEW_SQL}) v WHERE v.id = :id",
                                    {"id": invoice_id, "today": clock.today().isoformat()})
    if not found:
        raise NotFound(f"no invoice {number!r}; `dealflow invoice list --all` lists them")
    return found


def show(book: Book, number: str) -> dict[str, Any]:
    """An invoice with its lines and payments; a line's quantity is a number (`2`, `1.5`), as JSON wants it.

    It is stored as exact decimal text of at most three decimals, which a float gives back digit for digit."""
    invoice = get(book, number)
    return {
        **invoice,
        "lines": book.rows("""SELECT text, CAST(quantity AS NUMERIC) AS quantity, price, amount
                              FROM invoice_lines WHERE invoice_id = ? ORDER BY id""", (invoice["id"],)),
        "payments": _payments(book, "p.invoice_id = ?", (invoice["id"],)),
    }


def _payments(book: Book, condition: str, params: tuple) -> list[dict[str, Any]]:
    return book.rows(
        f"""SELECT p.id, i.number, i.deal_id, p.at, p.amount, i.currency, p.method
            FROM payments p JOIN invoices i ON i.id = p.invoice_id JOIN deals d ON d.id = i.deal_id
            WHERE {condition} ORDER BY p.at, p.id""", params)


def for_deal(book: Book, deal_id: int) -> dict[str, list[dict[str, Any]]]:
    """The deal card's money: every invoice of the deal and every payment on them."""
    return {"invoices": listing(book, "all", deal=deal_id), "payments": _payments(book, "i.deal_id = ?", (deal_id,))}


def for_contact(book: Book, contact_id: int) -> dict[str, list[dict[str, Any]]]:
    """The client card's money: invoices, payments, and per currency what was paid and what is still due."""
    params = {"contact": contact_id, "today": clock.today().isoformat()}
    invoices = book.rows(f"SELECT * FROM ({VIEW_SQL}) v WHERE v.contact_id = :contact ORDER BY v.seq", params)
    return {
        "invoices": invoices,
        "payments": _payments(book, "d.contact_id = ?", (contact_id,)),
        "paid": book.rows(f"""SELECT currency, sum(paid) AS amount FROM ({VIEW_SQL}) v
                              WHERE v.contact_id = :contact AND paid > 0 GROUP BY currency ORDER BY currency""",
                          params),
        "balance": book.rows(f"""SELECT currency, sum(balance) AS balance FROM ({VIEW_SQL}) v
                                 WHERE v.contact_id = :contact AND balance > 0 GROUP BY currency
                                 ORDER BY currency""", params),
    }


def document(book: Book, number: str) -> dict[str, Any]:
    """Everything printed on the invoice: the invoice, its lines and payments, seller and buyer."""
    invoice = show(book, number)
    buyer = book.row("SELECT name, company, email, phone FROM contacts WHERE id = ?", (invoice["contact_id"],))
    return {**invoice, "seller": {"name": settings.get(book, "seller.name"),
                                  "details": settings.get(book, "seller.details")},
            "buyer": buyer or {"name": None, "company": None, "email": None, "phone": None}}


# --- issuing ---------------------------------------------------------------------------------------------


def parse_item(text: str) -> tuple[str, Decimal, int, str | None]:
    """`"Pump=2*1500"` → (text, quantity, price in minor units, currency written or None)."""
    match = _ITEM.match(text.strip())
    if not match or not clean(match["text"]):
        raise InputError(f"cannot read item {text!r}; write it as \"TEXT=QTY*PRICE\", e.g. \"Pump=2*1500\" "
                         "(the quantity may have up to three decimals: \"Cable, m=1.5*120\")")
    if _CONTROL.search(match["text"]):  # pasted or typed by mistake: one item is one line of the invoice
        raise InputError(f"item {text!r}: its text has a line break or another control character; write each "
                         "item on one line (one --item for each line of the invoice)")
    from decimal import Decimal

    quantity = Decimal(match["qty"].replace(",", "."))
    if quantity <= 0:
        raise InputError(f"item {text!r}: the quantity must be above zero")
    price, currency = money.parse_amount(match["price"])
    return match["text"].strip(), quantity, price, currency


def line_amount(quantity: Decimal, price: int) -> int:
    """Quantity × price in minor units, rounded half up to a whole minor unit (cent, kopeck)."""
    from decimal import ROUND_HALF_UP, Decimal

    return int((quantity * price).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _quantity_text(quantity: Decimal) -> str:
    text = f"{quantity:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _same_currency(written: str | None, currency: str, what: str) -> None:
    if written and written != currency:
        raise InputError(f"{what} is in {written} but the deal is in {currency}; invoice in the deal's currency "
                         f"(or change it with `dealflow edit DEAL --currency {written}`)")


def _lines(book: Book, deal: dict[str, Any], amount: str | None, items: list[str]) -> list[dict[str, Any]]:
    """The invoice lines: the items given, else one line for the amount (default: what is not yet invoiced)."""
    if items:
        lines = []
        for item in items:
            text, quantity, price, currency = parse_item(item)
            _same_currency(currency, deal["currency"], f"item {item!r}")
            lines.append({"text": text, "quantity": _quantity_text(quantity), "price": price,
                          "amount": line_amount(quantity, price)})
        total = sum(line["amount"] for line in lines)
        if total > money.MAX_MINOR:
            raise InputError(f"the items add up to {money.to_plain(total)}; an invoice goes up to "
                             f"{money.to_plain(money.MAX_MINOR)}")
        return lines
    if amount is not None:
        total, currency = money.parse_amount(amount)
        _same_currency(currency, deal["currency"], f"--amount {amount!r}")
    elif not deal["value"]:
        raise InputError(f"deal #{deal['id']} has no value; give --amount AMOUNT or --item \"TEXT=QTY*PRICE\"")
    else:
        total = _not_invoiced(book, deal)
    return [{"text": deal["title"], "quantity": "1", "price": total, "amount": total}]


def _not_invoiced(book: Book, deal: dict[str, Any]) -> int:
    """The deal's value less its live (not void) invoices: an advance of 400 on a 1 000 deal leaves 600 to bill,
    so `invoice add DEAL` after it bills the rest, not the whole value a second time.

    The invoices are all in the deal's currency: a deal with live invoices cannot change it (`deals.edit`)."""
    billed = book.row("""SELECT coalesce(sum(total), 0) AS total, group_concat(number, ', ') AS numbers
                         FROM (SELECT total, number FROM invoices WHERE deal_id = ? AND voided_at IS NULL
                               ORDER BY seq)""", (deal["id"],))
    left = deal["value"] - billed["total"]
    if left <= 0:
        raise InputError(f"deal #{deal['id']} is invoiced in full already: "
                         f"{money.to_human(billed['total'], deal['currency'])} of its "
                         f"{money.to_human(deal['value'], deal['currency'])} ({billed['numbers']}); to bill more "
                         "anyway, give --amount AMOUNT or --item \"TEXT=QTY*PRICE\"")
    return left


def _due_day(book: Book, due: str | when.Moment | None, issued: date) -> date:
    """When the invoice is due: `due` (a day, or a WHEN as typed), else the issue date plus `invoice.due_days`.

    An offset (`+14d`, `1m`) is payment terms, so it counts from the issue date: a back-dated invoice
    (`--at 2026-11-01 --due +14d`) is due 2026-11-15 whatever day it is typed in. Any other WHEN names
    a calendar day (`eom`, `fri`, `2026-12-20`) and is read as usual."""
    if due is None:
        return issued + timedelta(days=settings.get(book, "invoice.due_days"))
    if not isinstance(due, str):
        return when.day_of(due)
    try:
        terms = when.parse_offset(due)
    except InputError:  # not an offset
        return when.day_of(when.parse(due, ahead=True))
    return when.day_of(terms.apply(issued))


def _next_number(book: Book) -> tuple[int, str]:
    """The next sequence number and the invoice number it makes with the current prefix.

    Sequences are never reused (invoices are never deleted, so max(seq) only grows). A changed prefix
    could still spell an existing number (`INV-1` + `0012` = `INV-` + `10012`): such a sequence is skipped.
    Such a number must end in the same digits, which SQLite compares before anything is folded.
    """
    prefix = settings.get(book, "invoice.prefix")
    seq = (book.value("SELECT max(seq) FROM invoices") or 0) + 1
    while book.value("SELECT 1 FROM invoices WHERE substr(number, -?) = ? AND fold(number) = ?",
                     (len(f"{seq:04d}"), f"{seq:04d}", fold(f"{prefix}{seq:04d}"))):
        seq += 1
    return seq, f"{prefix}{seq:04d}"


def add(book: Book, deal_ref: str | int, *, amount: str | None = None, items: list[str] | None = None,
        due: str | when.Moment | None = None, at: when.Moment | None = None) -> dict[str, Any]:
    """Issue an invoice for a deal; an open deal earlier in the pipeline moves to the invoice stage.

    `due` is a WHEN as typed (see `_due_day`) or a day. Returns the invoice (as `show` gives it) plus `deal_change`: what happened to the deal, or None.
    """
    from dealflow.core import deals

    if amount is not None and items:
        raise InputError("give --amount or --item lines, not both")
    moment = when.event_moment(at)
    issued = when.day_of(moment)
    with book.transaction():
        deal = deals.get(book, deal_ref)
        if deal["status"] == "lost":
            raise Conflict(f"deal #{deal['id']} is lost; `dealflow reopen {deal['id']}` first to invoice it")
        deals.not_before_created(deal, when.to_text(moment))
        lines = _lines(book, deal, amount, items or [])
        total = sum(line["amount"] for line in lines)
        if total <= 0:
            raise InputError("an invoice must be for more than zero; give a positive --amount or item prices")
        due_day = _due_day(book, due, issued)
        if due_day < issued:
            raise InputError(f"the due date {due_day} is before the issue date {issued}")
        seq, number = _next_number(book)
        invoice_id = book.insert("invoices", {"number": number, "seq": seq, "deal_id": deal["id"],
                                              "currency": deal["currency"], "total": total,
                                              "issued": issued.isoformat(), "due": due_day.isoformat()})
        for line in lines:
            book.insert("invoice_lines", {"invoice_id": invoice_id, **line})
        change = _advance_to(book, deal, "invoice", moment, f"invoice {number} issued")
        return {**show(book, number), "deal_change": change}


def _position(book: Book, stage_id: int) -> int:
    return book.value("SELECT position FROM stages WHERE id = ?", (stage_id,))


def _advance_to(book: Book, deal: dict[str, Any], role: str, moment: when.Moment, note: str) -> str | None:
    """Move an open deal to the stage with `role` if it is earlier in the pipeline; say what happened."""
    from dealflow.core import deals

    target = pipeline.by_role(book, role)
    if deal["status"] != "open" or target is None or _position(book, deal["stage_id"]) >= target["position"]:
        return None
    if later := _later(book, deal, moment):
        return f"deal #{deal['id']} not moved to {target['name']}: {later}"
    deals.move(book, deal["id"], target["name"], note=note, at=moment)
    return f"deal #{deal['id']} moved to {target['name']}"


def _later(book: Book, deal: dict[str, Any], moment: when.Moment) -> str | None:
    """`it was reopened later (…)` when the deal's history has a step after a back-dated issue or payment.

    The money is recorded all the same (it is a fact of its own day); the deal is left as the seller's later
    step put it, since moving or closing it back then would rewrite its history."""
    from dealflow.core import deals

    step = deals.later_step(book, deal["id"], moment)
    return f"it {deals.step_text(step)} later ({step['at']})" if step else None


# --- payments and voiding --------------------------------------------------------------------------------


def pay(book: Book, number: str, *, amount: str | None = None, at: when.Moment | None = None,
        method: str | None = None) -> dict[str, Any]:
    """Record a payment (default: the whole balance). Full payment moves the deal on or marks it won.

    Returns the invoice (as `show` gives it) plus `payment` (the amount just paid) and `deal_change`.
    """
    from dealflow.core import deals

    moment = when.event_moment(at)
    with book.transaction():
        invoice = get(book, number)
        if invoice["status"] in ("void", "paid"):
            raise Conflict(f"{invoice['number']} is {'void' if invoice['status'] == 'void' else 'paid in full'}; "
                           "there is nothing to pay on it")
        if when.day_of(moment) < date.fromisoformat(invoice["issued"]):
            raise InputError(f"a payment cannot come before {invoice['number']} was issued ({invoice['issued']})")
        paid = _payment_amount(invoice, amount)
        book.insert("payments", {"invoice_id": invoice["id"], "amount": paid, "at": when.to_text(moment),
                                 "method": clean(method)})
        change = None
        if paid == invoice["balance"]:
            settled = _last_payment(book, invoice["id"])
            book.update("invoices", invoice["id"], {"paid_at": when.to_text(settled)})
            change = _on_paid(book, deals.get(book, invoice["deal_id"]), settled, f"{invoice['number']} paid in full")
        return {**show(book, invoice["number"]), "payment": paid, "deal_change": change}


def _last_payment(book: Book, invoice_id: int) -> when.Moment:
    """When an invoice was paid in full: its latest payment, whatever order the payments were typed in (from a
    bank statement, the rest may be recorded before the advance that came first)."""
    payments = book.rows("SELECT at FROM payments WHERE invoice_id = ?", (invoice_id,))
    return max((when.from_text(payment["at"]) for payment in payments), key=when.as_datetime)


def _payment_amount(invoice: dict[str, Any], amount: str | None) -> int:
    if amount is None:
        return invoice["balance"]
    minor, currency = money.parse_amount(amount)
    if currency and currency != invoice["currency"]:
        raise InputError(f"--amount {amount!r} is in {currency} but {invoice['number']} is in {invoice['currency']}; "
                         f"a payment is recorded in its invoice's currency: give the amount received in "
                         f"{invoice['currency']}")
    if minor <= 0:
        raise InputError("a payment must be more than zero")
    if minor > invoice["balance"]:
        balance = money.to_human(invoice["balance"], invoice["currency"])
        raise Conflict(f"{invoice['number']} has only {balance} unpaid; "
                       f"a payment of {money.to_human(minor, invoice['currency'])} is more than that: record at most "
                       f"{balance} (leave out --amount to pay the whole balance)")
    return minor


def _on_paid(book: Book, deal: dict[str, Any], moment: when.Moment, note: str) -> str | None:
    """A fully paid invoice moves its deal to the payment stage, or marks it won (`won_on_payment`)."""
    from dealflow.core import deals

    if pipeline.by_role(book, "payment") is not None:
        return _advance_to(book, deal, "payment", moment, note)
    if deal["status"] == "open" and settings.get(book, "won_on_payment"):
        if later := _later(book, deal, moment):
            return f"deal #{deal['id']} not marked won: {later}; `dealflow won {deal['id']}` closes it"
        deals.close(book, deal["id"], "won", note=note, at=moment)
        return f"deal #{deal['id']} won"
    return None


def void(book: Book, number: str, *, note: str | None = None, at: when.Moment | None = None) -> dict[str, Any]:
    """Cancel an invoice that nobody has paid on; its number stays used."""
    with book.transaction():
        invoice = get(book, number)
        if invoice["status"] == "void":
            raise Conflict(f"{invoice['number']} is already void")
        if invoice["paid"]:  # SPEC §9; dealflow records money received, it does not pay it back
            raise Conflict(f"{invoice['number']} has payments ({money.to_human(invoice['paid'], invoice['currency'])}"
                           "), and money received stays on record: an invoice with payments cannot be voided. If "
                           "the money goes back to the client, refund it outside dealflow; to bill another amount, "
                           "issue a correcting invoice with "
                           f"`dealflow invoice add {invoice['deal_id']} --amount AMOUNT`")
        moment = when.event_moment(at)
        if when.day_of(moment) < date.fromisoformat(invoice["issued"]):
            raise InputError(f"{invoice['number']} cannot be voided before it was issued ({invoice['issued']})")
        book.update("invoices", invoice["id"], {"voided_at": when.to_text(moment), "void_note": clean(note)})
        return show(book, invoice["number"])


# --- agenda kinds ----------------------------------------------------------------------------------------

def _unpaid(book: Book, day: date, due_from: str, due_before: str) -> list[dict[str, Any]]:
    """Invoices with an unpaid balance due from `due_from` up to (not including) `due_before`, oldest first,
    with their deal's item fields; `days` overdue as of `day`."""
    return book.rows(
        f"""WITH {RANKS}
            SELECT {DEAL_COLUMNS}, f.total - f.paid AS balance, f.currency AS invoice_currency, f.total, f.due,
                   f.number,
                   CAST(julianday(:day) - julianday(f.due) AS INTEGER) AS days
            FROM (SELECT i.*, coalesce((SELECT sum(p.amount) FROM payments p WHERE p.invoice_id = i.id), 0) AS paid
                  FROM invoices i WHERE i.voided_at IS NULL AND i.paid_at IS NULL
                                    AND i.due >= :due_from AND i.due < :due_before) f
            JOIN deals d ON d.id = f.deal_id {DEAL_JOINS}
            WHERE f.paid < f.total ORDER BY f.due, f.seq""",
        {"day": day.isoformat(), "due_from": due_from, "due_before": due_before})


def _invoice_item(kind: str, row: dict[str, Any], state: str) -> dict[str, Any]:
    """An item about an unpaid invoice, in the invoice's own currency (a deal's cannot change under it);
    `value` is the balance."""
    owed, total, currency = row["balance"], row["total"], row["invoice_currency"]
    detail = f"{row['number']}: {money.to_human(owed, currency)} of {money.to_human(total, currency)} {state}"
    return item(kind, {**row, "value": owed, "currency": currency}, due=row["due"], days=row["days"],
                detail=detail, invoice=row["number"])


def agenda_overdue(book: Book, day: date, until: date) -> list[dict[str, Any]]:
    """`invoice-overdue`: invoices with an unpaid balance after their due date, as of `day`.

    Overdue is a fact of one day, so the look-ahead `until` does not widen it.
    """
    return [_invoice_item("invoice-overdue", row, f"unpaid, {counted(row['days'], 'day')} overdue")
            for row in _unpaid(book, day, "", day.isoformat())]


def falling_due(book: Book, day: date, until: date) -> list[dict[str, Any]]:
    """`invoice-due`: unpaid invoices due from `day` to `until`. Not an agenda kind (nothing is late yet), but
    the calendar shows them, under the same UID as when they are overdue."""
    return [_invoice_item("invoice-due", row, "due")
            for row in _unpaid(book, day, day.isoformat(), (until + timedelta(days=1)).isoformat())]


def agenda_not_invoiced(book: Book, day: date, until: date) -> list[dict[str, Any]]:
    """`not-invoiced`: deals won, or open in or past the invoice stage, with no invoice that is not void.

    Only deals won within `deal_lifetime_days`: older wins (years of imported history) were invoiced
    elsewhere or never will be, and would bury today's real omissions.
    `due` is the day the deal became ready to invoice (won, or entered its stage), or the day its last
    invoice was voided if that is later, and `days` counts from it: a deal whose invoice was voided today
    is not a week late. The state is the book's as it is, so `until` does not change it.
    """
    invoice_stage = pipeline.by_role(book, "invoice")
    won_since = (day - timedelta(days=settings.get(book, "deal_lifetime_days"))).isoformat()
    # Two index searches joined by UNION ALL (with OR, SQLite walks every won deal of every stage); the
    # invoice check runs on index entries, so only the deals it lets through are read.
    rows = book.rows(
        f"""WITH {RANKS}, ready (id) AS (
                SELECT id FROM deals
                WHERE status = 'won' AND closed_at >= :won_since
                UNION ALL
                SELECT id FROM deals
                WHERE status = 'open' AND stage_id IN (SELECT id FROM stages WHERE position >= :position)),
            uninvoiced (id) AS MATERIALIZED (
                SELECT id FROM ready
                WHERE NOT EXISTS (SELECT 1 FROM invoices i WHERE i.deal_id = ready.id AND i.voided_at IS NULL))
            SELECT {DEAL_COLUMNS}, d.status, v.number AS voided, substr(v.voided_at, 1, 10) AS voided_on,
                   max(substr(CASE d.status WHEN 'won' THEN d.closed_at ELSE d.stage_entered_at END, 1, 10),
                       coalesce(substr(v.voided_at, 1, 10), '')) AS due
            FROM uninvoiced u CROSS JOIN deals d ON d.id = u.id {DEAL_JOINS}
            -- the last one voided (every invoice of such a deal is void), found on the deal's index entries
            LEFT JOIN invoices v ON v.id = (SELECT i.id FROM invoices i WHERE i.deal_id = d.id
                                            ORDER BY i.voided_at DESC, i.seq DESC LIMIT 1)
            ORDER BY due, d.id""",
        {"position": invoice_stage["position"] if invoice_stage else None, "won_since": won_since})
    return [item("not-invoiced", row, due=row["due"], days=max((day - date.fromisoformat(row["due"])).days, 0),
                 detail=_not_invoiced_detail(row))
            for row in rows]


def _not_invoiced_detail(row: dict[str, Any]) -> str:
    """`Deal #5 won but never invoiced`, or with a void invoice: `Deal #5 won, INV-0003 voided 2026-11-22; not
    invoiced since` (it was invoiced once, and the seller should know that invoice no longer counts)."""
    deal = f"Deal #{row['deal_id']}"
    state = "won" if row["status"] == "won" else f"is in {row['stage']}"
    if row["voided"]:
        return f"{deal} {state}, {row['voided']} voided {row['voided_on']}; not invoiced since"
    return f"{deal} won but never invoiced" if row["status"] == "won" else f"{deal} {state} with no invoice"
