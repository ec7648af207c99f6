"""A search on a Dask cluster: ``nnlab tune --cluster tcp://HOST:8786`` (or ``NNLAB_CLUSTER``).

Dask distributed is the scheduler; nnlab writes none. ``cluster_executor`` connects a ``distributed.Client`` to a
running scheduler and hands the search its ``get_executor()``, a ``concurrent.futures.Executor``: the search runs
it through the same ``results_as_done`` as its local pool (``lab.core.sweep_jobs``), each configuration one task,
so a cluster's numbers are the local run's (every member is ``Sweep`` run on one BLAS thread in some process; only
the seconds differ). Dask is the optional extra ``neural-gate-lab[cluster]``; nothing else imports it, and this
module imports it only when a cluster is asked for.

What can go wrong, each one line (``LabError``), the configurations done so far kept and printed by the caller:

- no Dask here: how to install it;
- no scheduler at the address (or it does not answer within ``CONNECT_SECONDS``): the address and why;
- the scheduler goes away mid-search: the client loses it (``alive``), or the futures are cancelled;
- workers die: Dask gives a dead worker's task to another (a task that killed ``allowed-failures`` workers fails as
  ``KilledWorker``); when no worker is left for ``NO_WORKERS_SECONDS`` the search ends instead of waiting forever;
- a worker without nnlab (Dask would end it when it cannot unpickle its task): found when the client connects, by
  asking every worker to import nnlab, and refused with ``No module named 'lab'`` and the fix.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass
from types import ModuleType

from lab.core.errors import LabError, RunFailure

ENV = "NNLAB_CLUSTER"  # the scheduler's address when --cluster is not given
CONNECT_SECONDS = 10.0  # to reach the scheduler
CHECK_EVERY = 1.0  # seconds between health checks while a search waits
NO_WORKERS_SECONDS = 20.0  # a cluster with no worker this long ends the search
INSTALL = 'pip install "neural-gate-lab[cluster]"'


def cluster_address(flag: str | None) -> str | None:
    """The scheduler's address: ``--cluster``, else ``NNLAB_CLUSTER``, else None (train here). An empty value is
    none."""
    address = flag if flag is not None else os.environ.get(ENV)
    return address.strip() or None if address is not None else None


@dataclass
class Cluster:
    """A connected cluster: its executor, how many tasks it runs at once, and its health check.

    Attributes:
        address: the scheduler's address.
        executor: the client's ``concurrent.futures`` executor (each task a fresh key: ``pure=False``).
        threads: worker threads on the cluster when it connected (the tasks it runs at once).
        alive: None while the cluster can finish the search, else why not, in one line (see the module notes).
    """

    address: str
    executor: Executor
    threads: int
    alive: Callable[[], str | None]


def explain(message: str, address: str) -> str:
    """A cluster task's failure (``WorkerFailed.how``-style text) with the fix when a worker lacks nnlab."""
    if "No module named 'lab'" in message:
        return (f"{message}: a worker of the cluster at {address} cannot import nnlab; install neural-gate-lab "
                "(the same version) on every worker")
    if "was cancelled by the executor" in message:
        return f"{message}: the Dask scheduler at {address} went away or dropped the search"
    return message


def require_dask() -> ModuleType:
    """Dask's ``distributed`` module, or a ``RunFailure`` naming the extra to install (exit status 1: not bad input
    but a missing optional part)."""
    try:
        import distributed
    except ImportError:
        raise RunFailure(f"--cluster: Dask is not installed here: {INSTALL}") from None
    return distributed


@contextmanager
def cluster_executor(address: str) -> Iterator[Cluster]:
    """A client of the Dask scheduler at ``address`` for the length of the block, closed after it. Dask's own log
    (tracebacks of a lost connection) is held back meanwhile: a failure is the search's one line.

    Raises:
        LabError: Dask is not installed, the scheduler cannot be reached, or it has no worker within
            ``CONNECT_SECONDS``, in one line.
    """
    distributed = require_dask()
    logs = [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)
            if name == "distributed" or name.startswith("distributed.")]
    levels = [log.level for log in logs]
    for log in logs:
        log.setLevel(logging.CRITICAL + 1)
    try:
        try:
            client = distributed.Client(address, timeout=CONNECT_SECONDS, set_as_default=False)
        except (OSError, TimeoutError, ValueError, TypeError) as e:
            raise LabError(f"--cluster: cannot reach a Dask scheduler at {address} ({type(e).__name__}: {e})"
                           ) from None
        try:
            try:
                client.wait_for_workers(1, timeout=CONNECT_SECONDS)
            except TimeoutError:
                raise LabError(f"--cluster: the Dask scheduler at {address} has no worker "
                               f"(waited {CONNECT_SECONDS:.0f} s): start some with dask worker {address}") from None
            _check_workers(client, address)
            threads = sum(client.nthreads().values())
            yield Cluster(address, client.get_executor(pure=False), threads, _health(client, address))
        finally:
            client.close(timeout=CONNECT_SECONDS)
    finally:
        for log, level in zip(logs, levels, strict=True):
            log.setLevel(level)


def _check_workers(client, address: str) -> None:
    """Refuse a cluster whose workers cannot import nnlab: Dask ends a worker that cannot unpickle its task, so
    the search would only see its workers vanish.

    Raises:
        LabError: naming the first such worker and the fix.
    """
    def probe() -> bool:  # sent by value (a nested function): it needs nothing of nnlab to arrive
        import lab.core.tune  # noqa: F401

        return True

    for worker, answer in client.run(probe, on_error="return").items():
        if isinstance(answer, BaseException):
            raise LabError(explain(f"--cluster: worker {worker} failed: {type(answer).__name__}: {answer}",
                                   address))


def _health(client, address: str) -> Callable[[], str | None]:
    """The cluster's health check, asking the scheduler at most every ``CHECK_EVERY`` seconds."""
    last = 0.0
    empty_since: float | None = None

    def alive() -> str | None:
        nonlocal last, empty_since
        now = time.monotonic()
        if now - last < CHECK_EVERY:
            return None
        last = now
        if client.status != "running":
            return f"cluster: the Dask scheduler at {address} went away (client {client.status})"
        try:
            workers = len(client.nthreads())
        except Exception as e:  # noqa: BLE001 (any failure to ask the scheduler is the scheduler gone)
            return f"cluster: the Dask scheduler at {address} went away ({type(e).__name__}: {e})"
        if workers:
            empty_since = None
            return None
        empty_since = now if empty_since is None else empty_since
        if now - empty_since >= NO_WORKERS_SECONDS:
            return f"cluster: no Dask worker at {address} for {NO_WORKERS_SECONDS:.0f} s"
        return None

    return alive


__all__ = ["CONNECT_SECONDS", "ENV", "Cluster", "cluster_address", "cluster_executor", "explain"]
