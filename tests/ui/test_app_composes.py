"""The app only composes and routes: each feature it hands keys and messages to is an object of its own, tested
here without an app (when a key works, the theme's memory, the leaving once), and the app stays small."""

from __future__ import annotations

import threading
from pathlib import Path

import lab.ui.app
from lab.ui import settings
from lab.ui.app import LabApp
from lab.ui.key_rules import RUN_ACTIONS, key_allowed
from lab.ui.process import LeaveOnce
from lab.ui.themes import ThemeMemory

PRIORITY = LabApp.PRIORITY_ACTIONS


def allowed(action: str, tune_open: bool = False, dialog_open: bool = False, text_focused: bool = False,
            stepping: bool = False) -> bool | None:
    return key_allowed(action, PRIORITY, tune_open, dialog_open, text_focused, lambda: stepping)


def test_app_py_is_under_400_lines():
    """Issue 26: an app that only composes (the features are their owners' modules)."""
    assert len(Path(lab.ui.app.__file__).read_text().splitlines()) < 400


def test_every_run_key_is_off_behind_the_tune_screen_and_on_elsewhere():
    for action in RUN_ACTIONS - {"lesson_step"}:
        assert allowed(action, tune_open=True) is False
        assert allowed(action) is None  # as Textual decides


def test_the_priority_keys_are_off_while_a_dialog_is_open_and_export_in_a_text_line():
    for action in PRIORITY:
        assert allowed(action, dialog_open=True) is False
        assert allowed(action) is None
    assert allowed("export", text_focused=True) is False
    assert allowed("help", text_focused=True) is None


def test_the_lesson_step_keys_exist_only_while_a_lesson_is_at_a_step():
    assert allowed("lesson_step", stepping=True) is True
    assert allowed("lesson_step") is False


def test_the_ansi_theme_only_in_a_real_terminal_of_few_colours_without_the_flag(tmp_path):
    memory = ThemeMemory(None, None, lambda name: True)
    assert memory.few_colours(False, "standard", True) == "ansi-dark"
    assert memory.few_colours(False, "standard", False) == "ansi-light"
    assert memory.few_colours(True, "standard", True) is None  # headless
    assert memory.few_colours(False, "truecolor", True) is None
    assert ThemeMemory("nord", None, lambda name: True).few_colours(False, "standard", True) is None


def test_a_theme_is_remembered_only_once_remembering(tmp_path):
    path = tmp_path / "settings.json"
    memory = ThemeMemory(None, path, lambda name: True)
    assert memory.chosen("nord") is None and not path.exists()  # the start's own theme: not the person's
    memory.remembering = True
    assert memory.chosen("nord") is None
    assert settings.load(path).theme == "nord"
    assert ThemeMemory(None, path, lambda name: True).start == "nord"


def test_a_theme_that_cannot_be_remembered_says_why(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    memory = ThemeMemory(None, blocker / "settings.json", lambda name: True)
    memory.remembering = True
    error = memory.chosen("nord")
    assert error is not None and error.startswith("The theme is not remembered: ")


def test_leaving_happens_once_whichever_thread_asks_first():
    calls: list[str] = []
    leave = LeaveOnce(lambda: calls.append("on_leave"), lambda: calls.append("autosave"),
                      lambda: calls.append("leave"))
    threads = [threading.Thread(target=leave) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    leave()
    assert calls == ["on_leave", "autosave", "leave"]
