"""Running a piece of nnlab in a child process under limits, for the cases that would freeze or exhaust the machine
on a faulty build: a read of a named pipe (blocks for good), of a ``/dev/zero`` twin (reads until memory runs out),
a sweep of 128 GiB. The child gets an address-space cap, so a fault ends in ``MemoryError`` instead of taking the
machine with it, and a timeout, so a hang ends too; it reports its peak resident memory, which tests compare in
bytes (never in seconds)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass

HANG = 60.0  # seconds after which a child is taken to hang (a generous bound: the machine is shared)

# The peak is read from /proc/self/status (VmHWM, this process's own high-water mark): getrusage's ru_maxrss
# carries over the parent's peak across fork and exec, so a child of a large test process would report no growth.
_WRAPPER = """
import json, resource, sys

def peak():
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:")) * 1024

resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
{imports}
ready = peak()
outcome = "ok"
try:
{body}
except BaseException as e:
    outcome = type(e).__name__ + ": " + str(e)
print(json.dumps({{"outcome": outcome, "growth": peak() - ready}}))
"""


@dataclass(frozen=True)
class Outcome:
    """How a child ended: ``outcome`` is ``ok`` or ``ExceptionName: message``; ``growth`` the bytes its peak
    resident memory grew by while running the body (after the imports); ``hung`` when it was killed at ``HANG``."""

    outcome: str
    growth: int
    hung: bool = False


def run_limited(body: str, imports: str = "import lab.files.experiment_file", memory: int = 3 << 30,
                cwd: str | None = None) -> Outcome:
    """Run ``body`` (Python statements) in a child under an address-space cap of ``memory`` bytes, after
    ``imports``; the child inherits ``PYTHONPATH``, so it imports the code under test."""
    code = _WRAPPER.format(limit=memory, imports=imports, body=textwrap.indent(textwrap.dedent(body), "    "))
    try:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=HANG, cwd=cwd,
                              env=dict(os.environ))
    except subprocess.TimeoutExpired:
        return Outcome("hung", 0, hung=True)
    lines = done.stdout.strip().splitlines()
    if done.returncode or not lines:
        return Outcome(f"child failed ({done.returncode}): {done.stderr.strip()[-300:]}", 0)
    result = json.loads(lines[-1])
    return Outcome(result["outcome"], result["growth"])
