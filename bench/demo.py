"""Time `xinfang load_demo` into a fresh SQLite database (goal: under 60 s wall on 2 idle cores).

    .venv/bin/python bench/demo.py [--repeat 1] [--source DIR]

Each run migrates a new database in a temporary XINFANG_VAR_DIR (not timed), then times `xinfang load_demo` in a
child process and prints its wall time and the child's user and system CPU time (CPU time is the fairer figure
on a machine shared with other work). `--source DIR` times another checkout of the code with this virtualenv
(e.g. a `git worktree` of an older commit, for a before/after comparison).
"""

import argparse
import base64
import os
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_once(source: Path) -> tuple[float, float, float]:
    var = Path(tempfile.mkdtemp(prefix="xinfang-bench-demo-"))
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # the SQLite file in var/
    env |= {"XINFANG_VAR_DIR": str(var), "PYTHONPATH": str(source), "SECRET_KEY": secrets.token_urlsafe(50)}
    env["XINFANG_PII_KEYS"] = "k1:" + base64.b64encode(secrets.token_bytes(32)).decode()  # issue 14 (E004)
    env["XINFANG_DEMO"] = "1"  # issue 14: load_demo refuses without it (older versions ignore it)
    manage = [sys.executable, "-c", "from xinfang.cli import main; main()"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=source, env=env, check=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    # -v0, and its output discarded: older versions print every SMS of the demo petitioners
    subprocess.run([*manage, "load_demo", "-v0"], cwd=source, env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--source", type=Path, default=ROOT, help="checkout to time (default: this one)")
    args = parser.parse_args()
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load_demo into a fresh SQLite database — {args.source} (load average before: {load})")
    for i in range(args.repeat):
        wall, user, system = run_once(args.source.resolve())
        print(f"run {i + 1}: wall {wall:6.1f} s   user CPU {user:6.1f} s   system CPU {system:5.1f} s")


if __name__ == "__main__":
    main()
