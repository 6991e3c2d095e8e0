"""Every number of every report, checked against a small book whose whole history is known.

The book (default pipeline: Lead 1 (limit 1 day), Qualified 2 (7), Proposal 3 (10), Negotiation 4 (14),
Invoiced 5 (14); all times +03:00, "now" is 2026-11-22 10:00):

  D1 anna  site      RUB 100 000    created 01-05 10:00, Qualified 01-07 10:00, Proposal 01-10 22:00,
                                    won 01-20 10:00
  D2 anna  referral  RUB  50 000    created 01-10 10:00, Qualified 01-10 22:00, lost (price) 01-21 10:00
  D3 boris site      USD   2 000    created 02-01 10:00, Proposal 02-04 10:00, Negotiation 02-06 10:00,
                                    lost (competitor) 02-10 10:00
  D4 boris referral  USD   3 000    created 02-10 10:00, open in Lead, probability 40, no close date
  D5 anna  site      RUB 200 000    created 03-01 10:00, Proposal 03-03 10:00, back to Qualified
                                    03-08 10:00, open; expected close 2026-12-01
  D6 boris (none)    RUB  80 000    created 04-01 10:00, won from Lead 04-03 10:00
  D7 anna  site      RUB  30 000    created 04-10 10:00, lost (price) from Lead 04-11 22:00
  D8 anna  referral  RUB 12 345.65  created in Negotiation 06-01 10:00, open, probability 50,
                                    expected close 2026-12-20
"""

from __future__ import annotations

import sqlite3

import pytest

from dealflow.core import Book, activities, deals, pipeline, reports, tasks, when
from dealflow.core.errors import InputError
from dealflow.store.schema import MIGRATIONS


def at(text: str):
    return when.parse(text)


def build(book) -> None:
    add = deals.add
    add(book, "D1", value="100000", currency="RUB", owner="anna", source="site", at=at("2026-01-05 10:00"))
    deals.move(book, 1, "Qualified", at=at("2026-01-07 10:00"))
    deals.move(book, 1, "Proposal", at=at("2026-01-10 22:00"))
    deals.close(book, 1, "won", at=at("2026-01-20 10:00"))
    add(book, "D2", value="50000", currency="RUB", owner="anna", source="referral", at=at("2026-01-10 10:00"))
    deals.move(book, 2, "Qualified", at=at("2026-01-10 22:00"))
    deals.close(book, 2, "lost", reason="price", at=at("2026-01-21 10:00"))
    add(book, "D3", value="2000", currency="USD", owner="boris", source="site", at=at("2026-02-01 10:00"))
    deals.move(book, 3, "Proposal", at=at("2026-02-04 10:00"))
    deals.move(book, 3, "Negotiation", at=at("2026-02-06 10:00"))
    deals.close(book, 3, "lost", reason="competitor", at=at("2026-02-10 10:00"))
    add(book, "D4", value="3000", currency="USD", owner="boris", source="referral", probability=40,
        at=at("2026-02-10 10:00"))
    add(book, "D5", value="200000", currency="RUB", owner="anna", source="site", close=at("2026-12-01"),
        at=at("2026-03-01 10:00"))
    deals.move(book, 5, "Proposal", at=at("2026-03-03 10:00"))
    deals.move(book, 5, "Qualified", at=at("2026-03-08 10:00"))
    add(book, "D6", value="80000", currency="RUB", owner="boris", at=at("2026-04-01 10:00"))
    deals.close(book, 6, "won", at=at("2026-04-03 10:00"))
    add(book, "D7", value="30000", currency="RUB", owner="anna", source="site", at=at("2026-04-10 10:00"))
    deals.close(book, 7, "lost", reason="price", at=at("2026-04-11 22:00"))
    add(book, "D8", value="12345.65", currency="RUB", owner="anna", source="referral", stage="Negotiation",
        probability=50, close=at("2026-12-20"), at=at("2026-06-01 10:00"))


@pytest.fixture
def full(book):
    build(book)
    return book


def stage_row(stage, reached, conversion, open_, open_value, lost, lost_value, currency, win_rate=None):
    return {"stage": stage, "reached": reached, "conversion_pct": conversion, "open": open_,
            "open_value": open_value, "lost": lost, "lost_value": lost_value, "win_rate_pct": win_rate,
            "currency": currency}


