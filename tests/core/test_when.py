"""WHEN: every form SPEC §2 lists, read against a pinned now (Sunday 2026-11-22 10:00 Moscow)."""

import re
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings, strategies as st

from dealflow.core import when
from dealflow.core.errors import InputError

MSK = timezone(timedelta(hours=3))
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=MSK)  # a Sunday


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=MSK)


@pytest.mark.parametrize("text, expected", [
    ("now", NOW),
    ("today", date(2026, 11, 22)),
    ("Today", date(2026, 11, 22)),
    ("tomorrow", date(2026, 11, 23)),
    ("yesterday", date(2026, 11, 21)),
    ("сегодня", date(2026, 11, 22)),
    ("завтра", date(2026, 11, 23)),
    ("Завтра", date(2026, 11, 23)),
    ("вчера", date(2026, 11, 21)),
    ("mon", date(2026, 11, 23)),
    ("friday", date(2026, 11, 27)),
    ("fri", date(2026, 11, 27)),
    ("sun", date(2026, 11, 29)),  # today is Sunday: the next one, strictly after today
    ("sunday", date(2026, 11, 29)),
    ("eow", date(2026, 11, 22)),  # the coming Sunday is today
    ("eom", date(2026, 11, 30)),
    ("+3d", date(2026, 11, 25)),
    ("3d", date(2026, 11, 25)),
    ("-1d", date(2026, 11, 21)),
    ("+2w", date(2026, 12, 6)),
    ("+1m", date(2026, 12, 22)),
    ("+4h", at(2026, 11, 22, 14, 0)),
    ("2026-12-01", date(2026, 12, 1)),
    ("2026-12-01 14:30", at(2026, 12, 1, 14, 30)),
    ("2026-12-01T14:30", at(2026, 12, 1, 14, 30)),
    ("14:30", at(2026, 11, 22, 14, 30)),
    ("9:05", at(2026, 11, 22, 9, 5)),
    ("tomorrow 10:00", at(2026, 11, 23, 10, 0)),
    ("завтра 10:00", at(2026, 11, 23, 10, 0)),
    ("fri 9:30", at(2026, 11, 27, 9, 30)),
    ("5 Dec", date(2026, 12, 5)),
    ("Dec 5 2026", date(2026, 12, 5)),
    ("01.02.2027", date(2027, 2, 1)),  # a dotted date is day-first
    ("1.2.2027", date(2027, 2, 1)),
    ("25.12.2026", date(2026, 12, 25)),
    ("01.02.2027 14:30", at(2027, 2, 1, 14, 30)),
    ("01.02.2027T9:05", at(2027, 2, 1, 9, 5)),
    ("  tomorrow   10:00 ", at(2026, 11, 23, 10, 0)),
])
def test_every_listed_form(text, expected):
    got = when.parse(text, NOW)
    assert type(got) is type(expected)
    assert got == expected


def test_a_whole_day_stays_a_day_in_storage():
    assert when.to_text(when.parse("2026-12-01", NOW)) == "2026-12-01"
    assert when.to_text(when.parse("2026-12-01 14:30", NOW)) == "2026-12-01T14:30:00+03:00"


@pytest.mark.parametrize("weekday_offset", range(7))
@pytest.mark.parametrize("name, index", [("mon", 0), ("wednesday", 2), ("fri", 4), ("sun", 6)])
def test_weekdays_are_strictly_after_today(weekday_offset, name, index):
    now = NOW + timedelta(days=weekday_offset)
    got = when.parse(name, now)
    assert got.weekday() == index
    assert 1 <= (got - now.date()).days <= 7


@pytest.mark.parametrize("weekday_offset", range(7))
def test_eow_is_the_coming_sunday(weekday_offset):
    now = NOW + timedelta(days=weekday_offset)  # Sunday, Monday, … Saturday
    got = when.parse("eow", now)
    assert got.weekday() == 6 and 0 <= (got - now.date()).days <= 6


@pytest.mark.parametrize("today, last", [
    (date(2026, 2, 10), date(2026, 2, 28)), (date(2028, 2, 1), date(2028, 2, 29)),
    (date(2026, 12, 31), date(2026, 12, 31)), (date(2026, 4, 30), date(2026, 4, 30)),
])
def test_eom_is_the_last_day_of_this_month(today, last):
    assert when.parse("eom", datetime.combine(today, datetime.min.time(), MSK)) == last


