"""All benchmarks in one go (`make bench`): travel times, the optimizer, a budget sweep, stages and start-up, and
the demo's full run split by phase.

Each script runs in its own process and prints its own Markdown table; figures quoted in the README come from here.
Pass --province to include the province-scale optimizer solve (several minutes).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    """Run travel.py, optimizer.py (demo; --province adds the province), sweep.py, stages.py and demo_run.py in
    sequence."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--province", action="store_true", help="include the province-scale optimizer solve")
    ap.add_argument("--only", nargs="+", metavar="SCRIPT", help="run only these scripts (e.g. demo_run.py)")
    args = ap.parse_args()
    runs = [
        ["travel.py"],
        ["optimizer.py", *(["--province"] if args.province else [])],
        ["sweep.py"],
        ["stages.py"],
        ["demo_run.py"],
    ]
    if args.only:
        runs = [cmd for cmd in runs if cmd[0] in args.only or cmd[0].removesuffix(".py") in args.only]
    failed = 0
    for cmd in runs:
        print(f"\n## benchmarks/{cmd[0]} {' '.join(cmd[1:])}\n", flush=True)
        failed += subprocess.call([sys.executable, str(HERE / cmd[0]), *cmd[1:]]) != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
