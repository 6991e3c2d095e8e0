"""Follow-up cadences (SPEC §8): tiers, touches derived from the log, the follow-up and decide agenda items."""

from __future__ import annotations

from datetime import date

import pytest

from dealflow.core import activities, cadence, deals, settings
from dealflow.core.errors import Conflict, InputError, NotFound

AGENDA_FIELDS = {"kind", "deal_id", "deal", "contact", "phone", "email", "stage", "value", "currency", "due", "days",
                 "detail", "task_id", "invoice", "probability", "stage_rank"}


def new_deal(book, value: str = "600000", title: str = "Ветерок — окна", **extra) -> int:
    return deals.add(book, title, contact="Анна Кузнецова", phone="+7 903 123-45-67", value=value, **extra)["id"]


def touch(book, deal_id: int, at: str, kind: str = "email") -> None:
    activities.record(book, kind, at, deal_id=deal_id)


def test_default_tier_table_gives_0_3_6_9_touches(book):
    setup = cadence.configuration(book)
    assert setup["base"] == 6 and setup["interval"] == "7d" and setup["channels"] == ["email", "call"]
    assert [(t["threshold"], t["coefficient"], t["touches"]) for t in setup["tiers"]] == [
        (0, 0, 0), (10_000_000, 0.5, 3), (50_000_000, 1, 6), (200_000_000, 1.5, 9)]
    assert {t["currency"] for t in setup["tiers"]} == {"USD"}


@pytest.mark.parametrize(("value", "coefficient"), [
    (0, 0), (9_999_999, 0), (10_000_000, 0.5), (49_999_999, 0.5), (50_000_000, 1), (199_999_999, 1),
    (200_000_000, 1.5), (10**12, 1.5)])
def test_a_threshold_belongs_to_the_tier_it_starts(book, value, coefficient):
    assert cadence.coefficient_for(settings.get(book, "cadence.tiers"), value) == coefficient


@pytest.mark.parametrize(("value", "touches"), [("99999.99", 0), ("100000", 3), ("500000", 6), ("2000000", 9)])
def test_parking_at_the_boundaries(book, value, touches):
    deal_id = new_deal(book, value)
    assert cadence.park(book, deal_id)["cadence"]["touches_total"] == touches


@pytest.mark.parametrize(("coefficient", "base", "touches"), [
    (0.5, 5, 3),    # 2.5 rounds up, where round() would give 2
    (1.5, 3, 5),    # 4.5 → 5
    (1.15, 10, 12), # 11.5 exactly in decimals; 1.15 * 10 in floats is 11.499999999999998
    (0.1, 4, 0),    # 0.4 → 0
    (0, 6, 0),
])
def test_touches_round_half_up_in_exact_decimals(coefficient, base, touches):
    assert cadence.touches_for(coefficient, base) == touches


def test_walking_a_parked_deal_through_every_touch(book, clock):
    cadence.configure(book, channels="email,call,meeting")
    deal_id = new_deal(book)
    touch(book, deal_id, "2026-11-21T12:00:00+03:00")  # before parking: not a touch
    parked = cadence.park(book, deal_id, note="went to think after the proposal")["cadence"]
    assert parked == {"coefficient": 1, "touches_total": 6, "touches_done": 0, "next_due": "2026-11-29",
                      "channel": "email", "parked_at": "2026-11-22T10:00:00+03:00",
                      "note": "went to think after the proposal"}
    # Each touch is done on some day (late, early or on time); the next is due 7 days after it.
    days = ["2026-12-01", "2026-12-05", "2026-12-12", "2026-12-18", "2026-12-30", "2027-01-04"]
    channels = ["call", "meeting", "email", "call", "meeting"]
    expected_due = ["2026-12-08", "2026-12-12", "2026-12-19", "2026-12-25", "2027-01-06"]
    for number, day in enumerate(days, 1):
        clock(f"{day}T15:00")
        touch(book, deal_id, f"{day}T15:00:00+03:00", kind="note")  # notes never count
        touch(book, deal_id, f"{day}T15:00:00+03:00", kind="call" if number % 2 else "email")
        state = cadence.state(book, deal_id)
        assert state["touches_done"] == number
        if number < 6:
            assert (state["next_due"], state["channel"]) == (expected_due[number - 1], channels[number - 1])
            due = date.fromisoformat(expected_due[number - 1])
            assert cadence.agenda_follow_up(book, date.fromisoformat(day), date.fromisoformat(day)) == []
            [item] = cadence.agenda_follow_up(book, due, due)
            assert item["detail"] == f"Follow up Анна Кузнецова (touch {number + 1} of 6, {channels[number - 1]})"
    assert state["next_due"] is None and state["channel"] is None


