"""Invoices and payments (SPEC §9): numbering, exact amounts, derived status, and the deal automation."""

from datetime import date
from decimal import Decimal

import pytest

from dealflow.core import agenda_items, deals, invoices, pipeline, settings
from dealflow.core.errors import Conflict, InputError, NotFound


def _deal(book, value="120 000", stage="Proposal", currency="RUB", contact="Пётр Смирнов", **extra):
    phone = "+7 916 000-00-01" if contact == "Пётр Смирнов" else None  # Пётр's number, not another's
    return deals.add(book, "Насос для дачи", contact=contact, phone=phone, value=value,
                     currency=currency, stage=stage, **extra)


def _events(book, deal_id):
    return [(row["event"], row["to_stage"], row["note"]) for row in deals.history(book, deal_id)]


def _use_pipeline(book, name):
    pipeline.install(book, pipeline.load(name))


# --- numbering and amounts ------------------------------------------------------------------------------


def test_numbers_follow_the_prefix_and_a_never_reused_sequence(book):
    deal = _deal(book)
    assert invoices.add(book, deal["id"])["number"] == "INV-0001"
    second = invoices.add(book, deal["id"], amount="100")
    invoices.void(book, second["number"])
    settings.set_value(book, "invoice.prefix", "СЧ-")
    assert invoices.add(book, deal["id"], amount="100")["number"] == "СЧ-0003"  # void INV-0002 keeps its number
    assert invoices.get(book, "сч-0003")["number"] == "СЧ-0003"  # any case, Cyrillic too


def test_a_changed_prefix_never_spells_an_existing_number(book):
    deal = _deal(book)
    settings.set_value(book, "invoice.prefix", "INV-1")
    assert invoices.add(book, deal["id"])["number"] == "INV-10001"
    # 9 999 later invoices (numbered otherwise) bring the sequence to 10 000.
    with book.transaction():
        book.conn.executemany(
            "INSERT INTO invoices (number, seq, deal_id, currency, total, issued, due) VALUES (?, ?, ?, 'RUB', 1, "
            "'2026-11-22', '2026-12-06')", [(f"OLD-{seq}", seq, deal["id"]) for seq in range(2, 10001)])
    settings.set_value(book, "invoice.prefix", "INV-")
    made = invoices.add(book, deal["id"], amount="1")
    assert (made["number"], made["seq"]) == ("INV-10002", 10002)  # INV-10001 is taken: that sequence is skipped


def test_a_number_taken_in_another_case_is_skipped(book):
    deal = _deal(book)
    book.insert("invoices", {"number": "inv-0002", "seq": 1, "deal_id": deal["id"], "currency": "RUB", "total": 1,
                             "issued": "2026-11-22", "due": "2026-12-06"})
    assert invoices.add(book, deal["id"])["number"] == "INV-0003"


def test_amount_defaults_to_the_deal_value_in_its_currency_and_due_to_the_terms(book):
    made = invoices.add(book, _deal(book)["id"])
    assert (made["total"], made["currency"], made["issued"], made["due"]) == (12_000_000, "RUB", "2026-11-22",
                                                                             "2026-12-06")
    assert made["lines"] == [{"text": "Насос для дачи", "quantity": 1, "price": 12_000_000, "amount": 12_000_000}]
    settings.set_value(book, "invoice.due_days", "30")
    assert invoices.add(book, made["deal_id"], amount="5")["due"] == "2026-12-22"


def test_items_multiply_exactly_and_round_half_up_to_the_cent(book):
    made = invoices.add(book, _deal(book)["id"], items=["Pump=2*1500", "Cable, m=1,5*0.33", "Bolt=0.125*1"])
    assert [(line["text"], line["quantity"], line["price"], line["amount"]) for line in made["lines"]] == [
        ("Pump", 2, 150_000, 300_000),
        ("Cable, m", 1.5, 33, 50),  # 49.5 kopecks → 50
        ("Bolt", 0.125, 100, 13),  # 12.5 kopecks → 13
    ]
    assert made["total"] == 300_063


