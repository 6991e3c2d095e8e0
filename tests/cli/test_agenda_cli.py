"""`log`, `remind`, `tasks`, `done`, `snooze`, `today`, `sweep`, `ics` and `lookup` as a user types them."""

import json

import pytest

from tests.conftest import db_state


@pytest.fixture
def deal(cli):
    cli.ok("add", "Окна для дачи", "--contact", "Пётр", "--phone", "+7 916 000-00-01", "--value", "1 250 000",
           "--currency", "RUB", "--next", "перезвонить", "--due", "2026-12-20")
    return "1"


def rows(result):
    header, *lines = result.stdout.splitlines()
    names = header.split("\t")
    return [dict(zip(names, line.split("\t"))) for line in lines]


def test_log_with_next_step(cli, deal):
    out = cli.ok("log", deal, "call", "discussed", "terms", "--next", "send the contract",
                 "--due", "fri", "--duration", "5m")
    assert out.stdout.strip() == ('Logged call (out, 5 min) with Пётр on deal #1 "Окна для дачи"; '
                                  'next step T2 "send the contract" due 2026-11-27')
    shown = json.loads(cli.ok("show", "1", "-f", "json").stdout)
    assert shown["activities"][0]["note"] == "discussed terms"
    assert shown["last_activity_at"] == "2026-11-22T10:00:00+03:00"


def test_missed_call_task_then_call_back(cli, deal, clock):
    clock("2026-11-22T09:15")
    cli.ok("log", deal, "call", "--missed")
    [task] = [row for row in rows(cli.ok("tasks")) if row["origin"] == "missed-call"]
    assert (task["text"], task["due"], task["phone"]) == ("Call back Пётр", "2026-11-22T09:15:00+03:00",
                                                          "+7 916 000-00-01")
    clock("2026-11-22T11:00")
    out = cli.ok("log", "+7 916 000 00 01", "call", "--out", "called back")
    assert "completed 1 call-back task" in out.stdout
    assert [row["id"] for row in rows(cli.ok("tasks", "--done"))] == [task["id"]]


@pytest.mark.parametrize("to", ["tomorrow 09:00", "mon"])
def test_a_snoozed_call_back_is_still_completed_by_the_call_back(cli, deal, clock, to):
    clock("2026-11-22T09:15")
    cli.ok("log", deal, "call", "--missed")
    cli.ok("snooze", "T2", "--to", to)
    clock("2026-11-22T11:00")
    assert "completed 1 call-back task" in cli.ok("log", deal, "call", "called back").stdout
    assert [row["id"] for row in rows(cli.ok("tasks", "--done"))] == ["2"]


def test_a_call_before_the_missed_one_returns_nothing(cli, deal, clock):
    cli.ok("log", deal, "call", "--missed", "--at", "09:30")
    cli.ok("snooze", "T2", "--to", "mon")
    assert "call-back" not in cli.ok("log", deal, "call", "earlier", "--at", "09:00").stdout
    assert [row["id"] for row in rows(cli.ok("tasks", "--done"))] == []


def test_a_bare_number_is_a_deal_and_contact_needs_the_option(cli, deal, db_path):
    cli.ok("contact", "add", "Анна")  # contact #2: deal #2 does not exist
    cli.ok("log", "--contact", "2", "email", "price list")
    assert db_state(db_path)["activities"][0][1:4] == (None, 2, "email")


def test_remind_a_deal_for_a_named_contact(cli, deal):
    cli.ok("contact", "add", "Анна")
    cli.ok("remind", deal, "check the payment", "--contact", "Анна")
    cli.ok("remind", "--contact", "Анна", "3 bottles of wine")
    listed = {r["id"]: (r["text"], r["deal_id"], r["contact"]) for r in rows(cli.ok("tasks"))}
    assert listed == {"2": ("check the payment", "1", "Анна"), "3": ("3 bottles of wine", "", "Анна")}


