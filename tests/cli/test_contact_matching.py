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


def test_a_phone_field_holds_one_number(cli, tmp_path, assert_refused):
    assert_refused("contact", "add", "Пётр", "--phone", "+7 916 000-00-01, +7 495 111-22-33",
                   message="is 2 phone numbers; a contact has one: give --phone \"+7 916 000-00-01\"")
    assert_refused("add", "D", "--contact", "Пётр", "--phone", "+7 916 000-00-01; +7 495 111-22-33",
                   message="is 2 phone numbers")
    people = tmp_path / "people.csv"
    people.write_text('name,phone\nПётр,"+7 916 000-00-01, +7 495 111-22-33"\n', encoding="utf-8")
    result = cli.ok("import", "contacts", str(people))
    assert ("line 2: phone: +7 916 000-00-01 is the contact's phone; +7 495 111-22-33 went to their notes"
            in result.stderr)
    [petr] = json.loads(cli.ok("lookup", "89160000001", "-f", "json").stdout)
    assert (petr["phone"], petr["notes"]) == ("+7 916 000-00-01", "Other phones: +7 495 111-22-33")
    assert cli("lookup", "84951112233").exit_code == 1  # the second number is nobody's key


def test_a_second_phone_or_email_column_goes_to_notes_not_away(cli, tmp_path):
    """amoCRM exports work and mobile phones, work and personal emails: the contact keeps the first of each,
    the others are kept in their notes, and the same number or email spelt again is no other."""
    people = tmp_path / "amo.csv"
    people.write_text(
        "Полное имя контакта,Рабочий телефон,Мобильный телефон,Рабочий email,Личный email\n"
        "Анна Петрова,+7 916 000-00-01,8 (903) 111-22-33,anna@acme.ru,anna.p@mail.ru\n"
        "Борис,+7 916 000-00-09,8 916 000 00 09,b@x.ru,B@X.RU\n"
        "Вера,,\"+7 903 555-55-55, +7 495 000-00-07\",,vera@y.ru\n", encoding="utf-8")
    result = cli.ok("import", "contacts", str(people))
    assert result.stderr.splitlines() == [
        "line 2: phone: +7 916 000-00-01 is the contact's phone; 8 (903) 111-22-33 went to their notes",
        "line 2: email: anna@acme.ru is the contact's email; anna.p@mail.ru went to their notes",
        "line 4: phone: +7 903 555-55-55 is the contact's phone; +7 495 000-00-07 went to their notes",
    ]
    people = json.loads(cli.ok("contact", "list", "-f", "json").stdout)
    assert [(p["name"], p["phone"], p["email"]) for p in people] == [
        ("Анна Петрова", "+7 916 000-00-01", "anna@acme.ru"), ("Борис", "+7 916 000-00-09", "b@x.ru"),
        ("Вера", "+7 903 555-55-55", "vera@y.ru")]
    notes = [json.loads(cli.ok("contact", "show", str(n), "-f", "json").stdout)["notes"] for n in (1, 2, 3)]
    assert notes == ["Other phones: 8 (903) 111-22-33\nOther emails: anna.p@mail.ru", None,
                     "Other phones: +7 495 000-00-07"]


def test_a_deal_rows_second_email_reaches_a_new_contact_and_a_re_import_adds_it_once(cli, tmp_path):
    deals = tmp_path / "deals.csv"
    deals.write_text("title,contact,Рабочий email,Личный email\nД1,Анна,anna@acme.ru,anna@mail.ru\n"
                     "Д2,Анна,anna@acme.ru,anna@mail.ru\n", encoding="utf-8")
    cli.ok("import", "deals", str(deals))
    cli.ok("import", "deals", str(deals))
    [anna] = json.loads(cli.ok("contact", "list", "-f", "json").stdout)
    assert anna["open_deals"] == 4
    assert json.loads(cli.ok("contact", "show", "Анна", "-f", "json").stdout)["notes"] == "Other emails: anna@mail.ru"


def test_an_imported_name_that_is_not_the_details_owner_is_a_row_error(cli, db_path, tmp_path, assert_refused):
    cli.ok("contact", "add", "Пётр", "--phone", "+7 916 000-00-01", "--email", "petr@x.ru")
    deals = tmp_path / "deals.csv"
    deals.write_text("title,contact,phone\nД1,Марина Новая,8 916 000 00 01\nД2,Пётр Смирнов,8 916 000 00 01\n",
                     encoding="utf-8")
    assert_refused("import", "deals", str(deals),
                   message="line 2: contact: 8 916 000 00 01 belongs to contact #1 'Пётр', not to 'Марина Новая'")
    result = cli.ok("import", "deals", str(deals), "--skip-errors")
    assert "1 deal created" in result.stdout and "1 rejected" in result.stdout
    assert [(d["title"], d["contact"]) for d in json.loads(cli.ok("deals", "-f", "json").stdout)] == [
        ("Д2", "Пётр")]


