"""The app's file actions: save, save as, open, export, and the autosave. A mixin of ``LabApp``.

Every write is atomic (``lab.files.safe_io.write_atomic``); a file that exists and was neither opened nor saved in
this session is only overwritten after a confirmation (every file of a weights export, named); every failure is a
notification naming the path and the reason, and the experiment in the app is untouched by it. Quitting when the
autosave cannot be written asks before leaving; a lab whose autosave another lab has overwritten keeps both. In a
served lab (``file_root`` set) every path is confined to the lab's files folder: the dialogs resolve it there, and
each read or write checks it again.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.binding import Binding

from lab.core.errors import LabError
from lab.files import autosave
from lab.files.experiment_file import ExperimentSpec, capture, encode, read
from lab.files.exports import history_csv, standalone_script, weight_paths, write_weights
from lab.files.folder import FileRoot
from lab.files.safe_io import exists, write_atomic
from lab.ui.screens.confirm import ConfirmScreen
from lab.ui.screens.export import EXPORTS, ExportScreen
from lab.ui.screens.path_prompt import PathScreen

if TYPE_CHECKING:
    from lab.ui.app import LabApp

AUTOSAVE_INTERVAL = 3.0

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


class FileActions:
    """Save, open, export and autosave for ``LabApp`` (which provides ``session``, ``experiment``, ``notify``...)."""

    path: Path | None
    known_paths: set[Path]
    autosave_path: Path | None
    _dirty: bool
    file_root: FileRoot | None = None
    """The folder every file path is confined to (``nnlab serve`` sets it); None: any path, as typed."""
    _autosaver: autosave.Autosaver | None = None

    # --- saving ----------------------------------------------------------------------------------------------------
    def _experiment_spec(self: LabApp, history_points: int | None = None) -> ExperimentSpec:
        """The experiment and its trained state as they are now: the state copied under the session lock, mapped to
        the file's form outside it (a long history kept in part with ``history_points``: the autosave's)."""
        with self.session.lock:
            trainer = self.session.trainer
            state = trainer.state() if trainer.epoch else None
            experiment = trainer.experiment if state else self.experiment
        return capture(experiment, state, history_points)

    def _experiment_bytes(self: LabApp, indent: bool = True) -> bytes:
        return encode(self._experiment_spec(), indent)

    def action_save(self: LabApp) -> None:
        """Save to the file this experiment came from or was last saved to; else ask for one."""
        if self.path is None:
            self.action_save_as()
        else:
            self._write_experiment(self.path)

    def action_save_as(self: LabApp) -> None:
        """Ask for a path and save there."""
        suggestion = self._shown(self.path) if self.path else f"{file_stem(self.experiment.name)}.json"

        def chosen(path: Path | None) -> None:
            if path is not None:
                self._confirm_overwrite(path, lambda: self._write_experiment(path))

        self.push_screen(PathScreen("Save the experiment (with its trained weights) as", suggestion,
                                    root=self.file_root), chosen)

    def _shown(self: LabApp, path: Path | None) -> str:
        """``path`` as a dialog shows it: relative to the files folder in a served lab."""
        if path is None:
            return ""
        return self.file_root.show(path) if self.file_root is not None else str(path)

    def _confined(self: LabApp, path: Path, title: str) -> Path | None:
        """``path`` checked again just before it is used (served lab: still inside the files folder); None,
        with a notification titled ``title``, when it is not."""
        if self.file_root is None:
            return path
        try:
            return self.file_root.check(path)
        except LabError as e:
            self.notify(str(e), title=title, severity="error", timeout=8)
            return None

    def _confirm_overwrite(self: LabApp, path: Path | list[Path], write) -> None:
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
        self.push_screen(ConfirmScreen(question), answer)

    def _write_experiment(self: LabApp, path: Path) -> None:
        if (path := self._confined(path, "Save failed")) is None:
            return
        marker = (self.session.run_id, self.session.trainer.epoch)  # read first: a running trainer only moves on
        try:
            write_atomic(path, self._experiment_bytes())
        except LabError as e:
            self.notify(f"Not saved: {e}", title="Save failed", severity="error", timeout=8)
            return
        self.path = path
        self.known_paths.add(_key(path))
        self.saved_at = marker
        self.notify(f"Saved to {path}", timeout=3)

    # --- opening ---------------------------------------------------------------------------------------------------
    def action_open(self: LabApp) -> None:
        """Ask for an experiment file and open it (the current one stays if the file cannot be read)."""
        def chosen(path: Path | None) -> None:
            if path is not None:
                self.open_file(path)

        self.push_screen(PathScreen("Open an experiment file", self._shown(self.path), must_exist=True,
                                    root=self.file_root), chosen)

    def open_file(self: LabApp, path: Path) -> bool:
        """Replace the experiment with the one in ``path`` (asking first when that discards a trained, unsaved
        network); notify and keep the current one when the file cannot be read."""
        if (path := self._confined(path, "Cannot open")) is None:
            return False
        try:
            experiment, trainer = read(path)
        except LabError as e:
            self.notify(str(e), title="Cannot open", severity="error", timeout=10)
            return False

        def adopt() -> None:
            self.load_experiment(experiment, trainer)
            self.path = path
            self.known_paths.add(_key(path))
            self.saved_at = (self.session.run_id, self.session.trainer.epoch)
            self.notify(f"Opened {path}" + (f" at epoch {trainer.epoch:,}" if trainer else ""), timeout=3)

        self.discard_then(f"Open {path}", adopt)
        return True

    # --- exports ---------------------------------------------------------------------------------------------------
    def action_export(self: LabApp) -> None:
        """Export the loss history, the weights or a standalone script."""
        def kind_chosen(kind: str | None) -> None:
            if kind is None:
                return
            suggestion = file_stem(self.experiment.name) + EXPORTS[kind][1]

            def path_chosen(path: Path | None) -> None:
                if path is None:
                    return
                targets = [path]
                if kind in ("npz", "txt"):
                    with self.session.lock:
                        n_layers = self.session.trainer.net.shape.n_layers
                    targets = weight_paths(path, n_layers)
                self._confirm_overwrite(targets, lambda: self._export(kind, path))

            self.push_screen(PathScreen(EXPORTS[kind][0], suggestion, root=self.file_root), path_chosen)

        self.push_screen(ExportScreen(), kind_chosen)

    def _export(self: LabApp, kind: str, path: Path) -> None:
        if (path := self._confined(path, "Export failed")) is None:
            return
        with self.session.lock:  # a copy under the lock; the files are written outside it
            experiment, state = self.session.trainer.experiment, self.session.trainer.state()
        try:
            written = [path]
            if kind == "csv":
                write_atomic(path, history_csv(state.history).encode())
            elif kind == "script":
                write_atomic(path, standalone_script(experiment, state).encode())
            else:
                written = write_weights(path, state)
        except LabError as e:
            self.notify(f"Not exported: {e}", title="Export failed", severity="error", timeout=8)
            return
        self.known_paths.update(_key(p) for p in written)
        where = written[0] if len(written) == 1 else f"{len(written)} files: {', '.join(p.name for p in written)}"
        self.notify(f"Exported to {where}", timeout=3 + len(written))

    # --- autosave --------------------------------------------------------------------------------------------------
    def start_autosave(self: LabApp, offer: bool = True) -> None:
        """Note the autosave as it is (and tidy a killed lab's leftovers), offer it back when the lab opened on no
        file and ``offer`` (not for a lesson, which sets the lab up itself), then keep autosaving."""
        if self.autosave_path is None:
            return
        self._autosaver = autosave.Autosaver(self.autosave_path)
        self.set_interval(AUTOSAVE_INTERVAL, self._autosave_tick)
        if self.path is not None or not offer:
            return
        try:
            saved = self._autosaver.load()
        except LabError as e:
            self.notify(f"The last autosave cannot be read and will be replaced: {e}", severity="warning",
                        timeout=8)
            return
        if saved is None:
            return
        if saved.experiment == self.experiment and (saved.trainer is None or saved.trainer.epoch == 0):
            return  # nothing the person made would be restored

        def answer(yes: bool | None) -> None:
            if yes:
                self.load_experiment(saved.experiment, saved.trainer)
                self.notify("Restored the last session.", timeout=3)
            self._dirty = True

        self.push_screen(ConfirmScreen(f"Restore your last session? {saved.describe()}"), answer)

    def _autosave_tick(self: LabApp) -> None:
        if self._dirty and not isinstance(self.screen, ConfirmScreen):
            self._dirty = False
            self._autosave_worker(self._experiment_spec(autosave.HISTORY_POINTS))

    @work(thread=True, exclusive=True, exit_on_error=False, group="autosave", name="autosave")
    def _autosave_worker(self: LabApp, spec: ExperimentSpec) -> None:
        """Encode and write the autosave off the interface thread (encoding is most of the cost)."""
        self.write_autosave(encode(spec, indent=False))

    def write_autosave(self: LabApp, data: bytes | None = None) -> str | None:
        """Write the autosave now (``data`` captured earlier, or the current experiment).

        Returns:
            Why it could not be written (also notified), or None.
        """
        if self.autosave_path is None:
            return None
        if self._autosaver is None:
            self._autosaver = autosave.Autosaver(self.autosave_path)
        if data is None:
            data = encode(self._experiment_spec(autosave.HISTORY_POINTS), indent=False)
        try:
            diverted = self._autosaver.write(data)
        except LabError as e:
            self.call_from_thread_or_now(self.notify, f"Autosave failed: {e}", severity="warning", timeout=5)
            return str(e)
        if diverted is not None:
            self.call_from_thread_or_now(
                self.notify, f"Another nnlab saved its session to {self._autosaver.shared_path}: this lab autosaves "
                f"to {diverted} instead, so both are kept.", severity="warning", timeout=10)
        return None

    def quit_after_autosave(self: LabApp) -> None:
        """Write the autosave and leave; when it cannot be written, ask: quit anyway, or stay (and save)."""
        problem = self.write_autosave()
        if problem is None:
            self.exit()
            return

        def answer(yes: bool | None) -> None:
            if yes:
                self.exit()

        self.push_screen(ConfirmScreen(f"The autosave cannot be written ({problem}), so this session would be "
                                       "lost. Quit anyway? (n stays: ctrl+s saves it elsewhere)"), answer)

    def call_from_thread_or_now(self: LabApp, callback, *args, **kwargs) -> None:
        """Run ``callback`` on the interface thread, whichever thread this is."""
        if self._thread_id == threading.get_ident():
            callback(*args, **kwargs)
        else:
            self.call_from_thread(callback, *args, **kwargs)


def _key(path: Path) -> Path:
    """How a path is remembered as known: resolved, or only made absolute when it cannot be resolved."""
    try:
        return path.resolve()
    except (OSError, ValueError, RuntimeError):
        return path.absolute()