# --- funnel ---------------------------------------------------------------------------------------------

# RUB deals D1 D2 D5 D6 D7 D8. Furthest stage: D1, D6 won (every stage); D2 Qualified; D5 Proposal (it went
# back to Qualified, but it was in Proposal); D7 Lead; D8 Negotiation.
RUB_FUNNEL = [
    stage_row("Lead", 6, 100.0, 0, 0, 1, 3_000_000, "RUB"),                   # all 6; D7 lost here (30 000)
    stage_row("Qualified", 5, 83.3, 1, 20_000_000, 1, 5_000_000, "RUB"),      # 5/6; D5 open, D2 lost
    stage_row("Proposal", 4, 80.0, 0, 0, 0, 0, "RUB"),                        # D1 D6 D5 D8: 4/5
    stage_row("Negotiation", 3, 75.0, 1, 1_234_565, 0, 0, "RUB"),             # D1 D6 D8: 3/4; D8 open
    stage_row("Invoiced", 2, 66.7, 0, 0, 0, 0, "RUB"),                        # D1 D6: 2/3
    stage_row("won", 2, 100.0, None, 18_000_000, 2, 8_000_000, "RUB", 50.0),  # 100 000 + 80 000 won;
]                                                                             # D2 + D7 lost 80 000; 2/(2+2)
# USD deals D3 (lost from Negotiation) and D4 (open in Lead).
USD_FUNNEL = [
    stage_row("Lead", 2, 100.0, 1, 300_000, 0, 0, "USD"),
    stage_row("Qualified", 1, 50.0, 0, 0, 0, 0, "USD"),       # D3 skipped Qualified but got further: 1/2
    stage_row("Proposal", 1, 100.0, 0, 0, 0, 0, "USD"),
    stage_row("Negotiation", 1, 100.0, 0, 0, 1, 200_000, "USD"),
    stage_row("Invoiced", 0, 0.0, 0, 0, 0, 0, "USD"),
    stage_row("won", 0, None, None, 0, 1, 200_000, "USD", 0.0),  # 0 reached Invoiced: no conversion; 0/(0+1)
]


def test_funnel_is_one_funnel_per_currency(full):
    assert reports.funnel(full) == RUB_FUNNEL + USD_FUNNEL


def test_funnel_by_owner_repeats_the_rows_per_owner(full):
    rows = reports.funnel(full, by="owner")
    assert [(row["owner"], row["currency"]) for row in rows[::6]] == [("anna", "RUB"), ("boris", "RUB"),
                                                                     ("boris", "USD")]
    assert list(rows[0])[0] == "owner"
    anna = [{k: v for k, v in row.items() if k != "owner"} for row in rows[:6]]
    # anna: D1 (won) D2 D5 D7 D8, all RUB
    assert anna == [
        stage_row("Lead", 5, 100.0, 0, 0, 1, 3_000_000, "RUB"),
        stage_row("Qualified", 4, 80.0, 1, 20_000_000, 1, 5_000_000, "RUB"),  # D1 D2 D5 D8: 4/5
        stage_row("Proposal", 3, 75.0, 0, 0, 0, 0, "RUB"),                    # D1 D5 D8: 3/4
        stage_row("Negotiation", 2, 66.7, 1, 1_234_565, 0, 0, "RUB"),         # D1 D8: 2/3
        stage_row("Invoiced", 1, 50.0, 0, 0, 0, 0, "RUB"),                    # D1: 1/2
        stage_row("won", 1, 100.0, None, 10_000_000, 2, 8_000_000, "RUB", 33.3),  # 1/(1+2)
    ]
    boris_rub = rows[6:12]  # D6 won from Lead: it reached every stage
    assert [(r["stage"], r["reached"], r["conversion_pct"]) for r in boris_rub] == [
        ("Lead", 1, 100.0), ("Qualified", 1, 100.0), ("Proposal", 1, 100.0), ("Negotiation", 1, 100.0),
        ("Invoiced", 1, 100.0), ("won", 1, 100.0)]
    assert boris_rub[-1]["win_rate_pct"] == 100.0 and boris_rub[-1]["open_value"] == 8_000_000
    assert [{k: v for k, v in row.items() if k != "owner"} for row in rows[12:]] == USD_FUNNEL


