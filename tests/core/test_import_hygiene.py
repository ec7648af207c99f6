"""The headless half never loads Textual: checked in a fresh interpreter, as harlequin does."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import importlib, json, pkgutil, sys
import lab.commands, lab.core, lab.files
loaded = []
for package in (lab.core, lab.files, lab.commands):
    for module in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
        importlib.import_module(module.name)
        loaded.append(module.name)
import lab.cli
status = lab.cli.main(["train", "--quiet"])
ui = sorted(m for m in sys.modules if m.split(".")[0] in ("textual", "plotext", "textual_plotext") or m == "lab.ui"
            or m.startswith("lab.ui."))
print(json.dumps({"loaded": loaded, "status": status, "ui": ui}))
"""


def test_core_files_commands_and_train_never_import_textual(tmp_path, subprocess_env):
    """Importing all of lab.core, lab.files and lab.commands and running ``train --quiet`` loads no Textual."""
    run = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, cwd=tmp_path,
                         env=subprocess_env, timeout=120)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout.splitlines()[-1])
    assert {"lab.core.train", "lab.core.nn", "lab.core.expr", "lab.files.experiment_file", "lab.files.exports",
            "lab.commands.train", "lab.commands.predict"} <= set(report["loaded"])
    assert report["status"] == 0
    assert report["ui"] == []
    assert run.stdout.splitlines()[0].startswith("status: budget")
