"""The report commands: piped TSV with a header, JSON, the drawn funnel, and clean errors."""

from __future__ import annotations

import json

import pytest

from tests.core.test_reports import add_invoices, build


@pytest.fixture
def full(book):
    build(book)
    add_invoices(book)
    return book


def lines(result) -> list[list[str]]:
    return [line.split("\t") for line in result.stdout.splitlines()]


def test_funnel_piped_is_tsv_with_a_header(cli, full):
    table = lines(cli.ok("report", "funnel"))
    assert table[0] == ["stage", "reached", "conversion_pct", "open", "open_value", "lost", "lost_value",
                        "win_rate_pct", "currency"]
    assert table[1] == ["Lead", "6", "100.0", "0", "0.00", "1", "30000.00", "", "RUB"]
    assert table[6] == ["won", "2", "100.0", "", "180000.00", "2", "80000.00", "50.0", "RUB"]
    assert len(table) == 13  # header, 6 RUB rows, 6 USD rows


def test_funnel_by_owner_leads_with_the_owner(cli, full):
    table = lines(cli.ok("report", "funnel", "--by", "owner", "--since", "2026-01-01", "--no-header"))
    assert [row[0] for row in table] == ["anna"] * 6 + ["boris"] * 12
    assert table[5][:4] == ["anna", "won", "1", "100.0"]


def test_forecast_as_json(cli, full):
    data = json.loads(cli.ok("report", "forecast", "--by", "month", "--format", "json").stdout)
    assert data[0] == {"month": "2026-12", "deals": 2, "value": 212345.65, "weighted": 56172.83, "currency": "RUB"}


def test_revenue_csv_by_week(cli, full):
    out = cli.ok("report", "revenue", "--by", "week", "-f", "csv").stdout.splitlines()
    assert out[0] == "period,invoiced,paid,currency"
    assert out[1] == "2026-W04,100000.00,40000.00,RUB"


@pytest.mark.parametrize("args", [["velocity"], ["losses"], ["sources"], ["activity", "--by", "owner"],
                                  ["forecast", "--by", "stage"]])
def test_every_report_pipes_a_header_first(cli, full, args):
    from dealflow.core import reports

    header = lines(cli.ok("report", *args))[0]
    expected = {"velocity": reports.VELOCITY_COLUMNS, "losses": reports.LOSSES_COLUMNS,
                "sources": reports.SOURCES_COLUMNS, "activity": ["owner", *reports.ACTIVITY_COLUMNS],
                "forecast": ["stage", *reports.FORECAST_COLUMNS]}[args[0]]
    assert header == expected


def test_funnel_on_a_terminal_is_drawn_with_bars(cli, full):
    out = cli.ok("report", "funnel", "-f", "table").stdout
    assert "Funnel · RUB" in out and "Funnel · USD" in out
    lead = next(line for line in out.splitlines() if line.strip().startswith("Lead"))
    invoiced = next(line for line in out.splitlines() if line.strip().startswith("Invoiced"))
    assert lead.count("█") == 32 and invoiced.count("█") == 11  # 32 × 2/6 = 10.7
    assert "Win rate 50.0%: 2 won (₽ 180\u202f000), 2 lost" in out
    assert "₽ 300\u202f000" not in out and "$ 3,000" in out  # each funnel in its own money


def test_tables_on_a_terminal(cli, full):
    out = cli.ok("report", "losses", "-f", "table").stdout
    assert "Lost deals by stage and reason" in out and "$ 2,000" in out and "₽ 50\u202f000" in out


def test_empty_book(cli):
    assert cli.ok("report", "funnel", "-f", "table").stdout.strip() == "No deals were created in this period."
    assert cli.ok("report", "losses").stdout == "\t".join(["stage", "reason", "count", "value", "currency"]) + "\n"


@pytest.mark.parametrize("args, message", [
    (["funnel", "--by", "stage"], "unknown --by 'stage'; use owner or source"),
    (["revenue", "--by", "year"], "use month or week"),
    (["sources", "--since", "2026-05-01", "--until", "2026-04-01"], "--since 2026-05-01 is after --until"),
    (["velocity", "--since", "someday"], "cannot read 'someday' as a date"),
])
def test_bad_options_are_clean_errors(cli, full, assert_refused, args, message):
    assert_refused("report", *args, message=message)