def test_funnel_by_source_names_deals_without_one(full):
    rows = reports.funnel(full, by="source")
    assert [(row["source"], row["currency"]) for row in rows[::6]] == [
        ("(none)", "RUB"), ("referral", "RUB"), ("referral", "USD"), ("site", "RUB"), ("site", "USD")]
    site_rub = rows[18:24]  # D1 won, D5 (furthest Proposal), D7 lost from Lead
    assert [row["reached"] for row in site_rub] == [3, 2, 2, 1, 1, 1]
    assert site_rub[-1]["win_rate_pct"] == 50.0  # 1 / (1 + 1)


def test_funnel_cohort_is_deals_created_in_the_period(full):
    # created 2026-02-01 .. 2026-03-31: D3, D4 (USD) and D5 (RUB)
    rows = reports.funnel(full, since=at("2026-02-01"), until=at("2026-03-31"))
    assert rows[:6] == [
        stage_row("Lead", 1, 100.0, 0, 0, 0, 0, "RUB"),
        stage_row("Qualified", 1, 100.0, 1, 20_000_000, 0, 0, "RUB"),
        stage_row("Proposal", 1, 100.0, 0, 0, 0, 0, "RUB"),
        stage_row("Negotiation", 0, 0.0, 0, 0, 0, 0, "RUB"),
        stage_row("Invoiced", 0, None, 0, 0, 0, 0, "RUB"),   # nothing reached the stage before it
        stage_row("won", 0, None, None, 0, 0, 0, "RUB"),      # nothing closed: no win rate
    ]
    assert rows[6:] == USD_FUNNEL
    assert reports.funnel(full, since=at("2026-07-01")) == []


# --- velocity -------------------------------------------------------------------------------------------


def velocity_row(stage, visits, avg, median, longest, over, open_, open_avg):
    return {"stage": stage, "visits": visits, "avg_days": avg, "median_days": median, "max_days": longest,
            "over_limit": over, "open": open_, "open_avg_days": open_avg}


def test_velocity_per_stage_and_cycle(full):
    assert reports.velocity(full) == [
        # Lead visits: D1 2, D2 0.5, D3 3, D5 2, D6 2, D7 1.5 → 11/6 = 1.83; median (2+2)/2; 5 over 1 day.
        # Open: D4 since 02-10 10:00 → 285 days.
        velocity_row("Lead", 6, 1.8, 2.0, 3.0, 5, 1, 285.0),
        # Qualified: D1 3.5, D2 10.5 (left by being lost) → 7.0; 10.5 > 7. Open: D5 since 03-08 → 259 days.
        velocity_row("Qualified", 2, 7.0, 7.0, 10.5, 1, 1, 259.0),
        # Proposal: D1 9.5, D3 2, D5 5 → 16.5/3 = 5.5; median 5; none over 10.
        velocity_row("Proposal", 3, 5.5, 5.0, 9.5, 0, 0, None),
        # Negotiation: D3 4. Open: D8 since 06-01 → 174 days.
        velocity_row("Negotiation", 1, 4.0, 4.0, 4.0, 0, 1, 174.0),
        velocity_row("Invoiced", 0, None, None, None, 0, 0, None),
        # Won: D1 15 days, D6 2 → 8.5. Open deals D4 285, D5 266, D8 174 days old → 725/3 = 241.67.
        velocity_row("cycle", 2, 8.5, 8.5, 15.0, None, 3, 241.7),
    ]


def test_velocity_counts_visits_that_ended_in_the_period(full):
    rows = {row["stage"]: row for row in reports.velocity(full, since=at("2026-02-01"))}
    # Lead visits ended from 02-01: D3 3, D5 2, D6 2, D7 1.5 → 8.5/4 = 2.125; median (2+2)/2
    assert rows["Lead"] == velocity_row("Lead", 4, 2.1, 2.0, 3.0, 4, 1, 285.0)
    assert rows["Qualified"]["visits"] == 0  # D1 left on 01-10, D2 on 01-21
    assert rows["Proposal"] == velocity_row("Proposal", 2, 3.5, 3.5, 5.0, 0, 0, None)  # D3 2, D5 5
    assert rows["cycle"]["visits"] == 1 and rows["cycle"]["avg_days"] == 2.0  # only D6 won from 02-01


