"""`dealflow today` through the real executable, piped: TSV with the SPEC header, no escape codes."""

from tests.conftest import run_exe

HEADER = ["kind", "deal_id", "deal", "contact", "phone", "email", "stage", "value", "currency", "due", "days",
          "detail", "task_id", "invoice"]


def test_today_piped_is_plain_tsv(db_path):
    env = {"DEALFLOW_DB": str(db_path), "DEALFLOW_NOW": "2026-11-01T10:00"}
    assert run_exe("add", "Окна [bold]", "--contact", "Пётр", "--value", "120000", env=env).returncode == 0
    assert run_exe("log", "1", "call", "--missed", env=env).returncode == 0
    result = run_exe("today", env={**env, "DEALFLOW_NOW": "2026-11-05T10:00"})
    assert result.returncode == 0, result.stderr
    header, *lines = result.stdout.splitlines()
    assert header.split("\t")[:len(HEADER)] == HEADER
    assert "\x1b" not in result.stdout
    kinds = sorted(line.split("\t")[0] for line in lines)
    assert kinds == ["stuck", "task"]
    task = dict(zip(header.split("\t"), next(line for line in lines if line.startswith("task")).split("\t")))
    assert (task["deal"], task["days"], task["value"], task["task_id"]) == ("Окна [bold]", "4", "120000.00", "1")
