"""Pilot tests that nothing the lab shows is cut: views laid out for their width, a one-line status line, the
footer's first keys whole, the preset list's wrapped lines indented and its recipes in sight."""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from rich.text import Text
from textual.widgets import Footer, OptionList

from lab.ui.app import LabApp
from lab.ui.screens.presets import NAME_WIDTH, PresetScreen
from lab.ui.widgets.inspect_view import InspectView, wrap, wrap_line
from lab.ui.widgets.status import StatusLine

from tests.ui.helpers import make_app, small_xor_app, status_text, train_to_end

VIEW_NAMES = ["network", "units", "surface", "health", "gradcheck", "summary"]


def overlong(app: LabApp) -> list[str]:
    """The lines of the open view wider than the columns the view shows."""
    view = app.query_one(InspectView)
    width = view.scrollable_content_region.width
    return [line for line in view.text.split("\n") if cell_len(line) > width]


@pytest.mark.parametrize("size,gate", [((80, 24), None), ((100, 30), "full-adder"), ((80, 24), "parity4"),
                                       ((200, 50), "full-adder")])
async def test_every_view_fits_its_width(size, gate):
    """Each view of a trained network, at 80x24, 100x30 and beside the chart at 200x50, has no line wider than
    the pane: every number and sentence is whole (they wrap instead)."""
    app = make_app(gate=gate, epochs=300) if gate else small_xor_app(epochs=300)
    async with app.run_test(size=size) as pilot:
        await train_to_end(pilot, app)
        await pilot.press("g")  # the gradient check's table too
        for name in VIEW_NAMES:
            app.show_view(name)
            await pilot.pause()
            assert app.query_one(InspectView).text, name
            assert overlong(app) == [], name


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
async def test_model_summary_keeps_its_parameter_counts(size):
    """The model summary of keras-xor shows both layers' parameter counts whole (48 and 17) and the total."""
    app = make_app()
    async with app.run_test(size=size) as pilot:
        app.show_view("summary")
        await pilot.pause()
        text = app.query_one(InspectView).text
        words = [word for line in text.split("\n") if "dense" in line or "(None," in line for word in line.split()]
        assert "48" in words and "17" in words and "Total params: 65" in text
        assert overlong(app) == []


async def test_a_view_is_laid_out_again_when_its_pane_changes_width():
    """Resizing the terminal lays the open view out for the new width (no line is left cut)."""
    app = small_xor_app()
    async with app.run_test(size=(120, 40)) as pilot:
        app.show_view("health")
        await pilot.pause()
        wide = app.query_one(InspectView).text
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.pause()
        assert app.query_one(InspectView).text != wide
        assert overlong(app) == []


def test_wrap_keeps_every_character_and_indents_continuations():
    """A long line breaks between words, each continuation indented past the line's own indent; nothing is lost,
    styles are kept, and a word longer than a line is broken inside."""
    line = Text("  dead units: 4, 7 (same output on every row: they no longer learn)", "bold red")
    lines = wrap_line(line, 24)
    assert len(lines) > 1 and all(cell_len(part.plain) <= 24 for part in lines)
    assert all(part.plain.startswith("    ") for part in lines[1:])
    assert "".join(part.plain.split() and "".join(part.plain.split()) for part in lines) == "".join(
        line.plain.split())
    assert all(part.spans or part.style for part in lines)
    glyphs = Text("  1 " + "✚━+·" * 20 + " b✚")
    assert all(cell_len(part.plain) <= 30 for part in wrap(glyphs, 30).split("\n"))
    assert "".join(wrap(glyphs, 30).plain.split()) == "".join(glyphs.plain.split())
    assert wrap_line(Text("short"), 30)[0].plain == "short"


