"""Run gunicorn or the `xinfang` command on the test's clock: `python -m tests.deploy.pinned_clock gunicorn …` or
`… xinfang sweep_deadlines`. The servers and commands tests/deploy starts see the same "today" as the test
that built their data (tests/conftest.py pins it): TEST_PINNED_CLOCK="<the test's now, ISO> <real epoch then>"
starts the process at that moment plus the real time that passed since, ticking. gunicorn's workers are forks,
so they keep the pin; its liveness check reads the monotonic clock, which is not pinned. S3 signatures keep
the real time (the object store checks them against its own clock: tests/storage/seaweed.py)."""

import os
import sys
import time
from datetime import datetime, timedelta


def main() -> None:
    import botocore.auth
    import time_machine

    from tests.storage import seaweed

    pinned, real_then = os.environ["TEST_PINNED_CLOCK"].split()
    start = datetime.fromisoformat(pinned) + timedelta(seconds=time.time() - float(real_then))
    time_machine.travel(start, tick=True).start()
    botocore.auth.get_current_datetime = seaweed.signing_clock
    program, *args = sys.argv[1:]
    sys.argv = [program, *args]
    if program == "gunicorn":
        from gunicorn.app.wsgiapp import run

        run()
    elif program == "xinfang":
        from xinfang.cli import main as xinfang

        xinfang()
    else:
        raise SystemExit(f"unknown program {program!r}")


if __name__ == "__main__":
    main()
