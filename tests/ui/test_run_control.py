"""Unit tests of the run's commands without the interface: ``RunControl`` around a real ``Session`` and ``Trainer``,
``ViewChoice``'s order of views, and the seeds a sweep may run (``sweep_seeds``)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from lab.core.errors import LabError
from lab.core.experiment import MAX_LR, Architecture, Experiment, Layer, Training
from lab.core.gates import preset
from lab.core.train import Trainer
from lab.ui.messages import DIVERGED, IDLE, PAUSED, SOLVED, TRAINING
from lab.ui.run import RunControl
from lab.ui.run_control import SPEEDS, Note, pace_text, speed_for
from lab.ui.sweep_loop import MAX_SEEDS, sweep_experiment, sweep_seeds
from lab.ui.view_choice import ViewChoice


def xor(**training) -> Experiment:
    """XOR on a 2-4-1 tanh network that solves within a few hundred epochs."""
    settings = dict(loss="mse", optimizer="adam", lr=0.05, epochs=2000, seed=1) | training
    return Experiment(preset("xor"), Architecture((Layer(4, "tanh"),), "sigmoid"), Training(**settings), name="xor")


def test_state_follows_the_run():
    """idle before an epoch, paused after a step, training while the worker runs, solved once the stop rule fired,
    diverged when the weights blew up."""
    control = RunControl(xor(stop="solved"))
    assert control.state(running=False) == IDLE
    control.step()
    assert control.state(running=False) == PAUSED and control.state(running=True) == TRAINING
    control.trainer.run(epochs=2000)
    assert control.trainer.solved_epoch is not None and control.state(running=False) == SOLVED
    blown = RunControl(replace(xor(optimizer="sgd", lr=50.0), architecture=Architecture((Layer(16, "relu"),),
                                                                                       "linear")))
    blown.trainer.run(epochs=1000)
    assert blown.trainer.diverged_epoch is not None and blown.state(running=False) == DIVERGED


def test_a_step_trains_one_epoch_and_marks_the_run_changed():
    control = RunControl(xor())
    step = control.step()
    assert step.snapshot is not None and step.snapshot.epoch == 1 and step.note is None
    assert control.trainer.epoch == 1 and control.dirty
    assert len(step.snapshot.history.loss) == 1


def test_a_step_after_the_budget_says_the_run_is_over():
    control = RunControl(xor(epochs=3))
    for _ in range(3):
        control.step()
    step = control.step()
    assert step.snapshot is None and control.trainer.epoch == 3
    assert step.note == Note("The run is over (budget or stop rule): press r to reset.", "warning")


def test_training_is_refused_with_the_reason_and_the_way_out():
    """A spent budget, a fired stop rule and a table with every row held out each refuse to start, in one line."""
    spent = RunControl(xor(epochs=2))
    spent.trainer.run(epochs=2)
    note = spent.start_refusal()
    assert note is not None and note.text.startswith("The budget of 2 epochs is spent") and note.severity == "warning"
    fired = RunControl(xor(stop="solved"))
    fired.trainer.run(epochs=2000)
    note = fired.start_refusal()
    assert note is not None and note.text.startswith("The stop rule 'solved' has fired")
    held = xor()
    held = held.with_table(replace(held.table, heldout=frozenset(range(4))))
    note = RunControl(held).start_refusal()
    assert note is not None and note.severity == "error" and note.text.endswith("(h toggles a row's hold).")
    assert note.text[0].isupper()
    assert RunControl(xor()).start_refusal() is None


def test_the_discard_question_is_asked_only_when_trained_work_would_be_lost():
    control = RunControl(xor())
    assert control.discard_question("Reset") is None  # nothing trained
    control.step()
    assert control.discard_question("Reset") == "Reset: discard the trained weights (1 epochs, not saved)?"
    control.mark_saved()
    assert control.discard_question("Reset") is None  # as it was saved
    control.step()
    assert control.discard_question("Reset") is not None


def test_a_loaded_trainer_counts_as_saved_until_it_trains():
    trainer = Trainer(xor())
    trainer.run(epochs=5)
    control = RunControl(xor(), trainer, saved=True)
    assert control.experiment == trainer.experiment and control.discard_question("Open") is None
    control.step()
    assert control.discard_question("Open") is not None


def test_a_change_the_network_can_take_is_applied_live_and_a_new_shape_is_not():
    control = RunControl(xor())
    control.step()
    faster = control.experiment.with_training(lr=0.1)
    snapshot = control.apply(faster, running=False)
    assert snapshot is not None and control.trainer.lr == 0.1 and control.trainer.epoch == 1
    assert control.experiment == faster
    wider = faster.with_architecture(layers=(Layer(8, "tanh"),))
    assert control.apply(wider, running=False) is None
    assert control.experiment == faster and control.trainer.epoch == 1
    reset = control.reset(wider)
    assert reset.epoch == 0 and control.experiment == wider and control.session.run_id == 1


def test_an_edit_of_the_table_rescores_the_last_epoch_until_the_next():
    """After a flipped bit, the accuracy shown is the network's on the new table, not the one the epoch scored."""
    control = RunControl(xor())
    control.trainer.run(epochs=600)
    assert control.scores()[0] == 1.0
    flipped = control.experiment.table.flip(0, 0)
    control.apply(control.experiment.with_table(flipped), running=False)
    assert control.scores()[0] == 0.75
    control.step()
    assert control.rescored != (control.session.run_id, control.trainer.epoch)


