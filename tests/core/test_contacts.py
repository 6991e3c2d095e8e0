"""Contacts: uniqueness, references (number, email, phone suffix, Cyrillic name), card, merge, lookup."""

from datetime import date

import pytest

from dealflow.core import activities, contacts, deals, tasks
from dealflow.core.errors import Ambiguous, Conflict, InputError, NotFound


@pytest.fixture
def petr(book):
    return contacts.add(book, "Пётр Смирнов", company="Дача-Сервис", email="petr@dacha.ru",
                        phone="+7 916 000-00-01", tags=["vip", "dacha"])


def test_add_stores_phone_digits_and_tags(book, petr):
    assert petr["phone_digits"] == "79160000001"
    assert petr["tags"] == "vip,dacha"
    assert petr["created_at"] == "2026-11-22T10:00:00+03:00"


def test_duplicate_email_or_phone_names_the_existing_contact(book, petr):
    with pytest.raises(Conflict, match="Пётр Смирнов"):
        contacts.add(book, "Other", email="PETR@dacha.ru")
    with pytest.raises(Conflict, match="#1 Пётр Смирнов"):
        contacts.add(book, "Other", phone="7 (916) 000 00 01")
    assert book.value("SELECT count(*) FROM contacts") == 1


def test_bad_email_and_phone_are_refused(book):
    with pytest.raises(InputError, match="email"):
        contacts.add(book, "A", email="not-an-email")
    with pytest.raises(InputError, match="phone"):
        contacts.add(book, "A", phone="call me")


@pytest.mark.parametrize("ref", ["1", "#1", "petr@DACHA.ru", "+7 (916) 000-00-01", "9160000001", "8 916 000 00 01",
                                 "916-000-00-01", "пётр", "ПЁТР СМИРНОВ", "смирн"])
def test_references(book, petr, ref):
    assert contacts.resolve(book, ref)["id"] == petr["id"]


def test_ambiguous_name_lists_candidates(book, petr):
    contacts.add(book, "Пётр Иванов", phone="+7 900 111-22-33")
    with pytest.raises(Ambiguous) as raised:
        contacts.resolve(book, "пётр")
    assert "#1 Пётр Смирнов" in str(raised.value) and "#2 Пётр Иванов" in str(raised.value)


def test_exact_name_beats_substring(book, petr):
    contacts.add(book, "Пётр")
    assert contacts.resolve(book, "ПЁТР")["name"] == "Пётр"


def test_unknown_reference(book):
    with pytest.raises(NotFound, match="no contact matches"):
        contacts.resolve(book, "nobody")


def test_short_stored_phone_is_not_a_suffix_of_every_caller(book, petr):
    contacts.add(book, "Emergency", phone="112")
    with pytest.raises(NotFound):
        contacts.lookup(book, "+44 20 7946 0112")


def test_edit_changes_and_clears_fields(book, petr):
    edited = contacts.edit(book, "1", {"company": "", "phone": "", "notes": "Likes calls"}, add_tags=["new"],
                           remove_tags=["VIP"])
    assert (edited["company"], edited["phone"], edited["phone_digits"], edited["notes"], edited["tags"]) == (
        None, None, None, "Likes calls", "dacha,new")
    with pytest.raises(InputError, match="needs a name"):
        contacts.edit(book, "1", {"name": " "})


def test_edit_refuses_anothers_email(book, petr):
    contacts.add(book, "Anna", email="anna@x.ru")
    with pytest.raises(Conflict, match="Пётр Смирнов"):
        contacts.edit(book, "Anna", {"email": "petr@dacha.ru"})


def test_merge_moves_everything_and_fills_empty_fields(book, petr):
    other = contacts.add(book, "Петя", phone="+7 999 000-00-02", source="site", notes="second", tags=["dacha", "b2c"])
    deal = deals.add(book, "Окна", contact=str(other["id"]))
    activities.record(book, "call", "2026-11-20T10:00:00+03:00", contact_id=other["id"])
    tasks.create(book, "Call", date(2026, 11, 23), contact_id=other["id"])
    kept = contacts.merge(book, "1", str(other["id"]))
    assert kept["phone"] == "+7 916 000-00-01"  # KEEP's own value is not overwritten
    assert kept["source"] == "site" and kept["notes"] == "second" and kept["tags"] == "vip,dacha,b2c"
    assert deals.view(book, deal["id"])["contact_id"] == petr["id"]
    assert book.value("SELECT count(*) FROM activities WHERE contact_id = 1") == 1
    assert book.value("SELECT count(*) FROM tasks WHERE contact_id = 1") == 1
    assert book.value("SELECT count(*) FROM contacts") == 1
    with pytest.raises(InputError, match="itself"):
        contacts.merge(book, "1", "1")


def test_card_numbers(book, petr):
    first = deals.add(book, "First", contact="1", value="100 000", currency="RUB")
    second = deals.add(book, "Second", contact="1", value="50 000", currency="RUB")
    deals.add(book, "Third", contact="1", value="1 000", currency="USD")
    deals.close(book, first["id"], "won")
    deals.close(book, second["id"], "won")
    activities.record(book, "call", "2026-11-01T10:00:00+03:00", contact_id=1)
    activities.record(book, "email", "2026-11-20T10:00:00+03:00", contact_id=1)
    card = contacts.card(book, "petr@dacha.ru")
    assert (card["deals_count"], card["won_count"], card["repeat_orders"]) == (3, 2, 1)
    assert card["won_value"] == [{"currency": "RUB", "value": 15_000_000, "deals": 2}]
    assert card["paid"] == []
    assert (card["first_contact_at"], card["last_contact_at"]) == ("2026-11-01T10:00:00+03:00",
                                                                   "2026-11-20T10:00:00+03:00")
    assert "phone_digits" not in card


def test_lookup_by_phone_with_other_formatting(book, petr):
    deals.add(book, "Окна", contact="1")
    [card] = contacts.lookup(book, "8 (916) 000-00-01")
    assert card["name"] == "Пётр Смирнов" and [d["title"] for d in card["open_deals"]] == ["Окна"]
    with pytest.raises(NotFound):
        contacts.lookup(book, "+7 999 999-99-99")


def test_a_contact_given_as_an_email_is_stored_as_that_email(book):
    deal = deals.add(book, "Acme — 20 windows", contact="anna@acme.com")
    contact = contacts.resolve(book, "anna@acme.com")
    assert (contact["email"], contact["id"]) == ("anna@acme.com", deal["contact_id"])
    again = deals.add(book, "Acme — doors", contact="ANNA@acme.com")
    assert again["contact_id"] == contact["id"]
