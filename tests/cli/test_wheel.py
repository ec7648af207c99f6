"""The built wheel installs (not editable) into a fresh environment and works from another folder, assets included."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(*argv, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run a command, failing the test with its output when it fails."""
    done = subprocess.run([str(a) for a in argv], capture_output=True, text=True, cwd=cwd, env=env, timeout=120)
    assert done.returncode == 0, f"{argv} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done


def test_wheel_installs_and_runs(tmp_path):
    """The wheel, installed in a fresh venv, runs ``nnlab --help`` and ``train`` elsewhere and ships every .tcss."""
    dist = tmp_path / "dist"
    if importlib.util.find_spec("build") is not None:
        run(sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", dist, ROOT, cwd=tmp_path)
    else:  # pragma: no cover - pip can build it too
        run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", dist, ROOT, cwd=tmp_path)
    (wheel,) = dist.glob("nnlab-*.whl")

    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", venv, cwd=tmp_path)
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bin_dir / "python"
    run(python, "-m", "pip", "install", "--no-deps", "--no-index", "--no-compile", "--quiet", wheel, cwd=tmp_path)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    located = run(python, "-c", "import lab, pathlib; print(pathlib.Path(lab.__file__).parent)", cwd=elsewhere, env=env)
    installed = Path(located.stdout.strip())
    assert installed.is_relative_to(venv), f"imported {installed}, not the installed wheel"

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