def test_remind_tasks_done_snooze(cli, deal):
    out = cli.ok("remind", deal, "check the payment", "--due", "+3d")
    assert out.stdout.strip() == 'Added task T2 "check the payment" due 2026-11-25 (deal #1 "Окна для дачи")'
    cli.ok("remind", "--contact", "Пётр", "birthday", "card", "--due", "2026-11-20")
    listed = rows(cli.ok("tasks"))
    assert [(r["id"], r["text"], r["due"], r["overdue_days"], r["deal_id"]) for r in listed] == [
        ("3", "birthday card", "2026-11-20", "2", "")]
    assert list(listed[0]) == ["id", "text", "due", "overdue_days", "deal_id", "deal", "contact", "phone", "origin"]
    assert [r["id"] for r in rows(cli.ok("tasks", "--all"))] == ["3", "2", "1"]
    assert [r["id"] for r in rows(cli.ok("tasks", "--due", "+3d"))] == ["3", "2"]
    assert [r["id"] for r in rows(cli.ok("tasks", "--overdue"))] == ["3"]
    assert cli.ok("done", "T3", "2").stdout.count("Done:") == 2
    done = rows(cli.ok("tasks", "--done"))
    assert {r["id"] for r in done} == {"2", "3"} and done[0]["done_at"] == "2026-11-22T10:00:00+03:00"
    assert cli.ok("snooze", "T1", "--to", "mon", "-q").stdout == "1\n"
    assert rows(cli.ok("tasks", "--all"))[0]["due"] == "2026-11-23"


@pytest.mark.parametrize("args, message", [
    (("log", "9", "call"), "no deal #9"),
    (("log", "Nobody", "call"), "no contact matches"),
    (("log", "1", "fax"), "unknown activity kind"),
    (("log", "1", "call", "--at", "someday"), "cannot read 'someday' as a date"),
    (("log", "1", "call", "--duration", "long"), "as a duration"),
    (("log", "1", "email", "--missed"), "--missed is for calls"),
    (("log", "1", "call", "--in", "--out"), "not both"),
    (("log", "1", "call", "--due", "fri"), "--due needs --next"),
    (("log", "1"), "say what happened"),
    (("remind", "9", "x"), "no deal #9"),
    (("remind", "1", "x", "--due", "soonish"), "cannot read 'soonish'"),
    (("remind", "--contact", "Nobody", "x"), "no contact matches"),
    (("done", "T1", "T99"), "no task T99"),
    (("done", "X1"), "not a task number"),
    (("snooze", "T99", "--to", "mon"), "no task T99"),
    (("snooze", "T1"), "--to"),
    (("snooze", "T1", "--to", "later"), "cannot read 'later'"),
    (("tasks", "--all", "--done"), "only one of"),
    (("today", "--on", "whenever"), "cannot read 'whenever'"),
    (("today", "--on", "yesterday"), "--on looks ahead, and 2026-11-21 has passed"),
    (("done", "T1", "--at", "+3d"), "--at 2026-11-25 is in the future"),
    (("today", "--days", "-1"), "--days must be from 0 to 3660"),
    (("sweep", "--older-than", "-5"), "--older-than"),
])
def test_errors_change_nothing(cli, deal, assert_refused, args, message):
    assert_refused(*args, message=message)


def test_done_twice_is_refused_and_changes_nothing(cli, deal, assert_refused):
    cli.ok("remind", deal, "x")
    cli.ok("done", "T2")
    assert_refused("done", "T1", "T2", message="already done")


def test_closing_a_deal_completes_its_tasks(cli, deal):
    cli.ok("won", deal)
    assert rows(cli.ok("tasks", "--all")) == []


def test_today_machine_output_and_on_a_future_day_is_read_only(cli, deal, db_path, clock):
    clock("2026-11-22T10:00")
    assert rows(cli.ok("today")) == []  # a fresh Lead with a task due next month
    before = db_state(db_path)
    later = json.loads(cli.ok("today", "--on", "2026-12-21", "--days", "0", "-f", "json").stdout)
    assert db_state(db_path) == before
    task = [item for item in later if item["kind"] == "task"]
    assert [(item["task_id"], item["days"], item["value"], item["currency"]) for item in task] == [
        (1, 1, 1250000.0, "RUB")]


