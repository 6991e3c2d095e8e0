"""The `dealflow` command line.

`app.py` is the whole command line, built with Typer; `quick.py` answers the plainest forms of the command
run every morning, `dealflow today`, and of the one a phone system runs on every call, `dealflow lookup`,
without importing Typer at all. `main` lets `quick` try first.
"""

from __future__ import annotations

import gc
import sys


def main() -> None:
    """Console-script entry point.

    `gc.freeze()` moves the start-up's objects (Typer, Click, our modules) out of the collector's sight: a
    command lives for milliseconds, yet every collection, and the one at exit, would walk all of them.
    """
    from dealflow.cli import quick

    if quick.answered(sys.argv[1:]):
        return
    from dealflow.cli.app import app

    gc.freeze()
    app(prog_name="dealflow")
