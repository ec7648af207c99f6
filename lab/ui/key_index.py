"""An index of the lab's keys and commands by name: every key's binding grouped by where it works (the help
screen, with the network picture's keys), and the command palette's entries (each binding by its description, "Save
as…", the lessons and the recipes)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from textual.app import SystemCommand
from textual.binding import Binding, BindingType

from lab.core.lessons import Lesson
from lab.core.recipes import RECIPES
from lab.ui.widgets.architecture import ArchitecturePane, SettingsList
from lab.ui.widgets.inspect_view import InspectView
from lab.ui.widgets.prediction import PredictionPane
from lab.ui.widgets.table_pane import TablePane
from lab.ui.widgets.truth_table import TruthTableView

Targets = list[tuple[str, list[tuple[Binding, str | None]]]]


def _of(bindings: Sequence[BindingType], selector: str | None) -> list[tuple[Binding, str | None]]:
    """``bindings`` (``Binding`` objects, as every class here declares them) each with ``selector``."""
    return [(b, selector) for b in bindings if isinstance(b, Binding)]


def binding_targets(app_bindings: Sequence[BindingType]) -> Targets:
    """Each section's bindings with the selector of the widget whose action each runs (None: the app)."""
    return [("Anywhere", _of(app_bindings, None)),
            ("Truth table", _of(TruthTableView.BINDINGS, "#truth-table") + _of(TablePane.BINDINGS, "#table-pane")),
            ("Architecture", _of(SettingsList.BINDINGS, "#settings")
             + _of(ArchitecturePane.BINDINGS, "#architecture-pane")),
            ("Prediction", _of(PredictionPane.BINDINGS, "#prediction-pane"))]


def binding_sections(app_bindings: Sequence[BindingType]) -> list[tuple[str, list[Binding]]]:
    """Each section's bindings (the help screen): the palette's, and the network picture's, which act only on the
    picture shown and focused (so the palette, which runs a command from anywhere, leaves them out)."""
    picture = [b for b in InspectView.BINDINGS if isinstance(b, Binding)]
    return [*((title, [b for b, _ in group]) for title, group in binding_targets(app_bindings)),
            ("Network picture (v to it, tab to focus it)", picture)]


def lab_commands(app_bindings: Sequence[BindingType], run_action: Callable[[str, str | None], object],
                 lessons: Sequence[Lesson], open_lesson: Callable[[str], None], restart_lesson: Callable[[], None],
                 save_as: Callable[[], None], open_recipe: Callable[[str], None]) -> Iterable[SystemCommand]:
    """The palette's commands: each binding with a description (``run_action(action, selector)`` runs it), "Save
    as…", the lessons (``open_lesson(id)``, ``""``: the menu) and the recipes."""
    for title, group in binding_targets(app_bindings):
        for b, selector in group:
            if not b.description:
                continue

            def run(action: str = b.action, selector: str | None = selector) -> None:
                run_action(action, selector)

            yield SystemCommand(f"{b.description}", f"{title}: {b.description} (key {b.key})", run)
    yield SystemCommand("Save as…", "Save the experiment to a new file", save_as)
    yield SystemCommand("Lesson: restart", "Start the current lesson again from its first step", restart_lesson)
    yield SystemCommand("Lesson: choose a lesson", "The list of lessons, with your progress", lambda: open_lesson(""))
    for i, lesson in enumerate(lessons):
        yield SystemCommand(f"Lesson {i + 1}: {lesson.title}", f"Open lesson {i + 1} where you left it",
                            lambda lesson=lesson: open_lesson(lesson.id))  # type: ignore[misc]
    for name, r in RECIPES.items():
        yield SystemCommand(f"Recipe: {name}", f"{r.description} (watch: {r.watch})",
                            lambda name=name: open_recipe(name))  # type: ignore[misc]