def test_line_amount_rounds_half_up_not_to_even():
    assert invoices.line_amount(Decimal("0.5"), 1) == 1
    assert invoices.line_amount(Decimal("0.5"), 3) == 2
    assert invoices.line_amount(Decimal("1.25"), 2) == 3  # 2.5 → 3 (banker's rounding would give 2)


@pytest.mark.parametrize("item", ["Pump 2*1500", "=2*1500", "Pump=2x1500", "Pump=*1500", "Pump=0*1500",
                                  "Pump=2*", "Pump=-2*1500", "Pump=2*-5"])
def test_bad_items_are_refused(item):
    with pytest.raises(InputError):
        invoices.parse_item(item)


def test_an_amount_in_another_currency_is_refused(book):
    deal = _deal(book)
    with pytest.raises(InputError, match="USD but the deal is in RUB"):
        invoices.add(book, deal["id"], amount="$500")
    with pytest.raises(InputError, match="USD but the deal is in RUB"):
        invoices.add(book, deal["id"], items=["Pump=1*$500"])


def test_a_deal_without_value_needs_an_amount(book):
    deal = _deal(book, value=None)
    with pytest.raises(InputError, match="has no value"):
        invoices.add(book, deal["id"])
    with pytest.raises(InputError, match="more than zero"):
        invoices.add(book, deal["id"], amount="0")
    assert invoices.add(book, deal["id"], amount="900")["total"] == 90_000


# --- the default pipeline: issue → Invoiced, pay in full → won ------------------------------------------


def test_default_pipeline_from_proposal_to_paid(book, clock):
    deal = _deal(book)
    made = invoices.add(book, deal["id"])
    assert made["deal_change"] == f"deal #{deal['id']} moved to Invoiced"
    assert deals.view(book, deal["id"])["stage"] == "Invoiced"
    assert _events(book, deal["id"])[-1] == ("moved", "Invoiced", "invoice INV-0001 issued")

    clock("2026-11-25T12:00")
    part = invoices.pay(book, "INV-0001", amount="40 000", method="transfer")
    assert (part["status"], part["paid"], part["balance"], part["deal_change"]) == ("partial", 4_000_000,
                                                                                   8_000_000, None)
    assert deals.view(book, deal["id"])["status"] == "open"

    clock("2026-11-28T15:30")
    rest = invoices.pay(book, "inv-0001")
    assert (rest["payment"], rest["status"], rest["balance"]) == (8_000_000, "paid", 0)
    assert rest["deal_change"] == f"deal #{deal['id']} won"
    won = deals.get(book, deal["id"])
    assert (won["status"], won["closed_at"]) == ("won", "2026-11-28T15:30:00+03:00")
    assert _events(book, deal["id"])[-1] == ("won", "won", "INV-0001 paid in full")
    assert [(p["amount"], p["method"]) for p in rest["payments"]] == [(4_000_000, "transfer"), (8_000_000, None)]


def test_won_at_the_time_of_a_back_dated_payment(book, clock):
    deal = _deal(book)
    invoices.add(book, deal["id"])
    clock("2026-12-01T09:00")
    invoices.pay(book, "INV-0001", at=date(2026, 11, 27))
    assert deals.get(book, deal["id"])["closed_at"] == "2026-11-27"


def test_without_won_on_payment_a_paid_deal_stays_open(book):
    settings.set_value(book, "won_on_payment", "false")
    deal = _deal(book)
    invoices.add(book, deal["id"])
    assert invoices.pay(book, "INV-0001")["deal_change"] is None
    assert deals.view(book, deal["id"])["status"] == "open"


