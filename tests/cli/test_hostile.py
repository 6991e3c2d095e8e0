"""Hostile input thrown at the command line: never a traceback, never a partial write, never live markup
on a terminal."""

from __future__ import annotations

import csv
import io
import json
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import db_state

ANY_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30)
HOSTILE_NAMES = st.one_of(
    ANY_TEXT.filter(lambda text: text.strip() and not text.startswith("-")),
    st.sampled_from(["[bold]Acme[/bold]", "\x1b[31mred\x1b[0m", "[link=http://x]click[/link]", "Пётр\tИванов",
                     "line\nbreak", "\x07bell", "‮reversed", "${HOME}", "'; DROP TABLE deals; --"]),
)
QUICK = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def assert_clean_failure_or_success(result, before, db_path):
    assert result.exit_code in (0, 1), (result.exit_code, result.stderr)
    assert "Traceback" not in result.stderr
    if result.exit_code == 1:
        assert result.stderr.startswith("Error: ")
        assert db_state(db_path) == before, "a refused command wrote to the book"


@QUICK
@given(text=ANY_TEXT)
def test_any_when_is_read_or_refused_cleanly(cli, db_path, text):
    cli.ok("add", "Anchor deal") if not db_path.exists() else None
    before = db_state(db_path)
    result = cli("add", "Probe", "--close", text, "--value", "1", "-f", "json")
    assert_clean_failure_or_success(result, before, db_path)
    if result.exit_code == 0:  # whatever was read, a whole day is stored as YYYY-MM-DD
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", json.loads(result.stdout)["expected_close"])


@QUICK
@given(text=ANY_TEXT)
def test_any_amount_is_read_or_refused_cleanly(cli, db_path, text):
    cli.ok("add", "Anchor deal") if not db_path.exists() else None
    before = db_state(db_path)
    result = cli("edit", "1", "--value", text)
    assert_clean_failure_or_success(result, before, db_path)
    if result.exit_code == 0:
        stored = db_state(db_path)["deals"][0][3]
        assert isinstance(stored, int) and stored >= 0


@QUICK
@given(name=HOSTILE_NAMES)
def test_names_are_stored_exactly_and_printed_inert(cli, name):
    added = cli("contact", "add", name, "-q")
    assert added.exit_code in (0, 1) and "Traceback" not in added.stderr
    if added.exit_code == 1:
        assert added.stderr.startswith("Error: ")
        return
    contact_id = added.stdout.strip()
    shown = cli.ok("contact", "show", contact_id, "-f", "json")
    assert json.loads(shown.stdout)["name"] == name.strip()
    for fmt in ("tsv", "table"):
        out = cli.ok("contact", "list", "-f", fmt).stdout
        assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
        if fmt == "tsv":
            assert all(len(line.split("\t")) == 9 for line in out.splitlines())
    # The bytes: Click's `stdout` turns CRLF into LF, which would hide a name's own `\r\n`.
    listed = csv.DictReader(io.StringIO(cli.ok("contact", "list", "-f", "csv").stdout_bytes.decode(), newline=""))
    assert {row["id"]: row["name"] for row in listed}[contact_id] == name.strip()  # CSV is data: exactly as stored


def test_markup_in_a_name_is_shown_literally_in_a_table(cli):
    cli.ok("add", "[bold]Big[/bold] deal", "--contact", "[red]Ann[/red]")
    table = cli.ok("deals", "-f", "table").stdout
    assert "[bold]Big[/bold] deal" in table
    assert "[red]Ann[/red]" in table


# A CSV file as a hostile or broken export might be: known and unknown headers, any delimiter, quotes, line
# breaks, a BOM, NULs, Cyrillic, money and date look-alikes; or bytes that are not text at all.
HEADERS = ["title", "value", "currency", "stage", "contact", "email", "phone", "created", "closed", "name",
           "kind", "note", "at", "text", "due", "deal_id", "Deal - Title", "Бюджет", "Этап сделки", "junk"]
CELLS = st.one_of(
    st.text(alphabet="aZ09 ;,\t\"\n\r.-:/$₽€Пётр\x00\ufeff", max_size=12),
    st.sampled_from(["1 000,50", "-5", "1e9", "2026-02-30", "31.12.2026", "12/31/26 9:00 PM", "Won", "Lost",
                     "Lead", "Закрыто и не реализовано", "не закрыта", "call", "a@b.c", "+7 916 000-00-01", "1"]),
)
CSV_TEXT = st.builds(
    lambda header, rows, delimiter, bom: ("\ufeff" if bom else "") + "\r\n".join(
        delimiter.join(line) for line in [header, *rows]),
    st.lists(st.sampled_from(HEADERS), min_size=1, max_size=5), st.lists(st.lists(CELLS, max_size=6), max_size=6),
    st.sampled_from([",", ";", "\t"]), st.booleans())
CSV_BYTES = st.one_of(st.binary(max_size=200),
                      st.tuples(CSV_TEXT, st.sampled_from(["utf-8", "cp1251"])).map(
                          lambda pair: pair[0].encode(pair[1], errors="replace")))


@QUICK
@given(data=CSV_BYTES, kind=st.sampled_from(["deals", "contacts", "activities", "tasks"]))
def test_any_csv_bytes_are_imported_whole_or_refused_untouched(cli, db_path, tmp_path, data, kind):
    """Random files at `dealflow import`: a summary whose counts match the book, or `Error: …` and nothing written."""
    cli.ok("add", "Anchor deal", "--contact", "Anchor") if not db_path.exists() else None
    source = tmp_path / "hostile.csv"
    source.write_bytes(data)
    before = db_state(db_path)
    result = cli("import", kind, str(source))
    assert_clean_failure_or_success(result, before, db_path)
    if result.exit_code == 0:
        one = {"activities": "activity"}.get(kind, kind[:-1])
        created = re.search(rf"(\d+) (?:{kind}|{one}) created", result.stdout)
        assert result.stdout.startswith("Imported ") and created, result.stdout
        after = db_state(db_path)
        assert len(after[kind]) == len(before[kind]) + int(created.group(1))  # each table is named as its kind
