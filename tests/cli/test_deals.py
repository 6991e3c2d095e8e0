"""Deal commands through the CLI: output contract, confirmations and every error a user can hit."""

import json

import pytest

from tests.conftest import db_state


@pytest.fixture
def acme(cli):
    cli.ok("add", "Acme — 20 windows", "--contact", "Пётр", "--phone", "+7 916 000-00-01", "--value", "120 000",
           "--currency", "RUB", "--source", "site", "--next", "перезвонить", "--due", "завтра")


def test_add_confirms_and_lists_as_tsv(cli, acme):
    out = cli.ok("deals").stdout.splitlines()
    assert out[0].split("\t") == ["id", "title", "contact", "stage", "status", "value", "currency", "probability",
                                  "days_in_stage", "next_due", "owner", "source", "created_at"]
    row = out[1].split("\t")
    assert row[:10] == ["1", "Acme — 20 windows", "Пётр", "Lead", "open", "120000.00", "RUB", "10", "0",
                        "2026-11-23"]
    assert row[11:] == ["site", "2026-11-22T10:00:00+03:00"]


def test_json_csv_no_header(cli, acme):
    data = json.loads(cli.ok("deals", "--format", "json").stdout)
    assert data[0]["value"] == 120000.0 and data[0]["currency"] == "RUB" and data[0]["id"] == 1
    assert cli.ok("deals", "-f", "csv", "--no-header").stdout.startswith("1,Acme — 20 windows,Пётр,Lead,open,120000.00")
    assert cli.ok("deals", "-f", "tsv", "--no-header").stdout.startswith("1\tAcme")


def test_mutating_commands_confirm_json_and_quiet(cli, acme):
    assert cli.ok("move", "1", "qual").stdout == 'Moved deal #1 "Acme — 20 windows" (Qualified)\n'
    assert cli.ok("advance", "#1", "-q").stdout == "1\n"
    moved = json.loads(cli.ok("advance", "1", "--format", "json").stdout)
    assert (moved["stage"], moved["value"]) == ("Negotiation", 120000.0)
    assert cli.ok("won", "1").stdout == 'Won deal #1 "Acme — 20 windows" (won from Negotiation): ₽ 120\u202f000\n'
    assert cli.ok("reopen", "1").stdout == 'Reopened deal #1 "Acme — 20 windows" (Negotiation)\n'
    assert cli.ok("lost", "1", "--reason", "price", "--note", "chose a competitor").stdout == \
        'Lost deal #1 "Acme — 20 windows" (lost from Negotiation): price\n'
    assert cli.ok("edit", "1", "--title", "Acme", "-q").stdout == "1\n"


def test_quiet_add_prints_the_id_for_scripts(cli):
    assert cli.ok("add", "-q", "Acme").stdout == "1\n"
    assert cli.ok("add", "-q", "Beta").stdout == "2\n"


def test_show_json_has_every_section(cli, acme):
    cli.ok("move", "1", "Proposal", "--note", "sent the offer")
    cli.ok("won", "1")
    card = json.loads(cli.ok("show", "1", "--format", "json").stdout)
    assert card["contact"] == "Пётр" and card["status"] == "won"
    assert [(h["from_stage"], h["to_stage"], h["note"]) for h in card["history"]] == [
        (None, "Lead", None), ("Lead", "Proposal", "sent the offer"), ("Proposal", "won", None)]
    assert set(card["history"][0]) >= {"from_stage", "to_stage", "at", "note"}
    assert card["activities"] == [] and card["invoices"] == [] and card["cadence"] is None
    assert [(t["text"], t["done_at"]) for t in card["tasks"]] == [("перезвонить", "2026-11-22T10:00:00+03:00")]


def test_show_table_of_an_open_deal(cli, acme):
    out = cli.ok("show", "1", "--format", "table").stdout
    assert "Deal #1: Acme — 20 windows" in out and "Timeline" in out and "перезвонить" in out
    assert "₽ 120\u202f000" in out


