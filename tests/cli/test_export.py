"""`dealflow export`: every kind, csv/json/jsonl, and export → import round-trips into an empty book."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from contextlib import closing

from tests.conftest import db_state


def build_book(cli) -> None:
    cli.ok("stage", "add", "Contract", "--before", "Invoiced")
    cli.ok("add", "Окна для дачи", "--contact", "Пётр", "--phone", "+7 916 000-00-01", "--value", "120 000,50",
           "--currency", "RUB", "--source", "Авито", "--tag", "окна", "--stage", "Proposal")
    cli.ok("add", "Balcony", "--contact", "Ann", "--email", "ann@x.io", "--value", "4500", "--owner", "Mia")
    cli.ok("add", "Doors", "--contact", "Ann", "--email", "ann@x.io", "--value", "800", "--stage", "Contract")
    cli.ok("won", "2")
    cli.ok("lost", "3", "--reason", "price")
    cli.ok("contact", "add", "Lonely", "--company", "No Deals Ltd")


def deals_view(cli, *db: str) -> list[dict]:
    rows = json.loads(cli.ok(*db, "deals", "--status", "all", "--format", "json").stdout)
    keep = ("title", "contact", "stage", "status", "value", "currency", "owner", "source", "created_at")
    return [{key: row[key] for key in keep} for row in rows]


def test_export_then_import_round_trips(cli, tmp_path):
    build_book(cli)
    contacts_file, deals_file = tmp_path / "contacts.csv", tmp_path / "deals.csv"
    cli.ok("export", "contacts", "--output", str(contacts_file))
    cli.ok("export", "deals", "--format", "csv", "--output", str(deals_file))
    other = ("--db", str(tmp_path / "other.db"))
    cli.ok(*other, "import", "contacts", str(contacts_file))
    result = cli.ok(*other, "import", "deals", str(deals_file), "--create-stages")
    assert "3 deals created" in result.stdout and "0 contacts created, 3 matched" in result.stdout
    assert deals_view(cli, *other) == deals_view(cli)
    stages = lambda *db: [row["name"] for row in json.loads(cli.ok(*db, "stage", "list", "-f", "json").stdout)]  # noqa: E731
    assert stages(*other) == stages()
    people = lambda *db: [(r["name"], r["company"], r["email"], r["phone"])  # noqa: E731
                          for r in json.loads(cli.ok(*db, "contact", "list", "-f", "json").stdout)]
    assert people(*other) == people()
    lost = json.loads(cli.ok(*other, "show", "3", "-f", "json").stdout)
    assert lost["lost_reason"] == "price" and [h["to_stage"] for h in lost["history"]] == ["Contract", "lost"]


def test_export_formats_and_kinds(cli, db_path):
    build_book(cli)
    rows = list(csv.DictReader(io.StringIO(cli.ok("export", "deals").stdout)))
    assert [(r["title"], r["stage"], r["status"], r["value"], r["currency"]) for r in rows] == [
        ("Окна для дачи", "Proposal", "open", "120000.50", "RUB"), ("Balcony", "Lead", "won", "4500.00", "USD"),
        ("Doors", "Contract", "lost", "800.00", "USD")]
    as_json = json.loads(cli.ok("export", "deals", "--format", "json").stdout)
    assert as_json[0]["value"] == 120000.5 and as_json[0]["contact"] == "Пётр"
    lines = cli.ok("export", "history", "--format", "jsonl").stdout.splitlines()
    events = [(e["deal_id"], e["event"], e["from_stage"], e["to_stage"]) for e in map(json.loads, lines)]
    assert events == [(1, "created", None, "Proposal"), (2, "created", None, "Lead"), (2, "won", "Lead", "won"),
                      (3, "created", None, "Contract"), (3, "lost", "Contract", "lost")]
    shown = json.loads(cli.ok("show", "3", "-f", "json").stdout)["history"]
    exported = [e for e in map(json.loads, lines) if e["deal_id"] == 3]
    assert [(e["event"], e["from_stage"], e["to_stage"], e["at"]) for e in exported] == [
        (h["event"], h["from_stage"], h["to_stage"], h["at"]) for h in shown]
    for kind in ("activities", "tasks", "invoices", "payments", "contacts"):
        header = cli.ok("export", kind).stdout.splitlines()[0]
        assert header.startswith(("id,", "number,"))
    assert json.loads(cli.ok("export", "payments", "-f", "json").stdout) == []


def test_export_errors(cli, db_path, assert_refused, tmp_path):
    build_book(cli)
    assert_refused("export", "reasons", message="cannot export 'reasons'")
    assert_refused("export", "deals", "--output", str(tmp_path / "no" / "such" / "dir.csv"), message="cannot write")
    before = db_state(db_path)
    cli.ok("export", "deals", "--output", str(tmp_path / "d.csv"))
    assert db_state(db_path) == before


def test_round_trip_keeps_how_long_a_deal_has_been_in_its_stage(cli, tmp_path, clock):
    """Without the stage-entry time a moved deal would come back as sitting in its stage since creation."""
    clock("2026-10-01T10:00")
    cli.ok("add", "Roof", "--value", "900")
    clock("2026-11-20T10:00")
    cli.ok("move", "1", "Proposal")
    clock("2026-11-22T10:00")
    deals_file = tmp_path / "deals.csv"
    cli.ok("export", "deals", "--output", str(deals_file))
    other = ("--db", str(tmp_path / "other.db"))
    cli.ok(*other, "import", "deals", str(deals_file))
    entered = lambda *db: json.loads(cli.ok(*db, "show", "1", "-f", "json").stdout)["stage_entered_at"]  # noqa: E731
    assert entered(*other) == entered() == "2026-11-20T10:00:00+03:00"
    kinds = lambda *db: [line.split("\t")[0] for line in cli.ok(*db, "today", "-f", "tsv").stdout.splitlines()[1:]]  # noqa: E731
    assert kinds(*other) == kinds() == ["no-next-step"]


def test_a_book_moved_to_an_empty_one_keeps_its_pipeline_deals_and_contacts(cli, tmp_path):
    """The README's recipe: stages (after the invoice stage too, with roles and limits), two people of the
    same name with neither email nor phone, numbers with a gap (a merge), deals open, won and lost."""
    cli.ok("stage", "add", "Site visit", "--after", "Proposal", "--probability", "60", "--max-days", "3")
    cli.ok("stage", "add", "Delivery", "--probability", "95", "--max-days", "5", "--on", "payment")
    cli.ok("stage", "edit", "Lead", "--probability", "5", "--no-max-days")
    for name in ("Anna", "Anna K", "Иван Петров", "Иван Петров"):
        cli.ok("contact", "add", name, "--tag", "import")
    cli.ok("contact", "merge", "1", "2")  # contact #2 is gone: the Ivans are #3 and #4
    cli.ok("add", "Windows", "--contact", "3", "--value", "1000", "--stage", "Site visit")
    cli.ok("add", "Doors", "--contact", "4", "--value", "2000", "--stage", "Delivery")
    cli.ok("add", "Roof", "--contact", "4", "--value", "3000", "--stage", "Proposal")
    cli.ok("add", "Fence", "--contact", "1", "--value", "400")
    cli.ok("won", "3")
    cli.ok("lost", "4", "--reason", "price")
    files = {kind: tmp_path / f"{kind}.csv" for kind in ("stages", "contacts", "deals")}
    for kind, path in files.items():
        cli.ok("export", kind, "--output", str(path))
    other = ("--db", str(tmp_path / "other.db"))
    cli.ok(*other, "init", "--pipeline", str(files["stages"]))
    cli.ok(*other, "import", "contacts", str(files["contacts"]), "--map", "id=contact_id")
    result = cli.ok(*other, "import", "deals", str(files["deals"]))
    assert "4 deals created" in result.stdout and "0 contacts created, 4 matched" in result.stdout

    def stages(*db: str) -> list[tuple]:
        rows = json.loads(cli.ok(*db, "stage", "list", "-f", "json").stdout)
        return [(r["position"], r["name"], r["probability"], r["max_days"], r["role"]) for r in rows]

    assert stages(*other) == stages() == [
        (1, "Lead", 5, None, None), (2, "Qualified", 25, 7, None), (3, "Proposal", 50, 10, None),
        (4, "Site visit", 60, 3, None), (5, "Negotiation", 70, 14, None), (6, "Invoiced", 90, 14, "invoice"),
        (7, "Delivery", 95, 5, "payment")]

    def deals(*db: str) -> list[tuple]:
        rows = json.loads(cli.ok(*db, "deals", "--status", "all", "--sort", "age", "-f", "json").stdout)
        numbers = {r["id"]: r["contact_id"] for r in json.loads(cli.ok(*db, "export", "deals", "-f", "json").stdout)}
        return [(r["title"], r["stage"], r["status"], r["value"], numbers[r["id"]], r["contact"]) for r in rows]

    assert deals(*other) == deals() == [
        ("Windows", "Site visit", "open", 1000, 3, "Иван Петров"), ("Doors", "Delivery", "open", 2000, 4, "Иван Петров"),
        ("Roof", "Proposal", "won", 3000, 4, "Иван Петров"), ("Fence", "Lead", "lost", 400, 1, "Anna")]

    def people(*db: str) -> list[tuple]:
        rows = json.loads(cli.ok(*db, "contact", "list", "-f", "json").stdout)
        return sorted((r["id"], r["name"], r["tags"], r["open_deals"]) for r in rows)

    assert people(*other) == people() == [(1, "Anna", "import", 0), (3, "Иван Петров", "import", 1),
                                          (4, "Иван Петров", "import", 1)]


def test_activities_and_tasks_of_two_same_name_contacts_come_back_to_each(cli, tmp_path):
    for name in ("Иван Петров", "Иван Петров"):
        cli.ok("contact", "add", name)
    cli.ok("log", "--contact", "2", "call", "asked for a quote")  # no deal: only its number tells it apart
    cli.ok("remind", "call back", "--contact", "2", "--due", "tomorrow")
    files = {kind: tmp_path / f"{kind}.csv" for kind in ("contacts", "activities", "tasks")}
    for kind, path in files.items():
        cli.ok("export", kind, "--output", str(path))
    other = ("--db", str(tmp_path / "other.db"))
    cli.ok(*other, "import", "contacts", str(files["contacts"]), "--map", "id=contact_id")
    cli.ok(*other, "import", "activities", str(files["activities"]))
    cli.ok(*other, "import", "tasks", str(files["tasks"]))

    def whose(*db: str) -> list[tuple]:
        acts = json.loads(cli.ok(*db, "export", "activities", "-f", "json").stdout)
        tasks = json.loads(cli.ok(*db, "export", "tasks", "-f", "json").stdout)
        return [(a["contact_id"], a["note"]) for a in acts] + [(t["contact_id"], t["text"]) for t in tasks]

    assert whose(*other) == whose() == [(2, "asked for a quote"), (2, "call back")]


def test_contact_numbers_that_disagree_are_refused(cli, tmp_path, assert_refused):
    cli.ok("contact", "add", "Anna")
    deals_file = tmp_path / "deals.csv"
    deals_file.write_text("title,contact,contact_id\nRoof,Boris,1\n", encoding="utf-8")
    assert_refused("import", "deals", str(deals_file), message="line 2: contact_id: contact #1 is 'Anna', not 'Boris'")
    numbered = tmp_path / "numbered.csv"
    numbered.write_text("contact_id,name\n0035g00000XyZ,Boris\n", encoding="utf-8")
    assert_refused("import", "contacts", str(numbered), message='leave the column out with --map "COLUMN="')
    stages = tmp_path / "stages.csv"
    stages.write_text("position,name,probability\n1,Lead,lots\n", encoding="utf-8")
    assert_refused("init", "--pipeline", str(stages), message="stage 1: probability 'lots' is not a whole number")


def test_another_crms_id_column_is_not_a_contact_number(cli, tmp_path):
    cli.ok("contact", "add", "Анна", "--email", "anna@acme.ru")
    people = tmp_path / "amocrm.csv"
    people.write_text("ID;Полное имя контакта;Рабочий email\n1;Борис;boris@x.ru\n2;Анна;anna@acme.ru\n",
                      encoding="utf-8")
    result = cli.ok("import", "contacts", str(people))
    assert "ID" in result.stderr  # named among the columns left unread
    rows = json.loads(cli.ok("contact", "list", "-f", "json").stdout)
    assert sorted((r["id"], r["name"]) for r in rows) == [(1, "Анна"), (2, "Борис")]


def test_exports_hold_control_characters_exactly_and_import_gives_them_back(cli, tmp_path, db_path):
    """An export is data, not a terminal view: ESC, a bell and a CRLF in user text are written as stored (CSV
    quotes the line break; JSON escapes them its own way), and importing the CSV stores the same text."""
    name, notes, title = "Esc\x1bName", "line1\r\nline2\x07bell", "Deal \x1b[31mred\t tab"
    cli.ok("contact", "add", name, "--note", notes)
    cli.ok("add", title, "--contact", "1", "--value", "500")
    cli.ok("log", "1", "note", "note \x1b x")
    cli.ok("remind", "1", "task \x1b y")
    files = {kind: tmp_path / f"{kind}.csv" for kind in ("contacts", "deals", "activities", "tasks")}
    for kind, path in files.items():
        cli.ok("export", kind, "--output", str(path))
    assert files["contacts"].read_bytes().decode().splitlines(keepends=True)[1:] == [
        '1,Esc\x1bName,,,,,,"line1\r\n', 'line2\x07bell",2026-11-22T10:00:00+03:00\n']
    assert json.loads(cli.ok("export", "deals", "-f", "json").stdout)[0]["title"] == title
    assert json.loads(cli.ok("export", "contacts", "-f", "jsonl").stdout)["notes"] == notes
    other = tmp_path / "other.db"
    cli.ok("--db", str(other), "import", "contacts", str(files["contacts"]), "--map", "id=contact_id")
    for kind in ("deals", "activities", "tasks"):
        cli.ok("--db", str(other), "import", kind, str(files[kind]))
    texts = "SELECT name, notes FROM contacts UNION ALL SELECT title, NULL FROM deals UNION ALL SELECT note, NULL " \
            "FROM activities UNION ALL SELECT text, NULL FROM tasks"
    stored = [(name, notes), (title, None), ("note \x1b x", None), ("task \x1b y", None)]
    for path in (db_path, other):
        with closing(sqlite3.connect(path)) as conn:
            assert conn.execute(texts).fetchall() == stored


def test_invoices_export_names_the_client_for_the_accountant(cli):
    """Each invoice row says who was billed (contact and company), beside what it is for and what is owed."""
    cli.ok("add", "Окна", "--contact", "Пётр", "--company", "Дача, «Сервис»", "--value", "1 000", "--currency", "RUB")
    cli.ok("invoice", "add", "1")
    cli.ok("invoice", "pay", "INV-0001", "--amount", "400")
    rows = list(csv.DictReader(io.StringIO(cli.ok("export", "invoices").stdout)))
    assert [(r["number"], r["deal"], r["contact"], r["company"], r["total"], r["paid"], r["balance"], r["status"])
            for r in rows] == [("INV-0001", "Окна", "Пётр", "Дача, «Сервис»", "1000.00", "400.00", "600.00", "partial")]
