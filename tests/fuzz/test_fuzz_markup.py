"""Markup-like text everywhere the app shows what someone typed or a file held: it is shown literally, never parsed.

Rich and Textual read ``[bold]``, ``[/]``, ``[link=x]`` and ``[@click=app.quit]`` as markup where a plain string
reaches a widget that parses it; unbalanced markup raises ``MarkupError`` at render time and ends the app. Each
generated string goes, in one running lab, into every name an experiment file carries (the experiment's, the
table's, each output's: the autosave offered back at start) and into every input line, typed or pasted (prediction,
expression, a typed architecture value, the seed count, the open dialog's path); each place must show the exact
line its own check computes from the same text, and the app must be running at the end.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from textual import events
from textual.geometry import Region
from textual.widget import Widget

from lab.core.errors import LabError
from lab.core.gates import parse_inputs, table_from_expression
from lab.core.recipes import recipe
from lab.files.experiment_file import dumps
from lab.ui.app import LabApp
from lab.ui.screens.confirm import ConfirmScreen
from lab.ui.screens.count_prompt import parse_count
from lab.ui.screens.path_prompt import problem
from lab.ui.widgets.architecture import SettingsList

from tests.fuzz.support import fuzz, ran
from tests.ui.helpers import type_text

FRAGMENTS = ("[/]", "[bold", "[bold]", "[/bold]", "[link=x]", "[link='https://example.com']", "[@click=app.quit]",
             "[@click=app.exit]", "[b]", "[/b]", "[red on blue]", "[$accent]", "$accent", "[", "]", "[[", "]]",
             "\\[", "[/link]", "[on]", "[0]", "[i", "[/i]", "[reverse", "[dim]x[/dim]")
MARKUP = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(alphabet="ab01 ,.[]/=@$:", max_size=4)),
                  min_size=1, max_size=5).map("".join).filter(lambda s: s.strip() and "\n" not in s)


def shown(app: LabApp, selector: str) -> str:
    """What a Static or Label shows, as plain text."""
    return str(app.screen.query_one(selector).render())


def drawn_title(widget: Widget) -> str:
    """The border title as drawn on ``widget``'s top line (cut with "…" when the pane is too narrow). Read from the
    drawing: the ``border_title`` getter hands back markup that Textual's escape does not round-trip (``[bold[/]``
    comes back as ``[bold\\[/]``)."""
    top = widget.render_lines(Region(0, 0, widget.outer_size.width, 1))[0].text
    return top[1:-1].strip("─")[1:-1]  # between the corners, the border's runs and one space each side


async def pasted(pilot, text: str) -> None:
    """Paste ``text`` as the terminal would (the app hands it to the focused widget): quicker than typing it."""
    pilot.app.post_message(events.Paste(text))
    await pilot.pause()


async def scenario(text: str, folder: Path) -> None:
    """One lab: an autosave whose names are ``text``, then ``text`` typed into every input line."""
    base = recipe("keras-xor")
    table = replace(base.table, name=text, output_names=(text,))
    autosave = folder / "autosave.json"
    autosave.write_bytes(dumps(replace(base, table=table, name=text)))
    refused: list[str] = []

    def hook(message) -> None:
        if isinstance(message, SettingsList.Refused):
            refused.append(message.error)

    app = LabApp(base, autosave_path=autosave)
    async with app.run_test(size=(120, 40), message_hook=hook, notifications=True) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)  # the autosave named ``text`` is offered back
        assert f"Restore your last session? {text} at epoch 0" in shown(app, "#confirm-question")
        await pilot.press("y")
        await pilot.pause()
        assert app.experiment.name == text and app.experiment.table.output_names == (text,)
        title, expected = drawn_title(app.query_one("#table-pane")), f"Truth table · {text}"
        assert title == expected or title.endswith("…") and expected.startswith(title[:-1])

        app.query_one("#prediction-input").focus()  # the prediction line, with an output named ``text``
        await type_text(pilot, text)
        await pilot.pause()
        try:
            parse_inputs(text.replace(",", " ").split(), 2)
        except LabError as e:
            assert shown(app, "#prediction-result") == f"✗ {e}"
        else:
            assert shown(app, "#prediction-result").startswith(f"{text} = ")

        app.query_one("#truth-table").focus()  # the expression line
        await pilot.press("e")
        await pasted(pilot, text)
        await pilot.press("enter")
        await pilot.pause()
        try:
            table_from_expression(text, name="expr")
        except LabError as e:
            assert shown(app, "#expression-error") == f"✗ {e}"
            await pilot.press("escape")

        app.query_one("#settings").focus()  # a typed architecture value (the first line: layer 1)
        await pilot.press("enter")
        app.query_one("#settings-input").value = ""
        await pasted(pilot, text)
        await pilot.press("enter")
        await pilot.pause()
        if refused:
            assert shown(app, "#settings-error") == f"✗ {refused[-1]}"
        if app.query_one("#settings-input").display:
            await pilot.press("escape")

        app.query_one("#truth-table").focus()  # the seed count
        await pilot.press("K", "ctrl+a", "ctrl+k")
        await pasted(pilot, text)
        await pilot.press("enter")
        await pilot.pause()
        expected = parse_count(text, 1, 10_000)
        if isinstance(expected, str):
            assert shown(app, "#count-error") == f"✗ {expected}"
            await pilot.press("escape")
        await pilot.pause()

        await pilot.press("ctrl+o", "ctrl+a", "ctrl+k")  # a path to open
        await pasted(pilot, text)
        await pilot.press("enter")
        await pilot.pause()
        error = problem(text, must_exist=True)
        if error is not None:
            assert shown(app, "#path-error") == f"✗ {error}"
            await pilot.press("escape")
        await pilot.pause(0.05)  # notifications (a failed open names the path) are painted
        assert app.is_running


@pytest.mark.long
@fuzz(3)
@given(text=MARKUP)
@example(text="[/] 0")  # the cases: the prediction line, an autosave named [/]
@example(text="[/]")
@example(text="[link=x]x[@click=app.quit]q")
@example(text="[bold[/]")  # found at the lowest dependency bounds: the title read back as markup was lossy
def test_markup_is_shown_as_text(tmp_path_factory, text):
    """Markup-like names in a file and markup-like text in every input line are shown literally; the app lives."""
    ran()
    folder = tmp_path_factory.mktemp("markup")
    cwd = os.getcwd()
    os.chdir(folder)  # a typed path is relative to the working folder: keep it in a fresh one
    try:
        asyncio.run(scenario(text, folder))
    finally:
        os.chdir(cwd)



async def test_notifications_are_text():
    """The app's notifications (which name paths and echo typed text) show markup-like text as it is."""
    app = LabApp(recipe("keras-xor"))
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        app.notify("Cannot open [/] [@click=app.quit]x[/]", title="[bold")
        await pilot.pause()
        toasts = [str(toast.render()) for toast in app.screen.query("Toast")]
        assert any("Cannot open [/] [@click=app.quit]x[/]" in t and t.startswith("[bold") for t in toasts)
        assert app.is_running
