"""A date typed without a year (`5 Jan`) on 20 December: a plan means the next one, a record the last one."""

import json

import pytest

from tests.conftest import one


@pytest.fixture
def december(cli, clock):
    clock("2026-12-20T10:00")
    cli.ok("add", "Acme", "--value", "1000", "--at", "2025-06-01")


def test_options_that_plan_take_the_next_such_day(cli, db_path, december):
    cli.ok("remind", "1", "call Anna", "--due", "5 Jan")
    assert one(db_path, "SELECT due FROM tasks WHERE text = 'call Anna'") == ("2027-01-05",)
    cli.ok("snooze", "T1", "--to", "6 Jan")
    assert one(db_path, "SELECT due FROM tasks WHERE text = 'call Anna'") == ("2027-01-06",)
    cli.ok("log", "1", "call", "--next", "send the offer", "--due", "7 Jan")
    assert one(db_path, "SELECT max(due) FROM tasks") == ("2027-01-07",)
    cli.ok("edit", "1", "--close", "15 Jan")
    assert one(db_path, "SELECT expected_close FROM deals") == ("2027-01-15",)
    cli.ok("invoice", "add", "1", "--due", "10 Jan")
    assert one(db_path, "SELECT due FROM invoices") == ("2027-01-10",)


def test_today_on_a_year_less_day_is_the_coming_one(cli, december):
    cli.ok("remind", "1", "call Anna", "--due", "2027-01-05")
    rows = json.loads(cli.ok("today", "--on", "5 Jan", "-f", "json").stdout)
    assert [row["task_id"] for row in rows if row["kind"] == "task"] == [1]


def test_options_that_record_take_the_last_such_day(cli, db_path, december):
    cli.ok("log", "1", "call", "--at", "25 Dec")  # not refused as in the future: last year's 25 December
    assert one(db_path, "SELECT at FROM activities WHERE kind = 'call'") == ("2025-12-25",)
    cli.ok("remind", "1", "send the offer", "--due", "2027-01-05")
    cli.ok("done", "T1", "--at", "20 Dec")  # today is the last such day
    assert one(db_path, "SELECT done_at FROM tasks") == ("2026-12-20",)


def test_report_periods_keep_a_year_less_day_in_this_year(cli, december):
    """A period may lie behind or ahead (a forecast), so `--since 1 Dec` is neither last year's nor next year's."""
    cli.ok("log", "1", "call", "--at", "2026-12-19")
    rows = json.loads(cli.ok("report", "activity", "--since", "1 Dec", "--until", "31 Dec", "-f", "json").stdout)
    assert [(row["period"], row["call"]) for row in rows] == [("2026-12", 1)]
