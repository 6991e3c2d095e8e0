"""The agenda's kinds appear exactly when their rules say, as the pinned clock moves."""

from datetime import date

import pytest

from dealflow.core import agenda, deals, tasks

# Default pipeline: Lead (10 %, 1 day), Qualified (25, 7), Proposal (50, 10), Negotiation (70, 14), Invoiced (90, 14).


def kinds_of(book, deal_id, **options):
    return sorted(item["kind"] for item in agenda.agenda(book, **options) if item["deal_id"] == deal_id)


def test_stuck_only_after_strictly_more_whole_days_than_the_limit(book, clock):
    clock("2026-11-01T12:00")
    deal = deals.add(book, "Windows", next_text="call", next_due=date(2026, 12, 31))
    deals.move(book, deal["id"], "Proposal")  # limit 10 days, entered 2026-11-01
    clock("2026-11-11T09:00")  # 10 whole days: at the limit, not over it
    assert kinds_of(book, deal["id"]) == []
    clock("2026-11-12T09:00")  # 11 days
    [item] = agenda.agenda(book)
    assert (item["kind"], item["days"], item["detail"]) == ("stuck", 1, "11 days in Proposal, limit 10")
    assert item["stage_rank"] == pytest.approx(3 / 5) and item["probability"] == 50


def test_stale_after_the_lifetime(book, clock):
    clock("2026-08-01T10:00")
    deal = deals.add(book, "Old deal", next_text="call", next_due=date(2027, 1, 1), stage="Negotiation")
    clock("2026-10-30T10:00")  # 90 days old: not older than the lifetime
    assert "stale" not in kinds_of(book, deal["id"])
    clock("2026-11-01T10:00")  # 92 days
    stale = [item for item in agenda.agenda(book) if item["kind"] == "stale"]
    assert [(item["deal_id"], item["days"]) for item in stale] == [(deal["id"], 2)]


def test_task_kinds_due_today_overdue_and_ahead(book):
    deal = deals.add(book, "Roof", value="1000")
    overdue = tasks.create(book, "send quote", date(2026, 11, 19), deal_id=deal["id"])
    ahead = tasks.create(book, "visit", date(2026, 11, 25), deal_id=deal["id"])
    found = {item["task_id"]: item["days"] for item in agenda.agenda(book) if item["kind"] == "task"}
    assert found == {overdue["id"]: 3}
    found = {item["task_id"]: item["days"] for item in agenda.agenda(book, days=3) if item["kind"] == "task"}
    assert found == {overdue["id"]: 3, ahead["id"]: -3}


def test_no_next_step_until_a_task_is_planned(book):
    deal = deals.add(book, "Solar")
    assert kinds_of(book, deal["id"]) == ["no-next-step"]
    tasks.create(book, "call", date(2026, 12, 5), deal_id=deal["id"])
    assert kinds_of(book, deal["id"]) == []


def test_parked_deal_has_a_next_step(book):
    deal = deals.add(book, "Heat pump")
    book.insert("cadences", {"deal_id": deal["id"], "parked_at": "2026-11-22", "coefficient": 1,
                             "touches_total": 6, "interval": "7d", "channels": "email,call"})
    assert kinds_of(book, deal["id"]) == []


def test_items_carry_exactly_the_spec_fields(book):
    deals.add(book, "Solar")
    [item] = agenda.agenda(book)
    assert list(item) == ["kind", "deal_id", "deal", "contact", "phone", "email", "stage", "value", "currency",
                          "due", "days", "detail", "task_id", "invoice", "probability", "stage_rank", "urgency"]


def test_urgency_worked_example_from_the_readme():
    # A task 2 days overdue on a ₽ 1 250 000 deal in Negotiation (70 %, stage 4 of 5):
    # 6 + 0.5×2 + log10(1 + 87 500 000) + 3×0.8 = 6 + 1 + 7.942 + 2.4 = 17.342
    item = {"kind": "task", "days": 2, "value": 125_000_000, "probability": 70, "stage_rank": 0.8}
    assert agenda.urgency(item) == 17.3


def test_more_money_and_more_overdue_rank_first(book):
    small = deals.add(book, "Small", value="100")
    big = deals.add(book, "Big", value="100000")
    tasks.create(book, "a", date(2026, 11, 22), deal_id=small["id"])
    tasks.create(book, "b", date(2026, 11, 22), deal_id=big["id"])
    late = tasks.create(book, "c", date(2026, 11, 2), deal_id=small["id"])
    order = [item["task_id"] or item["deal_id"] for item in agenda.agenda(book) if item["kind"] == "task"]
    assert order[0] == late["id"]
    assert order.index(2) < order.index(1)  # task 2 (big deal) before task 1 (small deal)


def test_summary_counts_and_money_per_currency(book):
    rub = deals.add(book, "Окна", value="1 250 000", currency="RUB", at=date(2026, 11, 1))  # stuck in Lead
    usd = deals.add(book, "Acme", value="5000", currency="USD")
    tasks.create(book, "late", date(2026, 11, 20), deal_id=usd["id"])
    tasks.create(book, "today", date(2026, 11, 22), deal_id=rub["id"])
    facts = agenda.summary(agenda.agenda(book))
    assert facts["counts"] == [{"label": "overdue", "count": 1, "text": "1 overdue"},
                               {"label": "due today", "count": 1, "text": "1 due today"},
                               {"label": "stuck", "count": 1, "text": "1 stuck"}]
    assert facts["at_risk"] == [{"currency": "RUB", "value": 125_000_000}, {"currency": "USD", "value": 500_000}]


def test_sweep_closes_old_deals_as_lost_stale(book, clock):
    clock("2026-07-01T10:00")
    old = deals.add(book, "Old")
    clock("2026-11-22T10:00")
    young = deals.add(book, "Young")
    assert [row["deal_id"] for row in agenda.sweep(book, dry_run=True, close=True)] == [old["id"]]
    assert deals.get(book, old["id"])["status"] == "open"
    agenda.sweep(book, close=True)
    closed = deals.get(book, old["id"])
    assert (closed["status"], closed["lost_reason"]) == ("lost", "stale")
    assert deals.get(book, young["id"])["status"] == "open"


def test_at_risk_counts_a_deal_once_at_its_value_even_beside_a_part_paid_invoice(book):
    """A deal with an overdue invoice (balance $ 3,000) and a stuck stage counts its whole $ 5,000 once."""
    from dealflow.core import invoices

    deal = deals.add(book, "Acme", value="5000", currency="USD", at=date(2026, 10, 1))
    invoices.add(book, deal["id"], at=date(2026, 10, 2), due=date(2026, 10, 16))
    invoices.pay(book, "INV-0001", amount="2000", at=date(2026, 10, 10))
    kinds = {item["kind"]: item["value"] for item in agenda.agenda(book) if item["deal_id"] == deal["id"]}
    assert kinds["invoice-overdue"] == 300_000 and kinds["stuck"] == 500_000
    assert agenda.summary(agenda.agenda(book))["at_risk"] == [{"currency": "USD", "value": 500_000}]