def test_follow_up_item_counts_days_from_the_agenda_day(book):
    deal_id = new_deal(book)
    cadence.park(book, deal_id)
    assert cadence.agenda_follow_up(book, date(2026, 11, 22), date(2026, 11, 22)) == []
    ahead = cadence.agenda_follow_up(book, date(2026, 11, 22), date(2026, 11, 29))
    assert [(i["due"], i["days"]) for i in ahead] == [("2026-11-29", -7)]
    touch(book, deal_id, "2026-11-30T09:00:00+03:00")
    [item] = cadence.agenda_follow_up(book, date(2026, 12, 10), date(2026, 12, 10))
    assert set(item) == AGENDA_FIELDS
    assert item == {
        "kind": "follow-up", "deal_id": deal_id, "deal": "Ветерок — окна", "contact": "Анна Кузнецова",
        "phone": "+7 903 123-45-67", "email": None, "stage": "Lead", "value": 60_000_000, "currency": "USD",
        "due": "2026-12-07", "days": 3, "detail": "Follow up Анна Кузнецова (touch 2 of 6, call)",
        "task_id": None, "invoice": None, "probability": 10, "stage_rank": 0.2}


def test_exhausted_cadence_asks_for_a_decision(book):
    deal_id = new_deal(book, "100000")  # 3 touches
    cadence.park(book, deal_id)
    for day in ("2026-11-29", "2026-12-06", "2026-12-13", "2026-12-20"):  # the fourth is one too many
        touch(book, deal_id, f"{day}T11:00:00+03:00")
    assert cadence.agenda_follow_up(book, date(2026, 12, 25), date(2027, 1, 31)) == []
    [item] = cadence.agenda_decide(book, date(2026, 12, 25), date(2026, 12, 25))
    assert set(item) == AGENDA_FIELDS
    assert (item["kind"], item["due"], item["days"]) == ("decide", "2026-12-13", 12)
    assert item["detail"] == "Decide: 3 of 3 touches done — close it won or lost"
    deals.close(book, deal_id, "lost", reason="no response")
    assert cadence.agenda_decide(book, date(2026, 12, 25), date(2026, 12, 25)) == []


def test_zero_tier_is_a_decision_at_once(book):
    deal_id = new_deal(book, "50000", probability=40)
    assert cadence.park(book, deal_id)["cadence"]["touches_total"] == 0
    assert cadence.agenda_follow_up(book, date(2026, 11, 22), date(2027, 1, 1)) == []
    [item] = cadence.agenda_decide(book, date(2026, 11, 22), date(2026, 11, 22))
    assert (item["due"], item["days"], item["probability"]) == ("2026-11-22", 0, 40)
    assert item["detail"] == "Decide: its tier allows no follow-ups — close it won or lost"


def test_interval_and_channels_are_fixed_when_parked(book):
    deal_id = new_deal(book)
    cadence.park(book, deal_id)
    cadence.configure(book, interval="14d", channels="call")
    assert (cadence.state(book, deal_id)["next_due"], cadence.state(book, deal_id)["channel"]) == (
        "2026-11-29", "email")


