"""Contact commands and `lookup` through the CLI."""

import json

import pytest


@pytest.fixture
def petr(cli):
    cli.ok("contact", "add", "Пётр Смирнов", "--company", "Дача-Сервис", "--email", "petr@dacha.ru",
           "--phone", "+7 916 000-00-01", "--tag", "vip")


def test_add_list_show(cli, petr):
    assert cli.ok("contact", "add", "Anna", "-q").stdout == "2\n"
    listed = cli.ok("contact", "list", "--search", "ДАЧА").stdout.splitlines()
    assert listed[0].split("\t") == ["id", "name", "company", "email", "phone", "source", "tags", "open_deals",
                                     "created_at"]
    assert listed[1].split("\t")[:5] == ["1", "Пётр Смирнов", "Дача-Сервис", "petr@dacha.ru", "+7 916 000-00-01"]
    assert len(listed) == 2
    assert cli.ok("contact", "list", "--tag", "VIP", "--no-header").stdout.startswith("1\tПётр")
    cli.ok("add", "Окна", "--contact", "пётр", "--value", "1000")
    card = json.loads(cli.ok("contact", "show", "пётр", "-f", "json").stdout)
    assert card["deals_count"] == 1 and card["deals"][0]["title"] == "Окна" and "phone_digits" not in card
    assert "Contact #1: Пётр Смирнов" in cli.ok("contact", "show", "1", "-f", "table").stdout


def test_edit_clears_fields(cli, petr):
    out = json.loads(cli.ok("contact", "edit", "1", "--company", "", "--phone", "", "-f", "json").stdout)
    assert (out["company"], out["phone"]) == (None, None)
    assert "phone_digits" not in out


def test_merge(cli, petr):
    cli.ok("contact", "add", "Петя", "--phone", "+7 999 000-00-02")
    cli.ok("add", "Двери", "--contact", "2")
    assert cli.ok("contact", "merge", "1", "Петя").stdout == 'Merged Петя into contact #1 "Пётр Смирнов" (Дача-Сервис)\n'
    assert cli.ok("deals", "--no-header").stdout.split("\t")[2] == "Пётр Смирнов"


def test_lookup_json_and_exit_1(cli, petr):
    cli.ok("add", "Окна", "--contact", "1")
    found = json.loads(cli.ok("lookup", "8 (916) 000 00 01", "-f", "json").stdout)
    assert [(c["name"], [d["title"] for d in c["open_deals"]]) for c in found] == [("Пётр Смирнов", ["Окна"])]
    tsv = cli.ok("lookup", "petr@dacha.ru").stdout.splitlines()
    assert tsv[1].split("\t")[:2] == ["1", "Пётр Смирнов"]
    result = cli("lookup", "+1 555 000 0000")
    assert result.exit_code == 1 and result.stderr.startswith("Error: no contact matches")


@pytest.mark.parametrize("args, message", [
    (("contact", "add", "Other", "--email", "PETR@dacha.ru"), "already belongs to contact #1 Пётр Смирнов"),
    (("contact", "add", "Other", "--phone", "79160000001"), "already belongs to contact #1 Пётр Смирнов"),
    (("contact", "add", "Other", "--phone", "8 916 000 00 01"), "already belongs to contact #1 Пётр Смирнов"),
    (("contact", "edit", "Anna", "--phone", "(916) 000-00-01"), "already belongs to contact #1"),
    (("contact", "add", "Other", "--email", "nope"), "not an email"),
    (("contact", "edit", "Anna", "--email", "petr@dacha.ru"), "already belongs to contact #1"),
    (("contact", "edit", "1", "--name", ""), "needs a name"),
    (("contact", "edit", "1"), "nothing to change"),
    (("contact", "show", "nobody"), "no contact matches 'nobody'"),
    (("contact", "show", "п"), "matches 2 contacts: #1 Пётр Смирнов"),
    (("contact", "merge", "1", "1"), "itself"),
    (("contact", "merge", "1", "99999999"), "no contact matches"),
])
def test_errors_change_nothing(cli, assert_refused, petr, args, message):
    cli.ok("contact", "add", "Anna Петрова")
    assert_refused(*args, message=message)


def test_a_number_written_with_a_trunk_prefix_is_the_same_number(cli, petr, tmp_path):
    added = json.loads(cli.ok("add", "Забор", "--phone", "8 (916) 000-00-01", "-f", "json").stdout)
    assert added["contact"] == "Пётр Смирнов"
    cli.ok("contact", "add", "London office", "--phone", "+44 7700 900123")
    people = tmp_path / "people.csv"
    people.write_text("name,phone\nПётр,89160000001\nLondon office,07700 900123\nNew,+7 903 000-00-09\n"
                      "Same new,8 903 000 00 09\n", encoding="utf-8")
    assert "1 contact created, 3 matched" in cli.ok("import", "contacts", str(people)).stdout
    listed = json.loads(cli.ok("contact", "list", "-f", "json").stdout)
    assert sorted((c["name"], c["phone"]) for c in listed) == [
        ("London office", "+44 7700 900123"), ("New", "+7 903 000-00-09"), ("Пётр Смирнов", "+7 916 000-00-01")]


