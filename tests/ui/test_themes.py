"""Themes: ``--theme``, the remembered theme (a small settings file), the ANSI theme in 16 colours, and chart
colours that stay legible on light themes."""

from __future__ import annotations

import json
import os
import re
import stat
import time

import pytest
from rich.style import Style
from textual.color import Color
from textual.theme import BUILTIN_THEMES

from lab.cli import main
from lab.core.errors import LabError
from lab.ui import settings
from lab.ui.app import LabApp
from lab.ui.themes import starting_theme
from lab.ui.widgets.chart import LossChart
from lab.ui.widgets.chart_drawing import SERIES_COLOURS, palette

from tests.ui.helpers import Said, make_app
from tests.ui.pty_helpers import drain as _drain
from tests.ui.pty_helpers import spawn

SIZE = (100, 30)


def test_settings_round_trip_private_and_atomic(tmp_path):
    """Saved settings read back; the file is the user's alone (0600) and no temporary is left beside it."""
    path = tmp_path / "state" / "settings.json"
    assert settings.load(path) == settings.Settings()
    settings.save(path, settings.Settings(theme="nord"))
    assert settings.load(path).theme == "nord"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert os.listdir(path.parent) == ["settings.json"]


@pytest.mark.parametrize("text, error", [
    ("{not json", "not JSON"), ("[1, 2]", "should be a JSON object, got list"), ('{"theme": 3}', "theme: expected"),
    (b"\xff\xfe", "not JSON")])
def test_corrupt_settings_are_one_clear_error(tmp_path, text, error):
    """A settings file that is not one is a LabError naming the file and the reason."""
    path = tmp_path / "settings.json"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(LabError, match=error) as e:
        settings.load(path)
    assert str(path) in str(e.value) and "\n" not in str(e.value)


def test_unknown_keys_are_ignored(tmp_path):
    """A newer nnlab's keys do not stop this one reading the theme."""
    path = tmp_path / "settings.json"
    path.write_text('{"theme": "dracula", "future": [1]}')
    assert settings.load(path).theme == "dracula"


def test_default_path_follows_the_state_directory(tmp_path, monkeypatch):
    """The settings live beside the autosave: NNLAB_STATE_DIR moves both."""
    monkeypatch.setenv("NNLAB_STATE_DIR", str(tmp_path))
    assert settings.default_path() == tmp_path / "settings.json"


