"""The open-ended budget: ``epochs`` 0 trains until stopped, in the core, the file, the CLI and the lab's settings."""

from __future__ import annotations

import json

import pytest

from lab.core.errors import LabError
from lab.core.experiment import MAX_EPOCHS, UNTIL_STOPPED, Training, budget_text
from lab.core.recipes import recipe
from lab.core.sweep_summary import configuration_label
from lab.core.train import Trainer
from lab.core.tune import Plan
from lab.core.tune_space import SearchSpace
from lab.files import experiment_file as ef
from lab.ui.widgets.setting_edits import settings


def test_zero_epochs_trains_until_the_stop_rule():
    """A run until stopped ends by its stop rule, past where any small budget would have ended it; its budget is
    the most epochs a run may take."""
    training = Training(epochs=UNTIL_STOPPED, stop="solved", lr=0.05)
    assert training.until_stopped and training.budget == MAX_EPOCHS and budget_text(0) == "until stopped"
    trainer = Trainer(recipe("keras-xor").with_training(epochs=UNTIL_STOPPED, stop="solved", lr=0.05))
    assert trainer.run() == "solved" and trainer.epoch == trainer.solved_epoch
    bounded = Trainer(recipe("keras-xor").with_training(epochs=UNTIL_STOPPED, lr=0.05))
    bounded.run(epochs=3)
    assert bounded.epoch == 3 and not bounded.done


def test_a_file_keeps_until_stopped():
    """``"epochs": 0`` is written and read back as a run until stopped."""
    experiment = recipe("keras-xor").with_training(epochs=UNTIL_STOPPED)
    data = ef.dumps(experiment)
    assert json.loads(data)["training"]["epochs"] == 0
    assert ef.loads(data)[0].training.until_stopped


def test_a_search_needs_a_budget():
    """A hyperparameter search compares runs of one budget: until stopped is refused in one line."""
    base = recipe("keras-xor").with_training(epochs=UNTIL_STOPPED)
    with pytest.raises(LabError, match="a search compares runs of one budget"):
        Plan(SearchSpace(base, {}), strategy="grid", seeds=4)


def test_the_epochs_setting_steps_and_types_until_stopped():
    """Right past 1,000,000 is ``until stopped`` and left of it 1,000,000 again; typed, ``until stopped`` is taken."""
    epochs = next(s for s in settings() if s.key == "epochs")
    a, t = recipe("keras-xor").architecture, Training(epochs=1_000_000)
    _, up = epochs.step(a, t, 1)
    assert up.until_stopped and epochs.show(a, up) == "until stopped"
    assert epochs.step(a, up, -1)[1].epochs == 1_000_000
    assert epochs.step(a, up, 1)[1].until_stopped
    assert epochs.parse is not None
    assert epochs.parse(a, t, " Until  Stopped ")[1].until_stopped
    assert epochs.parse(a, t, "15,000")[1].epochs == 15_000
    assert "until stopped" in configuration_label(recipe("keras-xor").with_training(epochs=0))
