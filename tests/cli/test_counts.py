"""Every message that counts says `1 deal` and `2 deals`, never `1 deals` or `deal(s)`."""

from __future__ import annotations


def test_import_summaries_count_in_the_singular_and_the_plural(cli, tmp_path):
    people = tmp_path / "people.csv"
    people.write_text("name,email\nAnna,a@x.io\n", encoding="utf-8")
    assert cli.ok("import", "contacts", str(people)).stdout == (
        "Imported 1 row: 1 contact created, 0 matched, 0 updated; 0 rejected.\n")
    calls = tmp_path / "calls.csv"
    calls.write_text("kind,note,contact\ncall,hi,Anna\nbogus,x,Anna\n", encoding="utf-8")
    result = cli.ok("import", "activities", str(calls), "--skip-errors")
    assert result.stdout == "Imported 2 rows: 1 activity created; 1 rejected.\n"
    assert result.stderr.startswith("Left out 1 bad row:\nline 3: kind:")
    more = tmp_path / "more.csv"
    more.write_text("kind,note,contact\ncall,a,Anna\nemail,b,Anna\n", encoding="utf-8")
    assert "2 activities created" in cli.ok("import", "activities", str(more)).stdout


def test_stage_messages_count_days_and_deals(cli, assert_refused, tmp_path):
    assert cli.ok("stage", "add", "Visit", "--max-days", "1").stdout == "Added stage 6. Visit (0%, max 1 day)\n"
    cli.ok("add", "Roof", "--stage", "Visit")
    assert_refused("stage", "remove", "Visit", message="stage 'Visit' holds 1 deal, open or closed from it")
    assert cli.ok("stage", "remove", "Visit", "--to", "Lead").stdout == "Removed stage Visit; 1 deal moved to Lead\n"
    pipeline = tmp_path / "pipeline.toml"
    pipeline.write_text('[[stage]]\nname = "A"\ncolour = "red"\n', encoding="utf-8")
    assert_refused("--db", str(tmp_path / "new.db"), "init", "--pipeline", str(pipeline),
                   message="stage 1: 1 unknown field (colour); use")


def test_one_touch_one_swept_deal(cli, clock):
    cli.ok("add", "Roof", "--value", "10")
    assert "): 1 touch (coefficient 0.17), first email" in cli.ok("park", "1", "--coefficient", "0.17").stdout
    clock("2027-06-01")
    assert cli.ok("sweep", "--close", "-f", "table").stdout.endswith("Closed 1 deal as lost (stale).\n")


def test_the_agenda_summary_says_invoices_overdue_and_follow_ups(cli):
    cli.ok("demo")
    summary = cli.ok("today", "-f", "table").stdout.split("\n\n")[0]
    assert "· 2 invoices overdue ·" in summary and "· 2 follow-ups ·" in summary
    assert "invoice overdue" not in summary and "follow-up ·" not in summary
