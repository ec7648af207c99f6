"""Every word a lesson or a view puts on screen that a newcomer may not know is in the glossary under ``?``: the
list below names each word and where it is shown; the test fails when a listed word is no longer where it says (so
the list stays true) or has no glossary line (so the glossary stays complete). Words in back quotes in a lesson
(shown in bold) must be glossary terms too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lab.core.glossary import explain
from lab.core.lessons import LESSON_DIR, shipped_lessons

UI = Path(__file__).resolve().parents[2] / "lab" / "ui"

ON_SCREEN: dict[str, tuple[str, ...]] = {
    # term: the lessons (by number) or view sources (a file under lab/ui, or lab/drawings by ../) that show it
    "weight": ("1", "widgets/inspect_view.py"), "gradient": ("1",), "neuron": ("1", "2", "3", "4"),
    "sigmoid": ("1", "2", "3"), "bias": ("1", "2"), "epoch": ("1", "3"), "held out": ("1", "7"),
    "generalisation": ("1",), "y > 0.5": (), "slope": ("4", "6"), "linearly separable": ("2",),
    "level line": ("2",), "decision surface": ("2",), "hidden layer": ("2", "3"), "features": (),
    "seed": ("3", "8"), "solved": ("3", "5"), "mse": ("6",), "bce": ("6",), "sse": ("4",), "sgd": ("4", "5"),
    "adam": ("3",), "relu": ("3",), "tanh": ("3", "5"), "learning rate": ("4", "5"), "diverged": ("5",),
    "linear": ("5", "6"), "loss": ("4", "5", "6"), "median": ("8",), "spread": ("8",), "p10": ("8",),
    "p90": ("8",), "sweep": (), "log scale": (), "sum z": ("9", "../drawings/views.py"),
    "output =": ("../drawings/views.py",),
    "thresholded at f(0)": ("../drawings/views.py",), ".50+ .50-": ("1", "widgets/table_lines.py"),
    "huge -big": ("widgets/table_lines.py",), "NaN": (), "pinned": (), "p10-p90": (), "linear output": ("5",),
    "accuracy": ("2", "3"), "batch": (), "init": (),
}
"""Each word, and where on screen it appears (a lesson's number or a view's source file)."""


def lesson_text(number: int) -> str:
    lesson = shipped_lessons()[number - 1]
    parts = [lesson.title, lesson.intro] + [p for s in lesson.steps for p in (s.title, s.text, s.task, s.why)]
    return " ".join(parts).lower()


@pytest.mark.parametrize("term", sorted(ON_SCREEN))
def test_every_word_on_screen_is_in_the_glossary(term):
    assert explain(term), f"'{term}' is on screen but not in the glossary"
    for place in ON_SCREEN[term]:
        if place.isdigit():
            words = term.split() if term == ".50+ .50-" else [term]
            text = lesson_text(int(place))
            assert any(w.lower() in text for w in words), f"'{term}' is no longer in lesson {place}"
        else:
            source = (UI / place).read_text()
            words = term.split() if term in (".50+ .50-", "huge -big") else [term]
            assert any(w in source for w in words), f"'{term}' is no longer in {place}"


def test_bold_words_in_the_lessons_are_glossary_terms():
    """A word a lesson puts in back quotes is shown in bold as a term: ? must explain it (a command, ``nnlab ...``,
    is bold too and is the one exception)."""
    for path in sorted(LESSON_DIR.glob("*.md")):
        for word in re.findall(r"`([^`]+)`", path.read_text()):
            assert word.startswith("nnlab ") or explain(word), f"{path.name}: `{word}` is not in the glossary"


def test_the_lessons_point_to_the_glossary():
    """The first lesson says ? explains the words; the pane's key line says it on every step."""
    assert "? explains" in lesson_text(1)
    from lab.ui.widgets.lesson_pane import keys_line

    assert "? explains" in keys_line(False) and "? explains" in keys_line(True)


def test_the_core_glossary_names_no_css_id_or_key():
    """The words are the core's; the panes' ids, the tooltips and the keys are the interface's (lab.ui.tooltips)."""
    import lab.core.glossary as glossary
    from lab.core.glossary import GROUPS

    assert not hasattr(glossary, "TOOLTIPS") and not hasattr(glossary, "FIELD_HINTS")
    for terms in GROUPS.values():
        for term, line in terms.items():
            assert not re.search(r"#[a-z]|\(press |\([a-zA-Z]\)$| \([klnv]\)", line), (term, line)
