"""The cadence commands: park, unpark, draft, cadence show/set, and parked deals in deals/show."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_exe


@pytest.fixture
def parked(cli):
    """Deal #1 (₽ 600 000, tier 1) parked; the book's currency is RUB."""
    cli.ok("config", "set", "currency", "RUB")
    cli.ok("add", "Ветерок — окна", "--contact", "Анна", "--value", "600 000")
    cli.ok("park", "1", "--note", "went to think after the proposal")
    return 1


def test_park_confirms_the_plan(cli):
    cli.ok("config", "set", "currency", "RUB")
    cli.ok("add", "Ветерок — окна", "--value", "600 000")
    cli.ok("add", "Мелочь", "--value", "5 000")
    assert cli.ok("park", "1").stdout == (
        'Parked deal #1 "Ветерок — окна" (Lead): 6 touches (coefficient 1), first email due 2026-11-29\n')
    assert cli.ok("park", "-q", "2").stdout == "2\n"
    assert cli.ok("show", "2", "--format", "json").stdout.count('"touches_total": 0') == 1


def test_park_json_is_the_deal_with_its_cadence(cli):
    cli.ok("add", "Acme", "--value", "$150,000", "--at", "2026-11-19")
    parked = json.loads(cli.ok("park", "1", "--at", "2026-11-20", "--format", "json").stdout)
    assert parked["id"] == 1 and parked["cadence"]["touches_total"] == 3
    assert (parked["cadence"]["next_due"], parked["cadence"]["parked_at"]) == ("2026-11-27", "2026-11-20")


def test_show_json_has_the_cadence_object(cli, parked):
    cadence = json.loads(cli.ok("show", "1", "--format", "json").stdout)["cadence"]
    assert cadence == {"coefficient": 1.0, "touches_total": 6, "touches_done": 0, "next_due": "2026-11-29",
                       "channel": "email", "parked_at": "2026-11-22T10:00:00+03:00",
                       "note": "went to think after the proposal"}
    cli.ok("unpark", "1")
    assert json.loads(cli.ok("show", "1", "--format", "json").stdout)["cadence"] is None


def test_show_card_on_a_terminal_has_the_cadence_section(cli, parked):
    out = cli.ok("show", "1", "--format", "table").stdout
    assert "Follow-up cadence" in out and "went to think after the proposal" in out


def test_deals_parked_lists_touches_and_next_channel(cli, parked):
    cli.ok("add", "Not parked", "--value", "1")
    header, row = cli.ok("deals", "--parked").stdout.splitlines()
    columns = header.split("\t")
    assert columns[-5:] == ["coefficient", "touches_done", "touches_total", "next_touch", "channel"]
    values = dict(zip(columns, row.split("\t")))
    assert (values["id"], values["coefficient"], values["touches_done"], values["touches_total"],
            values["next_touch"], values["channel"]) == ("1", "1.0", "0", "6", "2026-11-29", "email")
    assert "coefficient" not in cli.ok("deals").stdout.splitlines()[0]


def test_cadence_show_is_tsv_when_piped(cli):
    lines = cli.ok("cadence", "show").stdout.splitlines()
    assert lines[0] == "threshold\tcurrency\tcoefficient\ttouches\tbase\tinterval\tchannels"
    assert lines[1:] == ["0.00\tUSD\t0.0\t0\t6\t7d\temail,call", "100000.00\tUSD\t0.5\t3\t6\t7d\temail,call",
                         "500000.00\tUSD\t1.0\t6\t6\t7d\temail,call", "2000000.00\tUSD\t1.5\t9\t6\t7d\temail,call"]


def test_cadence_set_then_show(cli):
    out = cli.ok("cadence", "set", "--base", "5", "--tiers", "0:0,100000:0.5,500000:1,2000000:1.5",
                 "--interval", "2w", "--channels", "email,call,email").stdout
    assert out == ("Cadence: 5 touches at coefficient 1, every 2w, channels email,call,email; "
                   "tiers 0:0 → 0, 100000:0.5 → 3, 500000:1 → 5, 2000000:1.5 → 8\n")
    shown = json.loads(cli.ok("cadence", "show", "--format", "json").stdout)
    assert [row["touches"] for row in shown] == [0, 3, 5, 8]
    assert {(row["interval"], row["channels"]) for row in shown} == {("2w", "email,call,email")}