def test_monthly_interval_keeps_to_the_calendar(book, clock):
    cadence.configure(book, interval="1m")
    clock("2027-02-01T10:00")
    deal_id = new_deal(book, at=date(2027, 1, 30))
    cadence.park(book, deal_id, at=date(2027, 1, 31))
    assert cadence.state(book, deal_id)["next_due"] == "2027-02-28"


def test_unpark_ends_the_cadence_and_a_new_one_starts_afresh(book, clock):
    deal_id = new_deal(book)
    cadence.park(book, deal_id)
    touch(book, deal_id, "2026-11-25T10:00:00+03:00")
    clock("2026-11-26T10:00")
    assert cadence.unpark(book, deal_id)["status"] == "open"
    assert cadence.state(book, deal_id) is None
    assert book.row("SELECT ended_at, end_reason FROM cadences") == {
        "ended_at": "2026-11-26T10:00:00+03:00", "end_reason": "unparked"}
    assert deals.listing(book, parked=True) == []
    again = cadence.park(book, deal_id)["cadence"]
    assert (again["touches_done"], again["next_due"]) == (0, "2026-12-03")


@pytest.mark.parametrize(("action", "reason"), [
    (lambda book, deal_id: deals.move(book, deal_id, "Proposal"), "moved"),
    (lambda book, deal_id: deals.advance(book, deal_id), "moved"),
    (lambda book, deal_id: deals.close(book, deal_id, "won"), "won"),
    (lambda book, deal_id: deals.close(book, deal_id, "lost", reason="price"), "lost"),
])
def test_moving_or_closing_ends_the_cadence(book, action, reason):
    deal_id = new_deal(book)
    cadence.park(book, deal_id)
    action(book, deal_id)
    assert cadence.state(book, deal_id) is None
    assert book.value("SELECT end_reason FROM cadences WHERE deal_id = ?", (deal_id,)) == reason
    assert cadence.agenda_follow_up(book, date(2026, 11, 22), date(2027, 1, 1)) == []


def test_parked_listing_carries_the_cadence_columns(book):
    parked_id, other_id = new_deal(book), new_deal(book, "150000", title="Другая сделка")
    cadence.park(book, parked_id)
    touch(book, parked_id, "2026-11-23T10:00:00+03:00")
    [row] = deals.listing(book, parked=True)
    assert row["id"] == parked_id and other_id != parked_id
    assert {k: row[k] for k in ("coefficient", "touches_done", "touches_total", "next_touch", "channel")} == {
        "coefficient": 1, "touches_done": 1, "touches_total": 6, "next_touch": "2026-11-30", "channel": "call"}
    assert deals.card(book, other_id)["cadence"] is None
    assert deals.card(book, parked_id)["cadence"]["touches_done"] == 1


def test_another_currency_needs_an_explicit_coefficient(book):
    deal_id = new_deal(book, "600000", currency="RUB")
    with pytest.raises(InputError, match="in RUB but the cadence tiers are in USD.*--coefficient"):
        cadence.park(book, deal_id)
    assert cadence.park(book, deal_id, coefficient="1.5")["cadence"]["touches_total"] == 9


@pytest.mark.parametrize("given", ["-1", "lots", "nan", "101"])
def test_bad_coefficient_is_refused(book, given):
    deal_id = new_deal(book)
    with pytest.raises(InputError, match="--coefficient"):
        cadence.park(book, deal_id, coefficient=given)


def test_parking_errors(book):
    deal_id = new_deal(book)
    cadence.park(book, deal_id)
    with pytest.raises(Conflict, match="already parked"):
        cadence.park(book, deal_id)
    closed_id = new_deal(book, title="Closed")
    deals.close(book, closed_id, "won")
    with pytest.raises(Conflict, match="is won; only an open deal can be parked"):
        cadence.park(book, closed_id)
    with pytest.raises(NotFound, match="no deal #99"):
        cadence.park(book, 99)
    with pytest.raises(Conflict, match="is not parked"):
        cadence.unpark(book, closed_id)


