"""render's machine formats: TSV cells are exactly `text_value` of each value, escaped and made inert, CSV cells
exactly `text_value` (user text as stored, control characters too), whatever the mix of types in a column and
however many rows (they are written a column and a chunk at a time)."""

import csv
import io
from datetime import date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from dealflow import render
from dealflow.core import money

COLUMNS = ["name", "value", "share_pct", "days", "when", "flag"]  # plain, money, percentage, and more

values = st.one_of(
    st.none(), st.text(), st.integers(min_value=-10**15, max_value=10**15), st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False), st.dates(), st.datetimes(),
    st.sampled_from(["Пётр\u00a0Иванов", "a\tb", "two\nlines", "\x1b[31mred", "\u202eevil", "x\r\ny", "old\rMac",
                     "₽ 1\u202f000", 'say "hi", ok']),
)
rows = st.lists(st.dictionaries(st.sampled_from(COLUMNS), values), max_size=12)


def expected_tsv(columns, table):
    lines = ["\t".join(columns)]
    lines += ["\t".join(render._tsv_cell(render.text_value(c, row.get(c))) for c in columns) for row in table]
    return "\n".join(lines) + "\n"


def expected_csv(columns, table):
    """What a CSV reader must get back: the header, then each cell's `text_value`, exactly."""
    return [list(columns)] + [[render.text_value(c, row.get(c)) for c in columns] for row in table]


def read_csv(text):
    return list(csv.reader(io.StringIO(text, newline="")))


def written(columns, table, fmt):
    out = io.StringIO()
    render.write_delimited(columns, table, fmt, out=out)
    return out.getvalue()


@settings(max_examples=300)
@given(rows)
def test_every_cell_is_its_text_value_escaped_in_tsv_and_exact_in_csv(table):
    assert written(COLUMNS, table, "tsv") == expected_tsv(COLUMNS, table)
    text = written(COLUMNS, table, "csv")
    assert read_csv(text) == expected_csv(COLUMNS, table)
    assert text.count("\n") - sum(cell.count("\n") for row in expected_csv(COLUMNS, table) for cell in row) \
        == len(table) + 1  # one "\n" ends each row; a line break inside a cell is quoted


@given(rows)
def test_a_single_column(table):
    assert written(["value"], table, "tsv") == expected_tsv(["value"], table)


def test_examples_of_each_kind_of_cell():
    table = [{"name": "Acme\tLtd\n", "value": 123456, "share_pct": 12.345, "days": 3, "when": date(2026, 11, 22),
              "flag": True},
             {"name": None, "value": None, "share_pct": None, "days": -1, "when": datetime(2026, 11, 22, 9, 30),
              "flag": False}]
    assert written(COLUMNS, table, "tsv").splitlines() == [
        "name\tvalue\tshare_pct\tdays\twhen\tflag",
        "Acme\\tLtd\\n\t1234.56\t12.3\t3\t2026-11-22\ttrue",
        "\t\t\t-1\t2026-11-22T09:30:00\tfalse",
    ]


def test_tsv_doubles_a_backslash_so_a_typed_backslash_t_is_not_a_tab():
    table = [{"name": "C:\\new\\tab", "value": 1}, {"name": "real\ttab", "value": 2}]
    lines = written(["name", "value"], table, "tsv").splitlines()
    assert lines[1:] == ["C:\\\\new\\\\tab\t0.01", "real\\ttab\t0.02"]
    assert written(["name", "value"], table, "csv").splitlines()[1] == "C:\\new\\tab,0.01"


def test_rows_beyond_one_chunk_are_all_written_and_each_escaped():
    table = [{"name": f"Client {i}", "value": i * 100} for i in range(3000)]
    table[2500]["name"] = "\x1b]0;pwned\x07"
    lines = written(["name", "value"], table, "tsv").splitlines()
    assert len(lines) == 3001
    assert lines[1] == "Client 0\t0.00" and lines[3000] == "Client 2999\t2999.00"
    assert lines[2501] == "\\x1b]0;pwned\\x07\t2500.00"
    assert written(["name", "value"], table, "csv").splitlines()[2501] == "\x1b]0;pwned\x07,2500.00"