def test_today_on_earlier_today_is_today(cli, deal):
    cli.ok("remind", deal, "call back", "--due", "today 08:00")
    assert rows(cli.ok("today", "--on", "today 07:00")) == rows(cli.ok("today"))
    assert [r["detail"] for r in rows(cli.ok("today"))] == ["call back"]


def test_today_stuck_by_days_in_lead(cli, deal, clock):
    # Lead has max_days 1: entered 2026-11-22, so 2026-11-23 is at the limit and 2026-11-24 is over it.
    assert [r["kind"] for r in rows(cli.ok("today", "--on", "2026-11-23"))] == []
    [stuck] = rows(cli.ok("today", "--on", "2026-11-24"))
    assert (stuck["kind"], stuck["days"], stuck["detail"]) == ("stuck", "1", "2 days in Lead, limit 1")


def test_today_days_counts_what_is_coming_up_apart(cli):
    cli.ok("add", "Big", "--contact", "Z", "--value", "600000")
    cli.ok("park", "1")
    cli.ok("remind", "1", "позвонить", "--due", "+3d")
    assert [row["days"] for row in rows(cli.ok("today", "--days", "7"))] == ["-3", "-7"]
    assert cli.ok("today", "--days", "7", "-f", "table").stdout.splitlines()[0] == "Today: 2 coming up"


def test_today_table_groups_and_summary(cli, deal):
    cli.ok("remind", deal, "late thing", "--due", "2026-11-20")
    cli.ok("add", "Acme", "--value", "5000", "--currency", "USD", "--at", "2026-11-10")
    out = cli.ok("today", "-f", "table").stdout
    assert out.splitlines()[0] == ("Today: 1 overdue · 1 stuck · 1 without a next step · "
                                    "₽ 1\u202f250\u202f000 at risk · $ 5,000 at risk")
    assert "Tasks (1)" in out and "Stuck in a stage (1)" in out and "No next step planned (1)" in out


def test_today_with_nothing_to_do_is_friendly(cli):
    assert "Nothing needs you today" in cli.ok("today", "-f", "table").stdout
    assert cli.ok("today").stdout == "\t".join(
        ["kind", "deal_id", "deal", "contact", "phone", "email", "stage", "value", "currency", "due", "days",
         "detail", "task_id", "invoice", "urgency"]) + "\n"


def test_sweep_lists_then_closes(cli, clock):
    clock("2026-07-01T10:00")
    cli.ok("add", "Dusty")
    clock("2026-11-22T10:00")
    cli.ok("add", "Fresh")
    listed = rows(cli.ok("sweep"))
    assert [(r["deal_id"], r["age_days"], r["status"]) for r in listed] == [("1", "144", "open")]
    assert [r["deal_id"] for r in rows(cli.ok("sweep", "--older-than", "0"))] == ["1"]  # Fresh is 0 days old
    cli.ok("sweep", "--close")
    shown = json.loads(cli.ok("show", "1", "-f", "json").stdout)
    assert (shown["status"], shown["lost_reason"]) == ("lost", "stale")


def test_ics_has_stable_uids_all_day_and_timed(cli, deal, tmp_path):
    cli.ok("log", deal, "call", "--missed", "--at", "2026-11-22 09:30")
    target = tmp_path / "agenda.ics"
    assert cli.ok("ics", "--output", str(target)).stdout.strip() == f"Wrote 2 events to {target}"
    from icalendar import Calendar

    events = {str(e["uid"]): e for e in Calendar.from_ical(target.read_bytes()).walk("VEVENT")}
    assert set(events) == {"task-1@dealflow", "task-2@dealflow"}
    assert events["task-1@dealflow"].decoded("dtstart").isoformat() == "2026-12-20"
    assert events["task-2@dealflow"].decoded("dtstart").isoformat() == "2026-11-22T06:30:00+00:00"
    assert str(events["task-2@dealflow"]["summary"]) == "Call back Пётр (missed call) — Окна для дачи"
    again = tmp_path / "again.ics"
    cli.ok("ics", "--output", str(again), "--days", "10")
    assert {str(e["uid"]) for e in Calendar.from_ical(again.read_bytes()).walk("VEVENT")} == {"task-2@dealflow"}


