"""`init`, `stage` and `reason` commands through the CLI."""

import json

import pytest


def stage_rows(cli):
    return [line.split("\t") for line in cli.ok("stage", "list", "--no-header").stdout.splitlines()]


def test_init_builtin_and_toml(cli, tmp_path):
    assert "Новая → Обработка" in cli.ok("init", "--pipeline", "amocrm-ru").stdout
    assert [r[1] for r in stage_rows(cli)][-1] == "Оплата"
    path = tmp_path / "p.toml"
    path.write_text('[[stage]]\nname = "One"\nprobability = 30\n[[stage]]\nname = "Two"\non = "payment"\n')
    cli.ok("init", "--pipeline", str(path))
    assert stage_rows(cli) == [["1", "One", "30", "", "", "+1d", "", "0"], ["2", "Two", "0", "", "", "+1d", "payment", "0"]]


def test_stage_commands(cli):
    out = cli.ok("stage", "add", "Site visit", "--after", "Proposal", "--task", "Visit the client", "--max-days", "3").stdout
    assert out == 'Added stage 4. Site visit (0%, max 3 days, task "Visit the client" +1d)\n'
    cli.ok("stage", "edit", "site", "--name", "Выезд", "--probability", "55", "--no-max-days", "--task-due", "2d")
    cli.ok("stage", "move", "Выезд", "--before", "Qualified")
    assert stage_rows(cli)[1][:6] == ["2", "Выезд", "55", "", "Visit the client", "+2d"]
    cli.ok("add", "Acme", "--stage", "выезд")
    assert cli.ok("stage", "remove", "Выезд", "--to", "Lead").stdout == \
        "Removed stage Выезд; 1 deal moved to Lead\n"
    tasks = json.loads(cli.ok("show", "1", "-f", "json").stdout)["tasks"]
    assert [(t["text"], t["due"], t["origin"]) for t in tasks] == [("Visit the client", "2026-11-24", "stage")]


@pytest.mark.parametrize("args, message", [
    (("init",), "already holds deals"),
    (("init", "--pipeline", "nope"), "no pipeline 'nope'"),
    (("stage", "add", "lead"), "already a stage named 'Lead'"),
    (("stage", "add", "X", "--on", "invoice"), "already has the invoice role"),
    (("stage", "add", "X", "--on", "shipping"), "'invoice' or 'payment'"),
    (("stage", "add", "X", "--probability", "101"), "0 to 100"),
    (("stage", "add", "X", "--after", "Nowhere"), "no stage 'Nowhere'"),
    (("stage", "edit", "Lead"), "nothing to change"),
    (("stage", "edit", "Lead", "--task", "x", "--no-task"), "not both"),
    (("stage", "edit", "Lead", "--max-days", "0"), "above zero"),
    (("stage", "edit", "Lead", "--name", "won"), "deal status"),
    (("stage", "move", "Lead"), "--after"),
    (("stage", "remove", "Lead"), "--to"),
    (("stage", "remove", "Lead", "--to", "Lead"), "another stage"),
    (("reason", "add", "PRICE"), "already exists"),
    (("reason", "remove", "pri"), "whole name"),
    (("reason", "remove", "aliens"), "no loss reason"),
])
def test_errors_change_nothing(cli, assert_refused, args, message):
    cli.ok("add", "Acme")
    assert_refused(*args, message=message)


def test_a_removed_stage_leaves_the_pipeline_but_not_the_history(cli, assert_refused):
    cli.ok("add", "Acme")
    cli.ok("move", "1", "Qualified")
    cli.ok("stage", "remove", "Lead")
    assert [row[1] for row in stage_rows(cli)] == ["Qualified", "Proposal", "Negotiation", "Invoiced"]
    exported = cli.ok("export", "stages", "--format", "csv").stdout.splitlines()
    assert [line.split(",")[1] for line in exported[1:]] == ["Qualified", "Proposal", "Negotiation", "Invoiced"]
    funnel = cli.ok("report", "funnel", "--no-header").stdout.splitlines()
    assert [line.split("\t")[0] for line in funnel] == ["Qualified", "Proposal", "Negotiation", "Invoiced", "won"]
    history = json.loads(cli.ok("show", "1", "-f", "json").stdout)["history"]
    assert [(h["from_stage"], h["to_stage"]) for h in history] == [(None, "Lead"), ("Lead", "Qualified")]
    assert_refused("stage", "edit", "Qualified", "--name", "lead", message="removed stage was called 'Lead'")
    assert_refused("move", "1", "Lead", message="no stage 'Lead'")
    assert cli.ok("stage", "add", "Lead", "--before", "Qualified").stdout.startswith("Added stage 1. Lead")
    assert [row[1] for row in stage_rows(cli)][:2] == ["Lead", "Qualified"]


def test_removing_a_stage_names_where_its_deals_went_in_full(cli):
    """`--to neg` is a prefix the user typed; the confirmation names the stage it found."""
    cli.ok("add", "Acme")
    assert cli.ok("stage", "remove", "Lead", "--to", "neg").stdout == (
        "Removed stage Lead; 1 deal moved to Negotiation\n")


