"""CPU time of a command and of everything it starts, Chromium's processes included.

``time make test`` counts the processes that ``make`` waits for. The browser checks start
Chromium through Playwright's driver, whose processes that count leaves out: on this book's
test run, about half of the CPU. This runs a command inside a cgroup of its own (cgroup v2's
``cpu.stat``, or v1's ``cpuacct``), which accounts for every process the command starts, and
prints the wall time, that CPU time and the two-core floor (CPU / 2), the least wall time the
run could take on two cores.

Needs a writable cgroup hierarchy (root, as in CI); otherwise it says so and runs the command
with the wall time only.

    .venv/bin/python benchmarks/bench_make_test.py make test
    .venv/bin/python benchmarks/bench_make_test.py .venv/bin/python -m pytest -n 3 -m "site or browser"
    .venv/bin/python benchmarks/bench_make_test.py --smoke      # times `true`
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

V2 = Path("/sys/fs/cgroup")
V1 = Path("/sys/fs/cgroup/cpuacct")


def _group() -> tuple[Path, str] | None:
    """A new cgroup to run in, and how to read its CPU: ``(folder, "v1" or "v2")``, or None."""
    name = f"bench-make-test-{os.getpid()}"
    for root, kind in ((V1, "v1"), (V2, "v2")):
        probe = root / ("cpuacct.usage" if kind == "v1" else "cgroup.controllers")
        if not probe.exists():
            continue
        try:
            (root / name).mkdir()
        except OSError:
            continue
        return root / name, kind
    return None


def _cpu_seconds(group: Path, kind: str) -> float:
    if kind == "v1":
        return int((group / "cpuacct.usage").read_text()) / 1e9
    stat = dict(line.split() for line in (group / "cpu.stat").read_text().splitlines())
    return int(stat["usage_usec"]) / 1e6


def run(command: list[str]) -> int:
    """Run ``command`` in a cgroup of its own; print wall and CPU seconds; return its exit code."""
    found = _group()
    start = time.perf_counter()
    if found is None:
        code = subprocess.call(command)
        print(
            f"== {' '.join(command)}: wall {time.perf_counter() - start:.0f} s (no writable cgroup: CPU not measured)"
        )
        return code
    group, kind = found

    def enter():  # in the child, before exec: join the group, so everything it starts is counted
        (group / "cgroup.procs").write_text(str(os.getpid()))

    try:
        code = subprocess.call(command, preexec_fn=enter)
        wall, cpu = time.perf_counter() - start, _cpu_seconds(group, kind)
    finally:
        try:
            group.rmdir()
        except OSError:
            pass  # still holds a process that outlived the command; the kernel keeps it until then
    print(
        f"== {' '.join(command)}: wall {wall:.0f} s, CPU {cpu:.0f} s (every process it started);"
        f" two-core floor {cpu / 2:.0f} s"
    )
    return code


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="time `true`: does it still work?")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command to time")
    args = parser.parse_args(argv)
    command = ["true"] if args.smoke else args.command
    if not command:
        parser.error("give a command to time, such as: make test")
    return run(command)


if __name__ == "__main__":
    sys.exit(main())