def test_the_learning_rate_halves_and_doubles_and_says_why_it_cannot():
    control = RunControl(xor(lr=0.05))
    halved = control.lr_changed(-1)
    assert isinstance(halved, Experiment) and halved.training.lr == 0.025
    doubled = control.lr_changed(1)
    assert isinstance(doubled, Experiment) and doubled.training.lr == 0.1
    control.experiment = xor(lr=MAX_LR)
    refused = control.lr_changed(1)
    assert isinstance(refused, Note) and refused.severity == "warning"


def test_speed_moves_through_the_steps_and_stops_at_the_ends():
    control = RunControl(xor())
    control.session.epochs_per_tick = SPEEDS[0]
    control.change_speed(-1)
    assert control.session.epochs_per_tick == SPEEDS[0]
    for _ in range(len(SPEEDS) + 2):
        control.change_speed(1)
    assert control.session.epochs_per_tick == 0  # unthrottled


def test_the_budget_sets_the_pace():
    """A long budget raises the speed to train within the limit; a short one keeps it."""
    control = RunControl(xor(epochs=15_000))
    control.session.epochs_per_tick = 20
    assert control.pace_budget() == "15,000 epochs at 100/tick: about 15 s"
    assert control.session.epochs_per_tick == 100
    assert speed_for(100, 20) == 20 and pace_text(10, 0) == "10 epochs at full speed"


def test_the_worker_s_last_snapshot_says_how_the_run_ended():
    control = RunControl(xor(epochs=3))
    control.trainer.run(epochs=3)
    with control.session.lock:
        snapshot = control.session.snapshot(False)
    note = control.finished_note(snapshot)
    assert note is not None and note.text == "The budget of 3 epochs is spent without solving the gate."
    assert control.finished_note(replace(snapshot, running=True)) is None


def test_views_cycle_in_order_and_a_wide_screen_keeps_the_chart():
    choice = ViewChoice(("picture", "units"))
    assert choice.next(wide=False, lesson_open=False) == "picture"
    choice.choose("seeds", wide=False)
    assert choice.next(wide=False, lesson_open=False) == "chart"
    assert choice.next(wide=False, lesson_open=True) == "lesson"
    choice.choose("chart", wide=True)
    place = choice.placement(wide=True, lesson_open=False)
    assert place.chart and place.side == "seeds" and choice.last == "seeds"
    choice.choose("lesson", wide=False)
    assert choice.placement(wide=False, lesson_open=True).lesson
    assert not choice.placement(wide=False, lesson_open=True).views
    choice.lesson_closed()
    assert choice.view == "seeds"


def test_a_sweep_runs_the_seeds_from_the_experiment_s_up_and_refuses_too_many():
    assert sweep_seeds(xor(seed=5), 3) == range(5, 8)
    with pytest.raises(LabError, match="press K for fewer seeds"):
        sweep_seeds(xor(seed=2**32 - 2), 10)
    big = xor().with_architecture(layers=(Layer(64, "relu"),) * 4)
    with pytest.raises(LabError, match=r"^10,000 seeds of this 12,737-parameter network need about"):
        sweep_seeds(big, MAX_SEEDS)
    assert sweep_experiment(xor(stop="budget")).training.stop == "solved"