def test_month_offset_clamps_to_the_month_end():
    assert when.parse("+1m", at(2026, 1, 31, 9, 0)) == date(2026, 2, 28)


@pytest.mark.parametrize("text", [
    "", "   ", "someday", "next week", "+3x", "25:00", "12:60", "2026-13-01", "2026-02-30", "tomorrow 25:00",
    "fri 9", "1/2/2026", "03.04.26", "31.02.2027", "13.01.2027 24:00", "+99999d", "+9999y", "-9999y", "now 10:00", "дата",
])
def test_anything_else_is_an_input_error_naming_the_forms(text):
    with pytest.raises(InputError) as raised:
        when.parse(text, NOW)
    assert "use" in str(raised.value) or "YYYY-MM-DD" in str(raised.value) or "out of range" in str(raised.value)


@pytest.mark.parametrize("text", [
    "9999-12-31 23:59", "9999-12-31", "Dec 31 9999 23:59", "0001-01-01", "0001-01-01 10:00", "1899-12-31",
    "5 Dec 1066", "3000-01-01", "+1000y", "-200y",
    "2999-12-31T23:30-05:00",  # 07:30 on 3000-01-01 in Moscow: the local day is the one stored
    "1900-01-01T00:30+05:00",  # 22:00 on 1899-12-31 in Moscow
])
def test_dates_outside_1900_to_2999_are_out_of_range(text):
    with pytest.raises(InputError, match=r"out of range: dates go from 1900-01-01 to 2999-12-31"):
        when.parse(text, NOW)


def test_the_ends_of_the_range_are_dates():
    assert when.parse("1900-01-01", NOW) == date(1900, 1, 1)
    assert when.parse("2999-12-31 23:59", NOW) == at(2999, 12, 31, 23, 59)
    assert when.parse("Dec 31 2999", NOW) == date(2999, 12, 31)


def test_local_mean_time_is_stored_with_a_whole_minute_offset():
    """Moscow kept local mean time (+02:30:17) until 1919; ISO 8601 offsets are whole minutes, so the offset is
    rounded: a time typed keeps its wall clock (and its day), one typed with an offset its instant."""
    assert when.to_text(when.parse("1900-01-01 00:00", NOW)) == "1900-01-01T00:00:00+02:30"
    assert when.to_text(when.parse("1900-01-01T03:30+05:00", NOW)) == "1900-01-01T01:00:00+02:30"


@settings(max_examples=200, deadline=None)
@given(st.datetimes(min_value=datetime(1899, 12, 30), max_value=datetime(3000, 1, 2)),
       st.integers(-14 * 60, 14 * 60))
def test_every_instant_read_is_stored_as_iso_8601_within_the_range(moment, minutes):
    """Any offset typed, any year at the range's edges: what is kept is a local moment inside 1900–2999 whose
    text has a whole-minute offset, and reads back as the same moment."""
    text = moment.replace(microsecond=0, tzinfo=timezone(timedelta(minutes=minutes))).isoformat()
    try:
        got = when.parse(text, NOW)
    except InputError as error:
        assert "out of range" in str(error)
        return
    stored = when.to_text(got)
    assert date(1900, 1, 1) <= got.date() <= date(2999, 12, 31)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}", stored), stored
    assert when.from_text(stored) == got


def test_ambiguous_day_month_is_refused_not_guessed():
    with pytest.raises(InputError, match="two ways"):
        when.parse("1/2/2026", NOW)
    with pytest.raises(InputError, match="write the year in full"):
        when.parse("01.02.27", NOW)


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2999, 12, 31)), st.booleans(),
       st.one_of(st.none(), st.times().map(lambda t: t.replace(second=0, microsecond=0))))
