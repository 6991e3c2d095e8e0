"""`dealflow export`: every kind, csv/json/jsonl, and export → import round-trips into an empty book."""

from __future__ import annotations

import csv
import io
import json

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
    assert_refused("export", "stages", message="cannot export 'stages'")
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