def ends(book, deal_id):
    """(event, at, left_at) of a deal's history, in the order its visits follow each other (by day, then as
    recorded)."""
    return [(row["event"], row["at"], row["left_at"]) for row in book.rows(
        "SELECT event, at, left_at FROM stage_history WHERE deal_id = ? ORDER BY substr(at, 1, 10), id", (deal_id,))]


def test_each_visit_stores_when_it_ended(book):
    deals.add(book, "Visits", at=at("2026-01-05 10:00"))
    deals.move(book, 1, "Qualified", at=at("2026-01-07 10:00"))
    deals.close(book, 1, "won", at=at("2026-01-10 10:00"))
    deals.reopen(book, 1, stage="Proposal", at=at("2026-01-12 10:00"))
    deals.close(book, 1, "lost", reason="price", at=at("2026-01-15 10:00"))
    deals.reopen(book, 1, at=at("2026-01-20 10:00"))
    assert ends(book, 1) == [
        ("created", "2026-01-05T10:00:00+03:00", "2026-01-07T10:00:00+03:00"),  # left by the move
        ("moved", "2026-01-07T10:00:00+03:00", "2026-01-10T10:00:00+03:00"),    # left by the win
        ("won", "2026-01-10T10:00:00+03:00", None),                             # a close is no visit
        ("reopened", "2026-01-12T10:00:00+03:00", "2026-01-15T10:00:00+03:00"),
        ("lost", "2026-01-15T10:00:00+03:00", None),
        ("reopened", "2026-01-20T10:00:00+03:00", None),                        # still in it
    ]


def test_a_back_dated_day_ends_the_visit_before_it_not_the_current_one(book):
    # A whole day sorts before that day's instants as text, yet the move (back-dated to the day) came after
    # the creation at 09:00: the creation's visit ends at it, and the deal's visit of Qualified goes on.
    deals.add(book, "Same day", at=at("2026-11-22 09:00"))
    deals.move(book, 1, "Qualified", at=at("2026-11-22"))
    assert ends(book, 1) == [("created", "2026-11-22T09:00:00+03:00", "2026-11-22"),
                             ("moved", "2026-11-22", None)]


def test_a_close_dated_by_the_day_ends_a_visit_timed_that_day(book, clock):
    """Moved at 12:00, won `--at` that day: the visit of Negotiation took 0 days, it was not dropped."""
    clock("2026-11-10T10:00")
    deals.add(book, "a")
    clock("2026-11-10T12:00")
    deals.move(book, 1, "Negotiation")
    clock("2026-11-12T12:00")
    deals.close(book, 1, "won", at=when.parse("2026-11-10"))
    assert ends(book, 1)[1:] == [("moved", "2026-11-10T12:00:00+03:00", "2026-11-10"),
                                 ("won", "2026-11-10", None)]
    negotiation = {row["stage"]: row for row in reports.velocity(book)}["Negotiation"]
    assert (negotiation["visits"], negotiation["max_days"]) == (1, 0.0)


def test_removing_a_stage_ends_the_visits_of_its_deals(book):
    deals.add(book, "Rehomed", stage="Proposal", at=at("2026-11-20 10:00"))
    pipeline.remove(book, "Proposal", to="Negotiation")
    assert ends(book, 1) == [("created", "2026-11-20T10:00:00+03:00", "2026-11-22T10:00:00+03:00"),
                             ("moved", "2026-11-22T10:00:00+03:00", None)]


def test_a_deal_won_on_the_day_it_was_created_takes_no_time_not_less(book, clock):
    clock("2026-11-21T15:00")
    deals.add(book, "Quick win")
    clock("2026-11-22T10:00")
    deals.close(book, 1, "won", at=when.parse("yesterday"))
    cycle = {row["stage"]: row for row in reports.velocity(book)}[reports.CYCLE_ROW]
    assert (cycle["visits"], cycle["avg_days"], cycle["max_days"]) == (1, 0.0, 0.0)


def test_a_removed_stage_lends_no_visits_to_the_stage_that_took_its_deals(book):
    deals.add(book, "Passed through", at=at("2026-11-01 10:00"))
    deals.move(book, 1, "Qualified", at=at("2026-11-04 10:00"))
    deals.move(book, 1, "Proposal", at=at("2026-11-08 10:00"))
    pipeline.remove(book, "Qualified", to="Proposal")
    rows = {row["stage"]: row for row in reports.velocity(book)}
    assert "Qualified" not in rows
    assert (rows["Lead"]["visits"], rows["Lead"]["avg_days"]) == (1, 3.0)
    assert rows["Proposal"]["visits"] == 0  # the 4 days in Qualified are not time in Proposal


