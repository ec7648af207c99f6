"""The pictures in ``assets/``: SVG screenshots the lab saves of itself, made by one command from the project's root.

    python -m tools.screens            # rewrite every picture in assets/, and the README's text pictures of them
    python -m tools.screens --check    # say which pictures no longer match the app (exit status 1), write nothing

Each picture is a real ``LabApp`` driven headless by Textual's Pilot at a fixed size, trained by hand (one epoch per
``action_step``, so no clock is involved) and saved with Textual's own ``App.export_screenshot``. The README shows
the same screens as text (a package index shows no relative image, and the project has no public address to link
to), so ``screen_text`` reads an SVG back into its lines: a code block after ``<!-- picture: assets/NAME.svg -->`` in
the README or a page of ``docs/`` is that picture's text, rewritten with it. ``tests/docs/test_assets.py`` holds the
pictures and their text to what the app draws today.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import re
import sys
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input

from lab.core.recipes import recipe
from lab.ui.app import LabApp

ROOT = Path(__file__).resolve().parents[1]
ASSETS = ROOT / "assets"
DOCUMENTS = (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")))
TEXT_PICTURE = re.compile(r"(<!-- picture: assets/([\w.-]+\.svg) -->\n```\n)(.*?)(\n```)", flags=re.S)


@dataclass(frozen=True)
class Screen:
    """One picture: its file name (without ``.svg``), what it shows, the terminal size, and how to get there."""

    name: str
    caption: str
    size: tuple[int, int]
    make: Callable[[Path], LabApp]  # given a scratch folder (lesson progress lives there), the app to open
    before: Callable[[Pilot], Awaitable[None]]


def _blink_off(app: LabApp) -> None:
    """A blinking cursor is drawn or not by the clock: off, so the picture is the same on every run."""
    for line in app.screen.query(Input):
        line.cursor_blink = False


def trained(epochs: int, *keys: str) -> Callable[[Pilot], Awaitable[None]]:
    """Train ``epochs`` epochs by hand (one ``action_step`` each), then press ``keys``."""

    async def before(pilot: Pilot) -> None:
        app: LabApp = pilot.app  # type: ignore[assignment]
        _blink_off(app)
        for _ in range(epochs):
            app.action_step()
        await pilot.pause()
        if keys:
            await pilot.press(*keys)
        _blink_off(app)
        await pilot.pause()

    return before


async def _tuned(pilot: Pilot) -> None:
    """``t`` on keras-xor cut to 300 epochs and 20 seeds, one process, then the cursor on 2 layers x 8 units."""
    app: LabApp = pilot.app  # type: ignore[assignment]
    await pilot.press("t")
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    from lab.ui.widgets.tune_view import TuneView

    app.screen.query_one(TuneView).show_timing = False  # seconds differ from run to run
    await pilot.press("down", "right", "right")
    await pilot.pause()


def _tune_app(_: Path) -> LabApp:
    app = LabApp(recipe("keras-xor").with_training(epochs=300))
    app.tune_seeds = 20
    app.tune_jobs = 1
    return app


SCREENS = (
    Screen("lab", "The lab at 100x30: keras-xor trained through its 1,000-epoch budget.", (100, 30),
           lambda _: LabApp(), trained(1000)),
    Screen("lab-80x24", "The same at 80x24, the smallest size that shows every pane.", (80, 24),
           lambda _: LabApp(), trained(1000)),
    Screen("units", "v twice: the hidden units as gates, the same network.", (100, 30),
           lambda _: LabApp(), trained(1000, "v", "v")),
    Screen("wide", "At 200x50 the chart grows and the network picture sits beside it, for the row under the cursor.",
           (200, 50), lambda _: LabApp(), trained(1000, "down", "down")),
    Screen("lesson", "nnlab learn 1 at 100x30: the first step of the first lesson beside the table.", (100, 30),
           lambda scratch: LabApp(lesson="1", progress_path=scratch / "lessons.json"), trained(0)),
    Screen("tune", "t: a search over layers and units, the heatmap filled and the cursor on one configuration.",
           (100, 30), _tune_app, _tuned),
)


async def shoot(screen: Screen, scratch: Path) -> str:
    """The SVG of ``screen`` as the app exports it."""
    app = screen.make(scratch)
    async with app.run_test(size=screen.size) as pilot:
        await screen.before(pilot)
        return app.export_screenshot(title=f"nnlab · {screen.name}")


def shoot_all(screens: tuple[Screen, ...] = SCREENS) -> dict[str, str]:
    """Every picture's SVG by file name."""
    with tempfile.TemporaryDirectory() as scratch:
        return {f"{s.name}.svg": asyncio.run(shoot(s, Path(scratch))) for s in screens}


_TEXT = re.compile(r'<text [^>]*\bx="([\d.]+)"[^>]*\btextLength="([\d.]+)"[^>]*clip-path="url\(#[\w-]+-line-(\d+)\)"'
                   r"[^>]*>([^<]*)</text>")


def screen_text(svg: str) -> list[str]:
    """The characters of a screenshot, line by line, trailing blanks dropped: what the picture says, whatever its
    fonts, colours or element ids."""
    rows: dict[int, dict[int, str]] = {}
    for x, length, line, escaped in _TEXT.findall(svg):
        text = html.unescape(escaped).replace("\xa0", " ")
        column = round(float(x) / (float(length) / len(text)))
        cells = rows.setdefault(int(line), {})
        for i, ch in enumerate(text):
            cells[column + i] = ch
    height = max(rows, default=-1) + 1
    return ["".join(rows.get(y, {}).get(c, " ") for c in range(max(rows.get(y, {0: ""}), default=0) + 1)).rstrip()
            for y in range(height)]


def stale(folder: Path = ASSETS) -> list[str]:
    """The pictures in ``folder`` whose text differs from what the app draws now (or that are missing)."""
    fresh = shoot_all()
    return [name for name, svg in fresh.items()
            if not (folder / name).is_file()
            or screen_text((folder / name).read_text(encoding="utf-8")) != screen_text(svg)]


def with_text_pictures(document: str, svgs: dict[str, str]) -> str:
    """``document`` with each text picture (a code block after ``<!-- picture: assets/NAME.svg -->``) made the text of
    that picture in ``svgs`` (by file name); a picture not in ``svgs`` is left as it is."""

    def redraw(match: re.Match[str]) -> str:
        svg = svgs.get(match.group(2))
        return match.group(0) if svg is None else match.group(1) + "\n".join(screen_text(svg)) + match.group(4)

    return TEXT_PICTURE.sub(redraw, document)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.screens", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only say which pictures are stale (exit status 1)")
    args = parser.parse_args(argv)
    if args.check:
        old = stale()
        for name in old:
            print(f"stale: assets/{name} (python -m tools.screens rewrites it)")
        return 1 if old else 0
    ASSETS.mkdir(exist_ok=True)
    svgs = shoot_all()
    for name, svg in svgs.items():
        (ASSETS / name).write_text(svg, encoding="utf-8")
        print(f"assets/{name}")
    for document in DOCUMENTS:
        text = document.read_text(encoding="utf-8")
        if (redrawn := with_text_pictures(text, svgs)) != text:
            document.write_text(redrawn, encoding="utf-8")
            print(f"{document.relative_to(ROOT)}: its text pictures")
    return 0


if __name__ == "__main__":
    sys.exit(main())