def test_ics_has_an_invoice_from_its_due_date_on_under_one_uid(cli, deal, tmp_path, clock):
    from icalendar import Calendar

    def events(days="60"):
        document = cli.ok("ics", "--days", days).stdout.encode()
        return {str(e["uid"]): e for e in Calendar.from_ical(document).walk("VEVENT")}

    def shown(event):
        return str(event["summary"]).replace("\u202f", " "), [str(kind) for kind in event["categories"].cats]

    cli.ok("invoice", "add", deal, "--due", "+10d")
    cli.ok("invoice", "pay", "INV-0001", "--amount", "250 000")
    upcoming = events()["invoice-INV-0001@dealflow"]
    assert upcoming.decoded("dtstart").isoformat() == "2026-12-02"
    assert shown(upcoming) == (
        "INV-0001: ₽ 1 000 000 of ₽ 1 250 000 due — Окна для дачи", ["invoice-due"])
    assert "invoice-INV-0001@dealflow" not in events("9")
    clock("2026-12-05T10:00")
    overdue = events("0")["invoice-INV-0001@dealflow"]
    assert shown(overdue) == (
        "INV-0001: ₽ 1 000 000 of ₽ 1 250 000 unpaid, 3 days overdue — Окна для дачи", ["invoice-overdue"])
    cli.ok("invoice", "pay", "INV-0001")
    assert "invoice-INV-0001@dealflow" not in events()


@pytest.mark.parametrize("args, name", [(("ics",), "a.ics"), (("invoice", "render", "INV-0001"), "a.txt")])
def test_an_output_file_that_cannot_be_written_is_a_clean_error(cli, deal, assert_refused, tmp_path, args, name):
    cli.ok("invoice", "add", deal)
    assert_refused(*args, "--output", str(tmp_path / "no" / "such" / name), message="No such file or directory")
    assert_refused(*args, "--output", str(tmp_path), message="Is a directory")


def test_lookup_shows_open_tasks_and_last_activity(cli, deal):
    cli.ok("log", deal, "call", "--missed")
    [card] = json.loads(cli.ok("lookup", "+7 916 000 00 01", "-f", "json").stdout)
    assert [task["text"] for task in card["open_tasks"]] == ["Call back Пётр", "перезвонить"]
    assert (card["last_activity"]["kind"], card["last_activity"]["direction"]) == ("call", "in")


def test_dates_at_the_ends_of_the_calendar_are_clean_errors_or_answers(cli, assert_refused):
    cli.ok("add", "Acme")
    assert_refused("today", "--days", "100000000", message="--days must be from 0 to 3660")
    assert_refused("today", "--on", "9999-12-31", "--days", "5", message="out of range")
    assert_refused("report", "funnel", "--until", "9999-12-31", message="out of range: dates go from 1900-01-01")
    assert cli.ok("report", "funnel", "--until", "2999-12-31").stdout.splitlines()[1].startswith("Lead\t1\t")
    cli.ok("today", "--on", "2999-12-31", "--days", "3660")  # the last day, and the longest look-ahead past it


