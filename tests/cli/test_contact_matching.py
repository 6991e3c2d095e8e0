"""Who is this: one reading of phone numbers, contact numbers, names and details for every command."""

import json

import pytest

SPELLINGS = ["+7 916 000-00-01", "8 916 000-00-01", "9160000001", "79160000001"]


@pytest.fixture
def two_phones(cli):
    """A local 7-digit number whose digits end Пётр's full number."""
    cli.ok("contact", "add", "Local", "--phone", "000-00-01")
    cli.ok("contact", "add", "Пётр", "--phone", "+7 916 000-00-01")


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_every_spelling_of_a_number_is_its_owner_only(cli, two_phones, spelling):
    found = json.loads(cli.ok("lookup", spelling, "-f", "json").stdout)
    assert [card["name"] for card in found] == ["Пётр"]
    assert json.loads(cli.ok("contact", "show", spelling, "-f", "json").stdout)["id"] == 2
    logged = json.loads(cli.ok("log", spelling, "call", "--missed", "-f", "json").stdout)
    assert logged["contact"] == "Пётр"
    reminded = json.loads(cli.ok("remind", spelling, "call back", "-f", "json").stdout)
    assert reminded["contact"] == "Пётр"
    added = json.loads(cli.ok("add", "Окна", "--contact", spelling, "-f", "json").stdout)
    assert added["contact_id"] == 2


def test_a_local_number_is_compared_whole(cli, two_phones):
    assert [card["name"] for card in json.loads(cli.ok("lookup", "000-00-01", "-f", "json").stdout)] == ["Local"]
    cli.ok("contact", "edit", "Local", "--phone", "")
    # nobody has it whole: the last 7 digits of a full number are enough for a phone system's caller ID
    assert [card["name"] for card in json.loads(cli.ok("lookup", "000-00-01", "-f", "json").stdout)] == ["Пётр"]


def test_caller_id_of_someone_new_becomes_their_contact(cli):
    added = cli.ok("add", "Звонок", "--contact", "79990000000").stdout
    assert added == 'Added deal #1 "Звонок" (Lead) for contact #1 79990000000\n'
    assert json.loads(cli.ok("lookup", "8 999 000-00-00", "-f", "json").stdout)[0]["phone"] == "79990000000"


def test_a_short_number_nobody_has_is_refused(cli, two_phones, assert_refused):
    assert_refused("add", "X", "--contact", "77", message="no contact #77")
    assert_refused("add", "X", "--contact", "#89160000002", message="no contact #89160000002")


def test_a_new_detail_goes_only_to_an_exact_name(cli, assert_refused):
    cli.ok("contact", "add", "Иванова Мария")
    added = cli.ok("add", "Для Ивана", "--contact", "Иван", "--phone", "+7 999 123-45-67").stdout
    assert added == 'Added deal #1 "Для Ивана" (Lead) for contact #2 Иван\n'
    people = json.loads(cli.ok("contact", "list", "-f", "json").stdout)
    assert [(p["name"], p["phone"]) for p in people] == [("Иван", "+7 999 123-45-67"), ("Иванова Мария", None)]
    # without a detail, part of a name still finds its one contact
    assert cli.ok("add", "Для Марии", "--contact", "Мария").stdout.endswith("for contact #1 Иванова Мария\n")
    # an exact name (any case, ё as е) still receives a detail it lacks
    cli.ok("add", "Ещё", "--contact", "ИВАНОВА МАРИЯ", "--email", "maria@x.ru")
    assert json.loads(cli.ok("contact", "show", "1", "-f", "json").stdout)["email"] == "maria@x.ru"


def test_a_detail_of_another_contact_next_to_a_name_is_refused(cli, two_phones, assert_refused):
    result = assert_refused("add", "Для Марины", "--contact", "Марина Новая", "--phone", "8 916 000 00 01",
                            message="phone 8 916 000 00 01 belongs to contact #2 Пётр")
    assert "for Марина Новая, leave out --phone" in result.stderr and "give --contact 2" in result.stderr
    cli.ok("contact", "add", "Анна", "--email", "anna@x.ru")
    assert_refused("add", "D", "--contact", "Local", "--email", "ANNA@x.ru",
                   message="email ANNA@x.ru belongs to contact #3 Анна")
    # the contact's name written more fully is still them
    assert cli.ok("add", "D", "--contact", "Пётр Смирнов", "--phone", "79160000001").stdout.endswith(
        "for contact #2 Пётр\n")