def test_one_file_names_one_person_as_the_book_would(cli, tmp_path):
    """A detail fills the same-name contact that lacks it; a contradicting detail is someone else."""
    deals = tmp_path / "deals.csv"
    deals.write_text("title,contact,email,phone\nД1,Анна Смирнова,,\nД2,Анна Смирнова,anna@x.ru,\n"
                     "Д3,Анна Смирнова,,+7 903 000-00-09\nД4,Анна Смирнова,,\nД5,Анна Смирнова,other@x.ru,\n",
                     encoding="utf-8")
    cli.ok("import", "deals", str(deals))
    people = json.loads(cli.ok("contact", "list", "-f", "json").stdout)
    assert [(p["id"], p["email"], p["phone"], p["open_deals"]) for p in people] == [
        (1, "anna@x.ru", "+7 903 000-00-09", 4), (2, "other@x.ru", None, 1)]
    # now two people share the name: a row without details cannot tell which, as `dealflow add` cannot
    again = tmp_path / "again.csv"
    again.write_text("title,contact\nД6,Анна Смирнова\n", encoding="utf-8")
    result = cli("import", "deals", str(again))
    assert result.exit_code == 1 and "line 2: contact: 2 contacts are named 'Анна Смирнова'" in result.stderr


def test_a_matched_contact_gets_what_the_row_adds(cli, db_path, tmp_path, assert_refused):
    people = tmp_path / "people.csv"
    people.write_text("name,email,phone,tags,notes\nАнна,anna@x.ru,,vip,первая\n"
                      "Анна Петрова,ANNA@x.ru,+7 903 123-45-67,опт,вторая заметка\n", encoding="utf-8")
    assert "1 contact created, 0 matched, 1 updated" in cli.ok("import", "contacts", str(people)).stdout
    [anna] = json.loads(cli.ok("contact", "list", "-f", "json").stdout)
    assert (anna["name"], anna["phone"], anna["tags"]) == ("Анна", "+7 903 123-45-67", "vip,опт")
    assert json.loads(cli.ok("contact", "show", "1", "-f", "json").stdout)["notes"] == "первая\nвторая заметка"
    conflict = tmp_path / "conflict.csv"
    conflict.write_text("name,email,phone\nАнна,anna@x.ru,+7 999 000-00-00\n", encoding="utf-8")
    assert_refused("import", "contacts", str(conflict),
                   message="line 2: phone: contact #1 'Анна' already has phone +7 903 123-45-67, not +7 999 000-00-00")
    # a deal row matched by email stores the phone its contact lacks
    cli.ok("contact", "add", "Борис", "--email", "boris@x.ru")
    deals = tmp_path / "deals.csv"
    deals.write_text("title,contact,email,phone\nОкна,Борис,boris@x.ru,8 916 555-44-33\n", encoding="utf-8")
    assert "0 contacts created, 0 matched, 1 updated" in cli.ok("import", "deals", str(deals)).stdout
    assert json.loads(cli.ok("lookup", "+7 916 555 44 33", "-f", "json").stdout)[0]["name"] == "Борис"


def test_emails_are_one_address_in_any_case_cyrillic_too(cli, assert_refused):
    cli.ok("contact", "add", "A", "--email", "Иван@почта.рф")
    assert_refused("contact", "add", "B", "--email", "иван@почта.рф", message="already belongs to contact #1 A")
    assert [card["id"] for card in json.loads(cli.ok("lookup", "ИВАН@почта.рф", "-f", "json").stdout)] == [1]
    assert cli.ok("add", "D", "--email", "ИВАН@ПОЧТА.РФ").stdout.endswith("for contact #1 A\n")
    assert "email_key" not in json.loads(cli.ok("contact", "show", "1", "-f", "json").stdout)


def test_a_book_with_emails_apart_only_in_cyrillic_case_still_opens(cli, tmp_path):
    """V5 books could hold `Иван@почта.рф` and `иван@почта.рф` as two contacts: V6 must not fail on them."""
    import shutil
    import sqlite3
    from pathlib import Path

    old = tmp_path / "old.db"
    shutil.copy(Path(__file__).parent.parent / "fixtures" / "book-v5.db", old)
    conn = sqlite3.connect(old)
    conn.executemany("INSERT INTO contacts (name, email, created_at) VALUES (?, ?, '2026-01-01')",
                     [("Иван", "Иван@почта.рф"), ("Ваня", "иван@почта.рф")])
    conn.commit()
    conn.close()
    found = json.loads(cli.ok("--db", str(old), "lookup", "ИВАН@ПОЧТА.РФ", "-f", "json").stdout)
    assert [card["name"] for card in found] == ["Иван", "Ваня"]  # both listed, to merge
    result = cli("--db", str(old), "add", "D", "--email", "иван@почта.рф")
    assert result.exit_code == 1 and "matches 2 contacts" in result.stderr