def test_the_demo_fills_every_kind_of_the_agenda_and_only_its_stories_are_stuck(cli):
    """A newcomer's first `today`: something of every kind, and a few deals stuck on purpose, not half the book."""
    cli.ok("demo")
    items = json.loads(cli.ok("today", "-f", "json").stdout)
    assert {item["kind"] for item in items} == {"task", "follow-up", "decide", "stuck", "stale", "no-next-step",
                                                "invoice-overdue", "not-invoiced"}
    tasks = [item for item in items if item["kind"] == "task"]
    assert any(item["days"] > 0 for item in tasks) and any(item["days"] == 0 for item in tasks)
    assert any(item["detail"].endswith("(missed call)") for item in tasks)
    stuck = [item for item in items if item["kind"] == "stuck"]
    assert len(stuck) == 3  # the forgotten repeat order, a big proposal and a qualified lead left too long
    assert {item["deal_id"] for item in items if item["kind"] == "stale"} <= {item["deal_id"] for item in stuck}
    assert all(item["stage"] != "Lead" for item in stuck)  # leads are a day old, not "75 days in Lead, limit 1"
    assert {item["days"] for item in items if item["kind"] == "follow-up"} == {0, 1}


def test_today_on_an_80_column_terminal_keeps_rows_short_and_what_to_do_whole(cli, monkeypatch):
    from rich.cells import cell_len

    cli.ok("demo")
    monkeypatch.setenv("COLUMNS", "80")
    lines = cli.ok("today", "-f", "table").stdout.splitlines()
    assert all(cell_len(line.rstrip()) <= 80 for line in lines)
    table = "\n".join(lines)
    assert "Гостиница «Волга» — kitchen renovation" not in table and "Гостиница «" in table  # cut to a line
    assert "contact" not in table.split("Tasks (")[1].splitlines()[1]  # the heading row has no contact
    assert "2026-11" not in table and "1 day overdue" in table
    words = " ".join(table.split())
    assert "Call back Михаил Егоров (missed call)" in words  # what to do wraps, whole


def test_today_summary_keeps_to_the_width_of_the_tables_breaking_between_facts(cli, deal, monkeypatch):
    """The summary honours COLUMNS as the tables under it do: no fact is split, each line but the last ends
    in the separator, and the facts read the same as on one wide line."""
    cli.ok("remind", deal, "late thing", "--due", "2026-11-20")
    cli.ok("add", "Acme", "--value", "5000", "--currency", "USD", "--at", "2026-11-10")
    monkeypatch.setenv("COLUMNS", "52")  # the first line is 52 wide, exactly
    lines = cli.ok("today", "-f", "table").stdout.split("\n\n")[0].splitlines()
    assert lines == ["Today: 1 overdue · 1 stuck · 1 without a next step ·",
                     "       ₽ 1\u202f250\u202f000 at risk · $ 5,000 at risk"]
    monkeypatch.setenv("COLUMNS", "40")
    lines = cli.ok("today", "-f", "table").stdout.split("\n\n")[0].splitlines()
    assert lines == ["Today: 1 overdue · 1 stuck ·", "       1 without a next step ·",
                     "       ₽ 1\u202f250\u202f000 at risk ·", "       $ 5,000 at risk"]


def test_done_tasks_count_overdue_days_up_to_the_day_they_were_done(cli, deal, clock):
    cli.ok("remind", deal, "late", "--due", "2026-11-20")
    cli.ok("remind", deal, "on the day", "--due", "2026-11-22 18:00")
    cli.ok("remind", deal, "early", "--due", "2026-11-25")
    cli.ok("done", "T2", "T3", "T4")  # on 2026-11-22
    clock("2026-12-10")  # weeks later, nothing has grown
    done = {r["text"]: r["overdue_days"] for r in rows(cli.ok("tasks", "--done"))}
    assert done == {"late": "2", "on the day": "0", "early": "-3"}
    table = cli.ok("tasks", "--done", "-f", "table").stdout
    assert "2026-11-20" in table and "overdue" not in table  # the due day, not "20 days overdue" as of today


def test_an_empty_next_step_is_a_mistake_not_ignored(cli, deal, assert_refused):
    assert_refused("log", deal, "call", "--next", "", message='--next needs the text of the next step')
    assert_refused("log", deal, "call", "--next", "  ", "--due", "fri", message="--next needs the text")
    assert_refused("add", "Acme", "--next", "", message="--next needs the text")


