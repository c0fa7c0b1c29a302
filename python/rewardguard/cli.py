"""The `rewardguard` console command: runs the C++ command shipped in the package.

Nothing is reimplemented here: ``rewardguard eval|policy|audit ...`` is the
binary built from lib/rewardguard/cli, installed as rewardguard/bin/rewardguard,
except ``rewardguard audit plot`` (matplotlib), which is rewardguard.audit.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["executable", "main"]


def executable() -> Path:
    """Path of the bundled C++ `rewardguard` binary."""
    return Path(__file__).parent / "bin" / "rewardguard"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:2] == ["audit", "plot"]:
        from . import audit

        return audit.main(argv[2:])
    exe = executable()
    if not exe.is_file():
        print(f"rewardguard: the C++ command is missing from the package ({exe}); "
              "reinstall with `pip install --no-build-isolation .`", file=sys.stderr)
        return 127
    args = [str(exe), *argv]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(args[0], args)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
