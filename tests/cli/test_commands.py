"""The lazy command table names every command each module registers, and nothing else."""

import importlib
import pkgutil

import typer
from typer.main import get_group

import dealflow.cli
from dealflow.cli.app import COMMANDS


def registered() -> dict[str, str]:
    found = {}
    for info in pkgutil.iter_modules(dealflow.cli.__path__):
        module = importlib.import_module(f"dealflow.cli.{info.name}")
        if hasattr(module, "register"):
            holder = typer.Typer()
            module.register(holder)
            found.update({name: info.name for name in get_group(holder).commands})
    return found


def test_every_registered_command_is_reachable():
    assert registered() == COMMANDS


def test_help_lists_every_command(cli):
    listed = cli.ok("--help").stdout
    for name in COMMANDS:
        assert f"\n  {name} " in listed
