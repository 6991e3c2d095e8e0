"""`dealflow report funnel` run as the real executable, piped: plain TSV with its header row."""

from tests.conftest import run_exe
from tests.core.test_reports import build


def test_real_executable_pipes_tsv(book, db_path):
    build(book)
    result = run_exe("report", "funnel", env={"DEALFLOW_DB": str(db_path)})
    assert result.returncode == 0, result.stderr
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    assert rows[0][:3] == ["stage", "reached", "conversion_pct"]
    assert rows[1][:3] == ["Lead", "6", "100.0"]
    assert "\x1b" not in result.stdout and "█" not in result.stdout
