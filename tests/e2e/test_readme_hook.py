"""The README's phone-system hook, run as written by bash against the real executable."""

import json
import os
import re
import shlex
import shutil
import subprocess

import pytest

from tests.conftest import ROOT, dealflow_exe, run_exe

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="the recipe is a bash script")


def hook_script() -> str:
    """The shell block that follows "Caller ID for a phone system" in README.md."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("**Caller ID for a phone system.**"):]
    return re.search(r"```sh\n(.*?)```", section, re.S).group(1)


def run_hook(db_path, caller: str) -> subprocess.CompletedProcess:
    exe = " ".join(map(shlex.quote, dealflow_exe()))
    script = f'dealflow() {{ {exe} "$@"; }}\n' + hook_script()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DEALFLOW_DB": str(db_path), "CALLER_ID": caller}
    return subprocess.run(["bash", "-e", "-c", script], capture_output=True, text=True, env=env, timeout=120)


def call_backs(db_path) -> list[tuple[str, str]]:
    tasks = json.loads(run_exe("tasks", "-f", "json", env={"DEALFLOW_DB": str(db_path)}).stdout)
    return [(task["contact"], task["text"]) for task in tasks]


@pytest.mark.skipif(shutil.which("jq") is None, reason="the recipe shows a known caller with jq")
def test_a_known_caller_is_shown_and_gets_a_call_back(db_path):
    env = {"DEALFLOW_DB": str(db_path)}
    assert run_exe("add", "Windows", "--contact", "Анна", "--phone", "+7 916 000-00-01", env=env).returncode == 0
    done = run_hook(db_path, "89160000001")
    assert done.returncode == 0, done.stderr
    assert "Анна (-): 1 open deal(s)" in done.stdout
    assert [contact for contact, _ in call_backs(db_path)] == ["Анна"]


def test_an_unknown_caller_becomes_a_contact_with_a_call_back(db_path):
    done = run_hook(db_path, "+7 903 555-12-34")
    assert done.returncode == 0, done.stderr
    assert "unknown caller +7 903 555-12-34" in done.stdout
    assert [contact for contact, _ in call_backs(db_path)] == ["Caller +7 903 555-12-34"]
    again = run_hook(db_path, "+7 903 555-12-34")  # a second missed call: the same contact, no duplicate
    assert again.returncode == 0, again.stderr
    contacts = json.loads(run_exe("contact", "list", "-f", "json", env={"DEALFLOW_DB": str(db_path)}).stdout)
    assert [contact["name"] for contact in contacts] == ["Caller +7 903 555-12-34"]