def _as_schema_1(source, target) -> None:
    """Write the rows of the book at `source` into a new book at `target` made by the first migration only."""
    conn = sqlite3.connect(target)
    MIGRATIONS[0](conn)
    conn.execute("PRAGMA user_version = 1")
    conn.execute("ATTACH DATABASE ? AS written", (str(source),))
    for (table,) in conn.execute("SELECT name FROM main.sqlite_master WHERE type = 'table'").fetchall():
        columns = ", ".join(row[1] for row in conn.execute(f"PRAGMA main.table_info({table})"))
        conn.execute(f"DELETE FROM main.{table}")
        conn.execute(f"INSERT INTO main.{table} ({columns}) SELECT {columns} FROM written.{table}")
    conn.commit()
    conn.close()


def test_upgrading_a_schema_1_book_works_out_when_each_visit_ended(full, tmp_path):
    deals.reopen(full, 2, at=at("2026-05-01 10:00"))  # a reopened visit, ended by a move
    deals.move(full, 2, "Proposal", at=at("2026-05-04 10:00"))
    old = tmp_path / "schema-1.db"
    _as_schema_1(full.path, old)
    upgraded = Book.open(old)
    try:
        history = "SELECT id, event, at, left_at FROM stage_history ORDER BY id"
        assert upgraded.rows(history) == full.rows(history)
        # The same numbers as test_velocity_per_stage_and_cycle and ..._that_ended_in_the_period check by hand.
        assert reports.velocity(upgraded) == reports.velocity(full)
        assert reports.velocity(upgraded, since=at("2026-02-01")) == reports.velocity(full, since=at("2026-02-01"))
    finally:
        upgraded.close()


# --- losses ---------------------------------------------------------------------------------------------


def test_losses_by_stage_and_reason(full):
    assert reports.losses(full) == [
        {"stage": "Lead", "reason": "price", "count": 1, "value": 3_000_000, "currency": "RUB"},          # D7
        {"stage": "Qualified", "reason": "price", "count": 1, "value": 5_000_000, "currency": "RUB"},     # D2
        {"stage": "Negotiation", "reason": "competitor", "count": 1, "value": 200_000, "currency": "USD"},  # D3
    ]
    assert [row["stage"] for row in reports.losses(full, since=at("2026-02-01"), until=at("2026-03-31"))] \
        == ["Negotiation"]


def test_losses_sum_one_stage_and_reason(full):
    deals.add(full, "D9", value="1000", currency="RUB", at=at("2026-07-01 10:00"))
    deals.close(full, 9, "lost", reason="price", at=at("2026-07-02 10:00"))
    assert reports.losses(full)[0] == {"stage": "Lead", "reason": "price", "count": 2, "value": 3_100_000,
                                       "currency": "RUB"}  # D7 30 000 + D9 1 000


# --- forecast -------------------------------------------------------------------------------------------


def test_forecast_by_month_weights_by_probability(full):
    assert reports.forecast(full) == [
        # D5 200 000 × 25% (Qualified) + D8 12 345.65 × 50% (its own) = 50 000 + 6 172.825 → 56 172.83
        # (in kopecks: 500 000 000 + 61 728 250 = 561 728 250 / 100 = 5 617 282.5 → half up 5 617 283)
        {"month": "2026-12", "deals": 2, "value": 21_234_565, "weighted": 5_617_283, "currency": "RUB"},
        # D4 3 000 × 40% (its own) = 1 200
        {"month": "unscheduled", "deals": 1, "value": 300_000, "weighted": 120_000, "currency": "USD"},
    ]


def test_forecast_by_stage(full):
    assert reports.forecast(full, by="stage") == [
        {"stage": "Lead", "deals": 1, "value": 300_000, "weighted": 120_000, "currency": "USD"},
        {"stage": "Qualified", "deals": 1, "value": 20_000_000, "weighted": 5_000_000, "currency": "RUB"},
        # 1 234 565 × 50 / 100 = 617 282.5 → half up 617 283
        {"stage": "Negotiation", "deals": 1, "value": 1_234_565, "weighted": 617_283, "currency": "RUB"},
    ]


