"""The file commands: save, save as, open, export, and the autosave; an object the app builds with what it needs.

Every write is atomic (``lab.files.safe_io.write_atomic``); a file that exists and was neither opened nor saved in
this session is only overwritten after a confirmation (every file of a weights export, named); every failure is a
notification naming the path and the reason, and the experiment in the app is untouched by it. Quitting when the
autosave cannot be written asks before leaving; a lab whose autosave another lab has overwritten keeps both. In a
served lab (``file_root`` set) every path is confined to the lab's files folder: the dialogs resolve it there, and
each read or write checks it again.

``FileCommands`` reaches the interface only through its ``FileHost`` (the app: notifications, dialogs, adopting an
experiment, timers and workers) and the run only through its ``RunControl``.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, Protocol, TypeVar

from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.worker import Worker

from lab.core.errors import LabError, one_line
from lab.core.experiment import Experiment
from lab.files import autosave
from lab.files.experiment_file import ExperimentSpec, capture, encode, read
from lab.files.exports import (
    TUTORIAL_FILES,
    history_csv,
    standalone_script,
    weight_paths,
    write_tutorial_files,
    write_weights,
)
from lab.files.folder import FileRoot
from lab.files.safe_io import exists, write_atomic
from lab.timings import Timings
from lab.ui.parcel import Parcel
from lab.ui.run import Run, Trained
from lab.ui.screens.confirm import ConfirmScreen
from lab.ui.screens.export import EXPORTS, ExportScreen
from lab.ui.screens.path_prompt import PathScreen

T = TypeVar("T")

# Priority bindings: each opens a dialog as the key arrives, so keys typed right after it (a path) go to the dialog,
# never to the table as commands (``LabApp.check_action`` keeps them out of dialogs and text lines).
FILE_BINDINGS = [
    Binding("ctrl+s", "save", "Save", id="file.save", priority=True),
    Binding("ctrl+o", "open", "Open", id="file.open", priority=True),
    Binding("ctrl+e", "export", "Export", id="file.export", priority=True),
]


def file_stem(name: str) -> str:
    """A file-name-safe version of an experiment name: ``keras-xor``, ``my_gate``."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "experiment"


class FileHost(Protocol):
    """What the file commands need of the interface (the app provides it)."""

    @property
    def screen(self) -> Screen[Any]:
        """The screen on top."""
        ...

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Tell the person ``message`` (plain text)."""
        ...

    def ask(self, screen: Screen[T], then: Callable[[T | None], None]) -> None:
        """Show the dialog ``screen``; ``then`` gets its answer."""
        ...

    def load_experiment(self, experiment: Experiment, trainer: Trained | None) -> None:
        """Adopt a loaded experiment (and its trained network, when given)."""
        ...

    def discard_then(self, reason: str, then: Callable[[], None]) -> None:
        """Run ``then``, which replaces the trained network, after a yes when trained work would be lost."""
        ...

    def exit(self) -> None:
        """Leave the app."""
        ...

    def set_interval(self, interval: float, callback: Callable[[], None]) -> object:
        """Call ``callback`` every ``interval`` seconds while the app runs."""
        ...

    def run_worker(self, work: Callable[[], None], name: str | None = "", group: str = "default",
                   description: str = "", exit_on_error: bool = True, start: bool = True, exclusive: bool = False,
                   thread: bool = False) -> Worker[None]:
        """Run ``work`` in a worker of the app."""
        ...

    def call_from_thread(self, callback: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run ``callback`` on the interface thread from another thread."""
        ...