@pytest.mark.parametrize("phone, main", [
    ("+7 495 111-22-33 доб. 123", "+7 495 111-22-33"), ("+7 495 111-22-33, доб. 123", "8 (495) 111-22-33"),
    ("+1 555 123 4567 ext. 12", "+1 555 123 4567"), ("+1 555 123 4567 x12", "5551234567"),
    ("+1 555 123 4567 #12", "1-555-123-4567"),
])
def test_a_phone_with_an_extension_is_found_by_its_main_number(cli, phone, main):
    cli.ok("contact", "add", "Анна", "--phone", phone)
    [card] = json.loads(cli.ok("lookup", main, "-f", "json").stdout)
    assert (card["name"], card["phone"]) == ("Анна", phone)  # the extension stays in the phone's text
    assert [c["name"] for c in json.loads(cli.ok("lookup", phone, "-f", "json").stdout)] == ["Анна"]
    assert json.loads(cli.ok("log", main, "call", "--missed", "-f", "json").stdout)["contact"] == "Анна"


@pytest.mark.parametrize("cell, phone, other", [
    ("+7 495 111-22-33, доб. 5, +7 916 000-00-01", "+7 495 111-22-33, доб. 5", "+7 916 000-00-01"),
    ("+7 916 000-00-01; +7 495 111-22-33; (доб. 7)", "+7 916 000-00-01", "+7 495 111-22-33, (доб. 7)"),
])
def test_an_extension_inside_a_list_of_phones_stays_with_its_number(cli, tmp_path, cell, phone, other):
    people = tmp_path / "people.csv"
    people.write_text(f'name,phone\nАнна,"{cell}"\n', encoding="utf-8")
    result = cli.ok("import", "contacts", str(people))
    assert f"{phone} is the contact's phone; {other} went to their notes" in result.stderr
    [card] = json.loads(cli.ok("contact", "list", "-f", "json").stdout)
    assert card["phone"] == phone
    assert json.loads(cli.ok("contact", "show", "Анна", "-f", "json").stdout)["notes"] == f"Other phones: {other}"


def test_a_second_person_on_the_same_main_number_is_refused_naming_the_first(cli, assert_refused):
    cli.ok("contact", "add", "Анна", "--phone", "+7 495 111-22-33 доб. 123")
    assert_refused("contact", "add", "Борис", "--phone", "+7 495 111-22-33 доб. 456",
                   message="already belongs to contact #1 Анна (+7 495 111-22-33 доб. 123); an extension is "
                           "not part of the number")
    assert_refused("contact", "add", "Борис", "--phone", "+7 495 111-22-33", message="already belongs to contact #1")
    cli.ok("contact", "add", "Борис", "--phone", "+7 495 111-22-34 доб. 123")  # another line, the same extension
    assert [c["name"] for c in json.loads(cli.ok("lookup", "+7 495 111-22-34", "-f", "json").stdout)] == ["Борис"]


def test_an_imported_second_person_on_a_main_number_is_told_why_under_the_phone(cli, tmp_path, assert_refused):
    cli.ok("contact", "add", "Анна", "--phone", "+7 495 111-22-33 доб. 123")
    people = tmp_path / "people.csv"
    people.write_text("name,phone\nБорис,+7 495 111-22-33 доб. 456\n", encoding="utf-8")
    assert_refused("import", "contacts", str(people),
                   message="line 2: phone: +7 495 111-22-33 доб. 456 is the line of contact #1 'Анна' "
                           "(+7 495 111-22-33 доб. 123); an extension is not part of the number (a caller ID shows "
                           "the main line), so one number is one contact: leave the phone out and keep Борис's "
                           "extension in their notes")


def test_an_import_keys_a_phone_by_its_main_number_too(cli, db_path, tmp_path):
    import sqlite3

    people = tmp_path / "people.csv"
    people.write_text("name,phone\nАнна,+7 495 111-22-33 доб. 123\nBob,+1 555 123 4567 ext. 12\n", encoding="utf-8")
    cli.ok("import", "contacts", str(people))
    with sqlite3.connect(db_path) as conn:
        stored = conn.execute("SELECT name, phone, phone_digits FROM contacts ORDER BY id").fetchall()
    assert stored == [("Анна", "+7 495 111-22-33 доб. 123", "74951112233"),
                      ("Bob", "+1 555 123 4567 ext. 12", "15551234567")]
    assert json.loads(cli.ok("lookup", "84951112233", "-f", "json").stdout)[0]["name"] == "Анна"


def test_a_phone_keyed_with_its_extension_by_an_earlier_version_is_rekeyed_when_saved_again(cli, db_path):
    import sqlite3

    cli.ok("contact", "add", "Анна", "--phone", "+7 495 111-22-33 доб. 123")
    with sqlite3.connect(db_path) as conn:  # as versions before this one stored it
        conn.execute("UPDATE contacts SET phone_digits = '74951112233123'")
    assert cli("lookup", "+7 495 111-22-33").exit_code == 1
    cli.ok("contact", "edit", "Анна", "--phone", "+7 495 111-22-33 доб. 123")
    assert json.loads(cli.ok("lookup", "+7 495 111-22-33", "-f", "json").stdout)[0]["name"] == "Анна"
