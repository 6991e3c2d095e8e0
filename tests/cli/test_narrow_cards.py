"""A card keeps every word of its data whole on any terminal width: text wraps between words, a section too
wide for the terminal is drawn as records, and nothing is cut."""

from __future__ import annotations

import json

import pytest

from dealflow.core.text import Regex

ISO = Regex(r"^\d{4}-\d{2}-\d{2}")  # dates are shown in other forms (relative, shortened): not words to find
CARDS = [("show", "3"), ("show", "19"), ("contact", "show", "3"), ("invoice", "show", "INV-0001"),
         ("lookup", "Petrov")]
# What a card leaves out at any width: the currency beside its amounts; lookup gives the last activity in one
# line and the contact's source not at all.
NOT_SHOWN = {"currency", "direction", "source", "kind"}


def words(value, key: str = ""):
    """(key, word) for every word of every text value in a card's JSON, dates left out."""
    if isinstance(value, dict):
        for name, item in value.items():
            yield from words(item, name)
    elif isinstance(value, list):
        for item in value:
            yield from words(item, key)
    elif isinstance(value, str) and not ISO.match(value) and key not in NOT_SHOWN:
        yield from ((key, word) for word in value.split())


@pytest.mark.parametrize("columns", [60, 80, 100])
@pytest.mark.parametrize("card", CARDS, ids=" ".join)
def test_every_word_of_a_card_is_shown_whole(cli, monkeypatch, card, columns):
    cli.ok("demo")
    data = json.loads(cli.ok(*card, "-f", "json").stdout)
    monkeypatch.setenv("COLUMNS", str(columns))
    shown = cli.ok(*card, "-f", "table").stdout
    tokens = set(shown.split()) | {token.rstrip(":") for token in shown.split()}
    missing = sorted({(key, word) for key, word in words(data) if word not in tokens})
    assert not missing, shown
    assert max(len(line.rstrip()) for line in shown.splitlines()) <= columns


def test_a_deal_card_at_60_columns_wraps_between_words(cli, monkeypatch):
    """The QA repro: the Timeline split `Qualifie/d`, the cadence note lost letters (`after t / proposa`)."""
    cli.ok("demo")
    monkeypatch.setenv("COLUMNS", "60")
    shown = cli.ok("show", "3", "-f", "table").stdout
    assert shown.count("Qualified") == 2  # moved to it, then from it
    assert "went to think after the proposal" in shown  # the cadence, as a record: one line fits it whole
    assert "Qualifie " not in shown and "proposa " not in shown
