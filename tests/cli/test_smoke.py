"""The command surface answers and fails the way SPEC §3 promises."""

from tests.conftest import db_state


def test_add_then_list_as_tsv(cli):
    added = cli.ok("add", "Acme — 20 windows", "--contact", "Пётр", "--value", "120 000", "--currency", "RUB")
    assert added.stdout.strip() == 'Added deal #1 "Acme — 20 windows" (Lead) for contact #1 Пётр'
    listed = cli.ok("deals")
    header, row = listed.stdout.splitlines()
    assert header.split("\t")[:7] == ["id", "title", "contact", "stage", "status", "value", "currency"]
    assert row.split("\t")[:7] == ["1", "Acme — 20 windows", "Пётр", "Lead", "open", "120000.00", "RUB"]


def test_unknown_deal_is_a_clean_error(cli, assert_refused):
    cli.ok("add", "Acme")
    assert_refused("move", "99", "Proposal", message="no deal #99")


def test_quiet_prints_only_the_id(cli, db_path):
    assert cli.ok("add", "-q", "Acme").stdout == "1\n"
    assert len(db_state(db_path)["deals"]) == 1
