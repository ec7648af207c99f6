"""Each rule the interface shows is stated once, and what the interface lists is tied to it here."""

from __future__ import annotations

from lab.core.experiment import stepped_lr
from lab.core.lesson_setup import SPEEDS as NAMED_SPEEDS
from lab.core.lesson_setup import VIEW_NAMES
from lab.core.recipes import recipe
from lab.ui.app import LabApp
from lab.ui.file_actions import FILE_BINDINGS
from lab.ui.run import RunControl
from lab.ui.run_control import SPEEDS, speed_label
from lab.ui.widgets.inspect_view import VIEWS
from lab.ui.widgets.setting_edits import settings


def test_the_speeds_are_the_lessons_speeds_and_named_alike():
    """The speed keys step through the speeds a lesson names, in order, and the status line names each as the
    lesson does."""
    assert SPEEDS == tuple(NAMED_SPEEDS.values())
    for name, per_tick in NAMED_SPEEDS.items():
        assert speed_label(per_tick) == ("max" if name == "max" else f"{name}/tick")


def test_the_views_a_lesson_names_are_the_views_the_lab_has():
    """A lesson's ``view`` setup names the chart, the seeds or one of the network views: no more, no fewer."""
    assert set(VIEW_NAMES) == {"chart", "seeds", *VIEWS} and len(VIEW_NAMES) == len(set(VIEW_NAMES))


def test_the_learning_rate_keys_and_the_settings_arrows_step_alike():
    """``[``/``]`` and the settings list's arrows on LR take the same step (``stepped_lr``)."""
    experiment = recipe("keras-xor")
    control = RunControl(experiment)
    lr_setting = next(s for s in settings() if s.key == "lr")
    for direction in (-1, 1):
        by_key = control.lr_changed(direction)
        _, by_arrow = lr_setting.step(experiment.architecture, experiment.training, direction)
        assert by_key.training.lr == by_arrow.lr == stepped_lr(experiment.training.lr, direction)
    assert stepped_lr(stepped_lr(0.003, 1), -1) == 0.003


def test_the_priority_keys_are_the_priority_bindings():
    """The keys switched off while a dialog is open are exactly the app's actions bound with ``priority=True``."""
    bound = {b.action for b in FILE_BINDINGS if b.priority} | {b.action for b in LabApp.BINDINGS if b.priority}
    assert bound <= LabApp.PRIORITY_ACTIONS and "presets" in LabApp.PRIORITY_ACTIONS