def test_yo_is_matched_as_ye_as_russians_type_it(cli, petr, tmp_path):
    """Пётр is typed Петр more often than not: every name, search, tag and stage match treats ё as е."""
    assert json.loads(cli.ok("contact", "show", "петр смирнов", "-f", "json").stdout)["name"] == "Пётр Смирнов"
    added = json.loads(cli.ok("add", "Окна", "--contact", "Петр", "--tag", "тёплый", "-f", "json").stdout)
    assert added["contact"] == "Пётр Смирнов"
    assert cli.ok("contact", "list", "--search", "ПЕТР", "--no-header").stdout.startswith("1\tПётр Смирнов")
    assert [d["title"] for d in json.loads(cli.ok("deals", "--search", "петр", "-f", "json").stdout)] == ["Окна"]
    assert [d["title"] for d in json.loads(cli.ok("deals", "--tag", "ТЕПЛЫЙ", "-f", "json").stdout)] == ["Окна"]
    cli.ok("stage", "add", "Счёт выставлен")
    assert json.loads(cli.ok("move", "1", "счет", "-f", "json").stdout)["stage"] == "Счёт выставлен"
    people = tmp_path / "people.csv"
    people.write_text("name\nПетр Смирнов\n", encoding="utf-8")
    assert "0 contacts created, 1 matched" in cli.ok("import", "contacts", str(people)).stdout


def test_untag_reads_yo_as_ye_as_tag_search_does(cli):
    cli.ok("contact", "add", "Анна", "--tag", "тёплый", "--tag", "опт")
    cli.ok("contact", "edit", "Анна", "--untag", "ТЕПЛЫЙ")
    listed = cli.ok("contact", "list", "-f", "json").stdout
    assert json.loads(listed)[0]["tags"] == "опт"


def test_open_call_backs_follow_a_renamed_contact_but_never_an_edited_text(cli, db_path):
    import sqlite3

    cli.ok("contact", "add", "Caller +7 916 000 00 01", "--phone", "+7 916 000 00 01")
    cli.ok("log", "+7 916 000 00 01", "call", "--missed", "--at", "08:00")  # T1, returned at 09:00: history
    cli.ok("log", "+7 916 000 00 01", "call", "--out", "--at", "09:00")
    cli.ok("log", "+7 916 000 00 01", "call", "--missed", "--at", "09:30")  # T2, open
    cli.ok("log", "+7 916 000 00 01", "call", "--missed", "--at", "09:40")  # T3, open, its text edited by hand
    cli.ok("remind", "--contact", "1", "Call back Caller +7 916 000 00 01")  # T4: the user's own task
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE tasks SET text = 'Call back after the meeting' WHERE id = 3")
    cli.ok("contact", "edit", "1", "--name", "Пётр Смирнов")
    texts = {task["id"]: task["text"] for task in json.loads(cli.ok("tasks", "--all", "-f", "json").stdout)}
    assert texts == {2: "Call back Пётр Смирнов", 3: "Call back after the meeting",
                     4: "Call back Caller +7 916 000 00 01"}
    assert [t["text"] for t in json.loads(cli.ok("tasks", "--done", "-f", "json").stdout)] == [
        "Call back Caller +7 916 000 00 01"]


def test_call_backs_of_a_deal_without_a_contact_follow_its_new_title(cli):
    cli.ok("add", "Окна для дачи")
    cli.ok("add", "Балкон")
    cli.ok("log", "1", "call", "--missed")
    cli.ok("log", "2", "call", "--missed")
    cli.ok("edit", "1", "--title", "Окна и двери")
    cli.ok("edit", "2", "--value", "5000")  # no new title: its task stays as it was
    texts = [task["text"] for task in json.loads(cli.ok("tasks", "-f", "json").stdout)]
    assert texts == ["Call back Окна и двери", "Call back Балкон"]


def test_call_backs_of_a_merged_contact_name_the_one_kept(cli, petr):
    cli.ok("contact", "add", "Caller 79990000002", "--phone", "+7 999 000-00-02")
    cli.ok("log", "79990000002", "call", "--missed")
    cli.ok("contact", "merge", "1", "2")
    [task] = json.loads(cli.ok("tasks", "-f", "json").stdout)
    assert (task["text"], task["contact"]) == ("Call back Пётр Смирнов", "Пётр Смирнов")


@pytest.mark.parametrize(("option", "what"), [("--tag", "a tag (--tag vip)"), ("--search", "some text of the name")])
@pytest.mark.parametrize("value", ["", "  "])
def test_an_empty_contact_filter_is_refused_not_ignored(cli, assert_refused, petr, option, what, value):
    """`contact list --tag "$TAG"` with the variable unset listed everyone, as if the filter had matched them all."""
    assert_refused("contact", "list", option, value, message=f"Error: {option} is empty; give {what}")
