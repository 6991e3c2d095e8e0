"""`config`, `db backup`, `db check` and where the book lives."""

import re
import json
import sqlite3

import pytest

from dealflow.store.schema import VERSION
from tests.conftest import db_state, foreign_sqlite, run_exe


def test_config_set_get_list_unset(cli):
    assert cli.ok("config", "set", "currency", "руб").stdout == "Set currency = RUB\n"
    assert cli.ok("config", "get", "currency").stdout == "RUB\n"
    cli.ok("config", "set", "won_on_payment", "NO")
    cli.ok("config", "set", "cadence.interval", "2w")
    cli.ok("config", "set", "cadence.tiers", "0:0, 50 000:1")
    rows = {r["key"]: r for r in json.loads(cli.ok("config", "list", "-f", "json").stdout)}
    assert (rows["won_on_payment"]["value"], rows["cadence.interval"]["value"], rows["cadence.tiers"]["value"]) == (
        "false", "+2w", "0:0,50000:1")
    assert rows["currency"]["default"] is False and rows["deal_lifetime_days"]["default"] is True
    cli.ok("config", "unset", "currency")
    assert cli.ok("config", "get", "currency").stdout == "USD\n"
    cli.ok("add", "Acme", "--value", "5")
    assert cli.ok("deals", "--no-header").stdout.split("\t")[6] == "USD"


@pytest.mark.parametrize("key, value, message", [
    ("currency", "dollars", "unknown currency"),
    ("owner", " ", "cannot be empty"),
    ("deal_lifetime_days", "0", "from 1 to 36500"),
    ("deal_lifetime_days", "99999999999", "from 1 to 36500"),  # would overflow the agenda's date arithmetic
    ("invoice.due_days", "999999999", "from 0 to 3650"),
    ("deal_lifetime_days", "ninety", "whole number"),
    ("deal_lifetime_days", "٣", "whole number"),
    ("invoice.prefix", "", "cannot be empty"),
    ("invoice.due_days", "-1", "whole number"),
    ("won_on_payment", "maybe", "true or false"),
    ("seller.name", "  ", "cannot be empty"),
    ("seller.details", "", "cannot be empty"),
    ("cadence.base", "0", "from 1 to 100"),
    ("cadence.tiers", "100000:0.5", "start at 0"),
    ("cadence.tiers", "0:0,x", "THRESHOLD:COEFFICIENT"),
    ("cadence.tiers", "0:0,0:1", "same threshold"),
    ("cadence.interval", "4h", "positive number of days"),
    ("cadence.interval", "-1d", "positive"),
    ("cadence.channels", "email,fax", "comma-separated list"),
    ("colour", "red", "unknown setting"),
])
def test_bad_values_are_refused(cli, assert_refused, key, value, message):
    cli.ok("config", "set", "currency", "EUR")
    assert_refused("config", "set", "--", key, value, message=message)


def test_unknown_key_for_get_and_unset(cli, assert_refused):
    cli.ok("stage", "list")
    assert_refused("config", "get", "colour", message="unknown setting")
    assert_refused("config", "unset", "colour", message="unknown setting")


def test_db_backup_is_a_consistent_copy(cli, assert_refused, tmp_path, db_path):
    cli.ok("add", "Acme", "--contact", "Пётр")
    target = tmp_path / "backups" / "copy.db"
    assert cli.ok("db", "backup", str(target)).stdout == f"Backed up {db_path} to {target}\n"
    assert db_state(target) == db_state(db_path)
    assert cli.ok("--db", str(target), "deals", "--no-header").stdout.startswith("1\tAcme\tПётр")
    assert_refused("db", "backup", str(target), message="already exists")
    cli.ok("add", "Beta")
    cli.ok("db", "backup", str(target), "--force")
    assert len(db_state(target)["deals"]) == 2
    assert_refused("db", "backup", str(db_path), "--force", message="another file")


def test_db_check_ok_and_corruption(cli, db_path):
    cli.ok("add", "Acme")
    assert cli.ok("db", "check").stdout == f"{db_path}: ok\n"
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("INSERT INTO tasks (text, due, deal_id, created_at) VALUES ('x', '2026-11-22', 42, '2026-11-22')")
    conn.commit()
    conn.close()
    result = cli("db", "check")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {db_path} has 1 problem:\ntasks row 1 refers to a missing deals row\n"
                                    "The file itself is sound, but these rows refer to rows that are gone")
    assert "dealflow db backup" in result.stderr


def garble_an_index(db_path) -> None:
    """Overwrite the first 4 cell pointers of the deals_by_status_created index's one page (after its 8-byte
    header) with 0xffff: an offset past the end of the page."""
    conn = sqlite3.connect(db_path)
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'deals_by_status_created'").fetchone()[0]
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with open(db_path, "r+b") as file:
        file.seek((root - 1) * size + 8)
        file.write(b"\xff" * 8)


def test_db_check_on_a_damaged_file_counts_what_it_lists_and_says_how_to_repair(cli, db_path, tmp_path):
    """A garbled index: SQLite lists its damage (one problem a line, see test_store), or its check stops on a
    malformed page. Either way the count is of the problems listed, and the advice is how to repair the book,
    never `db check` again."""
    source = tmp_path / "deals.csv"
    source.write_text("title\n" + "".join(f"Deal {n}\n" for n in range(1, 9)), encoding="utf-8")
    cli.ok("import", "deals", str(source))
    garble_an_index(db_path)
    result = cli("db", "check")
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    listed = lines[1:lines.index("The file is damaged. To repair the book:")]
    noun = "problem" if len(listed) == 1 else "problems"
    assert lines[0] == f"Error: {db_path} has {len(listed)} {noun}:"
    assert listed and not any(line.startswith("***") for line in listed)
    advice = "\n".join(lines[len(listed) + 1:])
    assert f"cp {db_path} {db_path}.damaged" in advice and "dealflow --db COPY db check" in advice
    assert "dealflow export KIND -o KIND.csv" in advice and f"sqlite3 {db_path} .recover" in advice
    assert ".dump reads less but works" in advice  # for sqlite3 builds whose .recover fails
    assert "run `dealflow db check`" not in result.stderr  # never sends the user round in a circle