@pytest.mark.parametrize("args, message", [
    (("move", "99", "Proposal"), "no deal #99"),
    (("show", "99"), "no deal #99"),
    (("move", "abc", "Proposal"), "not a deal number"),
    (("move", "1", "Shipping"), "no stage 'Shipping'"),
    (("move", "1", "Lead"), "already in Lead"),
    (("lost", "1", "--reason", "aliens"), "no loss reason 'aliens'"),
    (("lost", "1", "--reason", "no"), "could be any of"),
    (("add", "X", "--value", "-5"), "negative"),
    (("add", "X", "--value", "1.2.3"), "cannot read"),
    (("add", "X", "--value", "500,"), "'500,' is not a well-formed amount: ',' has no digits after it"),
    (("add", "X", "--value", "5", "--currency", "dollars"), "unknown currency"),
    (("add", "X", "--value", "12abc"), "unknown currency 'abc'"),
    (("add", "X", "--value", "1 20"), "groups must have three digits"),
    (("edit", "1", "--currency", "XYZ"), "unknown currency 'XYZ'"),
    (("config", "set", "currency", "USB"), "unknown currency 'USB'"),
    (("add", "X", "--due", "someday", "--next", "call"), "cannot read 'someday' as a date"),
    (("add", "X", "--probability", "150"), "0 to 100"),
    (("add", " "), "needs a title"),
    (("add", "X", "--contact", "пёт"), "matches 2 contacts: #1 Пётр (+7 916 000-00-01); #2 Пётр Иванов"),
    (("add", "X", "--email", "bad"), "not an email"),
    (("move", "1", "Proposal", "--at", "2026-11-01"), "before deal #1 was created (2026-11-22T10:00:00+03:00)"),
    (("move", "1", "Proposal", "--at", "tomorrow"), "future"),
    (("edit", "1"), "nothing to change"),
    (("edit", "1", "--contact", "nobody"), "no contact matches"),
    (("deals", "--sort", "colour"), "unknown sort"),
    (("deals", "--stage", "x"), "no stage"),
    (("advance", "2"), "dealflow won 2"),
    (("move", "3", "Lead"), "dealflow reopen 3"),
    (("advance", "3"), "dealflow reopen 3"),
    (("reopen", "1"), "already open"),
])
def test_errors_change_nothing(cli, assert_refused, acme, args, message):
    cli.ok("contact", "add", "Пётр Иванов")
    cli.ok("add", "Last stage", "--stage", "Invoiced")
    cli.ok("add", "Closed", "-q")
    cli.ok("won", "3")
    assert_refused(*args, message=message)


@pytest.mark.parametrize("args", [("move",), ("lost", "1"), ("add", "X", "--probability", "high"), ("deals", "--limit", "x"),
                                  ("nosuchcommand",), ("deals", "--format", "yaml")])
def test_usage_errors_exit_2(cli, assert_refused, acme, args):
    assert_refused(*args, message="", code=2)


def test_contact_by_cyrillic_case_and_stage_prefix(cli):
    cli.ok("init", "--pipeline", "amocrm-ru")
    cli.ok("add", "Окна", "--contact", "Пётр")
    cli.ok("add", "Двери", "--contact", "пётр")
    assert cli.ok("move", "2", "согл").stdout.endswith("(Согласование)\n")
    assert [r.split("\t")[2] for r in cli.ok("deals", "--no-header").stdout.splitlines()] == ["Пётр", "Пётр"]
    assert db_state_contacts(cli) == 1


def db_state_contacts(cli):
    import os
    from pathlib import Path

    return len(db_state(Path(os.environ["DEALFLOW_DB"]))["contacts"])


def test_edit_tags_and_probability(cli):
    cli.ok("add", "Acme", "--tag", "b2b", "--tag", "windows", "--probability", "40")
    cli.ok("edit", "1", "--tag", "urgent", "--untag", "b2b", "--no-probability")
    deal = json.loads(cli.ok("show", "1", "-f", "json").stdout)
    assert (deal["tags"], deal["probability"], deal["probability_override"]) == ("windows,urgent", 10, None)
    assert cli.ok("deals", "--tag", "URGENT", "--no-header").stdout.startswith("1\t")


def test_linking_another_contact_hands_over_the_deals_open_tasks(cli):
    """After `edit --contact`, the call list names the new person and number; a call-back stays with the
    caller, a task for someone else at the client stays theirs, done tasks stay as they were."""
    cli.ok("add", "Окна", "--contact", "Старый", "--phone", "+79160000001", "--next", "позвонить")
    cli.ok("contact", "add", "Новый", "--phone", "+79160000002")
    cli.ok("contact", "add", "Анна", "--phone", "+79160000003")
    cli.ok("remind", "1", "для Анны", "--contact", "Анна")
    cli.ok("log", "1", "call", "--missed")
    cli.ok("remind", "1", "сделано")
    cli.ok("done", "T4")
    cli.ok("edit", "1", "--contact", "Новый")
    rows = [line.split("\t") for line in cli.ok("tasks", "--all", "--no-header").stdout.splitlines()]
    assert [(row[1], row[6], row[7]) for row in rows] == [
        ("позвонить", "Новый", "+79160000002"), ("для Анны", "Анна", "+79160000003"),
        ("Call back Старый", "Старый", "+79160000001")]
    done = cli.ok("tasks", "--done", "--no-header").stdout.split("\t")
    assert (done[1], done[6]) == ("сделано", "Старый")
    cli.ok("edit", "1", "--contact", "")
    assert cli.ok("tasks", "--all", "--no-header").stdout.splitlines()[0].split("\t")[6] == ""


def test_tags_differing_only_by_yo_are_one_tag(cli):
    """`теплый` is the tag `тёплый` (as --tag finds it): stored once, as first spelled, and untagged by either."""
    cli.ok("add", "Acme", "--tag", "тёплый", "--tag", "Теплый", "--tag", "b2b")
    cli.ok("edit", "1", "--tag", "ТЁПЛЫЙ")
    assert json.loads(cli.ok("show", "1", "-f", "json").stdout)["tags"] == "тёплый,b2b"
    cli.ok("edit", "1", "--untag", "теплый")
    assert json.loads(cli.ok("show", "1", "-f", "json").stdout)["tags"] == "b2b"