def test_issuing_runs_the_stage_entry_task_and_ends_the_cadence(book):
    pipeline.edit(book, "Invoiced", {"task": "Chase the payment", "task_due": "+3d"})
    deal = _deal(book)
    book.conn.execute("INSERT INTO cadences (deal_id, parked_at, coefficient, touches_total, interval, channels) "
                      "VALUES (?, '2026-11-20', 1, 6, '7d', 'email')", (deal["id"],))
    invoices.add(book, deal["id"])
    task = book.row("SELECT text, due, origin FROM tasks WHERE deal_id = ?", (deal["id"],))
    assert task == {"text": "Chase the payment", "due": "2026-11-25", "origin": "stage"}
    assert book.value("SELECT end_reason FROM cadences WHERE deal_id = ?", (deal["id"],)) == "moved"


def test_a_deal_already_in_the_invoice_stage_does_not_move_again(book):
    deal = _deal(book, stage="Invoiced")
    assert invoices.add(book, deal["id"])["deal_change"] is None
    assert [event for event, _, _ in _events(book, deal["id"])] == ["created"]


def test_a_won_deal_can_be_invoiced_and_paid_without_moving(book):
    deal = _deal(book)
    deals.close(book, deal["id"], "won")
    made = invoices.add(book, deal["id"])
    paid = invoices.pay(book, made["number"])
    assert (made["deal_change"], paid["deal_change"]) == (None, None)
    assert [event for event, _, _ in _events(book, deal["id"])] == ["created", "won"]


def test_a_lost_deal_cannot_be_invoiced(book):
    deal = _deal(book)
    deals.close(book, deal["id"], "lost", reason="price")
    with pytest.raises(Conflict, match="is lost"):
        invoices.add(book, deal["id"])


def test_issuing_before_the_deal_entered_its_stage_is_refused(book):
    deal = _deal(book)
    with pytest.raises(InputError, match="in order"):
        invoices.add(book, deal["id"], at=date(2026, 11, 1))
    assert book.value("SELECT count(*) FROM invoices") == 0


# --- the classic pipeline: issue → Purchase, pay → Delivery --------------------------------------------


def test_classic_pipeline_moves_to_purchase_then_delivery_and_stays_open(book):
    _use_pipeline(book, "classic")
    deal = _deal(book)
    assert invoices.add(book, deal["id"])["deal_change"] == f"deal #{deal['id']} moved to Purchase"
    paid = invoices.pay(book, "INV-0001")
    assert paid["deal_change"] == f"deal #{deal['id']} moved to Delivery"
    assert deals.view(book, deal["id"])["status"] == "open"  # a payment stage wins over won_on_payment
    assert _events(book, deal["id"])[-2:] == [("moved", "Purchase", "invoice INV-0001 issued"),
                                              ("moved", "Delivery", "INV-0001 paid in full")]


def test_classic_deal_already_in_delivery_is_not_moved_back(book):
    _use_pipeline(book, "classic")
    deal = _deal(book, stage="Delivery")
    assert invoices.add(book, deal["id"])["deal_change"] is None
    assert invoices.pay(book, "INV-0001")["deal_change"] is None
    assert deals.view(book, deal["id"])["stage"] == "Delivery"


# --- payments, voiding, derived status -----------------------------------------------------------------


def test_overpaying_paying_twice_and_paying_a_void_invoice_are_refused(book):
    deal = _deal(book)
    invoices.add(book, deal["id"], amount="1 000")
    with pytest.raises(Conflict, match="only ₽ 1\u202f000 unpaid"):
        invoices.pay(book, "INV-0001", amount="1 000,01")
    invoices.pay(book, "INV-0001")
    with pytest.raises(Conflict, match="paid in full"):
        invoices.pay(book, "INV-0001", amount="1")
    invoices.add(book, deal["id"], amount="500")
    invoices.void(book, "INV-0002")
    with pytest.raises(Conflict, match="void"):
        invoices.pay(book, "INV-0002")


def test_a_payment_before_the_issue_date_is_refused(book):
    invoices.add(book, _deal(book)["id"])
    with pytest.raises(InputError, match="before INV-0001 was issued"):
        invoices.pay(book, "INV-0001", at=date(2026, 11, 21))


