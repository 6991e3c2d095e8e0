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
    return {name for param in command.params if param.param_type_name == "option"
            for name in [*param.opts, *param.secondary_opts]}


@pytest.mark.parametrize("name", list(quick.COMMANDS))
def test_quick_knows_exactly_the_options_of_the_full_command_line(name):
    group = get_command(app)
    command = group.get_command(None, name)
    help_and_version = {"-h", "--help", "--version"}
    assert option_names(group) - help_and_version == set(quick.GLOBAL_OPTIONS)
    expected = quick.COMMANDS[name]
    assert option_names(command) - help_and_version == {*expected.options, *expected.flags}
    assert tuple(param.name for param in command.params if param.param_type_name == "argument") == expected.arguments
    [fmt] = [param for param in command.params if param.name == "fmt"]
    assert tuple(fmt.type.choices) == quick.FORMATS


TODAY = quick.COMMANDS["today"].defaults
LOOKUP = quick.COMMANDS["lookup"].defaults


@pytest.mark.parametrize("args, expected", [
    (["today"], ("today", TODAY)),
    (["--db", "b.db", "today"], ("today", {**TODAY, "db": "b.db"})),
    (["--db=b.db", "today", "--days", "7"], ("today", {**TODAY, "db": "b.db", "days": 7})),
    (["today", "-d", "3", "--days=5"], ("today", {**TODAY, "days": 5})),  # the last one wins, as in Click
    (["today", "--on", "fri", "-f", "json"], ("today", {**TODAY, "on": "fri", "fmt": "json"})),
    (["today", "--format=csv", "--no-header"], ("today", {**TODAY, "fmt": "csv", "no_header": True})),
    (["today", "--on=2026-12-01 10:00"], ("today", {**TODAY, "on": "2026-12-01 10:00"})),
    (["lookup", "+7 916 000-00-01"], ("lookup", {**LOOKUP, "text": "+7 916 000-00-01"})),
    (["lookup", "-f", "json", "Пётр"], ("lookup", {**LOOKUP, "fmt": "json", "text": "Пётр"})),
    (["--db", "b.db", "lookup", "anna@x.ru", "--no-header", "--format=csv"],
     ("lookup", {**LOOKUP, "db": "b.db", "fmt": "csv", "no_header": True, "text": "anna@x.ru"})),
    (["lookup", "-"], ("lookup", {**LOOKUP, "text": "-"})),  # Click reads a lone dash as an argument too
])
def test_plain_commands_are_read_here(args, expected):
    assert quick.parse(args) == expected


@pytest.mark.parametrize("args", [
    [], ["deals"], ["today", "extra"], ["--version"], ["today", "--help"], ["-h", "today"], ["today", "-h"],
    ["today", "--days"], ["today", "--days", "two"], ["today", "--days", "-1"], ["today", "-d5"],
    ["today", "-d=5"], ["today", "--format", "TSV"], ["today", "--format", "yaml"], ["today", "--no-header=1"],
    ["today", "--on", ""], ["today", "--on", "--days"], ["today", "--"], ["--db", "today"], ["--db=", "today"],
    ["--db", "b.db", "--version", "today"], ["today", "--db", "b.db"], ["tod"], ["today", "--onn", "fri"],
    ["lookup"], ["lookup", "a", "b"], ["lookup", "--", "-a"], ["lookup", "-x"], ["lookup", "a", "--days", "2"],
    ["lookup", "a", "--help"], ["lookup", "a", "-f"], ["lookup", "a", "-f", "xml"], ["look", "a"],
])
def test_anything_else_goes_to_the_full_command_line(args):
    assert quick.parse(args) is None


@pytest.fixture
def demo_book(cli):
    cli.ok("demo")


@pytest.mark.parametrize("args", [
    ["today"], ["today", "-f", "json"], ["today", "--format", "csv", "--no-header"], ["today", "--days", "7"],
    ["today", "--on", "fri"], ["today", "-f", "table"],
    ["lookup", "8 916 000-00-01"], ["lookup", "-f", "json", "пётр"], ["lookup", "Смирнов", "-f", "table"],
    ["lookup", "+79160000001", "--format", "csv", "--no-header"],
])
def test_quick_prints_what_the_full_command_prints(demo_book, cli, capsys, args):
    assert quick.answered(args)
    quick_out = capsys.readouterr()
    full = cli.ok(*args)
    assert quick_out.out == full.stdout
    if args[0] == "today":
        assert quick_out.out.count("\n") > 3  # the demo's agenda is not empty
    else:
        assert "Пётр Смирнов" in quick_out.out and "Дача-Сервис" in quick_out.out  # the demo's caller
    assert quick_out.err == ""


@pytest.mark.parametrize("args", [
    ["today", "--on", "someday"], ["today", "--days", "99999"], ["lookup", "nobody"], ["lookup", "+7 999 111-11-11"],
])
def test_a_mistake_is_reported_as_the_full_command_line_reports_it(demo_book, cli, capsys, args):
    with pytest.raises(SystemExit) as stop:
        quick.answered(args)
    assert stop.value.code == 1
    quick_out = capsys.readouterr()
    full = cli(*args)
    assert full.exit_code == 1
    assert (quick_out.out, quick_out.err) == ("", full.stderr)
    assert quick_out.err.startswith("Error: ")


def test_a_failed_first_lookup_leaves_no_book_behind(tmp_path, capsys):
    book = tmp_path / "new" / "book.db"
    with pytest.raises(SystemExit):
        quick.answered(["--db", str(book), "lookup", "Анна"])
    assert capsys.readouterr().err == "Error: no contact matches 'Анна'\n"
    assert not (tmp_path / "new").exists()


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
    for args in (["today"], ["--db", str(db_path), "today", "--days", "7", "--format", "json"],
                 ["lookup", "+7 916 000 00 01", "-f", "json"]):
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
