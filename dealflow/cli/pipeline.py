"""Pipeline commands: `init`, `stage list/add/edit/move/remove`, `reason list/add/remove`."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from dealflow import render
from dealflow.cli.output import AtOpt, Fmt, FormatOpt, NoHeaderOpt, QuietOpt, book, confirm, moment, show, sub_app
from dealflow.core import pipeline, reasons
from dealflow.core.errors import InputError
from dealflow.core.text import counted

stage_app = sub_app("The stages of your pipeline.")
reason_app = sub_app("Loss reasons: why deals are lost.")

STAGE_COLUMNS = ["position", "name", "probability", "max_days", "task", "task_due", "role", "open_deals"]
StageArg = Annotated[str, typer.Argument(metavar="STAGE", help="Stage name or unique prefix.")]
RoleOpt = Annotated[str | None, typer.Option("--on", metavar="ROLE",
                                             help="invoice (deals move here when invoiced) or payment (when paid).")]


def init(ctx: typer.Context,
         pipeline_name: Annotated[str, typer.Option("--pipeline", "-p", metavar="NAME|FILE",
                                                    help=f"One of {', '.join(pipeline.BUILTIN)}, a TOML file, or "
                                                         "the file of `dealflow export stages`.")]
         = "default",
         fmt: FormatOpt = Fmt.auto, quiet: QuietOpt = False) -> None:
    """Set up the book with a pipeline (only while it holds no deals)."""
    specs = pipeline.load(pipeline_name)  # read before opening, so a bad file creates no book
    opened = book(ctx)
    pipeline.install(opened, specs)
    stages = pipeline.stages(opened)
    names = " → ".join(stage["name"] for stage in stages)
    confirm(fmt, quiet, f"Initialised {opened.path} with pipeline {pipeline_name}: {names}",
            {"path": str(opened.path), "pipeline": pipeline_name, "stages": stages}, str(opened.path))


@stage_app.command("list")
def stage_list(ctx: typer.Context, fmt: FormatOpt = Fmt.auto, no_header: NoHeaderOpt = False) -> None:
    """The stages in pipeline order, with their rules and open deals."""
    show(render.Table(STAGE_COLUMNS, pipeline.stages(book(ctx)), headers={"probability": "prob %"}), fmt, no_header)


def _stage_line(verb: str, stage: dict[str, Any]) -> str:
    extras = [f"{stage['probability']}%"]
    if stage.get("max_days"):
        extras.append(f"max {counted(stage['max_days'], 'day')}")
    if stage.get("role"):
        extras.append(f"on {stage['role']}")
    if stage.get("task"):
        extras.append(f"task \"{stage['task']}\" {stage['task_due']}")
    return f"{verb} stage {stage['position']}. {stage['name']} ({', '.join(extras)})"


@stage_app.command("add")
def stage_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The new stage's name.")],
    after: Annotated[str | None, typer.Option(help="Put it after this stage.")] = None,
    before: Annotated[str | None, typer.Option(help="Put it before this stage.")] = None,
    probability: Annotated[int | None, typer.Option(help="Chance to win from here, 0-100.")] = None,
    max_days: Annotated[int | None, typer.Option(help="Days a deal may sit here before it is stuck.")] = None,
    task: Annotated[str | None, typer.Option(help="A task created for every deal entering the stage.")] = None,
    task_due: Annotated[str, typer.Option(metavar="OFFSET", help="When that task is due after entry.")] = "+1d",
    on: RoleOpt = None,
    fmt: FormatOpt = Fmt.auto, quiet: QuietOpt = False,
) -> None:
    """Add a stage (at the end, or --after/--before another)."""
    stage = pipeline.add(book(ctx), name, after=after, before=before, probability=probability, max_days=max_days,
                         task=task, task_due=task_due, role=on)
    confirm(fmt, quiet, _stage_line("Added", stage), stage, stage["id"])


@stage_app.command("edit")
def stage_edit(
    ctx: typer.Context,
    stage: StageArg,
    name: Annotated[str | None, typer.Option(help="Rename (history and reports follow).")] = None,
    probability: Annotated[int | None, typer.Option(help="Chance to win from here, 0-100.")] = None,
    max_days: Annotated[int | None, typer.Option(help="Days before a deal here is stuck.")] = None,
    no_max_days: Annotated[bool, typer.Option("--no-max-days", help="No limit.")] = False,
    task: Annotated[str | None, typer.Option(help="Entry task text.")] = None,
    no_task: Annotated[bool, typer.Option("--no-task", help="No entry task.")] = False,
    task_due: Annotated[str | None, typer.Option(metavar="OFFSET", help="Entry task due offset, e.g. +2d.")] = None,
    on: RoleOpt = None,
    no_role: Annotated[bool, typer.Option("--no-role", help="Remove the stage's role.")] = False,
    fmt: FormatOpt = Fmt.auto, quiet: QuietOpt = False,
) -> None:
    """Change a stage's name, probability, limit, entry task or role."""
    changes: dict[str, Any] = {}
    for key, value, clear, flag in (("max_days", max_days, no_max_days, "max-days"), ("task", task, no_task, "task"),
                                    ("role", on, no_role, "on")):
        if value is not None and clear:
            raise InputError(f"give --{flag} or its --no- form, not both")
        if value is not None or clear:
            changes[key] = None if clear else value
    for key, value in (("name", name), ("probability", probability), ("task_due", task_due)):
        if value is not None:
            changes[key] = value
    if not changes:
        raise InputError("nothing to change; give at least one option (see `dealflow stage edit --help`)")
    edited = pipeline.edit(book(ctx), stage, changes)
    confirm(fmt, quiet, _stage_line("Updated", edited), edited, edited["id"])


