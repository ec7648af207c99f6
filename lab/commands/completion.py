"""``nnlab completion bash|zsh|fish``: a shell completion script, generated from the same parsers the commands use.

What is completed: the command names after ``nnlab``, each command's flags, the names a flag takes (``--gate`` the
presets, ``--loss`` the losses, ``--theme`` the themes, tune's ``--strategy``... straight from the registries the
engine uses; ``--flag=value`` as well as ``--flag value``), ``nnlab learn``'s lessons, and file names everywhere else.
Nothing is hand-listed: a new flag or a new preset appears in the scripts by itself.

Install (each shell's usual place)::

    nnlab completion bash > ~/.local/share/bash-completion/completions/nnlab
    nnlab completion zsh > "${fpath[1]}/_nnlab"
    nnlab completion fish > ~/.config/fish/completions/nnlab.fish
"""

from __future__ import annotations

import argparse
import shlex
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from lab.commands.parser import Parser
from lab.core.activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from lab.core.experiment import PRECISIONS
from lab.core.init import INITIALISERS
from lab.core.losses import LOSSES
from lab.core.optim import OPTIMIZERS
from lab.core.presets import PRESETS
from lab.core.recipes import RECIPES
from lab.core.tune import OBJECTIVES, STRATEGIES


def _themes() -> Iterable[str]:
    from lab.ui.settings import theme_names  # the names --theme checks against

    return theme_names()


def _lessons() -> Iterable[str]:
    from lab.core.lessons import shipped_lessons  # the lessons nnlab learn finds (find_lesson: number or id)

    lessons = shipped_lessons()
    return [str(i + 1) for i in range(len(lessons))] + [lesson.id for lesson in lessons]


SHELLS = ("bash", "zsh", "fish")

# Flags whose values are names from a registry (the parsers leave them free text so their errors can name the flag),
# or a function that lists them when a script is made.
FLAG_VALUES: Mapping[str, Iterable[str] | Callable[[], Iterable[str]]] = {
    "--gate": PRESETS,
    "--recipe": RECIPES,
    "--loss": LOSSES,
    "--optimizer": OPTIMIZERS,
    "--init": INITIALISERS,
    "--output": OUTPUT_ACTIVATIONS,
    "--activation": HIDDEN_ACTIVATIONS,  # tune's axis: a comma-separated list, completed one name at a time
    "--strategy": STRATEGIES,
    "--objective": OBJECTIVES,
    "--theme": _themes,
    "--stop": ("budget", "solved"),  # loss<X is left to the person: a bare < is a redirection in every shell
    "--precision": PRECISIONS,
}

COMMAND_WORDS: Mapping[str, Callable[[], Iterable[str]]] = {"learn": _lessons}
"""The words a command's first positional argument takes when its parser leaves it free text (lesson numbers and
names, which ``find_lesson`` reads)."""


@dataclass(frozen=True)
class Flag:
    """One option of a command: its spellings, whether it takes a value, the values it takes (empty: free text or a
    file name) and its one-line help."""

    names: tuple[str, ...]
    takes_value: bool
    values: tuple[str, ...]
    help: str


@dataclass(frozen=True)
class Command:
    """A command to complete: its name (``""`` for bare ``nnlab``), its summary, its flags, and the words its first
    positional argument takes when they are a fixed list (else it takes file names)."""

    name: str
    summary: str
    flags: tuple[Flag, ...]
    words: tuple[str, ...] = ()


def words_of(parser: argparse.ArgumentParser) -> tuple[str, ...]:
    """The fixed choices of ``parser``'s first positional argument, if it has them."""
    for action in parser._actions:
        if not action.option_strings and action.choices and not isinstance(action, argparse._SubParsersAction):
            return tuple(map(str, action.choices))
    return ()


def flags_of(parser: argparse.ArgumentParser) -> tuple[Flag, ...]:
    """The options of ``parser`` as ``Flag`` records (positionals are completed as file names)."""
    out = []
    for action in parser._actions:  # argparse has no public list of a parser's actions
        if not action.option_strings:
            continue
        values: Iterable[str] = action.choices if action.choices else ()
        for name in action.option_strings:
            known = FLAG_VALUES.get(name)
            if known is not None:
                values = known() if callable(known) else known
        out.append(Flag(tuple(action.option_strings), action.nargs != 0, tuple(map(str, values)),
                        " ".join((action.help or "").replace("%%", "%").split())))
    return tuple(out)


def commands(top: argparse.ArgumentParser, parsers: Mapping[str, tuple[str, argparse.ArgumentParser]]) -> list[Command]:
    """Bare ``nnlab`` (``top``) and every command in ``parsers`` (name -> summary, parser)."""
    return [Command("", "", flags_of(top))] + [
        Command(n, s, flags_of(p), words_of(p) or tuple(COMMAND_WORDS.get(n, tuple)())) for n, (s, p) in
        parsers.items()]


def _words(items: Iterable[str]) -> str:
    return " ".join(shlex.quote(i) for i in items)


