"""The quick start of `dealflow today` (without Typer) answers exactly as the full command line does, and hands
everything else over to it."""

import os
import subprocess
import sys

import pytest
from typer.main import get_command

from dealflow.cli import quick
from dealflow.cli.app import app
from tests.conftest import ROOT, dealflow_exe, run_exe


def option_names(command) -> set[str]:
    return {name for param in command.params for name in [*param.opts, *param.secondary_opts]}


def test_quick_knows_exactly_the_options_of_the_full_command_line():
    group = get_command(app)
    today = group.get_command(None, "today")
    help_and_version = {"-h", "--help", "--version"}
    assert option_names(group) - help_and_version == set(quick.GLOBAL_OPTIONS)
    assert option_names(today) - help_and_version == {*quick.TODAY_OPTIONS, *quick.TODAY_FLAGS}
    [fmt] = [param for param in today.params if param.name == "fmt"]
    assert tuple(fmt.type.choices) == quick.FORMATS


@pytest.mark.parametrize("args, expected", [
    (["today"], quick.DEFAULTS),
    (["--db", "b.db", "today"], {**quick.DEFAULTS, "db": "b.db"}),
    (["--db=b.db", "today", "--days", "7"], {**quick.DEFAULTS, "db": "b.db", "days": 7}),
    (["today", "-d", "3", "--days=5"], {**quick.DEFAULTS, "days": 5}),  # the last one wins, as in Click
    (["today", "--on", "fri", "-f", "json"], {**quick.DEFAULTS, "on": "fri", "fmt": "json"}),
    (["today", "--format=csv", "--no-header"], {**quick.DEFAULTS, "fmt": "csv", "no_header": True}),
    (["today", "--on=2026-12-01 10:00"], {**quick.DEFAULTS, "on": "2026-12-01 10:00"}),
])
def test_plain_today_is_read_here(args, expected):
    assert quick.parse(args) == expected


@pytest.mark.parametrize("args", [
    [], ["deals"], ["today", "extra"], ["--version"], ["today", "--help"], ["-h", "today"], ["today", "-h"],
    ["today", "--days"], ["today", "--days", "two"], ["today", "--days", "-1"], ["today", "-d5"],
    ["today", "-d=5"], ["today", "--format", "TSV"], ["today", "--format", "yaml"], ["today", "--no-header=1"],
    ["today", "--on", ""], ["today", "--on", "--days"], ["today", "--"], ["--db", "today"], ["--db=", "today"],
    ["--db", "b.db", "--version", "today"], ["today", "--db", "b.db"], ["tod"], ["today", "--onn", "fri"],
])
def test_anything_else_goes_to_the_full_command_line(args):
    assert quick.parse(args) is None


@pytest.fixture
def demo_book(cli):
    cli.ok("demo")


@pytest.mark.parametrize("args", [
    ["today"], ["today", "-f", "json"], ["today", "--format", "csv", "--no-header"], ["today", "--days", "7"],
    ["today", "--on", "fri"], ["today", "-f", "table"],
])
def test_quick_prints_what_the_full_command_prints(demo_book, cli, capsys, args):
    assert quick.answered(args)
    quick_out = capsys.readouterr()
    full = cli.ok(*args)
    assert quick_out.out == full.stdout
    assert quick_out.out.count("\n") > 3  # the demo's agenda is not empty
    assert quick_out.err == ""


@pytest.mark.parametrize("args", [["today", "--on", "someday"], ["today", "--days", "99999"]])
def test_a_value_the_book_refuses_is_reported_by_the_full_command_line(demo_book, capsys, args):
    assert not quick.answered(args)
    assert capsys.readouterr() == ("", "")


def test_a_damaged_book_is_left_to_the_full_command_line(db_path, capsys):
    db_path.write_bytes(b"this is not a database" * 100)
    assert not quick.answered(["today"])
    assert capsys.readouterr() == ("", "")
    result = run_exe("today", env={"DEALFLOW_DB": str(db_path)})
    assert result.returncode == 1
    assert result.stderr.startswith("Error: cannot open ") and "not a database" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_executable_answers_as_the_full_command_line(demo_book, cli, db_path):
    env = {"DEALFLOW_DB": str(db_path)}
    for args in (["today"], ["--db", str(db_path), "today", "--days", "7", "--format", "json"]):
        result = run_exe(*args, env=env)
        assert result.returncode == 0, result.stderr
        assert result.stdout == cli.ok(*args).stdout
        assert result.stderr == ""


def test_a_reader_that_stops_early_gets_no_traceback(demo_book, db_path):
    """`dealflow today | head -0`: the output has nowhere to go; exit 1 quietly, as Click does."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DEALFLOW_DB": str(db_path)}
    process = subprocess.Popen([*dealflow_exe(), "today"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    process.stdout.close()  # before the command has started writing
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == 1
    assert stderr == ""


# What `dealflow today` must not load (see dealflow/__init__.py): each costs milliseconds of every morning.
HEAVY = ("typer", "click", "rich", "typing", "re", "enum", "contextlib", "dataclasses", "decimal", "pathlib",
         "dateutil", "sqlite_utils", "json", "csv")


def test_today_piped_loads_none_of_the_heavy_modules(demo_book, db_path):
    script = ("import sys; sys.argv = ['dealflow', 'today']; from dealflow.cli import main; main(); "
              f"sys.stderr.write(' '.join(name for name in {HEAVY!r} if name in sys.modules))")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DEALFLOW_DB": str(db_path)}
    # -S: without site-packages, whose .pth hooks (an editable install's) import some of these themselves.
    result = subprocess.run([sys.executable, "-S", "-c", script], capture_output=True, text=True, env=env,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") > 5  # the demo's agenda was written
    assert result.stderr == ""
