"""A killed import leaves the book exactly as it was: the whole import is one transaction."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time

from bench.import_bench import generate
from tests.conftest import ROOT, db_state, dealflow_exe, run_exe


def schema(path) -> list[tuple]:
    """Every table's and index's definition (a big import drops indexes and builds them again at the end)."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
    finally:
        conn.close()


def test_sigkill_mid_import_changes_nothing(tmp_path, db_path):
    assert run_exe("add", "Before", "--email", "before@x.io").returncode == 0
    source = generate(tmp_path / "big.csv", 150_000)
    before, defined = db_state(db_path), schema(db_path)
    wal = db_path.with_name(db_path.name + "-wal")
    start_size = wal.stat().st_size if wal.exists() else 0
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([*dealflow_exe(), "import", "deals", str(source)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        # wait until the import is writing (its uncommitted pages reach the WAL), then kill it
        while time.monotonic() < deadline and process.poll() is None:
            if wal.exists() and wal.stat().st_size > start_size + 1_000_000:
                break
            time.sleep(0.02)
        assert process.poll() is None, "the import finished before it could be killed; use a bigger file"
        process.send_signal(signal.SIGKILL)
        process.wait()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == -signal.SIGKILL
    assert db_state(db_path) == before
    assert schema(db_path) == defined
    assert run_exe("db", "check").returncode == 0
