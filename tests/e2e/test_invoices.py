"""The real executable: a piped invoice list is plain TSV with a header."""

from tests.cli.test_invoices import LIST_HEADER
from tests.conftest import run_exe


def test_piped_invoice_list_is_tsv_with_a_header():
    for args in (["add", "Насос", "--value", "1500", "--currency", "RUB"], ["invoice", "add", "1"]):
        assert run_exe(*args).returncode == 0
    result = run_exe("invoice", "list")
    assert result.returncode == 0, result.stderr
    header, row = result.stdout.splitlines()
    assert header.split("\t") == LIST_HEADER
    assert row.split("\t") == ["INV-0001", "1", "Насос", "", "2026-11-22", "2026-12-06", "1500.00", "0.00",
                               "1500.00", "RUB", "issued", "0"]
    assert "\x1b" not in result.stdout