@stage_app.command("move")
def stage_move(ctx: typer.Context, stage: StageArg,
               after: Annotated[str | None, typer.Option(help="Put it after this stage.")] = None,
               before: Annotated[str | None, typer.Option(help="Put it before this stage.")] = None,
               fmt: FormatOpt = Fmt.auto, quiet: QuietOpt = False) -> None:
    """Reorder the pipeline."""
    moved = pipeline.move(book(ctx), stage, after=after, before=before)
    confirm(fmt, quiet, _stage_line("Moved", moved), moved, moved["id"])


@stage_app.command("remove")
def stage_remove(ctx: typer.Context, stage: StageArg,
                 to: Annotated[str | None, typer.Option(help="Move its deals (open or closed from it) here.")] = None,
                 at: AtOpt = None, fmt: FormatOpt = Fmt.auto, quiet: QuietOpt = False) -> None:
    """Remove a stage; with --to, its deals move to another stage with a history entry."""
    removed = pipeline.remove(book(ctx), stage, to=to, at=moment(at))
    moved = f"; {counted(removed['moved_deals'], 'deal')} moved to {removed['moved_to']}" if removed["moved_deals"] else ""
    confirm(fmt, quiet, f"Removed stage {removed['name']}{moved}", removed, removed["id"])


@reason_app.command("list")
def reason_list(ctx: typer.Context, fmt: FormatOpt = Fmt.auto, no_header: NoHeaderOpt = False) -> None:
    """Known loss reasons and how many deals were lost for each."""
    show(render.Table(["name", "deals"], reasons.listing(book(ctx))), fmt, no_header)


@reason_app.command("add")
def reason_add(ctx: typer.Context, name: Annotated[str, typer.Argument(help="The reason, e.g. \"went silent\".")],
               fmt: FormatOpt = Fmt.auto, quiet: QuietOpt = False) -> None:
    """Add a loss reason."""
    added = reasons.add(book(ctx), name)
    confirm(fmt, quiet, f"Added loss reason \"{added['name']}\"", added, added["id"])


@reason_app.command("remove")
def reason_remove(ctx: typer.Context, name: Annotated[str, typer.Argument(help="The reason's full name.")],
                  fmt: FormatOpt = Fmt.auto, quiet: QuietOpt = False) -> None:
    """Remove a loss reason (deals lost for it keep it)."""
    removed = reasons.remove(book(ctx), name)
    confirm(fmt, quiet, f"Removed loss reason \"{removed['name']}\"", removed, removed["id"])


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.add_typer(stage_app, name="stage")
    app.add_typer(reason_app, name="reason")