def test_stage_names_differing_only_by_yo_are_one_name(cli, assert_refused, tmp_path):
    """Russians type е for ё: `Счет выставлен` is the stage `Счёт выставлен`, never a second one."""
    cli.ok("stage", "add", "Счёт выставлен")
    assert_refused("stage", "add", "Счет выставлен", message="already a stage named 'Счёт выставлен'")
    assert_refused("stage", "add", "СЧЕТ ВЫСТАВЛЕН", message="already a stage named 'Счёт выставлен'")
    cli.ok("stage", "add", "Другой")
    assert_refused("stage", "edit", "Другой", "--name", "счет выставлен", message="already a stage named")
    cli.ok("stage", "edit", "Счёт", "--name", "Счет выставлен")  # its own name, respelled
    cli.ok("add", "Acme", "--stage", "Счёт выставлен")
    assert json.loads(cli.ok("show", "1", "-f", "json").stdout)["stage"] == "Счет выставлен"
    cli.ok("move", "1", "Lead")
    cli.ok("stage", "remove", "счёт выставлен")  # history names it: kept as a removed stage
    assert_refused("stage", "edit", "Другой", "--name", "Счёт выставлен", message="removed stage was called")
    assert cli.ok("stage", "add", "Счёт выставлен").stdout.startswith("Added stage 7. Счёт выставлен")
    assert [row[1] for row in stage_rows(cli)][-2:] == ["Другой", "Счёт выставлен"]
    pipeline = tmp_path / "p.csv"
    pipeline.write_text("name,probability\nСчёт,10\nСЧЕТ,20\n", encoding="utf-8")
    assert_refused("--db", str(tmp_path / "new.db"), "init", "--pipeline", str(pipeline),
                   message="stages 'Счёт' and 'СЧЕТ' have the same name")


def test_init_refuses_a_bad_toml_and_creates_no_book(cli, assert_refused, tmp_path, db_path):
    path = tmp_path / "bad.toml"
    path.write_text("[[stage]]\nprobability = 5\n")
    assert_refused("init", "--pipeline", str(path), message="has no name")
    assert not db_path.exists()


def test_init_names_the_file_role_and_stages_of_a_role_given_twice(cli, assert_refused, tmp_path, db_path):
    path = tmp_path / "sales.toml"
    path.write_text('[[stage]]\nname = "Lead"\n[[stage]]\nname = "Счёт"\non = "invoice"\n'
                    '[[stage]]\nname = "Invoiced again"\non = "invoice"\n', encoding="utf-8")
    assert_refused("init", "--pipeline", str(path),
                   message=f"{path}: stages 'Счёт' and 'Invoiced again' both have the role invoice; "
                           "only one stage may have each role")
    assert not db_path.exists()


def test_reasons(cli):
    assert cli.ok("reason", "add", "went silent").stdout == 'Added loss reason "went silent"\n'
    cli.ok("add", "Acme")
    cli.ok("lost", "1", "--reason", "went")
    rows = dict(line.split("\t") for line in cli.ok("reason", "list", "--no-header").stdout.splitlines())
    assert rows["went silent"] == "1" and rows["price"] == "0" and len(rows) == 9
    cli.ok("reason", "remove", "went silent")
    assert json.loads(cli.ok("show", "1", "-f", "json").stdout)["lost_reason"] == "went silent"


def test_reasons_differing_only_by_yo_are_one_reason(cli, assert_refused, book):
    """`ушел к конкуренту` is the reason `ушёл к конкуренту`: not a second one, and removing it removes that one."""
    cli.ok("reason", "add", "ушёл к конкуренту")
    cli.ok("add", "Acme")
    cli.ok("lost", "1", "--reason", "ушел к")
    assert_refused("reason", "add", "Ушел к конкуренту", message="reason 'ушёл к конкуренту' already exists")
    cli.ok("reason", "remove", "ушел к конкуренту")
    assert book.value("SELECT count(*) FROM reasons WHERE fold(name) = 'ушел к конкуренту'") == 0
    assert json.loads(cli.ok("show", "1", "-f", "json").stdout)["lost_reason"] == "ушёл к конкуренту"


def test_of_two_old_spellings_of_a_reason_the_one_typed_is_removed(cli, book):
    """A book from before reasons read ё as е may hold both spellings: each is still removable by its own."""
    book.conn.executemany("INSERT INTO reasons (name) VALUES (?)", [("ушёл",), ("ушел",)])
    book.conn.commit()
    cli.ok("reason", "remove", "ушел")
    assert book.value("SELECT group_concat(name) FROM reasons WHERE fold(name) = 'ушел'") == "ушёл"


def test_the_reason_sweep_files_deals_under_cannot_be_removed(cli, assert_refused):
    cli.ok("add", "Old deal", "--at", "2026-07-01")
    assert_refused("reason", "remove", "STALE",
                   message="reason 'stale' cannot be removed: `dealflow sweep --close` closes deals past their")
    cli.ok("sweep", "--close")  # still works: its reason is still there
    assert json.loads(cli.ok("show", "1", "-f", "json").stdout)["lost_reason"] == "stale"
    cli.ok("reason", "remove", "timing")  # the other defaults are the seller's to keep or drop
