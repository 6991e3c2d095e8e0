"""Cells of imported files: dates decided per column, CSV quirks (properties over generated input)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dealflow.core.csv_reading import Source, detect_encoding, sniff_delimiter
from dealflow.core.errors import InputError
from dealflow.core.import_values import DateOrder, local_iso, parse_date
from dealflow.core.when import to_text

days = st.dates(min_value=date(1971, 1, 1), max_value=date(2068, 12, 31))


@given(st.lists(days, min_size=1, max_size=20), st.sampled_from(["%d.%m.%Y", "%m/%d/%Y", "%d-%m-%Y", "%m/%d/%y"]))
def test_a_column_reads_back_the_dates_it_was_written_with(values, fmt):
    """Whatever the dates, the column's order is inferred consistently and every value reads back exactly,
    unless the column gives no hint and its separator's custom differs from how it was written."""
    cells = [value.strftime(fmt) for value in values]
    order = DateOrder("d")
    for cell in cells:
        order.observe(cell)
    day_first = order.day_first()
    hinted = any(max(v.day, v.month) > 12 for v in values if v.day != v.month)
    if hinted or day_first == fmt.startswith("%d"):
        assert [parse_date(cell, day_first) for cell in cells] == values


cells = st.one_of(st.text(alphabet="0123456789./- \n\t\u00a0\u0663aT:", max_size=14),
                  st.builds(lambda day, sep, ws: ws + day.strftime(f"%d{sep}%m{sep}%Y").lstrip("0"),
                            days, st.sampled_from("./-"), st.sampled_from(["", " ", "\n ", "\u00a0"])))


@given(st.lists(cells, max_size=8))
def test_a_batch_tells_the_same_order_as_its_values_one_by_one(batch):
    """observe_all passes over batches that cannot hint an order: it must never pass over one that can."""
    one_by_one, at_once = DateOrder("d"), DateOrder("d")
    for cell in batch:
        if cell.strip():
            one_by_one.observe(cell)
    at_once.observe_all(batch)
    state = lambda order: (order.day_first_seen, order.month_first_seen, order.separator)  # noqa: E731
    assert state(at_once) == state(one_by_one)


def test_a_batch_of_iso_dates_tells_no_order_and_one_day_first_date_does():
    order = DateOrder("d")
    order.observe_all(["2026-09-15 13:54", "", "2026-10-01"])
    assert (order.separator, order.day_first()) == (None, True)
    order.observe_all(["2026-09-15", "  03/25/2024", ""])
    assert (order.separator, order.month_first_seen, order.day_first()) == ("/", True, False)
    arabic = DateOrder("d")
    arabic.observe_all(["\u0662\u0665.\u0660\u0663.\u0662\u0660\u0662\u0664"])  # 25.03.2024 in Arabic-Indic digits
    assert (arabic.separator, arabic.day_first_seen) == (".", True)


@settings(max_examples=50)
@given(st.lists(st.lists(st.text(alphabet="аб;\t,\"\n x1", max_size=6), min_size=3, max_size=3), max_size=5),
       st.sampled_from([",", ";", "\t"]), st.sampled_from(["utf-8", "utf-8-sig", "cp1251"]))
def test_csv_written_any_way_reads_back(rows, delimiter, encoding):
    import csv

    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(["Имя", "b", "c"])
    writer.writerows(rows)
    raw = io.BytesIO(text.getvalue().encode(encoding))
    found_encoding = detect_encoding(raw)
    if encoding == "cp1251":
        assert found_encoding == "cp1251"
    source = Source("t", raw, found_encoding, sniff_delimiter(raw, found_encoding))
    assert source.header() == ["Имя", "b", "c"]
    expected = [row for row in rows if any(cell.strip() for cell in row)]
    assert [cells for _, cells in source.rows()] == expected


@pytest.mark.parametrize("cell", ["не закрыта", "Не указана", " - ", "—", "N/A", "none", "(No value)", "нет", ""])
def test_placeholders_mean_no_date(cell):
    assert parse_date(cell, True) is None


@pytest.mark.parametrize("cell", ["someday", "garbage", "завтра-послезавтра", "next week"])
def test_other_words_in_a_date_column_are_refused_not_dropped(cell):
    with pytest.raises(InputError, match="leave the cell empty"):
        parse_date(cell, True)


def test_local_times_take_the_offset_of_their_own_day_and_hour_around_dst():
    """Moscow kept summer time until 2011: +03:00, then +04:00 from 28 March 2010 02:00 until 31 October 03:00.
    ISO cells are read with one offset per day, so the two switch days must still get each hour's own."""
    assert to_text(parse_date("2010-03-27 12:00", False)) == "2010-03-27T12:00:00+03:00"
    assert to_text(parse_date("2010-03-28 01:30", False)) == "2010-03-28T01:30:00+03:00"
    assert to_text(parse_date("2010-03-28 04:00", False)) == "2010-03-28T04:00:00+04:00"
    assert to_text(parse_date("2010-03-29T12:00:30", False)) == "2010-03-29T12:00:30+04:00"
    assert to_text(parse_date("2010-10-31 01:00", False)) == "2010-10-31T01:00:00+04:00"
    assert to_text(parse_date("2010-10-31 12:00", False)) == "2010-10-31T12:00:00+03:00"
    assert local_iso("2010-03-28 04:00") is None and local_iso("2010-10-31 12:00") is None
    moment, stored = local_iso("2010-11-01 09:05")
    assert stored == "2010-11-01T09:05:00+03:00" and to_text(moment) == stored
    assert local_iso("2010-11-01 24:00") is None  # not a time of day: the exact path says why
    assert local_iso("2010-02-30 10:00") is None and local_iso("2010-11-01 12:60") is None


def test_a_date_format_match_beyond_the_calendar_is_a_clean_error():
    """9999-12-31 23:59 local is past year 9999 in UTC east of Greenwich: a row error, not a crash."""
    with pytest.raises(InputError, match="not a real date"):
        parse_date("9999-12-31 23:59", True, "%Y-%m-%d %H:%M")