def test_void_is_refused_with_payments_and_twice(book):
    deal = _deal(book)
    invoices.add(book, deal["id"])
    invoices.pay(book, "INV-0001", amount="1")
    with pytest.raises(Conflict, match="cannot be voided"):
        invoices.void(book, "INV-0001")
    invoices.add(book, deal["id"], amount="10")
    voided = invoices.void(book, "INV-0002", note="wrong amount")
    assert (voided["status"], voided["balance"], voided["void_note"]) == ("void", 0, "wrong amount")
    with pytest.raises(Conflict, match="already void"):
        invoices.void(book, "INV-0002")


def test_unknown_number(book):
    with pytest.raises(NotFound, match="no invoice 'INV-0099'"):
        invoices.show(book, "INV-0099")


def test_overdue_is_derived_from_the_clock(book, clock):
    deal = _deal(book)
    invoices.add(book, deal["id"])  # due 2026-12-06
    invoices.pay(book, "INV-0001", amount="40 000")
    clock("2026-12-06T23:00")
    assert invoices.listing(book, "overdue") == []
    assert invoices.get(book, "INV-0001")["days_overdue"] == 0
    clock("2026-12-11T08:00")
    [late] = invoices.listing(book, "overdue")
    assert (late["number"], late["status"], late["balance"], late["days_overdue"]) == ("INV-0001", "partial",
                                                                                       8_000_000, 5)


def test_listing_filters(book):
    deal = _deal(book)
    other = _deal(book, contact="Anna", value="10", currency="USD")
    for amount in ("100", "200", "300"):
        invoices.add(book, deal["id"], amount=amount)
    invoices.add(book, other["id"])
    invoices.pay(book, "INV-0001")
    invoices.pay(book, "INV-0002", amount="50")
    invoices.void(book, "INV-0003")

    def numbers(which, **kw):
        return [row["number"] for row in invoices.listing(book, which, **kw)]

    assert numbers("open") == ["INV-0002", "INV-0004"]
    assert numbers("paid") == ["INV-0001"]
    assert numbers("all") == ["INV-0001", "INV-0002", "INV-0003", "INV-0004"]
    assert numbers("all", deal=f"#{other['id']}") == ["INV-0004"]
    assert [row["status"] for row in invoices.listing(book, "all")] == ["paid", "partial", "void", "issued"]


def test_contact_card_money(book):
    from dealflow.core import contacts

    deal = _deal(book)
    invoices.add(book, deal["id"], amount="1 000")
    invoices.add(book, deal["id"], amount="500")
    invoices.pay(book, "INV-0001", amount="300")
    invoices.pay(book, "INV-0002")
    card = contacts.card(book, "Пётр")
    assert [row["number"] for row in card["invoices"]] == ["INV-0001", "INV-0002"]
    assert [row["amount"] for row in card["payments"]] == [30_000, 50_000]
    assert card["paid"] == [{"currency": "RUB", "amount": 80_000}]
    assert card["balance"] == [{"currency": "RUB", "balance": 70_000}]


# --- agenda kinds --------------------------------------------------------------------------------------


def test_agenda_invoice_overdue(book):
    deal = _deal(book)
    invoices.add(book, deal["id"])  # due 2026-12-06, deal → Invoiced (90 %)
    invoices.pay(book, "INV-0001", amount="80 000")
    assert invoices.agenda_overdue(book, date(2026, 12, 6), date(2026, 12, 6)) == []
    [item] = invoices.agenda_overdue(book, date(2026, 12, 11), date(2026, 12, 11))
    assert item == {
        "kind": "invoice-overdue", "deal_id": deal["id"], "deal": "Насос для дачи", "contact": "Пётр Смирнов",
        "phone": "+7 916 000-00-01", "email": None, "stage": "Invoiced", "value": 4_000_000, "currency": "RUB",
        "due": "2026-12-06", "days": 5, "detail": "INV-0001: ₽ 40\u202f000 of ₽ 120\u202f000 unpaid, 5 days overdue",
        "task_id": None, "invoice": "INV-0001", "probability": 90, "stage_rank": 1.0,
    }
    invoices.pay(book, "INV-0001")
    assert invoices.agenda_overdue(book, date(2026, 12, 11), date(2026, 12, 11)) == []


