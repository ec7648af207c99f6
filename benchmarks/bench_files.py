"""What a long run costs to save and to autosave: bytes and seconds at 1 and 10 million epochs.

For a keras-xor trainer holding N epochs of history (built, not trained; two series, or four with held-out rows):
the explicit save (every epoch, packed float64: format version 2), the same history as JSON numbers (format version
1, for comparison), and the autosave (``autosave.snapshot``: a long history kept in part). For each: the capture
under the session lock, the encoding (in a worker in the app), the bytes, and reading the file back. Then the peak
memory of refusing a 60 MB malformed file (30 million numbers), in a child process.

    python benchmarks/bench_files.py                 # 1M and 10M epochs
    python benchmarks/bench_files.py --epochs 1000000 --heldout
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import resource
import subprocess
import sys
import tempfile
import time

import msgspec

from lab.core.recipes import recipe
from lab.core.train import History, Trainer
from lab.files import autosave
from lab.files import experiment_file as ef


def long_trainer(epochs: int, heldout: bool) -> Trainer:
    """A keras-xor trainer whose history holds ``epochs`` epochs of distinct, realistic values."""
    trainer = Trainer(recipe("keras-xor"))
    loss = [0.25 * math.exp(-e / 2e5) + 1e-3 / (e + 1) for e in range(epochs)]
    accuracy = [min(1.0, 0.5 + (e // 1000) * 0.25) for e in range(epochs)]
    held = [math.nan if e % 9 == 0 else v * 1.1 for e, v in enumerate(loss)] if heldout else []
    trainer.history = History(loss, accuracy, held, list(held))
    trainer.epoch = epochs
    return trainer


def timed(fn, repeat: int = 3):
    """The best of ``repeat`` timings of ``fn()`` and its last result."""
    best, result = math.inf, None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def version1_bytes(spec: ef.ExperimentSpec) -> bytes:
    """The spec encoded the old way: every history value a JSON number (null for nan), as format version 1."""
    return msgspec.json.encode(msgspec.structs.replace(spec, version=1))


def row(label: str, capture_s: float, encode_s: float, data: bytes, read_s: float | None, epochs: int) -> None:
    read = f"{read_s * 1e3:9.0f}" if read_s is not None else f"{'-':>9}"
    print(f"{label:<34} {capture_s * 1e3:10.1f} {encode_s * 1e3:10.1f} {len(data) / 2**20:10.2f} "
          f"{len(data) / epochs:9.2f} {read}")


def bench(epochs: int, heldout: bool) -> None:
    trainer = long_trainer(epochs, heldout)
    series = 4 if heldout else 2
    print(f"\n{epochs:,} epochs, {series} history series")
    print(f"{'':<34} {'capture ms':>10} {'encode ms':>10} {'MiB':>10} {'B/epoch':>9} {'read ms':>9}")
    repeat = 3 if epochs <= 1_000_000 else 1

    capture_s, spec = timed(lambda: ef.capture(trainer.experiment, trainer.state()), repeat)
    encode_s, data = timed(lambda: ef.encode(spec, indent=False), repeat)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "run.json")
        with open(path, "wb") as f:
            f.write(data)
        read_s, _ = timed(lambda: ef.read(path), 1)
    row("save (v2, packed float64)", capture_s, encode_s, data, read_s, epochs)
    del data
    old_s, old = timed(lambda: version1_bytes(spec), 1)
    row("same history as JSON numbers (v1)", capture_s, old_s, old, None, epochs)
    del old, spec
    capture_s, spec = timed(lambda: autosave.snapshot(trainer.experiment, trainer.state()), repeat)
    encode_s, data = timed(lambda: ef.encode(spec, indent=False), repeat)
    read_s, _ = timed(lambda: ef.loads(data), repeat)
    row(f"autosave (stride {spec.state.history.stride:,})", capture_s, encode_s, data, read_s, epochs)


# The child's own high-water mark (VmHWM): getrusage's ru_maxrss would carry over this large process's peak.
HOSTILE = """
import sys
from lab.core.errors import LabError
from lab.files.experiment_file import read

def peak():
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:")) / 1024

before = peak()
try:
    read(sys.argv[1])
except LabError as e:
    message = str(e)
print(peak() - before, message.partition(": ")[2])
"""


def hostile() -> None:
    """Peak memory growth of refusing a 60 MB file of 30 million numbers (a child process, measured by it)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "numbers.json")
        with open(path, "wb") as f:
            f.write(b'{"format": "nnlab-experiment", "version": 1, "table": {"inputs": 2, "outputs": ["0110"]}, '
                    b'"state": {"epoch": 1, "lr": 0.1, "weights": {}, "history": {"loss": [')
            f.write(b"0," * 29_999_999 + b"0]}}}")
        out = subprocess.run([sys.executable, "-c", HOSTILE, path], capture_output=True, text=True, check=True)
        growth, _, message = out.stdout.strip().partition(" ")
        print(f"\nrefusing a {os.path.getsize(path) / 1e6:.0f} MB file of 30 million numbers: peak memory grew "
              f"{float(growth):.0f} MiB ({message})")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, nargs="*", default=[1_000_000, 10_000_000])
    p.add_argument("--heldout", action="store_true", help="four history series instead of two")
    args = p.parse_args()
    for epochs in args.epochs:
        bench(epochs, args.heldout)
    hostile()
    print(f"\nthis process's peak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