def test_draft_prints_the_next_touch(cli, parked):
    out = cli.ok("draft", "1").stdout
    assert out.startswith("Subject: Ветерок — окна\n\nHello Анна,") and "₽ 600\u202f000" in out


@pytest.mark.parametrize(("args", "message"), [
    (("park", "99"), "no deal #99"),
    (("park", "abc"), "is not a deal number"),
    (("park", "1"), "already parked"),
    (("park", "2"), "is won; only an open deal can be parked"),
    (("park", "3"), "is in USD but the cadence tiers are in RUB"),
    (("park", "3", "--coefficient", "much"), "--coefficient 'much' must be a number"),
    (("park", "3", "--at", "someday"), "cannot read 'someday' as a date"),
    (("park", "3", "--at", "2026-11-21"), "before deal #3 was created"),
    (("park", "3", "--at", "+3d"), "is in the future"),
    (("unpark", "1", "--at", "2026-11-21"), "before deal #1 was parked"),
    (("unpark", "1", "--at", "+30d"), "is in the future"),
    (("unpark", "3"), "is not parked"),
    (("unpark", "99"), "no deal #99"),
    (("draft", "3"), "is not parked"),
    (("cadence", "set"), "nothing to change"),
    (("cadence", "set", "--tiers", "100000:1"), "the tiers must start at 0"),
    (("cadence", "set", "--tiers", "0:0,100:1,100:2"), "two tiers have the same threshold"),
    (("cadence", "set", "--tiers", "0:0,lots"), "cannot read tier 'lots'"),
    (("cadence", "set", "--tiers", "0:0,100000:-1"), "cannot read tier"),
    (("cadence", "set", "--interval", "soon"), "cannot read 'soon' as an offset"),
    (("cadence", "set", "--interval", "4h"), "positive number of days"),
    (("cadence", "set", "--interval", "0d"), "positive number of days"),
    (("cadence", "set", "--channels", "email,fax"), "channels must be a comma-separated list"),
    (("cadence", "set", "--channels", ","), "channels must be a comma-separated list"),
    (("cadence", "set", "--base", "0"), "not a whole number from 1 to 100"),
    (("cadence", "set", "--base", "8", "--interval", "soon"), "--interval"),  # all or nothing: base unchanged
])
def test_errors_change_nothing(cli, parked, assert_refused, args, message):
    cli.ok("add", "Closed", "--value", "1")
    cli.ok("won", "2")
    cli.ok("add", "Dollars", "--value", "$5,000")
    assert_refused(*args, message=message)


def test_a_move_or_close_back_dated_before_the_parking_is_refused(cli, clock, assert_refused):
    """A cadence cannot end before it began: the move or close would have ended it, so it was not there."""
    cli.ok("add", "Acme", "--value", "$150,000", "--at", "2026-11-01")
    cli.ok("park", "1", "--at", "2026-11-10")
    assert_refused("move", "1", "Proposal", "--at", "2026-11-05", message="before deal #1 was parked (2026-11-10)")
    assert_refused("won", "1", "--at", "2026-11-09", message="before deal #1 was parked")
    cli.ok("won", "1", "--at", "2026-11-10")  # the same day is not before it


def test_draft_of_an_exhausted_cadence_says_decide(cli, assert_refused):
    cli.ok("add", "Small", "--value", "5")
    cli.ok("park", "1")
    assert_refused("draft", "1", message="time to decide")


def test_cadence_show_through_the_real_executable_is_tsv():
    result = run_exe("cadence", "show")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split("\t") == ["threshold", "currency", "coefficient", "touches", "base", "interval", "channels"]
    assert [line.split("\t")[3] for line in lines[1:]] == ["0", "3", "6", "9"]
    assert "\x1b" not in result.stdout