def test_csv_keeps_control_characters_and_line_breaks_exactly_as_stored():
    """A CSV is data for other programs and for `import`: only a terminal view neutralises ESC and the like."""
    table = [{"name": "Esc\x1b[31m red\x07", "value": 1}, {"name": "line1\r\nline2\u202e", "value": 2},
             {"name": "old Mac\rline", "value": 3}]
    text = written(["name", "value"], table, "csv")
    assert text == ('name,value\nEsc\x1b[31m red\x07,0.01\n"line1\r\nline2\u202e",0.02\n'
                    '"old Mac\rline",0.03\n')
    assert [row[0] for row in read_csv(text)[1:]] == [row["name"] for row in table]


# --- tables on a narrow terminal --------------------------------------------------------------------------

NARROW_ROWS = [
    {"id": 1, "title": "Гостиница «Волга» — kitchen renovation for the whole third floor", "contact": "Ольга Павлова",
     "value": 61000000, "currency": "RUB", "due": "2026-11-21", "text": "Send the contract and call about the deposit"},
    {"id": 22, "title": "Martin Bikes", "contact": "Lucas Martin", "value": 22500, "currency": "USD",
     "due": "2026-11-22T08:40:00+03:00", "text": "Call back"},
]
DAY = date(2026, 11, 22)


def drawn(monkeypatch, width: int, narrow=("id", "due", "title", "value", "text")) -> list[str]:
    from rich.cells import cell_len

    monkeypatch.setenv("COLUMNS", str(width))
    monkeypatch.setenv("NO_COLOR", "1")
    out = io.StringIO()
    render.draw_table(render.Table(["id", "due", "title", "contact", "value", "text"], NARROW_ROWS, today=DAY,
                                   narrow=narrow), out)
    lines = out.getvalue().rstrip("\n").splitlines()
    assert all(cell_len(line.rstrip()) <= width for line in lines), "\n".join(lines)
    return lines


def test_a_narrow_terminal_gets_the_narrow_columns_one_line_each_but_the_last_text(monkeypatch):
    lines = drawn(monkeypatch, 80)
    text = "\n".join(lines)
    assert "contact" not in lines[0] and "Ольга" not in text  # not among the narrow columns
    first = next(line for line in lines if " 1 " in line[:6])
    assert "Гостиница «Волга»" in first and "…" in first and "floor" not in text  # the title cut to one line
    assert "deposit" not in first  # the last text column wraps onto the next lines, whole
    assert " ".join(text.split()).endswith("Send the contract and call about the deposit 22 today 08:40 "
                                           "Martin Bikes $ 225 Call back")
    assert "1 day overdue" in text and "today 08:40" in text and "2026-11" not in text  # due days made short
    assert money.to_human(61000000, "RUB") in text  # amounts on one line


def test_a_wide_terminal_shows_every_column_in_full(monkeypatch):
    text = "\n".join(drawn(monkeypatch, 160))
    assert "Ольга Павлова" in text and "whole third floor" in text and "…" not in text
    assert "2026-11-21 (1 day overdue)" in text and "2026-11-22 08:40 (today)" in text


def test_too_narrow_for_one_line_cells_everything_folds_and_nothing_is_lost(monkeypatch):
    text = " ".join("\n".join(drawn(monkeypatch, 50)).split())
    assert "…" not in text
    for word in ("Гостиница", "floor", "deposit", "Martin"):
        assert word in text


def test_a_table_without_narrow_columns_keeps_its_columns_and_folds_text(monkeypatch):
    text = "\n".join(drawn(monkeypatch, 80, narrow=None))
    assert "Ольга" in text and "floor" in text and "…" not in text
    assert "1 day overdue" in text and "2026-11" not in text  # due days are short on any narrow table