def test_configure_is_all_or_nothing(book):
    with pytest.raises(InputError, match="--interval"):
        cadence.configure(book, base="8", interval="soon")
    assert settings.get(book, "cadence.base") == 6
    setup = cadence.configure(book, base="4", tiers="0:0.5, 1000:2")
    assert [(t["threshold"], t["touches"]) for t in setup["tiers"]] == [(0, 2), (100_000, 8)]


def test_draft_uses_the_next_touch_channel(book):
    deal_id = new_deal(book)
    cadence.park(book, deal_id)
    touch(book, deal_id, "2026-11-23T10:00:00+03:00")
    drafted = cadence.draft(book, deal_id)
    assert (drafted["channel"], drafted["touch"], drafted["due"]) == ("call", 2, "2026-11-30")
    assert drafted["text"].startswith("Call Анна Кузнецова about Ветерок — окна ($ 600,000)")


def test_demo_parks_deals_in_several_tiers(book):
    from dealflow.core import demo

    demo.build(book)
    assert {state["coefficient"] for state in cadence.states(book).values()} == {0, 0.5, 1}
    today = date(2026, 11, 22)
    assert {item["days"] for item in cadence.agenda_follow_up(book, today, today)} == {0, 1}
    assert len(cadence.agenda_decide(book, today, today)) == 2


def test_with_a_pinned_clock_only_what_is_logged_after_park_counts(book):
    """A script pins the clock: a call logged before `park` at the same instant is not a touch, one after is."""
    deal_id = new_deal(book)
    now = "2026-11-22T10:00:00+03:00"  # the fixture's pinned now
    touch(book, deal_id, now, kind="call")
    touch(book, deal_id, now, kind="email")
    assert cadence.park(book, deal_id)["cadence"]["touches_done"] == 0
    touch(book, deal_id, now, kind="call")
    assert cadence.state(book, deal_id)["touches_done"] == 1


def test_a_back_dated_park_counts_what_came_after_its_moment(book):
    deal_id = new_deal(book, at=date(2026, 11, 1))
    touch(book, deal_id, "2026-11-10T12:00:00+03:00", kind="call")  # logged before the command, after the moment
    state = cadence.park(book, deal_id, at=date(2026, 11, 5))["cadence"]
    assert (state["touches_done"], state["next_due"]) == (1, "2026-11-17")


def test_a_whole_day_touch_on_the_parking_day_counts(book, clock):
    """Parked at 09:00, then `log … --at today`: the day is compared as a day, as `when.earlier` does."""
    deal_id = new_deal(book, at=date(2026, 11, 20))
    clock("2026-11-22T09:00")
    cadence.park(book, deal_id)
    clock("2026-11-22T18:00")
    touch(book, deal_id, "2026-11-22", kind="call")
    state = cadence.state(book, deal_id)
    assert (state["touches_done"], state["next_due"]) == (1, "2026-11-29")


def test_a_whole_day_touch_logged_before_parking_that_day_does_not_count(book, clock):
    deal_id = new_deal(book)
    touch(book, deal_id, "2026-11-22", kind="call")
    assert cadence.park(book, deal_id)["cadence"]["touches_done"] == 0


def test_a_park_dated_as_a_day_counts_that_days_touches_logged_after_it(book):
    """Parked `--at today` (a whole day): a call at 08:00 logged before the command is not after the parking,
    one at 08:00 logged after it is; the day is one moment, the log's order breaks the tie."""
    deal_id = new_deal(book, at=date(2026, 11, 1))
    touch(book, deal_id, "2026-11-22T08:00:00+03:00", kind="call")
    assert cadence.park(book, deal_id, at=date(2026, 11, 22))["cadence"]["touches_done"] == 0
    touch(book, deal_id, "2026-11-22T08:00:00+03:00", kind="email")
    assert cadence.state(book, deal_id)["touches_done"] == 1