def test_agenda_not_invoiced(book, clock):
    _use_pipeline(book, "classic")
    won = _deal(book, stage="Proposal")
    deals.close(book, won["id"], "won")
    waiting = _deal(book, stage="Purchase", contact="Anna", value="10")
    _deal(book, stage="Proposal", contact="Ivan", value="10")  # before the invoice stage: not yet
    lost = _deal(book, stage="Delivery", contact="Olga", value="10")
    deals.close(book, lost["id"], "lost", reason="price")
    clock("2026-11-25T10:00")
    items = invoices.agenda_not_invoiced(book, date(2026, 11, 25), date(2026, 11, 25))
    assert [(i["deal_id"], i["detail"], i["due"], i["days"], i["probability"], i["stage_rank"]) for i in items] == [
        (won["id"], f"Deal #{won['id']} won but never invoiced", "2026-11-22", 3, 100, 1.0),
        (waiting["id"], f"Deal #{waiting['id']} is in Purchase with no invoice", "2026-11-22", 3, 70, 0.75),
    ]
    assert list(items[0]) == agenda_items.FIELDS + ["probability", "stage_rank"]
    invoices.add(book, won["id"])
    invoices.add(book, waiting["id"])
    assert invoices.agenda_not_invoiced(book, date(2026, 11, 25), date(2026, 11, 25)) == []
    invoices.void(book, "INV-0001")  # a void invoice does not count
    assert [i["deal_id"] for i in invoices.agenda_not_invoiced(book, date(2026, 11, 25), date(2026, 11, 25))] == [
        won["id"]]


def test_not_invoiced_after_a_void_counts_from_the_void_and_says_so(book, clock):
    """Voiding the only invoice makes the deal not invoiced again from that day, not from its stage entry."""
    waiting = _deal(book, stage="Proposal")
    won = _deal(book, stage="Proposal", contact="Anna", value="10")
    invoices.add(book, waiting["id"])  # INV-0001; the deal enters Invoiced on 2026-11-22
    deals.close(book, won["id"], "won")  # won on 2026-11-22
    invoices.add(book, won["id"])  # INV-0002
    invoices.add(book, won["id"], amount="1")  # INV-0003
    clock("2026-11-25T12:00")
    invoices.void(book, "INV-0001")
    invoices.void(book, "INV-0003")
    invoices.void(book, "INV-0002", at=date(2026, 11, 24))  # voided later, dated earlier: INV-0003 is the last
    items = invoices.agenda_not_invoiced(book, date(2026, 11, 28), date(2026, 11, 28))
    assert [(i["deal_id"], i["due"], i["days"], i["detail"]) for i in items] == [
        (waiting["id"], "2026-11-25", 3,
         f"Deal #{waiting['id']} is in Invoiced, INV-0001 voided 2026-11-25; not invoiced since"),
        (won["id"], "2026-11-25", 3, f"Deal #{won['id']} won, INV-0003 voided 2026-11-25; not invoiced since"),
    ]


def test_not_invoiced_forgets_wins_older_than_the_deal_lifetime(book):
    """Years of imported wins must not bury today's omissions: only wins within deal_lifetime_days count."""
    old = _deal(book, stage="Proposal", at=date(2026, 7, 1))
    deals.close(book, old["id"], "won", at=date(2026, 8, 1))  # 113 days before 2026-11-22
    recent = _deal(book, stage="Proposal", contact="Anna", value="10", at=date(2026, 7, 1))
    deals.close(book, recent["id"], "won", at=date(2026, 9, 1))  # 82 days before
    today = date(2026, 11, 22)
    assert [i["deal_id"] for i in invoices.agenda_not_invoiced(book, today, today)] == [recent["id"]]
    settings.set_value(book, "deal_lifetime_days", "120")
    assert [i["deal_id"] for i in invoices.agenda_not_invoiced(book, today, today)] == [old["id"], recent["id"]]


