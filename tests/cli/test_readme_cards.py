"""The README's table of what each format of a card gives is what the commands give."""

from __future__ import annotations

import json
import re

from tests.conftest import ROOT

CARDS = [("show", "1"), ("contact", "show", "Anna"), ("invoice", "show", "INV-0001"), ("lookup", "Anna")]


def readme_row(name: str) -> list[str]:
    """The cells of the README's card table row for a format, one per card, in CARDS' order."""
    line = next(line for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
                if line.startswith(f"| {name} |"))
    return [cell.strip() for cell in line.strip("|").split("|")[1:]]


def named(cell: str) -> list[str]:
    """Column names in a cell: the words inside backticks, comma-separated lists split."""
    return [word.strip() for quoted in re.findall(r"`([^`]*)`", cell) for word in quoted.split(",")]


def test_the_readme_says_which_columns_and_keys_each_card_format_gives(cli):
    cli.ok("add", "Roof", "--contact", "Anna", "--value", "900", "--next", "call")
    cli.ok("invoice", "add", "1")
    for args, cell in zip(CARDS, readme_row("tsv, csv (and piped)")):
        header = cli.ok(*args, "-f", "tsv").stdout.splitlines()[0].split("\t")
        assert header == named(cell), args
    for args, cell in zip(CARDS, readme_row("`-f json`")):
        shown = json.loads(cli.ok(*args, "-f", "json").stdout)
        keys = set(shown[0] if isinstance(shown, list) else shown)
        assert set(named(cell)) <= keys, args
