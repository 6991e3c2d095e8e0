"""`--at WHEN` on the commands that record an event and were added last: done, invoice void, sweep --close."""

import json

from tests.conftest import one


def test_done_at_back_dates_the_completion(cli, db_path):
    cli.ok("add", "Acme", "--next", "call Anna", "--due", "2026-11-20")
    cli.ok("done", "T1", "--at", "yesterday 17:30")
    assert one(db_path, "SELECT done_at FROM tasks WHERE id = 1") == ("2026-11-21T17:30:00+03:00",)


def test_void_at_back_dates_and_refuses_a_moment_before_the_issue(cli, db_path, assert_refused):
    cli.ok("add", "Acme", "--value", "1000", "--at", "2026-11-01")
    cli.ok("invoice", "add", "1", "--at", "2026-11-10")
    assert_refused("invoice", "void", "INV-0001", "--at", "2026-11-05", message="cannot be voided before it was issued")
    voided = json.loads(cli.ok("invoice", "void", "INV-0001", "--at", "2026-11-12", "-f", "json").stdout)
    assert voided["status"] == "void"
    assert one(db_path, "SELECT voided_at FROM invoices") == ("2026-11-12",)


def test_sweep_close_at_back_dates_the_losses(cli, db_path):
    cli.ok("add", "Old deal", "--at", "2026-07-01")
    cli.ok("add", "Fresh deal")
    cli.ok("sweep", "--close", "--at", "2026-11-20")
    assert one(db_path, "SELECT status, closed_at, lost_reason FROM deals WHERE title = 'Old deal'") == (
        "lost", "2026-11-20", "stale")
    assert one(db_path, "SELECT status FROM deals WHERE title = 'Fresh deal'") == ("open",)


def test_log_refuses_a_future_moment_like_every_event(cli, assert_refused):
    cli.ok("add", "Acme")
    assert_refused("log", "1", "call", "--missed", "--at", "+1h", message="is in the future")


def test_a_stage_cannot_be_renamed_to_blank(cli, assert_refused):
    cli.ok("stage", "list")  # the book exists before the refused rename
    assert_refused("stage", "edit", "Lead", "--name", " ", message="a stage needs a name")


def test_unset_names_the_default_it_returns_to(cli):
    cli.ok("config", "set", "owner", "maria")
    line = cli.ok("config", "unset", "owner").stdout
    assert line.startswith("Unset owner (back to the default: ") and "none" not in line


def test_a_moment_with_a_foreign_offset_is_kept_in_local_time(cli, db_path, clock):
    # 23:30 in New York is 07:30 next morning in Moscow (the tests' zone): the seller's day is the 23rd.
    clock("2026-11-22T23:30-05:00")
    cli.ok("add", "Acme", "--next", "call Anna", "--due", "today")
    assert one(db_path, "SELECT created_at FROM deals") == ("2026-11-23T07:30:00+03:00",)
    assert one(db_path, "SELECT due FROM tasks") == ("2026-11-23",)
    cli.ok("log", "1", "call", "from the airport", "--at", "2026-11-23T01:00+02:00")
    assert one(db_path, "SELECT at FROM activities") == ("2026-11-23T02:00:00+03:00",)
    agenda = json.loads(cli.ok("today", "-f", "json").stdout)
    assert [(entry["kind"], entry["days"]) for entry in agenda] == [("task", 0)]


def test_invoice_add_at_refuses_a_day_before_the_deal_was_created(cli, db_path, assert_refused):
    """No stage move happens here (the deal is already in Invoiced), so only the creation date can stop it."""
    cli.ok("add", "Acme", "--value", "1000", "--at", "2026-11-10")
    cli.ok("move", "1", "Invoiced", "--at", "2026-11-12")
    assert_refused("invoice", "add", "1", "--at", "2026-11-01",
                   message="--at 2026-11-01 is before deal #1 was created (2026-11-10)")
    cli.ok("invoice", "add", "1", "--at", "2026-11-10")  # the day it was created is not too early
    assert one(db_path, "SELECT issued FROM invoices") == ("2026-11-10",)


def test_invoice_add_at_refuses_a_day_before_a_won_deal_was_created(cli, assert_refused):
    cli.ok("add", "Acme", "--value", "1000", "--at", "2026-11-10")
    cli.ok("won", "1", "--at", "2026-11-15")
    assert_refused("invoice", "add", "1", "--at", "2026-11-09 18:00", message="before deal #1 was created")