def test_forecast_period_is_on_expected_close(full):
    rows = reports.forecast(full, since=at("2026-12-10"), until=at("2026-12-31"))
    assert rows == [{"month": "2026-12", "deals": 1, "value": 1_234_565, "weighted": 617_283, "currency": "RUB"}]


# --- sources --------------------------------------------------------------------------------------------


def source_row(source, leads, open_, won, lost, win_rate, won_value, currency):
    return {"source": source, "leads": leads, "open": open_, "won": won, "lost": lost, "win_rate_pct": win_rate,
            "won_value": won_value, "currency": currency}


def test_sources(full):
    assert reports.sources(full) == [
        source_row("site", 3, 1, 1, 1, 50.0, 10_000_000, "RUB"),   # D1 won, D5 open, D7 lost
        source_row("referral", 2, 1, 0, 1, 0.0, 0, "RUB"),         # D2 lost, D8 open
        source_row("(none)", 1, 0, 1, 0, 100.0, 8_000_000, "RUB"),  # D6
        source_row("referral", 1, 1, 0, 0, None, 0, "USD"),        # D4: nothing closed yet
        source_row("site", 1, 0, 0, 1, 0.0, 0, "USD"),             # D3
    ]


def test_sources_cohort(full):
    # created from 03-01: D5, D6, D7, D8
    assert reports.sources(full, since=at("2026-03-01")) == [
        source_row("site", 2, 1, 0, 1, 0.0, 0, "RUB"),
        source_row("(none)", 1, 0, 1, 0, 100.0, 8_000_000, "RUB"),
        source_row("referral", 1, 1, 0, 0, None, 0, "RUB"),
    ]


# --- revenue --------------------------------------------------------------------------------------------


def add_invoices(book) -> None:
    """Invoices and payments written directly (the invoice commands have their own home)."""
    invoices = [
        (1, "INV-0001", 1, "RUB", 10_000_000, "2026-01-20", "2026-02-03", None),
        (2, "INV-0002", 6, "RUB", 8_000_000, "2026-04-03", "2026-04-17", None),
        (3, "INV-0003", 3, "USD", 200_000, "2026-01-25", "2026-02-08", "2026-01-26T10:00:00+03:00"),  # void
        (4, "INV-0004", 4, "USD", 150_000, "2026-04-06", "2026-04-20", None),
    ]
    book.conn.executemany("INSERT INTO invoices (id, number, seq, deal_id, currency, total, issued, due, voided_at)"
                          " VALUES (?1, ?2, ?1, ?3, ?4, ?5, ?6, ?7, ?8)", invoices)
    payments = [
        (1, 4_000_000, "2026-01-25T12:00:00+03:00"),
        (1, 6_000_000, "2026-02-02T09:00:00+03:00"),
        (2, 8_000_000, "2026-04-05T18:00:00+03:00"),
        (4, 50_000, "2026-04-07T10:00:00+03:00"),
        (4, 50_000, "2027-01-01T10:00:00+03:00"),
    ]
    book.conn.executemany("INSERT INTO payments (invoice_id, amount, at) VALUES (?, ?, ?)", payments)
    book.conn.commit()


def revenue_row(period, invoiced, paid, currency):
    return {"period": period, "invoiced": invoiced, "paid": paid, "currency": currency}


def test_revenue_by_month(full):
    add_invoices(full)
    assert reports.revenue(full) == [
        revenue_row("2026-01", 10_000_000, 4_000_000, "RUB"),  # the void USD invoice counts nowhere
        revenue_row("2026-02", 0, 6_000_000, "RUB"),
        revenue_row("2026-04", 8_000_000, 8_000_000, "RUB"),
        revenue_row("2026-04", 150_000, 50_000, "USD"),
        revenue_row("2027-01", 0, 50_000, "USD"),
    ]