def test_a_task_named_twice_is_done_and_confirmed_once(cli, deal):
    assert cli.ok("done", "T1", "1").stdout == 'Done: T1 "перезвонить" due 2026-12-20 (deal #1 "Окна для дачи")\n'
    cli.ok("remind", deal, "send the price")
    assert [task["id"] for task in json.loads(cli.ok("done", "2", "T2", "-f", "json").stdout)] == [2]


@pytest.mark.parametrize("due", ["9999-12-31 23:59", "Dec 31 9999 23:59", "0001-01-01"])
def test_a_due_date_out_of_range_says_so(cli, deal, assert_refused, due):
    assert_refused("remind", deal, "x", "--due", due,
                   message=f"'{due}' is out of range: dates go from 1900-01-01 to 2999-12-31")


@pytest.mark.parametrize("now, overdue_days, summary", [
    ("2026-11-22T10:00", "0", "Today: 1 due today"),  # the call came two hours ago: due today, not overdue
    ("2026-11-22T23:59", "0", "Today: 1 due today"),
    ("2026-11-23T00:00", "1", "Today: 1 overdue"),  # overdue from the next day on, as `days` counts
])
def test_overdue_is_one_rule_for_tasks_and_today(cli, deal, clock, now, overdue_days, summary):
    cli.ok("log", deal, "call", "--missed", "--at", "2026-11-22 08:00")
    clock(now)
    [listed] = [r for r in rows(cli.ok("tasks")) if r["origin"] == "missed-call"]
    overdue = [r["id"] for r in rows(cli.ok("tasks", "--overdue"))]
    [item] = [i for i in rows(cli.ok("today")) if i["kind"] == "task"]
    assert (listed["overdue_days"], item["days"]) == (overdue_days, overdue_days)
    assert overdue == ([listed["id"]] if overdue_days != "0" else [])
    assert cli.ok("today", "-f", "table").stdout.splitlines()[0].startswith(summary)


def test_overdue_days_is_a_number_for_every_task_negative_before_it_is_due(cli, deal):
    """As the agenda's `days`: whole days past the due day, 0 on it, negative before (done ones: to the done day)."""
    cli.ok("remind", deal, "late", "--due", "2026-11-20")
    cli.ok("remind", deal, "today", "--due", "today 18:00")
    cli.ok("remind", deal, "early", "--due", "2026-11-25")
    cli.ok("done", "T4")
    expected = {"перезвонить": -28, "late": 2, "today": 0}  # the deal's first task is due 2026-12-20
    for fmt in ("tsv", "csv"):
        lines = cli.ok("tasks", "--all", "-f", fmt).stdout.splitlines()
        sep = "\t" if fmt == "tsv" else ","
        column = lines[0].split(sep).index("overdue_days")
        assert {line.split(sep)[1]: int(line.split(sep)[column]) for line in lines[1:]} == expected
    listed = json.loads(cli.ok("tasks", "--all", "-f", "json").stdout)
    assert {task["text"]: task["overdue_days"] for task in listed} == expected
    assert [task["overdue_days"] for task in json.loads(cli.ok("tasks", "--done", "-f", "json").stdout)] == [-3]


def test_duration_forms_are_stated_in_help_and_read_as_stated(cli, deal):
    shown = " ".join(cli.ok("log", "--help").stdout.replace("│", " ").split())
    assert ("--duration DURATION How long: 5m, 1h30m, 90s, 7 (minutes) or 12:30 (minutes:seconds, as a call "
            "timer shows it; 12 hours 30 minutes is 12h30m)") in shown
    out = cli.ok("log", deal, "call", "--duration", "12:30").stdout
    assert out.startswith("Logged call (out, 12 min 30 s)")
    assert json.loads(cli.ok("log", deal, "meeting", "--duration", "1h30m", "-f", "json").stdout)["duration_s"] == 5400