class FileCommands:
    """Save, open, export and autosave the run of ``run`` through ``host``.

    Attributes:
        path: the file this experiment came from or was last saved to (None: not yet).
        known_paths: files opened or written in this session (overwritten without a question).
        autosave_path: where the autosave goes (None: no autosave).
        file_root: the folder every file path is confined to (``nnlab serve`` sets it); None: any path, as typed.
    """

    def __init__(self, host: FileHost, run: Run, path: Path | None = None,
                 autosave_path: Path | None = None, autosave_interval: float = Timings.autosave_interval) -> None:
        """``autosave_interval``: seconds between two autosaves of a changed run (``Timings.autosave_interval``)."""
        self.host = host
        self.run = run
        self.path = path
        self.known_paths: set[Path] = {path.resolve()} if path else set()
        self.autosave_path = autosave_path
        self.file_root: FileRoot | None = None
        self._autosaver: autosave.Autosaver | None = None
        self._autosave_problem: str | None = None  # why the last autosave failed (notified once while it lasts)
        self._autosave_spec: Parcel[ExperimentSpec] | None = None  # the latest autosave's, until its worker takes it
        self.autosave_interval = autosave_interval
        self._ui_thread = threading.get_ident()  # the interface's thread (``start_autosave`` notes it again)

    # --- saving ----------------------------------------------------------------------------------------------------
    def _experiment_spec(self, history_points: int | None = None) -> ExperimentSpec:
        """The experiment and its trained state as they are now: the state copied under the session lock, mapped to
        the file's form outside it (a long history kept in part with ``history_points``: the autosave's)."""
        experiment, state = self.run.file_state()
        return capture(experiment, state, history_points)

    def experiment_bytes(self, indent: bool = True) -> bytes:
        """The experiment file's bytes for the run as it is now."""
        return encode(self._experiment_spec(), indent)

    def save(self) -> None:
        """Save to the file this experiment came from or was last saved to; else ask for one."""
        if self.path is None:
            self.save_as()
        else:
            self._write_experiment(self.path)

    def save_as(self) -> None:
        """Ask for a path and save there."""
        suggestion = self._shown(self.path) if self.path else f"{file_stem(self.run.experiment.name)}.json"

        def chosen(path: Path | None) -> None:
            if path is not None:
                self._confirm_overwrite(path, lambda: self._write_experiment(path))

        self.host.ask(PathScreen("Save the experiment (with its trained weights) as", suggestion,
                                 root=self.file_root), chosen)

    def _shown(self, path: Path | None) -> str:
        """``path`` as a dialog shows it: relative to the files folder in a served lab."""
        if path is None:
            return ""
        return self.file_root.show(path) if self.file_root is not None else str(path)

    def _confined(self, path: Path, title: str) -> Path | None:
        """``path`` checked again just before it is used (served lab: still inside the files folder); None,
        with a notification titled ``title``, when it is not."""
        if self.file_root is None:
            return path
        try:
            return self.file_root.check(path)
        except LabError as e:
            self._notify(str(e), title=title, severity="error", timeout=8)
            return None

    def _confirm_overwrite(self, path: Path | list[Path], write: Callable[[], None]) -> None:
        """Run ``write`` at once, or after a yes when a file it writes (``path``, or each of a list) exists and was
        neither opened nor written in this session."""
        paths = path if isinstance(path, list) else [path]
        strangers = [p for p in paths if exists(p) and _key(p) not in self.known_paths]
        if not strangers:
            write()
            return

        def answer(yes: bool | None) -> None:
            if yes:
                write()
        if len(strangers) == 1:
            question = f"{strangers[0]} exists and was not opened here. Overwrite it?"
        else:
            question = f"{', '.join(map(str, strangers))} exist and were not opened here. Overwrite them?"
        self.host.ask(ConfirmScreen(one_line(question)), answer)

    def _write_experiment(self, path: Path) -> None:
        confined = self._confined(path, "Save failed")
        if confined is None:
            return
        path = confined
        marker = self.run.saved_marker()  # read first: a running trainer only moves on
        try:
            written = write_atomic(path, self.experiment_bytes())
        except LabError as e:
            self._notify(f"Not saved: {e}", title="Save failed", severity="error", timeout=8)
            return
        self.path = path
        self.known_paths.add(_key(path))
        self.run.mark_saved(marker)
        self._notify(f"Saved to {path}" + (f" (through the link, to {written})" if written != path else ""),
                     timeout=3)

    # --- opening ---------------------------------------------------------------------------------------------------
    def open(self) -> None:
        """Ask for an experiment file and open it (the current one stays if the file cannot be read)."""
        def chosen(path: Path | None) -> None:
            if path is not None:
                self.open_file(path)

        self.host.ask(PathScreen("Open an experiment file", self._shown(self.path), must_exist=True,
                                 root=self.file_root), chosen)

    def open_file(self, path: Path) -> bool:
        """Replace the experiment with the one in ``path`` (asking first when that discards a trained, unsaved
        network); notify and keep the current one when the file cannot be read."""
        confined = self._confined(path, "Cannot open")
        if confined is None:
            return False
        path = confined
        try:
            experiment, trainer = read(path)
        except LabError as e:
            self._notify(str(e), title="Cannot open", severity="error", timeout=10)
            return False

        def adopt() -> None:
            self.host.load_experiment(experiment, trainer)
            self.path = path
            self.known_paths.add(_key(path))
            self.run.mark_saved()
            self._notify(f"Opened {path}" + (f" at epoch {trainer.epoch:,}" if trainer else ""), timeout=3)

        self.host.discard_then(f"Open {path}", adopt)
        return True

    # --- exports ---------------------------------------------------------------------------------------------------
    def export(self) -> None:
        """Export the loss history, the weights or a standalone script."""
        def kind_chosen(kind: str | None) -> None:
            if kind is None:
                return
            suggestion = file_stem(self.run.experiment.name) + EXPORTS[kind][1]

            def path_chosen(path: Path | None) -> None:
                if path is None:
                    return
                targets = [path]
                if kind in ("npz", "txt"):
                    targets = weight_paths(path, self.run.n_layers())
                elif kind == "tutorial":  # a folder of the tutorial's three files
                    targets = [path / name for name in TUTORIAL_FILES]
                self._confirm_overwrite(targets, lambda: self.export_to(kind, path))

            self.host.ask(PathScreen(EXPORTS[kind][0], suggestion, root=self.file_root), path_chosen)

        self.host.ask(ExportScreen(), kind_chosen)

    def export_to(self, kind: str, path: Path) -> None:
        """Write the export ``kind`` (a key of ``EXPORTS``) to ``path`` (a weights export may write several)."""
        confined = self._confined(path, "Export failed")
        if confined is None:
            return
        path = confined
        frozen = self.run.frozen()  # a copy under the lock; the files are written outside it
        experiment, state = frozen.experiment, frozen.state
        try:
            written = [path]
            if kind == "csv":
                write_atomic(path, history_csv(state.history).encode())
            elif kind == "script":
                write_atomic(path, standalone_script(experiment, state).encode())
            elif kind == "tutorial":
                written = write_tutorial_files(path, experiment, state)
            else:
                written = write_weights(path, state)
        except LabError as e:
            self._notify(f"Not exported: {e}", title="Export failed", severity="error", timeout=8)
            return
        self.known_paths.update(_key(p) for p in written)
        where = written[0] if len(written) == 1 else f"{len(written)} files: {', '.join(p.name for p in written)}"
        self._notify(f"Exported to {where}", timeout=3 + len(written))

    # --- autosave --------------------------------------------------------------------------------------------------
    def start_autosave(self, offer: bool = True) -> None:
        """Note the autosave as it is (and tidy a killed lab's leftovers), offer it back when the lab opened on no
        file and ``offer`` (not for a lesson, which sets the lab up itself), then keep autosaving."""
        if self.autosave_path is None:
            return
        self._ui_thread = threading.get_ident()
        self._autosaver = autosave.Autosaver(self.autosave_path)
        self.host.set_interval(self.autosave_interval, self.autosave_tick)
        if self.path is not None or not offer:
            return
        try:
            found = self._autosaver.recoverable()
        except autosave.Unreadable as e:
            self._notify(f"The last autosave cannot be read, so it is set aside: {e}", severity="warning",
                             timeout=10)
            found = []
        self._offer(found)

    def _offer(self, found: list[tuple[Path, autosave.Autosaved]]) -> None:
        """Offer the recoverable autosaves one by one, newest first, until one is taken."""
        found = [(path, saved) for path, saved in found if not (saved.experiment == self.run.experiment and (
            saved.trainer is None or saved.trainer.epoch == 0))]
        if not found:
            return  # nothing the person made would be restored
        (path, saved), rest = found[0], found[1:]

        def answer(yes: bool | None) -> None:
            if yes:
                self.host.load_experiment(saved.experiment, saved.trainer)
                self._notify("Restored the last session.", timeout=3)
                if self._autosaver is not None:
                    self._autosaver.restored(path)
                self.run.dirty = True
            elif rest:
                self._offer(rest)
            else:
                self.run.dirty = True

        where = "" if self._autosaver is None or path == self._autosaver.shared_path else f" ({path.name})"
        self.host.ask(ConfirmScreen(f"Restore your last session{where}? {saved.describe()}"), answer)

    def autosave_tick(self) -> None:
        """Autosave in a worker when the run changed since the last autosave (not while a question is open)."""
        if self.run.dirty and not isinstance(self.host.screen, ConfirmScreen):
            self.run.dirty = False
            if self._autosave_spec is not None:
                self._autosave_spec.drop()  # an autosave that has not started yet (this one cancels it) lets it go
            self._autosave_spec = Parcel(self._experiment_spec(autosave.HISTORY_POINTS))
            self.host.run_worker(partial(self._autosave_in_worker, self._autosave_spec),
                                 thread=True, exclusive=True, exit_on_error=False, group="autosave", name="autosave")

    def _autosave_in_worker(self, spec: Parcel[ExperimentSpec]) -> None:
        """Encode and write the autosave off the interface thread (encoding is most of the cost). The spec is taken
        out of its parcel: the finished worker, which Textual keeps until the collector's next full pass
        (``lab.ui.parcel``), holds no history (its lists of floats are about 8 MB at 300,000 epochs)."""
        taken = spec.take()
        if taken is not None:
            self.write_autosave(encode(taken, indent=False))

    def write_autosave(self, data: bytes | None = None, notify: bool = True) -> str | None:
        """Write the autosave now (``data`` captured earlier, or the current experiment).

        Returns:
            Why it could not be written, or None. It is also notified when ``notify``, once for as long as the same
            reason lasts.
        """
        if self.autosave_path is None:
            return None
        if self._autosaver is None:
            self._autosaver = autosave.Autosaver(self.autosave_path)
        if data is None:
            data = encode(self._experiment_spec(autosave.HISTORY_POINTS), indent=False)
        try:
            diverted = self._autosaver.write(data)
        except autosave.Unreadable as e:
            self._on_ui_thread(self._notify, f"The last autosave cannot be read, so it is set aside: {e}",
                               severity="warning", timeout=10)
            diverted = None
        except LabError as e:
            if notify and str(e) != self._autosave_problem:
                self._on_ui_thread(self._notify, f"Autosave failed: {e}", severity="warning", timeout=5)
            self._autosave_problem = str(e)
            return str(e)
        self._autosave_problem = None
        if diverted is not None:
            self._on_ui_thread(
                self._notify, f"Another nnlab saved its session to {self._autosaver.shared_path}: this lab "
                f"autosaves to {diverted} instead, so both are kept.", severity="warning", timeout=10)
        return None

    def quit_after_autosave(self) -> None:
        """Write the autosave and leave; when it cannot be written, ask: quit anyway, or stay (and save)."""
        problem = self.write_autosave(notify=False)  # the question says why
        if problem is None:
            self.host.exit()
            return

        def answer(yes: bool | None) -> None:
            if yes:
                self.host.exit()

        self.host.ask(ConfirmScreen(f"The autosave cannot be written ({problem}), so this session would be "
                                       "lost. Quit anyway? (n stays: ctrl+s saves it elsewhere)"), answer)

    def _notify(self, message: str, **kwargs: Any) -> None:
        """Notify through the host with every control or bidirectional character of ``message`` made visible: it
        quotes paths the person typed or pasted, which Textual would send to the terminal as they are."""
        self.host.notify(one_line(message), **kwargs)

    def _on_ui_thread(self, callback: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Run ``callback`` on the interface thread, whichever thread this is."""
        if self._ui_thread == threading.get_ident():
            callback(*args, **kwargs)
        else:
            self.host.call_from_thread(callback, *args, **kwargs)


def _key(path: Path) -> Path:
    """How a path is remembered as known: resolved, or only made absolute when it cannot be resolved."""
    try:
        return path.resolve()
    except (OSError, ValueError, RuntimeError):
        return path.absolute()
