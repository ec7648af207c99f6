"""The README is for users and reads the same wherever it is shown; ``docs/`` holds the rest, and its links hold."""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
PAGES = sorted((ROOT / "docs").glob("*.md"))

# The commands of a README code block that tools/newcomer-check runs one by one on a fresh machine.
RUN_BY_NEWCOMER_CHECK = re.compile(r"^\s*(\$ )?(pip|python|nnlab|pytest|uv)")
# Commands that print, write files and exit: the only ones a code block may hold (anything else would wait for keys).
EXITING = {"train", "predict", "show", "sweep", "tune", "gates", "recipes", "completion"}


def code_block_lines(text: str) -> list[str]:
    """Every line inside a fenced code block, in order."""
    lines, inside = [], False
    for line in text.splitlines():
        if line.startswith("```"):
            inside = not inside
        elif inside:
            lines.append(line)
    return lines


def anchor(heading: str) -> str:
    """GitHub's and PyPI's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def headings(text: str) -> set[str]:
    return {anchor(h) for h in re.findall(r"^#+ (.+)$", text, flags=re.M)}


def link_targets(text: str) -> list[str]:
    return re.findall(r"\]\(([^)\s]+)\)", text) + re.findall(r"<img[^>]+src=\"([^\"]+)\"", text)


def test_the_readme_reads_the_same_on_a_package_index():
    """The README is the package's long description: an index shows it away from the checkout, where a relative link
    or image points nowhere, and the project has no public address to make them absolute. So every link is a web
    address or an anchor of the README itself (naming one of its headings), and the pages and pictures it points
    to are named as paths (``docs/guide.md``), which read the same on an index, in the sdist and in the repository."""
    targets = link_targets(README)
    relative = [t for t in targets if not t.startswith(("https://", "http://", "#"))]
    assert not relative, f"links that break on an index: {relative}"
    missing = [t for t in targets if t.startswith("#") and t[1:] not in headings(README)]
    assert not missing, f"anchors without a heading: {missing}"


def test_the_readme_is_short_and_names_every_page_that_exists():
    """At most about 300 lines; every ``docs/`` page and ``assets/`` picture it names exists, and every page of
    ``docs/`` is named there, so none is out of a reader's reach."""
    assert len(README.splitlines()) <= 300
    named = set(re.findall(r"\b((?:docs|assets)/[\w.-]+\.(?:md|svg))", README))
    assert named, "the README names no page"
    assert not [p for p in named if not (ROOT / p).is_file()], "named but missing"
    unnamed = [p.name for p in PAGES if f"docs/{p.name}" not in named and p.parent.name == "docs"]
    assert not unnamed, f"pages the README does not name: {unnamed}"


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_every_link_of_a_page_leads_somewhere(page):
    """A page of ``docs/`` is read in the repository or the sdist, so relative links work there: each must name a file
    that exists, and each anchor a heading of the page it names."""
    text = page.read_text(encoding="utf-8")
    broken = []
    for target in link_targets(text):
        if target.startswith(("https://", "http://")):
            continue
        path, _, fragment = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.is_file():
            broken.append(target)
        elif fragment and file.suffix == ".md" and fragment not in headings(file.read_text(encoding="utf-8")):
            broken.append(target)
    assert not broken, f"{page.name}: links that lead nowhere: {broken}"


def test_the_readme_test_command_is_what_ci_runs():
    """CI's ``.ci/run`` runs the README's test command exactly as a newcomer copies it."""
    readme = [line.strip() for line in code_block_lines(README) if "pytest" in line]
    ci = [line.strip() for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
          if "pytest" in line and not line.lstrip().startswith("#")]
    assert len(readme) == 1 and readme == ci, (readme, ci)


def test_the_readme_code_blocks_hold_only_commands_that_end():
    """newcomer-check runs every command of a code block; one that opens the lab would wait for keys forever, so
    interactive commands are written in tables or in the text, and a block's ``nnlab`` is one that exits (or the bare
    ``nnlab`` that ends the install line, which the check knows to leave out)."""
    for line in code_block_lines(README):
        if not RUN_BY_NEWCOMER_CHECK.match(line) or not line.lstrip().startswith("nnlab"):
            continue
        words = shlex.split(line)
        assert words[1:] and words[1] in EXITING, f"waits for keys: {line}"


def test_the_readme_examples_run(cli, tmp_path, monkeypatch):
    """Every example the README gives of a command that exits runs as written and exits 0 (in a folder of its own,
    since they write files; one after another, as a reader types them)."""
    monkeypatch.chdir(tmp_path)
    examples = [line for line in code_block_lines(README) if line.startswith("nnlab ")]
    assert {shlex.split(e)[1] for e in examples} == EXITING, "one example of each command that exits"
    for example in examples:
        status, out, err = cli(*shlex.split(example)[1:])
        assert status == 0, f"{example}: {err}"


def requirement_names(requirements: list[str]) -> set[str]:
    return {re.match(r"[A-Za-z0-9_.-]+", r).group(0).lower() for r in requirements}  # type: ignore[union-attr]


def test_the_dependency_table_agrees_with_pyproject():
    """The README's table says why each dependency is there: every one of ``pyproject.toml``, each extra's in the
    row of that extra, and nothing it does not declare."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    section = README[README.index("## Dependencies, and why each"):]
    rows = [line.split("|")[1].strip() for line in section.splitlines()[3:] if line.startswith("| ")]
    extras = {row.split(" extra:")[0]: row for row in rows if " extra:" in row}
    core = " ".join(row for row in rows if " extra:" not in row)
    assert set(extras) == set(project["optional-dependencies"]), "one row per extra"
    for name in requirement_names(project["dependencies"]):
        assert re.search(rf"(^|[\s,]){re.escape(name)}\b(?!-)", core), f"{name}: not in the table"
    for extra, requirements in project["optional-dependencies"].items():
        for name in requirement_names(requirements):
            assert re.search(rf"(^|[\s,:]){re.escape(name)}\b(?!-)", extras[extra]), f"{name}: not in the {extra} row"


def test_every_key_the_readme_lists_is_a_key_of_the_lab():
    """Each key the README's table gives for the lab's panes is bound somewhere in ``lab/`` (or is one of Textual's
    own: ``tab``, ``ctrl+p``), so a key renamed or dropped in the code cannot stay in the README."""
    bound = {key for keys in re.findall(r'Binding\("([^"]+)"', "".join(
        p.read_text(encoding="utf-8") for p in (ROOT / "lab").rglob("*.py"))) for key in keys.split(",")}
    names = {"[": "left_square_bracket", "]": "right_square_bracket", ",": "comma", ".": "full_stop",
             ">": "greater_than_sign", "<": "less_than_sign", "?": "question_mark", "+": "plus", "-": "minus"}
    section = README[README.index("## Keys"):README.index("## Commands")]
    rows = [line.split("|") for line in section.splitlines() if line.startswith("| ")]
    listed = [key for row in rows if row[1].strip() in ("anywhere but a text line", "truth table", "architecture")
              for key in re.findall(r"`([^`]+)`", row[2])]
    assert len(listed) > 30
    unbound = [key for key in listed if names.get(key, key) not in bound | {"tab", "ctrl+p"}]
    assert not unbound, f"keys the README lists that the lab does not bind: {unbound}"
