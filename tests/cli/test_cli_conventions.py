"""The command line's conventions: ``--version``, the commands in the usage and help, ``invalid choice`` with the
nearest command for a typo, and shell completion scripts generated from the parsers (run in real shells)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from importlib.metadata import version

import pytest

from lab.cli import COMMANDS, main
from lab.core.presets import PRESETS


def nnlab(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lab", *argv], capture_output=True, text=True, timeout=60)


def test_version_comes_from_the_installed_metadata():
    done = nnlab("--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"nnlab {version('neural-gate-lab')}"


def test_help_lists_every_command_with_its_summary(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: nnlab [-h] [--version] [FILE]")
    assert "nnlab COMMAND [options]" in out
    for name, command in COMMANDS.items():
        assert f"    {name} " in out and command.summary.split()[0] in out


@pytest.mark.parametrize("command", [[], *([name] for name in COMMANDS)])
def test_every_help_fits_an_80_column_terminal(capsys, monkeypatch, command):
    """argparse wraps what it writes to COLUMNS; the usage line written by hand fits too (it broke mid-flag)."""
    monkeypatch.setenv("COLUMNS", "80")
    with pytest.raises(SystemExit):
        main([*command, "--help"])
    lines = capsys.readouterr().out.splitlines()
    assert lines and all(len(line) <= 79 for line in lines), [line for line in lines if len(line) > 79]


@pytest.mark.parametrize(("typo", "nearest"), [("tarin", "train"), ("swep", "sweep"), ("predcit", "predict"),
                                               ("recipe", "recipes")])
def test_a_mistyped_command_is_an_invalid_choice_naming_the_nearest(typo, nearest, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    done = nnlab(typo)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1, done.stderr
    assert f"invalid choice: '{typo}'" in done.stderr and f"did you mean '{nearest}'?" in done.stderr


def test_a_path_is_still_a_file_to_open(tmp_path, monkeypatch):
    """A word with a path separator or an extension is a file: a missing one says so, not "invalid choice"."""
    monkeypatch.chdir(tmp_path)
    for word in ("xor.json", "./tarin", "sub/x"):
        done = nnlab(word)
        assert done.returncode == 2 and "no such file" in done.stderr and "invalid choice" not in done.stderr


def test_every_command_parser_builds_and_has_help():
    for name, command in COMMANDS.items():
        p = command.parser()
        assert p.format_help().startswith("usage:"), name


def script(shell: str) -> str:
    done = nnlab("completion", shell)
    assert done.returncode == 0, done.stderr
    return done.stdout


def bash_complete(path, line: str | list[str]) -> list[str]:
    """What the generated bash function offers for ``line`` (the cursor at its end), run in a real bash; a list is
    the words as bash splits them (``--gate=x`` is ``--gate``, ``=``, ``x``: ``=`` is in COMP_WORDBREAKS)."""
    words = line.split(" ") if isinstance(line, str) else line
    array = " ".join(f"'{w}'" for w in words)
    probe = (f"source {path}; COMP_WORDS=({array}); COMP_CWORD={len(words) - 1}; _nnlab; "
             'printf "%s\\n" "${COMPREPLY[@]}"')
    done = subprocess.run(["bash", "--norc", "-c", probe], capture_output=True, text=True, timeout=30,
                          cwd=path.parent)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_bash_completes_commands_flags_and_registry_names(tmp_path):
    path = tmp_path / "nnlab.bash"
    path.write_text(script("bash"))
    assert bash_complete(path, "nnlab tr") == ["train"]
    assert set(bash_complete(path, "nnlab train --lo")) == {"--loss", "--log-csv"}
    assert bash_complete(path, "nnlab train --loss ") == ["mse", "sse", "bce"]
    assert "xor" in bash_complete(path, "nnlab sweep --gate x")
    assert bash_complete(path, "nnlab completion ") == ["bash", "zsh", "fish"]
    (tmp_path / "run.json").write_text("{}")
    assert "run.json" in bash_complete(path, "nnlab open r")


def test_completion_offers_themes_lessons_and_tune_names_and_takes_flag_equals_value(tmp_path):
    """``--theme`` offers the themes (not commands and files), ``nnlab learn`` its lessons (not files), ``--gate=x``
    the gates from x, and tune's ``--strategy``, ``--objective`` and ``--activation`` their names; in bash by
    running the function, in zsh by its ``_arguments`` specs (``--flag=`` takes ``--flag value`` and
    ``--flag=value``), in fish when it is there."""
    from lab.core.activations import HIDDEN_ACTIVATIONS
    from lab.core.lessons import shipped_lessons
    from lab.core.tune import OBJECTIVES, STRATEGIES
    from lab.ui.settings import theme_names

    path = tmp_path / "nnlab.bash"
    path.write_text(script("bash"))
    assert bash_complete(path, "nnlab --theme ") == theme_names()
    assert bash_complete(path, "nnlab serve --theme textual-l") == ["textual-light"]
    lessons = shipped_lessons()
    assert bash_complete(path, "nnlab learn ") == [str(i + 1) for i in range(len(lessons))] + [l.id for l in lessons]
    assert bash_complete(path, ["nnlab", "train", "--gate", "=", "x"]) == ["xor", "xnor"]
    assert bash_complete(path, ["nnlab", "train", "--gate", "="]) == list(PRESETS)
    assert bash_complete(path, "nnlab tune --strategy ") == list(STRATEGIES)
    assert bash_complete(path, "nnlab tune --objective ") == list(OBJECTIVES)
    assert bash_complete(path, "nnlab tune --activation ") == list(HIDDEN_ACTIVATIONS)
    zsh = script("zsh")
    for flag, names in (("--strategy", STRATEGIES), ("--objective", OBJECTIVES), ("--activation", HIDDEN_ACTIVATIONS),
                        ("--theme", theme_names()), ("--gate", PRESETS)):
        assert re.search(rf"'{flag}=\[[^']*\]:value:\({' '.join(names)}\)'", zsh), flag
    assert "learn) _arguments" in zsh and f"'1:learn:({' '.join(str(i + 1) for i in range(len(lessons)))}" in zsh
    if shutil.which("fish"):
        fish = tmp_path / "nnlab.fish"
        fish.write_text(script("fish"))

        def complete(line: str) -> list[str]:
            done = subprocess.run(["fish", "--no-config", "-c", f"source {fish}; complete -C '{line}'"],
                                  capture_output=True, text=True, timeout=30)
            assert done.returncode == 0, done.stderr
            return [row.split("\t")[0] for row in done.stdout.splitlines()]

        assert sorted(complete("nnlab tune --strategy ")) == sorted(STRATEGIES)
        assert "--gate=xor" in complete("nnlab train --gate=x")
        assert "textual-light" in complete("nnlab --theme textual-l")


@pytest.mark.skipif(shutil.which("fish") is None, reason="needs fish (.ci/run installs it)")
def test_fish_completes_commands_flags_and_registry_names(tmp_path):
    path = tmp_path / "nnlab.fish"
    path.write_text(script("fish"))

    def complete(line: str) -> list[str]:
        done = subprocess.run(["fish", "--no-config", "-c", f"source {path}; complete -C '{line}'"],
                              capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, done.stderr
        return [row.split("\t")[0] for row in done.stdout.splitlines()]

    assert complete("nnlab tr") == ["train"]
    assert set(complete("nnlab train --lo")) == {"--loss", "--log-csv"}
    assert sorted(complete("nnlab train --loss ")) == ["bce", "mse", "sse"]
    assert sorted(complete("nnlab completion ")) == ["bash", "fish", "zsh"]


@pytest.mark.skipif(shutil.which("zsh") is None, reason="needs zsh (.ci/run installs it)")
def test_zsh_script_loads_as_a_completion_function(tmp_path):
    """zsh parses the script, and it defines ``_nnlab`` for ``compdef`` (zsh can only run completion functions
    inside its line editor)."""
    path = tmp_path / "_nnlab"
    text = script("zsh")
    assert text.startswith("#compdef nnlab")
    path.write_text(text)
    assert subprocess.run(["zsh", "-n", str(path)], capture_output=True, timeout=30).returncode == 0
    probe = f"autoload -U compinit; compinit -u -D; source {path} 2>/dev/null; whence -w _nnlab"
    done = subprocess.run(["zsh", "-f", "-c", probe], capture_output=True, text=True, timeout=30)
    assert "_nnlab: function" in done.stdout, done.stdout + done.stderr


def test_an_unknown_shell_is_one_line():
    done = nnlab("completion", "powershell")
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "invalid choice: 'powershell'" in done.stderr


@pytest.mark.parametrize("flag", ["--version", "--help"])
def test_version_and_help_load_neither_numpy_nor_textual(subprocess_env, flag):
    """``nnlab --version`` and ``nnlab --help`` only print: they load neither NumPy nor Textual (most of their time
    once went to NumPy's import)."""
    code = (f"import sys\nfrom lab.cli import main\ntry:\n    main([{flag!r}])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('numpy', 'textual', 'plotext')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=subprocess_env,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "[]", done.stdout[-400:]
