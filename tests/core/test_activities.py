"""The contact log and the missed-call rule."""

import pytest

from dealflow.core import activities, deals, tasks, when
from dealflow.core.errors import InputError


@pytest.mark.parametrize("text, seconds", [("5m", 300), ("1h30m", 5400), ("90s", 90), ("12:30", 750), ("7", 420)])
def test_durations(text, seconds):
    assert activities.parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "5x", "m", "1:75", "-5m"])
def test_bad_durations(text):
    with pytest.raises(InputError):
        activities.parse_duration(text)


def test_default_directions():
    assert activities.default_direction("call", False, False, False) == "out"
    assert activities.default_direction("call", False, False, True) == "in"
    assert activities.default_direction("email", True, False, False) == "in"
    assert activities.default_direction("meeting", False, False, False) is None
    with pytest.raises(InputError):
        activities.default_direction("note", False, True, False)


def test_missed_call_then_callback_completes_the_task(book):
    deal = deals.add(book, "Windows", contact="Пётр")
    missed = activities.log(book, str(deal["id"]), "call", missed=True)
    task = missed["call_back_task"]
    assert (task["text"], task["origin"], task["due"]) == ("Call back Пётр", "missed-call", "2026-11-22T10:00:00+03:00")
    # An outbound message to the contact, logged against the contact not the deal, returns the call.
    returned = activities.log(book, "Пётр", "message", "sorry, was driving")
    assert returned["returned_calls"] == 1
    assert tasks.get(book, task["id"])["done_at"] == "2026-11-22T10:00:00+03:00"


def test_inbound_call_or_email_does_not_complete_call_backs(book):
    deal = deals.add(book, "Windows", contact="Пётр")
    task = activities.log(book, str(deal["id"]), "call", missed=True)["call_back_task"]
    activities.log(book, str(deal["id"]), "call", inbound=True)
    activities.log(book, str(deal["id"]), "email")
    assert tasks.get(book, task["id"])["done_at"] is None


def test_logging_brings_last_activity_forward_only(book):
    deal = deals.add(book, "Windows", contact="Пётр")
    activities.log(book, "1", "meeting", "demo", at=when.parse("yesterday 15:00"))
    assert deals.get(book, deal["id"])["last_activity_at"] == "2026-11-21T15:00:00+03:00"
    activities.log(book, "1", "note", at=when.parse("2026-11-01"))
    assert deals.get(book, deal["id"])["last_activity_at"] == "2026-11-21T15:00:00+03:00"


def test_contact_without_deal(book):
    deals.add(book, "Windows", contact="Пётр")
    logged = activities.log(book, None, "call", "intro", contact="Пётр")
    assert (logged["deal_id"], logged["contact"]) == (None, "Пётр")