@pytest.mark.parametrize("width", [80, 100])
async def test_status_line_stays_one_line_while_training(width):
    """Training at 80 and 100 columns, the status line is one line that fits: the panes above it do not move when
    training starts and stops."""
    app = small_xor_app(epochs=200_000, lr=0.001)
    async with app.run_test(size=(width, 30)) as pilot:
        main = app.query_one("#main")
        idle_height = main.region.height
        app.lab_run.session.epochs_per_tick = 0
        app.epochs_per_second = 123_456.0
        await pilot.press("space")
        for _ in range(5):
            await pilot.pause(0.05)
        status = app.query_one(StatusLine)
        assert app.running and "training" in status.plain
        assert status.region.height == 1 and cell_len(status.plain) <= status.content_size.width
        assert main.region.height == idle_height
        assert "epoch" in status.plain or "/" in status.plain
        await pilot.press("space")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert main.region.height == idle_height and status.region.height == 1


async def test_a_paused_solved_run_says_paused_and_solved():
    """Paused after it solved, with budget left, the run reads 'paused' and 'solved at' (not just '✓ solved')."""
    app = small_xor_app(epochs=2000)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(300):
            app.action_step()
        await pilot.pause()
        assert app.lab_run.session.trainer.solved_epoch is not None and not app.lab_run.session.trainer.done
        text = status_text(app)
        assert text.startswith("■ paused") and f"solved at epoch {app.lab_run.session.trainer.solved_epoch:,}" in text


async def test_a_finished_solved_run_says_solved():
    """At the end of its budget, a solved run reads ✓ solved at its epoch."""
    app = small_xor_app(epochs=300)
    async with app.run_test(size=(120, 40)) as pilot:
        await train_to_end(pilot, app)
        assert status_text(app).startswith(f"✓ solved at epoch {app.lab_run.session.trainer.solved_epoch:,}")


async def test_footer_shows_whole_keys_at_80_columns():
    """At 80 columns no footer key is cut: every key shown lies wholly inside the footer, train and help among
    them."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        footer = app.screen.query_one(Footer)
        for _ in range(50):  # the footer composes its keys once the bindings are known
            await pilot.pause(0.02)
            if footer.query("FooterKey"):
                break
        await pilot.pause()
        keys = list(footer.query("FooterKey"))
        palette = [key for key in keys if key.has_class("-command-palette")]
        edge = min((key.region.x for key in palette), default=footer.region.right)  # docked at the right
        visible = [key for key in keys if key not in palette and key.region.x < edge]
        assert {"Train/Pause", "Help"} <= {key.description for key in visible}
        for key in visible:
            assert key.region.right <= edge, key.description  # not cut by the palette key or the screen's edge


async def test_preset_list_shows_recipes_and_indents_wrapped_lines():
    """At 80x24 the preset list opens on the recipes (in sight without scrolling), and a description that wraps
    continues under itself, never in the names' column."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("p")
        assert isinstance(app.screen, PresetScreen)
        options = app.screen.query_one(OptionList)
        lines = [options.render_line(y).text for y in range(options.size.height)]
        text = "\n".join(lines)
        assert "keras-xor" in text and "single-neuron" in text
        for line in lines:
            body = line[1:]  # the list's own left padding
            stripped = body.strip()
            if not stripped or stripped.startswith(("Recipes", "Gates")):
                continue
            name = body[: NAME_WIDTH + 1].strip()
            assert name or body.startswith(" " * (NAME_WIDTH + 1)), line
        assert options.highlighted is not None and options.get_option_at_index(
            options.highlighted).id.startswith("recipe:")


async def test_status_line_keeps_held_out_accuracy_at_80_columns():
    """single-neuron at 80x24, trained to the end: the line fits and still shows the held-out accuracy (shorter
    forms come before dropping what the recipe asks the learner to watch)."""
    app = make_app("single-neuron")
    async with app.run_test(size=(80, 24)) as pilot:
        await train_to_end(pilot, app)
        status = app.query_one(StatusLine)
        assert "held " in status.plain and "solved at" in status.plain
        assert cell_len(status.plain) <= status.content_size.width