def test_paid_at_marks_the_moment_payments_reach_the_total(book, clock):
    deal = _deal(book)
    invoices.add(book, deal["id"])
    clock("2026-11-25T12:00")
    invoices.pay(book, "INV-0001", amount="20 000")
    assert book.value("SELECT paid_at FROM invoices") is None
    clock("2026-11-27T15:30")
    invoices.pay(book, "INV-0001")
    assert book.value("SELECT paid_at FROM invoices") == "2026-11-27T15:30:00+03:00"


def test_payments_typed_out_of_order_settle_on_the_day_the_last_money_came(book, clock):
    """From a bank statement the rest may be typed before the advance: paid in full (and won) on the later day."""
    deal = _deal(book)
    invoices.add(book, deal["id"])
    clock("2026-12-10T09:00")
    invoices.pay(book, "INV-0001", amount="20 000", at=date(2026, 12, 5))
    paid = invoices.pay(book, "INV-0001", at=date(2026, 12, 1))
    assert paid["deal_change"] == f"deal #{deal['id']} won"
    assert book.value("SELECT paid_at FROM invoices") == "2026-12-05"
    assert deals.get(book, deal["id"])["closed_at"] == "2026-12-05"


def test_a_payment_dated_before_the_deals_later_steps_is_recorded_and_leaves_the_deal(book, clock):
    """Money that came before the deal was reopened is still money: recorded on its day, the deal left open."""
    deal = _deal(book)
    invoices.add(book, deal["id"])
    clock("2026-12-10T09:00")
    deals.close(book, deal["id"], "won", at=date(2026, 12, 1))
    deals.reopen(book, deal["id"], at=date(2026, 12, 3))
    paid = invoices.pay(book, "INV-0001", at=date(2026, 12, 2))
    assert paid["status"] == "paid"
    assert paid["deal_change"] == (f"deal #{deal['id']} not marked won: it was reopened later (2026-12-03); "
                                   f"`dealflow won {deal['id']}` closes it")
    assert deals.get(book, deal["id"])["status"] == "open"


def test_an_invoice_back_dated_before_the_deals_last_move_leaves_the_deal_where_it_is(book, clock):
    deal = _deal(book, stage="Lead")
    clock("2026-11-25T09:00")
    deals.move(book, deal["id"], "Negotiation")
    made = invoices.add(book, deal["id"], at=date(2026, 11, 23))
    assert (made["number"], made["issued"]) == ("INV-0001", "2026-11-23")
    assert made["deal_change"] == (f"deal #{deal['id']} not moved to Invoiced: it moved to Negotiation later "
                                   "(2026-11-25T09:00:00+03:00)")
    assert deals.view(book, deal["id"])["stage"] == "Negotiation"


# --- the default amount: what is not yet invoiced -------------------------------------------------------


def test_the_default_amount_is_what_earlier_invoices_left_of_the_deal_value(book):
    """An advance of 400 on a 1 000 deal leaves 600 to bill; a void invoice bills nothing."""
    deal = _deal(book, value="1 000")
    invoices.add(book, deal["id"], amount="400")
    rest = invoices.add(book, deal["id"])
    assert (rest["total"], rest["lines"][0]["price"]) == (60_000, 60_000)
    invoices.void(book, rest["number"])
    assert invoices.add(book, deal["id"])["total"] == 60_000  # the void one did not count


def test_nothing_left_to_bill_is_refused_and_says_how_to_bill_more(book):
    deal = _deal(book, value="1 000")
    invoices.add(book, deal["id"], amount="400")
    invoices.add(book, deal["id"], amount="700")  # more than the value: nothing is left either
    with pytest.raises(InputError, match=r"deal #\d+ is invoiced in full already: ₽ 1\u202f100 of its ₽ 1\u202f000 "
                                         r"\(INV-0001, INV-0002\); to bill more anyway, give --amount AMOUNT or "
                                         r"--item \"TEXT=QTY\*PRICE\""):
        invoices.add(book, deal["id"])
    assert invoices.add(book, deal["id"], items=["Extra=1*50"])["total"] == 5_000
