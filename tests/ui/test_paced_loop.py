"""The one paced, cancellable worker loop behind training and sweeps (``lab.ui.training_loop.paced_loop``), driven
headless with the real session, trainer and sweep: it runs to the end and reports once more, stops on cancellation
between epochs, waits before every chunk, and turns the core's refusal into one failure message."""

from __future__ import annotations

from lab.core.recipes import recipe
from lab.tuning import Tuning
from lab.ui.messages import SweepFailed, SweepProgress, TrainingFailed, TrainingProgress
from lab.ui.run import Session, train_loop
from lab.ui.sweep_loop import sweep_loop
from lab.ui.training_loop import paced_loop


def test_training_runs_to_the_budget_and_reports_last_as_stopped():
    """Unthrottled, the loop trains every epoch of the budget and its last message says it stopped there."""
    session = Session(recipe("keras-xor").with_training(epochs=300))
    session.epochs_per_tick = 0
    posted: list[object] = []
    train_loop(session, lambda: False, posted.append)
    last = posted[-1]
    assert isinstance(last, TrainingProgress) and not last.snapshot.running
    assert last.snapshot.epoch == session.trainer.epoch == 300 and session.trainer.status == "budget"


def test_cancelling_stops_between_epochs_and_still_reports():
    """A cancel seen before an epoch ends the loop there; the final report follows."""
    session = Session(recipe("keras-xor").with_training(epochs=10_000))
    session.epochs_per_tick = 0
    polls = {"n": 0}

    def cancelled() -> bool:
        polls["n"] += 1
        return polls["n"] > 40

    posted: list[object] = []
    train_loop(session, cancelled, posted.append)
    assert 0 < session.trainer.epoch < 10_000
    assert isinstance(posted[-1], TrainingProgress) and not posted[-1].snapshot.running


def test_the_core_refusing_to_train_is_one_failure_message():
    """Every row held out: one ``TrainingFailed`` carrying the core's line, and nothing after it."""
    experiment = recipe("keras-xor")
    session = Session(experiment.with_table(experiment.table.with_heldout({0, 1, 2, 3})))
    posted: list[object] = []
    train_loop(session, lambda: False, posted.append)
    assert len(posted) == 1 and isinstance(posted[0], TrainingFailed)
    assert posted[0].error == "every row is held out: keep at least one row to train on"
    sweep_posted: list[object] = []
    table = experiment.table.with_heldout({0, 1, 2, 3})
    sweep_loop(3, experiment.with_table(table), range(4), lambda: False, sweep_posted.append)
    assert len(sweep_posted) == 1 and isinstance(sweep_posted[0], SweepFailed) and sweep_posted[0].run_id == 3


def test_wait_comes_before_every_chunk_and_chunks_are_bounded():
    """``wait`` is called before every call of ``advance``, each asks for at most ``max_chunk`` epochs, and the loop
    ends when the work says it is finished, reporting once more."""
    calls: list[tuple[str, int]] = []
    done = {"epochs": 0}

    def advance(n: int) -> tuple[int, bool]:
        calls.append(("advance", n))
        done["epochs"] += n
        return n, done["epochs"] >= 50

    reports: list[bool] = []
    paced_loop(advance, lambda: False, reports.append, lambda message: None,
               wait=lambda: calls.append(("wait", 0)), max_chunk=3)
    kinds = [kind for kind, _ in calls]
    assert kinds == ["wait", "advance"] * (len(kinds) // 2)
    assert all(n <= 3 for kind, n in calls if kind == "advance") and done["epochs"] >= 50
    assert reports[-1] is False


def test_a_sweep_reports_its_progress_and_finishes():
    """The sweep worker, in the same loop, ends with a finished update covering every epoch."""
    posted: list[object] = []
    sweep_loop(1, recipe("keras-xor").with_training(epochs=40), range(3), lambda: False, posted.append)
    assert all(isinstance(p, SweepProgress) for p in posted)
    last = posted[-1].update
    assert last.finished and not last.running and last.stats.epoch == 40


def test_the_loop_paces_itself_by_the_tuning_it_is_given():
    """Throttled to 5 epochs a tick, the loop asks for no more than 5 at a time and waits out each tick
    (``Tuning.tick``) before the next: a tick of an hour means a cancel ends the loop in that first wait."""
    asked: list[int] = []
    polls = {"n": 0}

    def advance(n: int) -> tuple[int, bool]:
        asked.append(n)
        return n, False

    def cancelled() -> bool:
        polls["n"] += 1
        return len(asked) > 0 and polls["n"] > 20

    reports: list[bool] = []
    paced_loop(advance, cancelled, reports.append, lambda message: None, per_tick=lambda: 5,
               tuning=Tuning(tick=3600.0, rest=0.0005))
    assert sum(asked) == 5 and all(n <= 5 for n in asked) and reports == [False]


def test_reports_come_at_most_every_interval_by_the_clock():
    """Each chunk takes 10 ms by the loop's clock: with reports at most every 0.1 s, 300 chunks (3 s) give about 30
    running reports, each at least the interval after the one before, and the final one."""
    now = {"t": 0.0}
    times: list[tuple[float, bool]] = []
    done = {"epochs": 0}

    def advance(n: int) -> tuple[int, bool]:
        now["t"] += 0.01
        done["epochs"] += 1
        return 1, done["epochs"] >= 300

    paced_loop(advance, lambda: False, lambda running: times.append((now["t"], running)), lambda message: None,
               interval=0.1, max_chunk=1, clock=lambda: now["t"])
    running = [t for t, r in times if r]
    assert 25 <= len(running) <= 31 and times[-1][1] is False
    assert all(later - earlier >= 0.1 - 1e-9 for earlier, later in zip(running, running[1:], strict=False))


def test_reports_wait_for_the_interval_and_the_last_always_comes():
    """``report`` is held back until ``interval`` has passed since the last one: with an interval no run outlasts,
    the only report is the final one; with none, every epoch of a chunk-per-epoch sweep is reported as it runs."""
    experiment = recipe("keras-xor").with_training(epochs=30)
    held: list[object] = []
    sweep_loop(1, experiment, range(3), lambda: False, held.append, interval=float("inf"))
    assert len(held) == 1 and isinstance(held[0], SweepProgress)
    assert not held[0].update.running and held[0].update.stats.epoch == 30
    every: list[object] = []
    sweep_loop(1, experiment, range(3), lambda: False, every.append, interval=0.0)
    assert [p.update.stats.epoch for p in every if isinstance(p, SweepProgress)] == list(range(1, 31))
