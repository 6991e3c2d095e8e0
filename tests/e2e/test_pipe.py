"""The real executable with stdout piped: TSV with a header, nothing a terminal would interpret, true exit codes."""

import re

from tests.conftest import run_exe

LONG = "Acme Corporation — " + "very long title with many words " * 8


def test_piped_deals_is_plain_tsv_with_a_header(db_path):
    env = {"DEALFLOW_DB": str(db_path)}
    added = run_exe("add", "-q", LONG.strip(), "--contact", "[bold]Пётр[/bold]", "--value", "1 200 000,50",
                    "--currency", "RUB", "--next", "call", "--due", "yesterday", env=env)
    assert (added.returncode, added.stdout, added.stderr) == (0, "1\n", "")
    listed = run_exe("deals", env=env)
    assert listed.returncode == 0 and listed.stderr == ""
    header, row = listed.stdout.splitlines()
    assert header.startswith("id\ttitle\tcontact\tstage\tstatus\tvalue\tcurrency")
    cells = row.split("\t")
    assert cells[:7] == ["1", LONG.strip(), "[bold]Пётр[/bold]", "Lead", "open", "1200000.50", "RUB"]
    assert "\x1b" not in listed.stdout
    assert not re.search(r"[\u2500-\u257f]", listed.stdout)  # no box drawing
    assert "…" not in listed.stdout


def test_exit_codes(db_path):
    env = {"DEALFLOW_DB": str(db_path)}
    assert run_exe("add", "Acme", env=env).returncode == 0
    missing = run_exe("move", "99", "Proposal", env=env)
    assert (missing.returncode, missing.stdout) == (1, "")
    assert missing.stderr == "Error: no deal #99; `dealflow deals --status all` lists them\n"
    usage = run_exe("move", env=env)
    assert usage.returncode == 2 and "Traceback" not in usage.stderr
    assert run_exe("lookup", "nobody", env=env).returncode == 1
    assert run_exe("--version", env=env).stdout.startswith("dealflow ")
