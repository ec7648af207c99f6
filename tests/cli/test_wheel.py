"""The built wheel installs (not editable) into a fresh environment and works from another folder."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

needs_build = pytest.mark.skipif(find_spec("build") is None or find_spec("hatchling") is None,
                                 reason="building needs the dev extra: pip install -e '.[dev]'")


def run(*argv, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run a command, failing the test with its output when it fails."""
    done = subprocess.run([str(a) for a in argv], capture_output=True, text=True, cwd=cwd, env=env, timeout=120)
    assert done.returncode == 0, f"{argv} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.mark.long
@needs_build
def test_wheel_installs_and_runs(tmp_path):
    """The wheel, installed in a fresh venv, runs ``nnlab --help`` and ``train`` elsewhere and ships every .tcss."""
    dist = tmp_path / "dist"
    run(sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", dist, ROOT, cwd=tmp_path)
    (wheel,) = dist.glob("neural_gate_lab-*.whl")

    # A venv of its own, made as a user makes one, with its own pip: neither the system's packages nor the test run's
    # (run from a virtualenv, those are not the system's). Its pip resolves the wheel's dependencies into a local
    # wheelhouse from the configured index, then installs from that wheelhouse alone: what the wheel declares is all
    # it gets.
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bin_dir / "python"
    wheelhouse = tmp_path / "wheelhouse"
    run(python, "-m", "pip", "wheel", "--quiet", "--wheel-dir", wheelhouse, wheel, cwd=tmp_path)
    run(python, "-m", "pip", "install", "--no-index", "--find-links", wheelhouse, "--no-compile", "--quiet", wheel,
        cwd=tmp_path)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    located = run(python, "-c", "import lab, pathlib; print(pathlib.Path(lab.__file__).parent)", cwd=elsewhere, env=env)
    installed = Path(located.stdout.strip())
    assert installed.is_relative_to(venv), f"imported {installed}, not the installed wheel"

    assert run(bin_dir / "nnlab", "--version", cwd=elsewhere, env=env).stdout.strip() == "nnlab 0.1.0"
    help_text = run(bin_dir / "nnlab", "--help", cwd=elsewhere, env=env).stdout
    assert help_text.startswith("usage: nnlab")
    trained = run(bin_dir / "nnlab", "train", "--quiet", "--epochs", "10", cwd=elsewhere, env=env).stdout
    assert trained.startswith("status: budget") and "10 epochs in" in trained

    source = ROOT / "lab"
    missing = [str(p.relative_to(source)) for p in source.rglob("*.tcss")
               if not (installed / p.relative_to(source)).is_file()]
    assert missing == [], f"style sheets missing from the wheel: {missing}"
    lessons = [str(p.relative_to(source)) for p in source.rglob("lessons/*.md")
               if not (installed / p.relative_to(source)).is_file()]
    assert lessons == [], f"lessons missing from the wheel: {lessons}"
    listed = run(bin_dir / "nnlab", "learn", "--help", cwd=elsewhere, env=env).stdout
    assert "1 One neuron learns to copy" in listed


@needs_build
def test_wheel_and_sdist_carry_the_license_and_only_the_project(tmp_path):
    """Both archives ship LICENSE with PEP 639 metadata; the sdist takes the project's own top-level folders only, so a
    ``venv/`` (or any folder holding a ``lab`` or ``tests`` of its own) inside the checkout does not leak into it."""
    import shutil
    import tarfile
    import zipfile

    tree = tmp_path / "tree"
    for name in ("lab", "tests", "benchmarks", "tools", "docs", "assets"):
        shutil.copytree(ROOT / name, tree / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("README.md", "LICENSE", "pyproject.toml"):
        shutil.copy(ROOT / name, tree / name)
    stray = tree / "venv" / "lib" / "python3.11" / "site-packages" / "lab"
    stray.mkdir(parents=True)
    (stray / "stray.py").write_text("raise SystemExit('not the project')\n")

    dist = tmp_path / "dist"
    run(sys.executable, "-m", "build", "--sdist", "--wheel", "--no-isolation", "--outdir", dist, tree, cwd=tmp_path)
    (sdist,) = dist.glob("neural_gate_lab-*.tar.gz")
    (wheel,) = dist.glob("neural_gate_lab-*.whl")

    with tarfile.open(sdist) as tar:
        names = [n.split("/", 1)[1] for n in tar.getnames() if "/" in n]
    tops = {n.split("/")[0] for n in names}
    assert tops <= {"lab", "tests", "benchmarks", "tools", "docs", "assets", "README.md", "LICENSE", "pyproject.toml",
                    "PKG-INFO"}, tops
    assert {"docs", "assets"} <= tops, "the pages and pictures the README names ship with the source"
    assert "LICENSE" in names and not any("stray.py" in n for n in names)

    with zipfile.ZipFile(wheel) as whl:
        files = whl.namelist()
        (metadata,) = [n for n in files if n.endswith(".dist-info/METADATA")]
        meta = whl.read(metadata).decode()
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in files), files
    assert "License-Expression: MIT" in meta and "License-File: LICENSE" in meta
    assert "Intended Audience :: Education" in meta and "Environment :: Console" in meta


def test_the_metadata_names_what_is_tested_and_publishes_no_maintainer_tools():
    """Classifiers for the Pythons the suite runs on, none for curses (Textual is not curses); the published ``test``
    extra holds what the tests need, the maintainers' tools (type checker, linter, builders) stand in ``dev``."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    classifiers = project["classifiers"]
    for version in ("3.11", "3.12", "3.13"):
        assert f"Programming Language :: Python :: {version}" in classifiers
    assert not [c for c in classifiers if "Curses" in c]
    extras = project["optional-dependencies"]
    names = {extra: {req.split(">")[0].split("=")[0].split("<")[0] for req in reqs} for extra, reqs in extras.items()}
    assert not names["test"] & {"mypy", "ruff", "build", "hatchling"}, names["test"]
    assert {"mypy", "ruff", "build", "hatchling"} <= names["dev"]
    assert not [d for d in project["dependencies"] if d.startswith("textual-plotext")]
