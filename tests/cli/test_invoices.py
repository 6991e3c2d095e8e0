"""`dealflow invoice …`: the commands a seller types, their output, and every refusal leaving the book alone."""

import json

import pytest

LIST_HEADER = ["number", "deal_id", "deal", "contact", "issued", "due", "total", "paid", "balance", "currency",
               "status", "days_overdue"]


@pytest.fixture
def deal(cli):
    """Deal #1, ₽ 120 000, in Proposal on the default pipeline."""
    cli.ok("add", "Насос", "--contact", "Пётр", "--company", "Дача|Сервис", "--value", "120 000",
           "--currency", "RUB", "--stage", "prop")
    return "1"


def test_issue_pay_in_parts_and_win(cli, deal, clock):
    issued = cli.ok("invoice", "add", deal)
    assert issued.stdout == ('Issued INV-0001 for deal #1 "Насос": ₽ 120\u202f000, due 2026-12-06; '
                             "deal #1 moved to Invoiced\n")
    part = cli.ok("invoice", "pay", "INV-0001", "--amount", "40 000", "--method", "transfer")
    assert part.stdout == "Paid ₽ 40\u202f000 on INV-0001; ₽ 80\u202f000 still due\n"
    clock("2026-11-30T11:00")
    rest = cli.ok("invoice", "pay", "inv-0001")
    assert rest.stdout == "Paid ₽ 80\u202f000 on INV-0001: paid in full; deal #1 won\n"
    card = json.loads(cli.ok("show", deal, "-f", "json").stdout)
    assert (card["status"], card["closed_at"]) == ("won", "2026-11-30T11:00:00+03:00")
    assert [(i["number"], i["total"], i["paid"], i["balance"], i["status"]) for i in card["invoices"]] == [
        ("INV-0001", 120000.0, 120000.0, 0.0, "paid")]
    assert [(p["amount"], p["method"], p["at"]) for p in card["payments"]] == [
        (40000.0, "transfer", "2026-11-22T10:00:00+03:00"), (80000.0, None, "2026-11-30T11:00:00+03:00")]
    assert [h["note"] for h in card["history"]][-2:] == ["invoice INV-0001 issued", "INV-0001 paid in full"]


def test_items_and_due_offset(cli, deal):
    made = json.loads(cli.ok("invoice", "add", deal, "--item", "Pump=2*1500", "--item", "Installation=1*800",
                             "--due", "+10d", "-f", "json").stdout)
    assert (made["number"], made["total"], made["due"]) == ("INV-0001", 3800.0, "2026-12-02")
    assert [(line["text"], line["quantity"], line["price"], line["amount"]) for line in made["lines"]] == [
        ("Pump", 2, 1500.0, 3000.0), ("Installation", 1, 800.0, 800.0)]


def test_a_due_offset_counts_from_a_back_dated_issue_date(cli):
    """`--at 2026-11-01 --due +14d` gives 14 days from the issue, as the terms say, not from today."""
    cli.ok("add", "X", "--value", "1000", "--at", "2026-10-01")
    made = json.loads(cli.ok("invoice", "add", "1", "--amount", "100", "--at", "2026-11-01", "--due", "+14d",
                             "-f", "json").stdout)
    assert (made["issued"], made["due"]) == ("2026-11-01", "2026-11-15")
    made = json.loads(cli.ok("invoice", "add", "1", "--amount", "100", "--at", "2026-10-31", "--due", "1m",
                             "-f", "json").stdout)
    assert made["due"] == "2026-11-30"
    made = json.loads(cli.ok("invoice", "add", "1", "--amount", "100", "--at", "2026-11-01", "-f", "json").stdout)
    assert made["due"] == "2026-11-15"  # the default terms, invoice.due_days = 14, count from the issue too
    made = json.loads(cli.ok("invoice", "add", "1", "--amount", "100", "--at", "2026-11-01", "--due", "eom",
                             "-f", "json").stdout)
    assert made["due"] == "2026-11-30"  # a named day is the calendar's: this month's end


def test_quiet_prints_the_number(cli, deal):
    assert cli.ok("invoice", "add", "-q", deal).stdout == "INV-0001\n"
    assert cli.ok("invoice", "pay", "-q", "INV-0001", "--amount", "1").stdout == "INV-0001\n"
    paid = json.loads(cli.ok("invoice", "pay", "INV-0001", "--amount", "2,50", "-f", "json").stdout)
    assert (paid["payment"], paid["paid"], paid["balance"], paid["currency"]) == (2.5, 3.5, 119996.5, "RUB")
    assert cli.ok("invoice", "add", "-q", deal, "--amount", "5").stdout == "INV-0002\n"
    assert cli.ok("invoice", "void", "-q", "INV-0002").stdout == "INV-0002\n"