async def test_a_chosen_theme_is_remembered_and_used_at_the_next_start(tmp_path):
    """Changing the theme (as the command palette does) writes it; the next lab starts in it. The theme the lab
    starts with is not written back."""
    path = tmp_path / "settings.json"
    app = LabApp(settings_path=path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert not path.exists()
        app.theme = "nord"
        await pilot.pause()
    assert json.loads(path.read_text()) == {"theme": "nord"}
    app = LabApp(settings_path=path)
    said = Said()
    async with app.run_test(size=SIZE, message_hook=said) as pilot:
        await pilot.pause()
        assert app.theme == "nord"
        assert not said.notes


async def test_theme_flag_wins_over_the_remembered_theme(tmp_path):
    """``--theme`` (the app's ``theme``) is used even when another theme is remembered."""
    path = tmp_path / "settings.json"
    settings.save(path, settings.Settings(theme="nord"))
    app = LabApp(theme="textual-light", settings_path=path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme == "textual-light"


@pytest.mark.parametrize("content, says", [("{oops", "not JSON"), ('{"theme": "no-such-theme"}', "no theme")])
async def test_a_bad_settings_file_is_one_notification_not_a_crash(tmp_path, content, says):
    """A corrupt settings file, or one naming a theme that does not exist, starts the lab in the default theme
    with one warning; choosing a theme then replaces the file."""
    path = tmp_path / "settings.json"
    path.write_text(content)
    app = LabApp(settings_path=path)
    said = Said()
    async with app.run_test(size=SIZE, message_hook=said) as pilot:
        await pilot.pause()
        assert app.theme == "textual-dark"
        messages = [n.message for n in said.notes]
        assert len(messages) == 1 and says in messages[0] and str(path) in messages[0]
        app.theme = "gruvbox"
        await pilot.pause()
    assert settings.load(path).theme == "gruvbox"


def _first_frame(tmp_path, term: str, **env: str) -> bytes:
    """What a real ``nnlab`` draws in its first seconds under a pseudo-terminal with ``TERM=term`` (and ``env``)."""
    proc, fd = spawn(tmp_path, size=(100, 30), env={"TERM": term, "COLORTERM": None, "TEXTUAL_COLOR_SYSTEM": None,
                                                     "NO_COLOR": None, **env})
    try:
        out = b""
        deadline = time.monotonic() + 20
        while b"Truth table" not in out and time.monotonic() < deadline:
            out += _drain(fd, 0.2)
        out += _drain(fd, 1.0)
        os.write(fd, b"q")
        _drain(fd, 1.0)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(fd)
    return out


def test_sixteen_colours_draw_in_the_terminals_own_colours(tmp_path):
    """Under TERM=xterm (16 colours) a real nnlab draws in the ANSI theme: no background of its own (the terminal's
    shows through everywhere), the focused border bright cyan (96), the cursor a white block (47), unfocused
    borders blue (34); under xterm-256color it keeps its 256-colour theme."""
    out = _first_frame(tmp_path, "xterm")
    codes = {code for sgr in re.findall(rb"\x1b\[([0-9;]*)m", out) for code in sgr.split(b";")}
    assert {b"96", b"47", b"34"} <= codes
    assert not codes & {b"38", b"48", b"40", b"100"}, codes  # no 256/24-bit colour, no black backgrounds
    assert b"38;5;" in _first_frame(tmp_path, "xterm-256color")


def test_plain_terminals_get_no_24_bit_colour(tmp_path):
    """``TERM=dumb`` draws in the terminal's own 16 colours (Textual alone wrote 24-bit colour there); ``NO_COLOR``
    draws in greys, never in 24-bit colour."""
    dumb = _first_frame(tmp_path, "dumb")
    assert b"Truth table" in dumb and not re.findall(rb"\x1b\[[0-9;]*[34]8;[25];", dumb)
    no_color = _first_frame(tmp_path, "xterm-256color", NO_COLOR="1")
    assert b"Truth table" in no_color and not re.findall(rb"\x1b\[[0-9;]*[34]8;2;", no_color)


async def test_ansi_theme_keeps_focus_cursor_and_error_apart():
    """In the ANSI themes the focused border, the table's cursor and the ✗ are three different ANSI colours."""
    for theme in ("ansi-dark", "ansi-light"):
        app = LabApp(theme=theme)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            v = app.theme_variables
            colours = {v["nnlab-focus"], v["nnlab-cursor-background"], v["error"]}
            assert len(colours) == 3 and all(c.startswith("ansi_") for c in colours), colours
            pane = app.query_one("#table-pane")
            assert pane.styles.border_top[1] == Color.parse(v["nnlab-focus"])


def _contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """WCAG contrast ratio of two sRGB colours, 1 to 21."""
    def luminance(rgb: tuple[int, int, int]) -> float:
        c = [v / 255 for v in rgb]
        c = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in c]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("name", [n for n, t in BUILTIN_THEMES.items() if not t.dark and not t.ansi])
def test_light_themes_draw_every_series_legibly(name):
    """On every built-in light theme the chart's series stand out from its background (the theme's surface) by
    4.5:1 or more, and the deliberately faint noise envelope by 3:1."""
    theme = BUILTIN_THEMES[name]
    assert palette(theme) == "light"
    surface = Color.parse(theme.to_color_system().generate()["surface"]).rgb
    for series, colour in SERIES_COLOURS["light"].items():
        assert isinstance(colour, tuple)
        assert _contrast(colour, surface) >= (3.0 if series == "envelope" else 4.5), (series, colour)


async def test_chart_in_a_light_theme_draws_the_light_colours():
    """A chart drawn in textual-light paints the loss in the light palette's blue, not the terminal's cyan."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.theme = "textual-light"
        for _ in range(30):
            app.action_step()
        await pilot.pause()
        chart = app.query_one(LossChart)
        colours = {seg.style.color.triplet for y in range(chart.size.height)
                   for seg in chart.render_line(y) if isinstance(seg.style, Style) and seg.style.color
                   and seg.style.color.triplet is not None}
        assert tuple(SERIES_COLOURS["light"]["loss"]) in {tuple(c) for c in colours}


def test_theme_flag_is_checked_in_one_line(capsys):
    """``nnlab --theme nope`` fails at once with one line listing the themes (exit 2)."""
    assert main(["--theme", "nope", "--recipe", "keras-xor"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "--theme: no theme 'nope'" in err and "textual-light" in err and "ansi-dark" in err


def test_serve_passes_the_theme_on():
    """``nnlab serve --theme NAME`` gives every tab's lab the same theme."""
    from lab.cli import _serve_parser
    from lab.commands.serve import app_argv

    assert app_argv(_serve_parser().parse_args(["--theme", "nord"])) == ["--theme", "nord"]


def test_the_starting_theme_is_the_flag_then_the_remembered_one_and_a_bad_file_is_told_either_way(tmp_path):
    """``--theme`` wins over the remembered theme; an unreadable settings file is told even then; an unknown
    remembered theme falls back to the default, saying so."""
    settings = tmp_path / "settings.json"
    known = {"nord", "dracula"}.__contains__
    assert starting_theme("dracula", None, known) == ("dracula", None)
    settings.write_text('{"theme": "nord"}')
    assert starting_theme(None, settings, known) == ("nord", None)
    assert starting_theme("dracula", settings, known) == ("dracula", None)
    settings.write_text('{"theme": "no-such"}')
    theme, error = starting_theme(None, settings, known)
    assert theme is None and error is not None and "no theme 'no-such'" in error
    settings.write_text("{not json")
    theme, error = starting_theme("dracula", settings, known)
    assert theme == "dracula" and error is not None and error.endswith("; using the default theme")
