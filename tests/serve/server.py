"""A real ``nnlab serve`` for the attack tests: started in a subprocess on a free port, ended with its labs."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

TOKEN = "attack-suite-token-0123456789abcdef"
WHOLE_TEST = 240.0  # seconds for a test's talk with its server, on a loaded 2-core machine


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Served:
    """A running server: its base URL (no token), port, process, files folder and output log."""

    url: str
    port: int
    process: subprocess.Popen
    files: Path
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def labs(self) -> list[int]:
        """The pids of the labs this server runs (its children, Linux /proc)."""
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid and fields[0] != "Z":
                found.append(int(stat.parent.name))
        return found


@asynccontextmanager
async def serve(tmp_path: Path, env: dict[str, str], *flags: str, token_in_env: bool = True) -> AsyncIterator[Served]:
    """``nnlab serve --port P --files tmp/files FLAGS`` with the token ``TOKEN`` (in ``NNLAB_SERVE_TOKEN`` unless
    ``token_in_env`` is false, then as ``--token``), until it listens; SIGINT then SIGKILL to its group after."""
    port = free_port()
    files = tmp_path / "files"
    log = tmp_path / f"serve-{port}.log"
    env = env | {"NNLAB_STATE_DIR": str(tmp_path / "state")}
    argv = [sys.executable, "-m", "lab", "serve", "--port", str(port), "--files", str(files), *flags]
    if token_in_env:
        env["NNLAB_SERVE_TOKEN"] = TOKEN
    else:
        argv += ["--token", TOKEN]
    with log.open("wb") as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=tmp_path,
                                start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, f"nnlab serve exited: {log.read_text(errors='replace')}"
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.close()
                break
            except OSError:
                assert time.monotonic() < deadline, "nnlab serve did not listen within 60 s"
                await asyncio.sleep(0.1)
        async with asyncio.timeout(WHOLE_TEST):  # a test that would hang fails instead
            yield Served(f"http://127.0.0.1:{port}", port, proc, files, log)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