def test_list_tsv_and_overdue_on_the_right_day(cli, deal, clock):
    cli.ok("invoice", "add", deal)
    cli.ok("invoice", "pay", "INV-0001", "--amount", "20 000,50")
    header, row = cli.ok("invoice", "list").stdout.splitlines()
    assert header.split("\t") == LIST_HEADER
    assert row.split("\t") == ["INV-0001", "1", "Насос", "Пётр", "2026-11-22", "2026-12-06", "120000.00",
                               "20000.50", "99999.50", "RUB", "partial", "0"]
    clock("2026-12-06")
    assert cli.ok("invoice", "list", "--overdue", "--no-header").stdout == ""
    clock("2026-12-09T09:00")
    late = cli.ok("invoice", "list", "--overdue", "--no-header").stdout.split("\t")
    assert (late[0], late[-1]) == ("INV-0001", "3\n")


def test_list_of_one_deal_shows_all_its_invoices_with_their_status(cli, deal):
    """Named a deal, the seller sees its whole money story (paid and void too); a state option still narrows it."""
    cli.ok("add", "Другая", "--value", "50")
    cli.ok("invoice", "add", deal, "--amount", "100")
    cli.ok("invoice", "pay", "INV-0001")
    cli.ok("invoice", "add", deal, "--amount", "5")
    cli.ok("invoice", "void", "INV-0002")
    cli.ok("invoice", "add", deal, "--amount", "300")
    cli.ok("invoice", "add", "2")

    def listed(*args: str) -> list[tuple[str, str]]:
        rows = json.loads(cli.ok("invoice", "list", *args, "-f", "json").stdout)
        return [(row["number"], row["status"]) for row in rows]

    assert listed("--deal", deal) == [("INV-0001", "paid"), ("INV-0002", "void"), ("INV-0003", "issued")]
    assert listed("--deal", deal, "--open") == [("INV-0003", "issued")]
    assert listed("--deal", deal, "--paid") == [("INV-0001", "paid")]
    assert listed() == [("INV-0003", "issued"), ("INV-0004", "issued")]  # without --deal: the open ones
    table = cli.ok("invoice", "list", "--deal", deal, "-f", "table").stdout
    assert "status" in table and "void" in table and "paid" in table


def test_show_json_has_lines_and_payments(cli, deal, clock):
    cli.ok("invoice", "add", deal, "--item", "Кабель=1.5*100")
    clock("2026-11-24T10:00")
    cli.ok("invoice", "pay", "INV-0001", "--amount", "50", "--method", "cash", "--at", "2026-11-23")
    shown = json.loads(cli.ok("invoice", "show", "inv-0001", "-f", "json").stdout)
    assert {key: shown[key] for key in ("number", "total", "paid", "balance", "status", "company")} == {
        "number": "INV-0001", "total": 150.0, "paid": 50.0, "balance": 100.0, "status": "partial",
        "company": "Дача|Сервис"}
    assert shown["lines"] == [{"text": "Кабель", "quantity": 1.5, "price": 100.0, "amount": 150.0}]  # numbers
    assert [(p["amount"], p["method"], p["at"]) for p in shown["payments"]] == [(50.0, "cash", "2026-11-23")]


def test_show_on_a_terminal_table(cli, deal):
    cli.ok("invoice", "add", deal)
    shown = cli.ok("invoice", "show", "INV-0001", "-f", "table").stdout
    assert "Invoice INV-0001 (issued)" in shown
    assert "₽ 120\u202f000" in shown and "No payments yet." in shown


def test_contact_card_shows_invoices_and_balance(cli, deal):
    cli.ok("invoice", "add", deal)
    cli.ok("invoice", "pay", "INV-0001", "--amount", "20 000")
    card = json.loads(cli.ok("contact", "show", "Пётр", "-f", "json").stdout)
    assert [i["number"] for i in card["invoices"]] == ["INV-0001"]
    assert card["paid"] == [{"currency": "RUB", "amount": 20000.0}]
    assert card["balance"] == [{"currency": "RUB", "balance": 100000.0}]
    table = cli.ok("contact", "show", "Пётр", "-f", "table").stdout
    assert "Balance due" in table and "₽ 100\u202f000" in table


