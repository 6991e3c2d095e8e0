"""dealflow installed as a seller installs it, for the benchmarks to time.

The README's Quick start runs `pip install .` into a fresh virtual environment. A contributor's editable
install (`pip install -e .`) adds an import hook that every Python process in that environment runs at
start-up (about 10 ms on the 2-core benchmark machine), so timing there would add the hook to every figure,
`python -c pass` included. The benchmarks therefore build their own environment the seller's way.
"""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def installed(folder: Path) -> Path:
    """The `bin` folder of a new virtual environment under `folder` with this checkout installed.

    Without a package index to install the dependencies from, it falls back to the running interpreter's
    folder and says so on stderr (the figures then include that environment's start-up).
    """
    home = folder / "venv"
    try:
        venv.create(home, with_pip=True)
        subprocess.run([str(home / "bin" / "python"), "-m", "pip", "install", "-q", str(ROOT)], check=True,
                       capture_output=True, timeout=600)
    except (OSError, subprocess.SubprocessError) as exc:
        print(f"note: could not install dealflow into a fresh environment ({exc}); timing this one instead",
              file=sys.stderr)
        return Path(sys.executable).parent
    return home / "bin"