def test_revenue_by_iso_week(full):
    add_invoices(full)
    assert reports.revenue(full, by="week") == [
        revenue_row("2026-W04", 10_000_000, 4_000_000, "RUB"),  # Tue 01-20 and Sun 01-25: week of Mon 01-19
        revenue_row("2026-W06", 0, 6_000_000, "RUB"),           # Mon 02-02
        revenue_row("2026-W14", 8_000_000, 8_000_000, "RUB"),   # Fri 04-03, Sun 04-05
        revenue_row("2026-W15", 150_000, 50_000, "USD"),        # Mon 04-06, Tue 04-07
        revenue_row("2026-W53", 0, 50_000, "USD"),              # Fri 2027-01-01 is in 2026's last week
    ]


def test_revenue_period(full):
    add_invoices(full)
    assert reports.revenue(full, since=at("2026-02-01"), until=at("2026-04-05")) == [
        revenue_row("2026-02", 0, 6_000_000, "RUB"),
        revenue_row("2026-04", 8_000_000, 8_000_000, "RUB"),
    ]


# --- activity -------------------------------------------------------------------------------------------


def add_activity(book) -> None:
    record = activities.record
    record(book, "call", "2026-01-06T11:00:00+03:00", deal_id=1)              # anna (the deal's owner)
    record(book, "email", "2026-01-08T09:00:00+03:00", deal_id=1)             # anna
    record(book, "call", "2026-02-02T10:00:00+03:00", deal_id=3)              # boris
    record(book, "meeting", "2026-02-05T15:00:00+03:00", deal_id=3, owner="anna")  # anna stood in
    record(book, "note", "2026-02-10T12:00:00+03:00")                         # no deal, no owner
    done = {  # task → (due, done_at)
        tasks.create(book, "t1", at("2026-01-07"), deal_id=1)["id"]: "2026-01-07T18:00:00+03:00",   # on time
        tasks.create(book, "t2", at("2026-01-12"), deal_id=2)["id"]: "2026-01-14T09:00:00+03:00",   # late
        tasks.create(book, "t3", at("2026-02-03 12:00"), deal_id=3)["id"]: "2026-02-03T20:00:00+03:00",  # same day
    }
    tasks.create(book, "t4", at("2026-02-15"), deal_id=4)  # still open: not counted
    for task_id, done_at in done.items():
        book.conn.execute("UPDATE tasks SET done_at = ? WHERE id = ?", (done_at, task_id))
    book.conn.commit()


def activity_row(period, call=0, email=0, meeting=0, message=0, note=0, done=0, on_time=0, late=0):
    return {"period": period, "call": call, "email": email, "meeting": meeting, "message": message, "note": note,
            "tasks_done": done, "on_time": on_time, "late": late}


def test_activity_per_month(full):
    add_activity(full)
    assert reports.activity(full) == [
        activity_row("2026-01", call=1, email=1, done=2, on_time=1, late=1),
        activity_row("2026-02", call=1, meeting=1, note=1, done=1, on_time=1),
    ]
    assert reports.activity(full, since=at("2026-02-01")) == [
        activity_row("2026-02", call=1, meeting=1, note=1, done=1, on_time=1)]


def test_activity_by_owner(full):
    add_activity(full)
    assert reports.activity(full, by="owner") == [
        {"owner": "(none)", **activity_row("2026-02", note=1)},
        {"owner": "anna", **activity_row("2026-01", call=1, email=1, done=2, on_time=1, late=1)},
        {"owner": "anna", **activity_row("2026-02", meeting=1)},
        {"owner": "boris", **activity_row("2026-02", call=1, done=1, on_time=1)},
    ]


# --- options --------------------------------------------------------------------------------------------


def test_period_bounds_are_whole_days_inclusive(full):
    # D6 created 04-01 10:00 and D7 04-10 10:00: a day-only --until takes in the whole day
    rows = reports.sources(full, since=at("2026-04-01 23:00"), until=at("2026-04-10"))
    assert [(row["source"], row["leads"]) for row in rows] == [("(none)", 1), ("site", 1)]


@pytest.mark.parametrize("call, message", [
    (lambda b: reports.funnel(b, by="stage"), "unknown --by 'stage'; use owner or source"),
    (lambda b: reports.forecast(b, by="week"), "use month or stage"),
    (lambda b: reports.revenue(b, by="year"), "use month or week"),
    (lambda b: reports.activity(b, by="source"), "use owner"),
    (lambda b: reports.losses(b, since=at("2026-05-01"), until=at("2026-04-01")), "is after --until"),
])
def test_bad_options(book, call, message):
    with pytest.raises(InputError, match=message):
        call(book)
