"""The pictures in ``assets/`` are what the app draws today, and so are the README's text pictures of them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tools.screens import ASSETS, SCREENS, screen_text, shoot_all, with_text_pictures

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


@pytest.mark.long
def test_every_picture_is_what_the_app_draws_now():
    """Made afresh by ``tools/screens.py`` and compared by their text (the characters line by line: fonts, colours and
    element ids may change with Textual without the picture saying anything else). Stale: ``python -m
    tools.screens`` makes them again. No picture lies in ``assets/`` that the script does not make."""
    fresh = shoot_all()
    assert {p.name for p in ASSETS.glob("*.svg")} == set(fresh), "assets/ holds exactly the pictures the script makes"
    stale = [name for name, svg in fresh.items()
             if screen_text((ASSETS / name).read_text(encoding="utf-8")) != screen_text(svg)]
    assert not stale, f"stale pictures (python -m tools.screens rewrites them): {stale}"


def test_a_text_picture_is_the_text_of_its_asset():
    """A code block after ``<!-- picture: assets/NAME.svg -->`` shows that screen as text (where an image cannot be
    shown, as on a package index): it must be the picture's own text, line for line."""
    pictures = 0
    for document in DOCUMENTS:
        text = document.read_text(encoding="utf-8")
        for name, block in re.findall(r"<!-- picture: (assets/[\w.-]+\.svg) -->\n```\n(.*?)\n```", text, flags=re.S):
            pictures += 1
            asset = screen_text((ROOT / name).read_text(encoding="utf-8"))
            assert [line.rstrip() for line in block.splitlines()] == asset, (
                f"{document.name}: {name} as text differs (python -m tools.screens rewrites it)")
    assert pictures, "the README shows the lab as text"


def test_the_script_rewrites_a_stale_text_picture():
    """``python -m tools.screens`` redraws a text picture from its SVG and leaves the rest of the document alone."""
    svg = (ASSETS / "lab-80x24.svg").read_text(encoding="utf-8")
    stale = "before\n<!-- picture: assets/lab-80x24.svg -->\n```\nold\n```\nafter\n"
    assert with_text_pictures(stale, {"lab-80x24.svg": svg}) == (
        "before\n<!-- picture: assets/lab-80x24.svg -->\n```\n" + "\n".join(screen_text(svg)) + "\n```\nafter\n")
    assert with_text_pictures(stale, {}) == stale


def test_every_picture_is_shown_somewhere():
    """Each picture is named by the README or shown by a page of ``docs/``; each screen is described in the script."""
    shown = " ".join(d.read_text(encoding="utf-8") for d in DOCUMENTS)
    assert not [s.name for s in SCREENS if f"assets/{s.name}.svg" not in shown]
    assert all(s.caption for s in SCREENS)
