"""SPEC §3: user text is printed literally, machine formats are raw, colour obeys NO_COLOR."""

import json

import pytest

EVIL = "[bold]Acme[/bold] \x1b[31mred\x1b[0m"


@pytest.fixture
def evil(cli):
    cli.ok("add", EVIL, "--contact", "[red]Пётр[/red]", "--next", "call", "--due", "yesterday")


def test_markup_and_escapes_are_inert_in_tables(cli, evil):
    out = cli.ok("deals", "--format", "table").stdout
    assert "[bold]Acme[/bold] \\x1b[31mred\\x1b[0m" in out
    assert "[red]Пётр[/red]" in out and "\x1b" not in out
    card = cli.ok("show", "1", "--format", "table").stdout
    assert "[bold]Acme[/bold]" in card and "\x1b" not in card


def test_markup_and_escapes_are_inert_in_tsv_and_confirmations(cli, evil):
    assert "\x1b" not in cli.ok("deals").stdout
    assert "[bold]Acme[/bold] \\x1b[31mred" in cli.ok("deals").stdout
    assert cli.ok("edit", "1", "--owner", "x").stdout == \
        'Updated deal #1 "[bold]Acme[/bold] \\x1b[31mred\\x1b[0m" (Lead)\n'


def test_json_keeps_user_text_exact(cli, evil):
    assert json.loads(cli.ok("deals", "-f", "json").stdout)[0]["title"] == EVIL


def test_errors_never_echo_escape_codes(cli, assert_refused, evil):
    result = assert_refused("move", "1", "\x1b[2J", message="no stage")
    assert "\x1b" not in result.stderr


def test_colour_for_urgency_and_no_color(cli, evil, monkeypatch):
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("TERM", "xterm-256color")
    assert "\x1b[31m" in cli.ok("deals", "--format", "table").stdout  # overdue next step: red
    monkeypatch.setenv("NO_COLOR", "1")
    coloured = cli.ok("deals", "--format", "table").stdout
    assert "\x1b[31m" not in coloured and "\x1b[3" not in coloured


def test_tsv_escapes_tabs_and_newlines_in_cells(cli):
    cli.ok("add", "Line one\nline\ttwo")
    assert cli.ok("deals", "--no-header").stdout.split("\t")[1] == "Line one\\nline\\ttwo"