def test_a_whole_day_step_does_not_let_later_events_go_back_before_earlier_times(cli, db_path, assert_refused):
    """Created at 12:00, moved on the 20th (a whole day, compared as a day): a time on the 20th passes the move,
    but not the 12:00 creation. Nothing may be dated before any earlier event, not only before the last one."""
    cli.ok("add", "Deal", "--at", "2026-11-20T12:00")
    cli.ok("move", "1", "prop", "--at", "2026-11-20")
    assert_refused("won", "1", "--at", "2026-11-20T11:30",
                   message="--at 2026-11-20T11:30:00+03:00 is before deal #1 was created (2026-11-20T12:00:00+03:00); "
                           "events must be recorded in order")
    assert_refused("move", "1", "nego", "--at", "2026-11-20 11:00", message="before deal #1 was created")
    assert_refused("advance", "1", "--at", "2026-11-19", message="before deal #1 moved to Proposal (2026-11-20)")
    cli.ok("move", "1", "nego", "--at", "2026-11-20 12:00")  # the same moment as the creation is not before it
    cli.ok("lost", "1", "--reason", "price", "--at", "2026-11-20")
    assert_refused("reopen", "1", "--at", "2026-11-20 11:59", message="before deal #1 moved to Negotiation")
    cli.ok("reopen", "1", "--at", "2026-11-21 09:00")
    assert one(db_path, "SELECT group_concat(event || ' ' || at, '; ') FROM stage_history") == (
        "created 2026-11-20T12:00:00+03:00; moved 2026-11-20; moved 2026-11-20T12:00:00+03:00; lost 2026-11-20; "
        "reopened 2026-11-21T09:00:00+03:00",)


def test_removing_a_stage_at_a_moment_keeps_each_moved_deal_in_order(cli, assert_refused):
    cli.ok("add", "Acme", "--at", "2026-11-20T12:00")
    cli.ok("move", "1", "Proposal", "--at", "2026-11-20")
    assert_refused("stage", "remove", "Proposal", "--to", "Lead", "--at", "2026-11-20T11:00",
                   message="--at 2026-11-20T11:00:00+03:00 is before deal #1 was created")
    cli.ok("stage", "remove", "Proposal", "--to", "Lead", "--at", "2026-11-20T13:00")


def test_the_date_range_and_whole_minute_offsets_hold_for_the_moment_stored(cli, db_path, assert_refused):
    cli.ok("add", "Acme")
    assert_refused("remind", "1", "call", "--due", "2999-12-31T23:30-05:00",  # 3000-01-01 07:30 in Moscow
                   message="'2999-12-31T23:30-05:00' is out of range: dates go from 1900-01-01 to 2999-12-31")
    assert_refused("add", "Old", "--at", "1900-01-01T00:30+05:00", message="is out of range")
    cli.ok("add", "Old", "--at", "1900-01-01T03:30+05:00")  # Moscow kept local mean time then: +02:30:17
    assert one(db_path, "SELECT created_at FROM deals WHERE id = 2") == ("1900-01-01T01:00:00+02:30",)
    stale = [row["deal_id"] for row in json.loads(cli.ok("today", "-f", "json").stdout) if row["kind"] == "stale"]
    swept = [row["deal_id"] for row in json.loads(cli.ok("sweep", "-f", "json").stdout)]
    assert stale == swept == [2]


def test_a_dotted_date_on_the_command_line_is_day_first_as_in_imports(cli, db_path, assert_refused):
    cli.ok("add", "Acme", "--next", "call Anna", "--due", "01.02.2027", "--at", "01.11.2026")
    assert one(db_path, "SELECT due FROM tasks") == ("2027-02-01",)
    cli.ok("won", "1", "--at", "20.11.2026 14:30")
    assert one(db_path, "SELECT closed_at FROM deals") == ("2026-11-20T14:30:00+03:00",)
    assert_refused("remind", "1", "x", "--due", "01.02.27", message="write the year in full (DD.MM.YYYY)")
    assert_refused("remind", "1", "x", "--due", "30.02.2027", message="'30.02.2027' is not a valid date")