def test_dotted_dates_are_day_first(day, padded, clock_time):
    """`DD.MM.YYYY` (as Russians write dates, and as imports read them) is never month-first or refused as
    ambiguous, whether the day and month are padded or not."""
    text = f"{day.day:02}.{day.month:02}.{day.year}" if padded else f"{day.day}.{day.month}.{day.year}"
    if clock_time is None:
        assert when.parse(text, NOW) == day
        return
    got = when.parse(f"{text} {clock_time.strftime('%H:%M')}", NOW)
    assert (got.date(), got.time()) == (day, clock_time)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_random_text_only_ever_raises_input_error(text):
    try:
        result = when.parse(text, NOW)
    except InputError:
        return
    assert isinstance(result, (date, datetime))


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"[+\-]?\d{1,4} ?[hdwmy]", fullmatch=True))
def test_any_offset_shape_reads_or_is_an_input_error(text):
    try:
        result = when.parse(text, NOW)
    except InputError:
        return
    # hours give an instant; days, weeks, months and years a whole day
    assert type(result) is (datetime if text.endswith("h") else date)


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)),
       st.one_of(st.none(), st.times().map(lambda t: t.replace(second=0, microsecond=0))))
def test_iso_forms_round_trip(day, clock_time):
    if clock_time is None:
        assert when.parse(day.isoformat(), NOW) == day
        return
    text = f"{day.isoformat()} {clock_time.strftime('%H:%M')}"
    got = when.parse(text, NOW)
    assert (got.date(), got.time()) == (day, clock_time)
    assert when.from_text(when.to_text(got)) == got


@settings(max_examples=100, deadline=None)
@given(st.integers(-500, 500), st.sampled_from("dw"))
def test_day_offsets_count_from_today(amount, unit):
    days = amount * (7 if unit == "w" else 1)
    assert when.parse(f"{amount:+d}{unit}", NOW) == NOW.date() + timedelta(days=days)


def test_parse_offset_reads_and_prints():
    assert str(when.parse_offset("7d")) == "+7d"
    assert str(when.parse_offset("-2w")) == "-2w"
    with pytest.raises(InputError, match="offset"):
        when.parse_offset("tomorrow")


DEC_20 = datetime(2026, 12, 20, 10, 0, tzinfo=MSK)


@pytest.mark.parametrize("text, ahead, expected", [
    ("5 Jan", True, date(2027, 1, 5)),  # a plan: the next 5 January, not the one gone by
    ("Jan 5", True, date(2027, 1, 5)),
    ("5 Jan", False, date(2026, 1, 5)),  # a record: the last one
    ("5 Jan", None, date(2026, 1, 5)),  # neither: this year's
    ("25 Dec", True, date(2026, 12, 25)),
    ("25 Dec", False, date(2025, 12, 25)),  # not in the future
    ("20 Dec", True, date(2026, 12, 20)),  # today is both the next and the last
    ("20 Dec", False, date(2026, 12, 20)),
    ("29 Feb", True, date(2028, 2, 29)),  # the next leap year
    ("29 Feb", False, date(2024, 2, 29)),  # the last one
    ("5 Jan 14:30", True, at(2027, 1, 5, 14, 30)),  # a time rides along
    ("tue 5 Jan", True, date(2027, 1, 5)),  # the weekday is checked against the chosen year
    ("5 Jan 2026", True, date(2026, 1, 5)),  # a typed year is kept, whatever the direction
    ("25 Dec 2026", False, date(2026, 12, 25)),
])
def test_a_year_less_date_falls_in_the_year_its_direction_says(text, ahead, expected):
    assert when.parse(text, DEC_20, ahead=ahead) == expected


def test_a_year_less_29_february_rolls_across_a_century_without_one():
    """2100 is no leap year: from March 2096 the next 29 February is eight years away."""
    assert when.parse("29 Feb", datetime(2096, 3, 1, tzinfo=MSK), ahead=True) == date(2104, 2, 29)
    assert when.parse("29 Feb", datetime(2104, 2, 28, tzinfo=MSK), ahead=False) == date(2096, 2, 29)


def test_a_year_less_29_february_in_a_year_without_one_asks_for_the_year():
    with pytest.raises(InputError, match=r"'29 Feb' is not a day of 2026; write the date with its year"):
        when.parse("29 Feb", DEC_20)
    assert when.parse("29 Feb", datetime(2028, 1, 5, tzinfo=MSK)) == date(2028, 2, 29)