# --- render --------------------------------------------------------------------------------------------


@pytest.fixture
def sneaky(cli):
    """An invoice to a contact whose name and company carry HTML and Markdown."""
    cli.ok("add", "Fence", "--contact", "<script>alert(1)</script>", "--company", "A|B & Co", "--value", "1500.5",
           "--currency", "USD")
    cli.ok("config", "set", "seller.name", "Alex <Seller>")
    cli.ok("invoice", "add", "1", "--item", "Post *oak*=3*100.10")
    cli.ok("invoice", "pay", "INV-0001", "--amount", "100")


def test_render_html_is_a_standalone_escaped_page(cli, sneaky, tmp_path):
    target = tmp_path / "inv.html"
    assert cli.ok("invoice", "render", "INV-0001", "--format", "html", "--output", str(target)).stdout == (
        f"Wrote INV-0001 (html) to {target}\n")
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page and page.rstrip().endswith("</html>")
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "A|B &amp; Co" in page
    assert "Alex &lt;Seller&gt;" in page
    assert "$ 300.30" in page and "$ 100" in page and "$ 200.30 by 2026-12-06" in page


def test_render_format_follows_the_output_suffix(cli, sneaky, tmp_path):
    cli.ok("invoice", "render", "INV-0001", "-o", str(tmp_path / "inv.html"))
    assert (tmp_path / "inv.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_render_markdown_escapes_pipes_and_markup(cli, sneaky):
    md = cli.ok("invoice", "render", "INV-0001", "-f", "md").stdout
    assert "A\\|B & Co" in md
    assert "\\<script\\>" in md
    assert "| 1 | Post \\*oak\\* | 3 | $ 100.10 | $ 300.30 |" in md


def test_render_text(cli, sneaky):
    text = cli.ok("invoice", "render", "INV-0001").stdout
    lines = text.splitlines()
    assert lines[0] == "INVOICE INV-0001"
    assert "From: Alex <Seller>" in lines
    assert "To:   <script>alert(1)</script>" in lines
    stripped = [line.strip() for line in lines]
    assert "Paid  $ 100.00" in stripped  # with cents, as the prices have
    assert "Balance due  $ 200.30 by 2026-12-06" in stripped


@pytest.fixture
def mixed_cents(cli):
    """INV-0001: $ 45 000 and $ 5 000.50 (whole dollars beside cents), $ 1 000 paid."""
    cli.ok("add", "Pumps", "--value", "50000", "--currency", "USD")
    cli.ok("invoice", "add", "1", "--item", "Pump=1*45000", "--item", "Filter=1*5000.50")
    cli.ok("invoice", "pay", "INV-0001", "--amount", "1000")


def test_render_text_shows_every_amount_with_cents_when_one_has_them_and_aligns_them(cli, mixed_cents):
    lines = cli.ok("invoice", "render", "INV-0001").stdout.splitlines()
    table = lines[lines.index("#  Item    Qty        Price       Amount"):]
    assert table[:3] == ["#  Item    Qty        Price       Amount",
                         "1  Pump      1  $ 45,000.00  $ 45,000.00",
                         "2  Filter    1   $ 5,000.50   $ 5,000.50"]
    assert table[4:] == ["                      Total  $ 50,000.50",
                         "                       Paid   $ 1,000.00",
                         "                Balance due  $ 49,000.50 by 2026-12-06"]


def test_render_markdown_shows_every_amount_with_cents_when_one_has_them(cli, mixed_cents):
    md = cli.ok("invoice", "render", "INV-0001", "-f", "md").stdout
    assert "| 1 | Pump | 1 | $ 45,000.00 | $ 45,000.00 |" in md
    assert "**Paid:** $ 1,000.00  " in md.splitlines()


def test_render_text_aligns_double_width_text_by_its_width_on_screen(cli, deal):
    """空调 (air conditioner) is four columns wide on a terminal, though two characters long."""
    cli.ok("invoice", "add", deal, "--item", "Pump=1*100", "--item", "空调=2*100")
    lines = cli.ok("invoice", "render", "INV-0001").stdout.splitlines()
    start = lines.index("#  Item  Qty  Price  Amount")
    assert lines[start:start + 3] == ["#  Item  Qty  Price  Amount",
                                      "1  Pump    1  ₽ 100   ₽ 100",
                                      "2  空调    2  ₽ 100   ₽ 200"]


@pytest.mark.parametrize("item", ["a\nb=1*1", "a\r\nb=1*1", "Pump\t2=1*1", "Pump\x1b[31m=1*1", "a\u2028b=1*1"])
def test_an_item_with_a_line_break_or_control_character_is_refused(cli, deal, assert_refused, item):
    """An invoice line is one line: a break typed or pasted into it is refused, not sent to a client."""
    assert_refused("invoice", "add", deal, "--item", "Pump=1*5", "--item", item,
                   message=f"item {item!r}: its text has a line break or another control character; "
                           "write each item on one line (one --item for each line of the invoice)")


def test_render_puts_a_line_on_one_line_whatever_its_text(cli, assert_refused):
    """A deal title with a line break (the default line's text) stays on its row in text and Markdown."""
    cli.ok("add", "Two\nlines", "--value", "10")
    cli.ok("invoice", "add", "1")
    assert "1  Two lines    1" in cli.ok("invoice", "render", "INV-0001").stdout
    assert "| 1 | Two lines | 1 |" in cli.ok("invoice", "render", "INV-0001", "-f", "md").stdout


def test_render_keeps_whole_amounts_whole(cli, deal):
    cli.ok("invoice", "add", deal, "--item", "Насос=2*1500")
    text = cli.ok("invoice", "render", "INV-0001").stdout
    assert "₽ 3\u202f000" in text and ".00" not in text


# --- refusals: a clean error and the book unchanged -------------------------------------------------------


def test_refusals_leave_the_book_unchanged(cli, deal, assert_refused):
    cli.ok("invoice", "add", deal, "--amount", "1 000")
    cli.ok("invoice", "pay", "INV-0001", "--amount", "100")
    cli.ok("invoice", "add", deal, "--amount", "500")
    cli.ok("invoice", "void", "INV-0002")
    assert_refused("invoice", "pay", "INV-0001", "--amount", "901",
                   message="only ₽ 900 unpaid; a payment of ₽ 901 is more than that: record at most ₽ 900 "
                           "(leave out --amount to pay the whole balance)")
    assert_refused("invoice", "add", deal, "--item", "Cable=1.2345*10", message="up to three decimals")
    assert_refused("invoice", "void", "INV-0001", message="cannot be voided")
    assert_refused("invoice", "pay", "INV-0099", message="no invoice 'INV-0099'")
    assert_refused("invoice", "show", "INV-0099", message="no invoice")
    assert_refused("invoice", "pay", "INV-0002", message="INV-0002 is void")
    assert_refused("invoice", "void", "INV-0002", message="already void")
    assert_refused("invoice", "add", deal, "--amount", "lots", message="cannot read 'lots' as an amount")
    assert_refused("invoice", "add", deal, "--amount", "-5", message="cannot be negative")
    assert_refused("invoice", "pay", "INV-0001", "--amount", "-5", message="cannot be negative")
    assert_refused("invoice", "pay", "INV-0001", "--amount", "0", message="more than zero")
    assert_refused("invoice", "add", deal, "--amount", "0", message="more than zero")
    assert_refused("invoice", "add", deal, "--item", "Pump 2*1500", message='write it as "TEXT=QTY*PRICE"')
    assert_refused("invoice", "add", deal, "--item", "Pump=2*abc", message="cannot read 'abc' as an amount")
    assert_refused("invoice", "add", deal, "--amount", "5", "--item", "Pump=1*5", message="not both")
    assert_refused("invoice", "add", deal, "--item", "x=3*5000000000000", "--item", "y=1*1",
                   message="the items add up to 15000000000001.00; an invoice goes up to 9999999999999.99")
    assert_refused("invoice", "add", deal, "--amount", "0,500", message="at most two decimals")
    assert_refused("invoice", "add", deal, "--at", "tomorrow", message="is in the future")


def test_voiding_a_paid_on_invoice_says_what_to_do_instead(cli, deal, assert_refused):
    cli.ok("invoice", "add", deal, "--amount", "1 000")
    cli.ok("invoice", "pay", "INV-0001", "--amount", "100")
    assert_refused("invoice", "void", "INV-0001",
                   message="INV-0001 has payments (₽ 100), and money received stays on record: an invoice with "
                           "payments cannot be voided. If the money goes back to the client, refund it outside "
                           "dealflow; to bill another amount, issue a correcting invoice with "
                           "`dealflow invoice add 1 --amount AMOUNT`")


def test_payments_and_voids_cannot_happen_in_the_future(cli, deal, assert_refused):
    cli.ok("invoice", "add", deal)
    assert_refused("invoice", "add", deal, "--at", "tomorrow", message="is in the future")  # already invoiced
    assert_refused("invoice", "pay", "INV-0001", "--at", "+1h", message="is in the future")
    assert_refused("invoice", "void", "INV-0001", "--at", "+1d", message="is in the future")
    assert_refused("invoice", "add", deal, "--amount", "$5", message="USD but the deal is in RUB")
    assert_refused("invoice", "add", deal, "--amount", "5", "--due", "yesterday", message="before the issue date")
    assert_refused("invoice", "add", "99", message="no deal #99")
    assert_refused("invoice", "pay", "INV-0001", "--at", "2026-11-01", message="before INV-0001 was issued")
    assert_refused("invoice", "list", "--open", "--paid", message="only one of")
    assert_refused("invoice", "render", "INV-0001", "-f", "pdf", message="unknown invoice format")


def test_invoice_for_a_lost_deal_is_refused(cli, deal, assert_refused):
    cli.ok("lost", deal, "--reason", "price")
    assert_refused("invoice", "add", deal, message="deal #1 is lost; `dealflow reopen 1` first")


def test_paying_a_paid_invoice_is_refused(cli, deal, assert_refused):
    cli.ok("invoice", "add", deal)
    cli.ok("invoice", "pay", "INV-0001")
    assert_refused("invoice", "pay", "INV-0001", message="INV-0001 is paid in full")


def test_a_second_invoice_bills_what_is_left_and_then_nothing(cli, assert_refused):
    """`invoice add DEAL` after an advance bills the rest of the deal, not its whole value again."""
    cli.ok("add", "X", "--value", "1000", "--currency", "USD")
    cli.ok("invoice", "add", "1", "--amount", "400")
    assert cli.ok("invoice", "add", "1").stdout.startswith('Issued INV-0002 for deal #1 "X": $ 600, due ')
    assert_refused("invoice", "add", "1", message="deal #1 is invoiced in full already: $ 1,000 of its $ 1,000 "
                                                  "(INV-0001, INV-0002); to bill more anyway, give --amount AMOUNT "
                                                  'or --item "TEXT=QTY*PRICE"')
    assert "default: what is not yet invoiced" in " ".join(cli.ok("invoice", "add", "--help").stdout.split())


def test_a_deal_without_value_is_refused(cli, assert_refused):
    cli.ok("add", "Free consultation")
    assert_refused("invoice", "add", "1", message="deal #1 has no value; give --amount")


# --- classic pipeline and demo -----------------------------------------------------------------------------


def test_classic_pipeline_issue_to_purchase_pay_to_delivery(cli):
    cli.ok("init", "--pipeline", "classic")
    cli.ok("add", "Windows", "--value", "5000", "--stage", "Proposal")
    assert cli.ok("invoice", "add", "1").stdout.endswith("; deal #1 moved to Purchase\n")
    assert cli.ok("invoice", "pay", "INV-0001").stdout.endswith("paid in full; deal #1 moved to Delivery\n")
    deal = json.loads(cli.ok("show", "1", "-f", "json").stdout)
    assert (deal["stage"], deal["status"]) == ("Delivery", "open")


def test_demo_has_paid_partial_and_overdue_invoices(cli):
    cli.ok("demo")
    rows = json.loads(cli.ok("invoice", "list", "--all", "-f", "json").stdout)
    statuses = {row["status"] for row in rows}
    assert {"paid", "partial", "issued"} <= statuses
    assert any(row["days_overdue"] > 0 and row["status"] == "partial" for row in rows)
    assert any(row["days_overdue"] > 0 and row["status"] == "issued" for row in rows)
    won = json.loads(cli.ok("deals", "--status", "won", "-f", "json").stdout)
    invoiced = {row["deal_id"] for row in rows}
    assert any(deal["id"] not in invoiced for deal in won)  # won on words, never invoiced
    paid = next(row for row in rows if row["status"] == "paid")
    assert json.loads(cli.ok("show", str(paid["deal_id"]), "-f", "json").stdout)["status"] == "won"



def test_a_deal_with_invoices_keeps_its_currency(cli, assert_refused):
    cli.ok("add", "Насос", "--value", "120 000", "--currency", "RUB")
    cli.ok("invoice", "add", "1")
    assert_refused("edit", "1", "--currency", "USD", message="has invoices in RUB; its currency cannot change")
    assert_refused("edit", "1", "--value", "$500", message="has invoices in RUB")
    cli.ok("invoice", "void", "INV-0001")
    assert "USD" in cli.ok("edit", "1", "--currency", "USD", "-f", "json").stdout


def test_paying_in_another_currency_says_to_pay_in_the_invoices(cli, deal, assert_refused):
    cli.ok("invoice", "add", deal)
    result = assert_refused("invoice", "pay", "INV-0001", "--amount", "$500",
                            message="--amount '$500' is in USD but INV-0001 is in RUB; a payment is recorded in its "
                                    "invoice's currency: give the amount received in RUB")
    assert "edit" not in result.stderr  # changing the deal's currency would not fix it


@pytest.mark.parametrize("name, message", [
    ("inv.pdf", "invoices are written as text (.txt), HTML (.html) or Markdown (.md), not .pdf; for a PDF, "
                "write .html and print it to PDF from a browser"),
    ("inv.docx", "not .docx"),
])
def test_render_refuses_a_file_it_cannot_write(cli, sneaky, tmp_path, assert_refused, name, message):
    assert_refused("invoice", "render", "INV-0001", "-o", str(tmp_path / name), message=message)
    assert_refused("invoice", "render", "INV-0001", "-f", "html", "-o", str(tmp_path / name), message=message)
    assert not (tmp_path / name).exists()


def test_render_refuses_a_format_the_file_name_contradicts(cli, sneaky, tmp_path, assert_refused):
    assert_refused("invoice", "render", "INV-0001", "-f", "md", "-o", str(tmp_path / "inv.html"),
                   message="--format md does not write a .html file")
    assert not (tmp_path / "inv.html").exists()


def test_render_writes_text_to_a_txt_file_and_a_bare_name(cli, sneaky, tmp_path):
    assert cli.ok("invoice", "render", "INV-0001", "-o", str(tmp_path / "inv.TXT")).stdout.startswith(
        "Wrote INV-0001 (text)")
    cli.ok("invoice", "render", "INV-0001", "-f", "md", "-o", str(tmp_path / "INV-0001"))
    assert (tmp_path / "inv.TXT").read_text(encoding="utf-8").startswith("INVOICE INV-0001")
    assert (tmp_path / "INV-0001").read_text(encoding="utf-8").startswith("# Invoice INV-0001")


def test_list_on_an_80_column_terminal_shows_every_status_whole(cli, monkeypatch):
    """A narrow terminal keeps number, deal, how late, balance and status readable (contact and total are left to
    wider ones); with NO_COLOR too, "overdue" is in words, not only in red."""
    from rich.cells import cell_len

    cli.ok("demo")
    monkeypatch.setenv("COLUMNS", "80")
    lines = cli.ok("invoice", "list", "--all", "-f", "table").stdout.splitlines()
    assert all(cell_len(line.rstrip()) <= 80 for line in lines)
    assert lines[0].split() == ["number", "deal", "due", "balance", "status"]
    rows = [line for line in lines if line.lstrip().startswith("INV-")]
    assert [row.split()[-1] for row in rows] == ["paid", "partial", "issued"]
    assert ["4 days overdue" in row for row in rows] == [False, True, True]  # the paid one is not "overdue"


def test_cards_do_not_call_a_paid_or_void_invoice_overdue(cli, deal, clock):
    """A due date passed is news only while money is owed: settled and void invoices show the plain date."""
    cli.ok("invoice", "add", deal, "--amount", "100")
    cli.ok("invoice", "add", deal, "--amount", "200")
    cli.ok("invoice", "add", deal, "--amount", "300")
    clock("2026-12-10T10:00")
    cli.ok("invoice", "pay", "INV-0001")
    cli.ok("invoice", "void", "INV-0002")
    for card in (cli.ok("show", deal, "-f", "table").stdout, cli.ok("contact", "show", "Пётр", "-f", "table").stdout):
        rows = {line.split()[0]: line for line in card.splitlines() if line.lstrip().startswith("INV-")}
        assert "overdue" not in rows["INV-0001"] and "overdue" not in rows["INV-0002"]
        assert "2026-12-06 (4 days overdue)" in rows["INV-0003"]