def test_db_option_beats_environment_beats_app_dir(cli, tmp_path, monkeypatch):
    option, env = tmp_path / "opt.db", tmp_path / "env.db"
    monkeypatch.setenv("DEALFLOW_DB", str(env))
    cli.ok("--db", str(option), "add", "In option")
    cli.ok("add", "In env")
    monkeypatch.delenv("DEALFLOW_DB")
    cli.ok("add", "In app dir")
    app_db = tmp_path / "home" / ".config" / "dealflow" / "dealflow.db"
    for path, title in ((option, "In option"), (env, "In env"), (app_db, "In app dir")):
        assert [row[1] for row in db_state(path)["deals"]] == [title]


@pytest.mark.parametrize("args", [("show", "5"), ("add", "Acme", "--value", "-5"), ("log", "Nobody", "call")])
def test_a_first_command_that_fails_leaves_no_book_behind(cli, tmp_path, args):
    path = tmp_path / "typo.db"
    result = cli("--db", str(path), *args)
    assert result.exit_code == 1 and result.stderr.startswith("Error: ")
    assert not list(tmp_path.glob("typo.db*"))


def test_a_first_command_that_fails_removes_the_folders_it_made_and_only_those(cli, tmp_path):
    (tmp_path / "there").mkdir()
    result = cli("--db", str(tmp_path / "there" / "new" / "dir" / "book.db"), "show", "5")
    assert result.exit_code == 1 and result.stderr.startswith("Error: no deal #5")
    assert [path.name for path in tmp_path.iterdir()] == ["there"] and not any((tmp_path / "there").iterdir())
    cli.ok("--db", str(tmp_path / "there" / "new" / "kept.db"), "add", "Acme")
    cli("--db", str(tmp_path / "there" / "new" / "dir" / "book.db"), "show", "5")  # new/ is not empty: kept
    assert sorted(path.name for path in (tmp_path / "there" / "new").iterdir()) == ["kept.db"]
    cli.ok("--db", str(tmp_path / "there" / "new" / "dir" / "book.db"), "add", "Acme")  # a command that works
    assert (tmp_path / "there" / "new" / "dir" / "book.db").exists()


def test_a_first_command_whose_writes_were_rolled_back_leaves_no_book_behind(cli, tmp_path):
    """The import writes its good row before the bad one stops it; the rollback undoes it, so the new book is
    as untouched as after a command that wrote nothing, and is removed too."""
    source = tmp_path / "amo.csv"
    source.write_text("title,stage\nGood,Lead\nBad,Nowhere\n", encoding="utf-8")
    result = cli("--db", str(tmp_path / "typo.db"), "import", "deals", str(source))
    assert result.exit_code == 1 and "no stage 'Nowhere'" in result.stderr
    assert not list(tmp_path.glob("typo.db*"))
    cli.ok("--db", str(tmp_path / "kept.db"), "import", "deals", str(source), "--skip-errors")
    assert cli("--db", str(tmp_path / "kept.db"), "import", "deals", str(source)).exit_code == 1
    assert [row[1] for row in db_state(tmp_path / "kept.db")["deals"]] == ["Good"]


def test_a_first_today_that_fails_leaves_no_book_behind(tmp_path):
    path = tmp_path / "typo.db"
    result = run_exe("--db", str(path), "today", "--on", "yesterday")
    assert (result.returncode, result.stderr.splitlines()[0][:30]) == (1, "Error: --on looks ahead, and 2")
    assert not list(tmp_path.glob("typo.db*"))


def test_a_first_command_that_works_keeps_its_book(cli, tmp_path):
    path = tmp_path / "new.db"
    cli.ok("--db", str(path), "deals")
    assert cli("--db", str(path), "show", "5").exit_code == 1
    assert path.exists() and len(db_state(path)["stages"]) == 5


def test_a_newer_book_is_refused_byte_for_byte(cli, db_path):
    cli.ok("add", "Acme")
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {VERSION + 5}")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    before = db_path.read_bytes()
    result = cli("deals")
    assert result.exit_code == 1 and "written by a newer dealflow" in result.stderr
    assert result.stderr.startswith("Error: ") and "Traceback" not in result.stderr
    assert db_path.read_bytes() == before


def test_a_foreign_sqlite_file_is_refused(cli, tmp_path):
    path = tmp_path / "photos.db"
    before = foreign_sqlite(path)
    result = cli("--db", str(path), "deals")
    assert result.exit_code == 1 and "not a dealflow database" in result.stderr
    assert path.read_bytes() == before


def test_demo_fills_an_empty_book_once(cli, assert_refused):
    built = cli.ok("demo").stdout
    reported = int(re.search(r"(\d+) deals", built).group(1))
    assert reported >= 24  # one per sample contact, plus the stories later features add
    assert len(cli.ok("deals", "--status", "all", "--no-header").stdout.splitlines()) == reported
    assert_refused("demo", message="already holds deals")