def bash_script(cmds: Sequence[Command]) -> str:
    """A bash completion function for ``nnlab``: the command, then its flags and their values, else files."""
    names = [c.name for c in cmds if c.name]
    lines = [
        "# bash completion for nnlab (generated by `nnlab completion bash`)",
        "_nnlab() {",
        '    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}" cmd="" w i',
        "    # --flag=value: bash splits at the = (COMP_WORDBREAKS), so the flag is the word before it",
        '    if [[ "$cur" == "=" ]]; then cur=""',
        '    elif [[ "$prev" == "=" && $COMP_CWORD -ge 2 ]]; then prev="${COMP_WORDS[COMP_CWORD-2]}"; fi',
        "    for ((i = 1; i < COMP_CWORD; i++)); do",
        '        w="${COMP_WORDS[i]}"',
        f'        case "$w" in {"|".join(names)}) cmd="$w"; break ;; esac',
        "    done",
        '    local flags="" values="" words=""',
        '    case "$cmd" in',
    ]
    for c in cmds:
        flags = [n for f in c.flags for n in f.names]
        pattern = c.name or '""'
        lines.append(f"        {pattern}) flags={shlex.quote(' '.join(flags))} words={shlex.quote(' '.join(c.words))}")
        cases = [(f, "|".join(f.names)) for f in c.flags if f.values]
        if cases:
            lines.append('            case "$prev" in')
            lines += [f"                {pattern}) values={shlex.quote(' '.join(f.values))} ;;" for f, pattern in cases]
            lines.append("            esac")
        lines.append("            ;;")
    lines += [
        "    esac",
        '    if [[ -n "$values" ]]; then',
        '        COMPREPLY=($(compgen -W "$values" -- "$cur")); return',
        "    fi",
        '    if [[ "$cur" == -* ]]; then',
        '        COMPREPLY=($(compgen -W "$flags" -- "$cur")); return',
        "    fi",
        '    if [[ -z "$cmd" ]]; then',
        f'        COMPREPLY=($(compgen -W {shlex.quote(" ".join(names))} -- "$cur"))',
        "    fi",
        '    if [[ -n "$words" ]]; then',
        '        COMPREPLY=($(compgen -W "$words" -- "$cur")); return',
        "    fi",
        '    COMPREPLY+=($(compgen -f -- "$cur"))',
        "}",
        "complete -o filenames -F _nnlab nnlab",
    ]
    return "\n".join(lines) + "\n"


def _zsh_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("'", "'\\''").replace(":", "\\:").replace("[", "\\[").replace(
        "]", "\\]")


def _zsh_spec(flag: Flag) -> list[str]:
    """``_arguments`` specs of ``flag``: a long flag that takes a value is ``--name=`` (the value in the next word
    or after an ``=``)."""
    action = f":value:({' '.join(flag.values)})" if flag.values else (":value:_files" if flag.takes_value else "")
    return [f"'{name}{'=' if flag.takes_value and name.startswith('--') else ''}[{_zsh_escape(flag.help)}]{action}'"
            for name in flag.names]


def zsh_script(cmds: Sequence[Command]) -> str:
    """A zsh completion function (``#compdef nnlab``) built on ``_arguments``."""
    lines = ["#compdef nnlab", "# zsh completion for nnlab (generated by `nnlab completion zsh`)", "_nnlab() {",
             "    local context state line", "    typeset -A opt_args"]
    top = cmds[0]
    described = " ".join(f"'{c.name}:{_zsh_escape(c.summary)}'" for c in cmds if c.name)
    lines += ["    _arguments -C \\"]
    lines += [f"        {spec} \\" for f in top.flags for spec in _zsh_spec(f)]
    lines += ["        '1: :->command' \\", "        '*:: :->args'", '    case "$state" in',
              f"        command) local -a cmds; cmds=({described}); _describe command cmds; _files ;;",
              '        args)', '            case "$line[1]" in']
    for c in cmds[1:]:
        specs = " ".join(s for f in c.flags for s in _zsh_spec(f))
        rest = f"'1:{c.name}:({' '.join(c.words)})'" if c.words else "'*:file:_files'"
        lines.append(f"                {c.name}) _arguments {specs} {rest} ;;")
    lines += ["                *) _files ;;", "            esac ;;", "    esac", "}", '_nnlab "$@"']
    return "\n".join(lines) + "\n"


def _fish_quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def fish_script(cmds: Sequence[Command]) -> str:
    """fish ``complete`` lines: commands while none is given, then each command's flags and their values."""
    names = " ".join(c.name for c in cmds if c.name)
    lines = ["# fish completion for nnlab (generated by `nnlab completion fish`)", "complete -c nnlab -f"]
    for c in cmds:
        if c.name:
            lines.append(f"complete -c nnlab -n '__fish_use_subcommand' -a {c.name} -d {_fish_quote(c.summary)}")
        cond = f"__fish_seen_subcommand_from {c.name}" if c.name else f"not __fish_seen_subcommand_from {names}"
        for f in c.flags:
            parts = [f"complete -c nnlab -n {_fish_quote(cond)}"]
            for n in f.names:
                parts.append(f"-l {n[2:]}" if n.startswith("--") else f"-s {n[1:]}")
            if f.values:
                parts.append(f"-x -a {_fish_quote(' '.join(f.values))}")
            elif f.takes_value:
                parts.append("-r -F")
            if f.help:
                parts.append(f"-d {_fish_quote(f.help)}")
            lines.append(" ".join(parts))
        if c.words:
            lines.append(f"complete -c nnlab -n {_fish_quote(cond)} -x -a {_fish_quote(' '.join(c.words))}")
        else:
            lines.append(f"complete -c nnlab -n {_fish_quote(cond)} -F")
    return "\n".join(lines) + "\n"


SCRIPTS = {"bash": bash_script, "zsh": zsh_script, "fish": fish_script}


def parser() -> Parser:
    """The ``nnlab completion`` argument parser."""
    p = Parser(prog="nnlab completion", description="Print a shell completion script for nnlab.",
               epilog="install: nnlab completion bash > ~/.local/share/bash-completion/completions/nnlab | "
                      'nnlab completion zsh > "${fpath[1]}/_nnlab" | '
                      "nnlab completion fish > ~/.config/fish/completions/nnlab.fish")
    p.add_argument("shell", choices=SHELLS, help="the shell: bash, zsh or fish")
    return p


__all__ = ["SHELLS", "SCRIPTS", "commands", "parser", "bash_script", "zsh_script", "fish_script"]
