"""The interface's tuning: how the app shares two cores and one interpreter with the thread that trains.

Each figure is a trade between the person's keys and the trainer's throughput, chosen on a loaded 2-core machine (the
README's performance section and ``benchmarks/bench_app.py`` give the measurements behind them). They are settings,
not laws: ``LabApp(tuning=Tuning(...))`` changes them for one app (a test that must not depend on a deadline, a
slow link that wants fewer redraws), and nothing here is read from or written to the process.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tuning:
    """The scheduling settings of one app (every time in seconds).

    Attributes:
        max_hold: the longest a key press or a big repaint pauses the trainer; a release lost on the way costs
            no more than this.
        held_switch_interval: while held, how long another thread may keep the interpreter before handing it to the
            interface thread (``sys.setswitchinterval``; the interpreter's own, 5 ms, comes back when the hold ends).
        paint_hold_cells: a repaint of at least this many cells holds the trainer until it is painted; smaller ones
            are not worth the trainer's wait for the frame.
        input_quiet: a paced redraw (the chart, the views) waits until the person's keys have paused this long...
        max_defer: ...but never more than this past its turn.
        picture_frames: the chart and the views redraw once per this many status updates.
        cost_factor: a paced redraw comes no sooner than this many times the last one's cost after it (the
            interface spends at most about ``1 / cost_factor`` of its time building pictures).
        default_fps: status updates a second unless the person chose (``--fps``).
        min_fps: the fewest status updates a second the person may choose.
        max_fps: the most status updates a second the person may choose.
        tick: one tick of the throttled trainer: a speed is in epochs per tick.
        chunk: the trainer runs in chunks of about this long, the longest the interface waits for the training
            lock, and the gap at which a hold is seen.
        burst: unthrottled, the trainer rests after training this long...
        rest: ...for this long, so the interface thread has the interpreter to itself now and then.
        max_chunk: the most epochs in one chunk.
        health_interval: the least time between two weight-norm samples while training.
        grace: from a signal or a hangup to the forced end of the process (the promise is 2 s, and a loaded machine
            delays both the signal's handler and the end).
        last_limit: how long the forced exit gives its last act (putting the terminal back).
        autosave_interval: seconds between two autosaves of a run that changed.
        seeds_update_interval: the seeds sweep posts its progress at most this often.
        tune_update_interval: the tune search posts its progress at most this often.
        chart_min_interval: the chart redraws at most this often (the app paces it by ``picture_frames``).
    """

    max_hold: float = 0.05
    held_switch_interval: float = 0.0005
    paint_hold_cells: int = 1000
    input_quiet: float = 0.15
    max_defer: float = 0.5
    picture_frames: int = 2
    cost_factor: float = 8.0
    default_fps: float = 10.0
    min_fps: float = 0.5
    max_fps: float = 30.0
    tick: float = 0.1
    chunk: float = 0.002
    burst: float = 0.02
    rest: float = 0.001
    max_chunk: int = 10_000
    health_interval: float = 0.02
    grace: float = 1.0
    last_limit: float = 0.2
    autosave_interval: float = 3.0
    seeds_update_interval: float = 0.25
    tune_update_interval: float = 0.1
    chart_min_interval: float = 0.1

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if not value > 0:
                raise ValueError(f"tuning: {name} must be above 0, got {value!r}")

    def clamp_fps(self, fps: float | None) -> float:
        """``fps`` within ``min_fps`` and ``max_fps`` (None: ``default_fps``)."""
        return min(max(self.default_fps if fps is None else fps, self.min_fps), self.max_fps)