def test_at_backdates_won_and_lost(cli, clock):
    clock("2026-11-10T09:00")
    cli.ok("add", "Acme")
    cli.ok("add", "Beta")
    clock("2026-11-22T10:00")
    won = json.loads(cli.ok("won", "1", "--at", "2026-11-15 12:00", "-f", "json").stdout)
    assert won["closed_at"] == "2026-11-15T12:00:00+03:00"
    lost = json.loads(cli.ok("lost", "2", "-r", "timing", "--at", "yesterday", "-f", "json").stdout)
    assert lost["closed_at"] == "2026-11-21"


# --- the contact of a new deal: a name plus details either agree with one contact, or are refused ----------


def contacts_rows(cli) -> list[list[str]]:
    out = cli.ok("contact", "list", "--no-header").stdout.splitlines()
    return [line.split("\t")[:5] for line in out]


def test_a_name_with_a_different_email_is_refused_not_a_second_contact(cli, assert_refused):
    cli.ok("contact", "add", "Anna", "--email", "anna@x.ru")
    assert_refused("add", "Deal", "--contact", "Anna", "--email", "other@x.ru",
                   message="contact #1 Anna already has email anna@x.ru, not other@x.ru. To use #1, leave out "
                           "--email (or change it: `dealflow contact edit 1 --email other@x.ru`); for another "
                           "person, `dealflow contact add Anna --email other@x.ru` first")
    # Following the advice: the second Anna is added, and her email names her from then on.
    cli.ok("contact", "add", "Anna", "--email", "other@x.ru")
    cli.ok("add", "Deal", "--contact", "Anna", "--email", "other@x.ru")
    assert json.loads(cli.ok("show", "1", "-f", "json").stdout)["email"] == "other@x.ru"


def test_a_name_with_an_email_it_lacks_gets_the_email(cli):
    cli.ok("contact", "add", "Anna", "--company", "Veterok")
    cli.ok("add", "Deal", "--contact", "anna", "--email", "anna@x.ru", "--company", "VETEROK")
    assert contacts_rows(cli) == [["1", "Anna", "Veterok", "anna@x.ru", ""]]


def test_a_number_with_a_different_phone_is_refused_not_dropped(cli, assert_refused):
    cli.ok("contact", "add", "Boris", "--phone", "+7 916 000-00-01")
    assert_refused("add", "Deal", "--contact", "1", "--phone", "+7 999 123 45 67",
                   message="contact #1 Boris already has phone +7 916 000-00-01, not +7 999 123 45 67")
    # The same phone written another way is the same phone.
    cli.ok("add", "Deal", "--contact", "1", "--phone", "8 (916) 000 00 01")
    assert contacts_rows(cli) == [["1", "Boris", "", "", "+7 916 000-00-01"]]


def test_a_number_with_a_phone_it_lacks_gets_the_phone(cli):
    cli.ok("contact", "add", "Boris")
    cli.ok("add", "Deal", "--contact", "#1", "--phone", "+7 999 123 45 67")
    assert contacts_rows(cli) == [["1", "Boris", "", "", "+7 999 123 45 67"]]


def test_an_email_of_one_contact_with_the_name_of_another_is_refused(cli, assert_refused):
    cli.ok("contact", "add", "Anna", "--email", "anna@x.ru")
    cli.ok("contact", "add", "Boris")
    assert_refused("add", "Deal", "--contact", "Boris", "--email", "anna@x.ru",
                   message="anna@x.ru belongs to contact #1 Anna (anna@x.ru), not to 'Boris'")
    cli.ok("add", "Deal", "--contact", "Anna K.", "--email", "anna@x.ru")  # a name nobody has: the email decides
    assert len(contacts_rows(cli)) == 2


def test_a_name_two_contacts_share_with_a_new_email_is_ambiguous(cli, assert_refused):
    cli.ok("contact", "add", "Anna", "--email", "anna@x.ru")
    cli.ok("contact", "add", "Anna", "--email", "anna@y.ru")
    assert_refused("add", "Deal", "--contact", "Anna", "--email", "third@x.ru",
                   message="contact 'Anna' matches 2 contacts: #1 Anna (anna@x.ru); #2 Anna (anna@y.ru); use the "
                           "number; for someone new, `dealflow contact add NAME`")
    cli.ok("add", "Deal", "--contact", "Anna", "--email", "anna@y.ru")  # her email says which Anna
    assert json.loads(cli.ok("show", "1", "-f", "json").stdout)["email"] == "anna@y.ru"


@pytest.mark.parametrize(("option", "what"), [
    ("--stage", "a stage"), ("--owner", "an owner"), ("--source", "a source"), ("--contact", "a contact"),
    ("--tag", "a tag"), ("--search", "some text")])
@pytest.mark.parametrize("value", ["", "  "])
def test_an_empty_filter_is_refused_not_ignored(cli, assert_refused, option, what, value):
    """`--stage "$STAGE"` with the variable unset listed every deal, as if the filter had matched them all."""
    cli.ok("add", "Acme", "--owner", "alex", "--source", "site", "--tag", "vip")
    assert_refused("deals", option, value, message=f"Error: {option} is empty; give {what}")
