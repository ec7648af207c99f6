"""``nnlab train``: train headless and report like Keras' ``fit``; ``--json`` for scripts.

The output contract (kept stable; other tools build on it): a model summary, then lines
``Epoch 12/1000 - loss: 0.2549 - binary_accuracy: 0.5000`` every ``--every`` epochs, at the solved epoch and at the
last, then each row's prediction and a result line. ``--json`` prints exactly one JSON object instead.
"""

from __future__ import annotations

import json
import math
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from lab.commands.interrupt import StopRequest
from lab.commands.options import add_gate_args, add_network_args, experiment_from_args
from lab.commands.parser import Parser
from lab.commands.progress import Progress
from lab.commands.text_width import fit_line, output_width
from lab.core.errors import LabError, at
from lab.core.numbers import four, loss_text, seconds_text
from lab.core.rules import right
from lab.core.summary import summary_text
from lab.core.train import Trainer
from lab.files.experiment_file import write
from lab.files.exports import (
    tutorial_files,
    weight_paths,
    write_history_csv,
    write_script,
    write_tutorial_files,
    write_weights,
)
from lab.files.safe_io import DEVICE, check_writable, write_kind

UNTIL_STOPPED_EVERY = 1000  # the default --every of a run until stopped (--epochs 0), which has no budget/10


def parser() -> Parser:
    """The ``nnlab train`` argument parser."""
    p = Parser(prog="nnlab train", description="Train a network on a gate without the interface.",
               epilog="examples: nnlab train --gate xor --hidden 4:tanh --lr 0.1 --stop solved | "
                      "nnlab train --recipe single-neuron --json")
    add_gate_args(p)
    add_network_args(p)
    o = p.add_argument_group("output")
    o.add_argument("--every", type=int, metavar="N", help="print an epoch line every N epochs (default: budget/10, or "
                   f"{UNTIL_STOPPED_EVERY} for --epochs 0)")
    o.add_argument("--quiet", action="store_true", help="print only the result line")
    o.add_argument("--json", action="store_true", help="print one JSON object with the results, nothing else")
    o.add_argument("--log-csv", metavar="PATH", help="write epoch, loss, accuracy (and held-out) per epoch")
    o.add_argument("--save-weights", metavar="PATH", help="weights as .npz, or .txt for one text file per layer "
                   "(w.txt writes w_layer1.txt, w_layer2.txt, ...)")
    o.add_argument("--save", metavar="PATH", help="save the experiment with its trained weights")
    o.add_argument("--export-script", metavar="PATH",
                   help="write a standalone Python script (NumPy only) with the trained weights")
    o.add_argument("--tutorial-files", metavar="DIR",
                   help="write the two-layer tutorial's SumSquaredLossList.csv, weightsLayer1.txt and "
                        "weightsLayer2.txt into DIR (one hidden layer, no biases, loss sse or mse)")
    return p


def _finite(x: float | None) -> float | None:
    return x if x is not None and math.isfinite(x) else None


def epoch_line(trainer: Trainer) -> str:
    """``Epoch 12/1000 - loss: 0.2549 - binary_accuracy: 0.5000`` (and ``val_`` metrics for held-out rows)."""
    h, e = trainer.history, trainer.epoch
    training = trainer.experiment.training
    of = "" if training.until_stopped else f"/{training.epochs}"  # a run until stopped has no budget to count to
    line = (f"Epoch {e}{of} - loss: {loss_text(h.loss[-1])} - "
            f"binary_accuracy: {h.accuracy[-1]:.4f}")
    if h.heldout_loss and trainer.experiment.table.heldout:
        line += f" - val_loss: {loss_text(h.heldout_loss[-1])} - val_binary_accuracy: {h.heldout_accuracy[-1]:.4f}"
    return line


def prediction_lines(trainer: Trainer) -> list[str]:
    """Every row: inputs, targets, raw outputs, rounded bits and a right/wrong mark; held-out rows flagged."""
    table = trainer.experiment.table
    y = trainer.predict()
    names = " ".join(table.output_names)
    lines = [f"{'inputs':>{max(6, table.n_inputs)}}  target  output  {names}"]
    for r in range(table.n_rows):
        target = "".join(table.columns[k][r] for k in range(table.n_outputs))
        outs = " ".join(four(v) for v in y[r])
        mark = "ok" if bool(right(y[r], table.targets[r]).all()) else "WRONG"  # the one rule (Keras' y > 0.5)
        held = "  (held out)" if r in table.heldout else ""
        lines.append(f"{table.row_label(r):>{max(6, table.n_inputs)}}  {target:>6}  {outs}  {mark}{held}")
    return lines


def result(trainer: Trainer, seconds: float, timed: int | None = None) -> dict:
    """The ``--json`` object. ``timed`` is the number of epochs ``seconds`` covers (default: all of them; fewer when
    the run was resumed from a file)."""
    h, table = trainer.history, trainer.experiment.table
    return {
        "gate": table.name,
        "inputs": table.n_inputs,
        "outputs": table.n_outputs,
        "epochs_run": trainer.epoch,
        "solved_epoch": trainer.solved_epoch,
        "final_loss": _finite(h.loss[-1]) if h.loss else None,
        "train_accuracy": h.accuracy[-1] if h.accuracy else None,
        "heldout_accuracy": _finite(h.heldout_accuracy[-1]) if h.heldout_accuracy else None,
        "status": trainer.status,
        "diverged_epoch": trainer.diverged_epoch,
        "seconds": round(seconds, 6),
        "us_per_epoch": round(seconds / max(trainer.epoch if timed is None else timed, 1) * 1e6, 3),
        "predictions": [[_finite(float(v)) for v in row] for row in trainer.predict()],
    }


OUTPUT_FLAGS = (("save", "--save"), ("log_csv", "--log-csv"), ("save_weights", "--save-weights"),
                ("export_script", "--export-script"))  # written in this order: the experiment first


def check_outputs(args, n_layers: int) -> None:
    """Check every output path before any training, so a long run never ends in nothing saved: each folder
    exists and may be written to, each target is a regular file, a new one or a character device, weights end in
    ``.npz`` or ``.txt``, and no two outputs are the same file.

    Raises:
        LabError: naming the flag and the problem.
    """
    seen: dict[str, str] = {}
    for attr, flag in OUTPUT_FLAGS:
        path = getattr(args, attr)
        if not path:
            continue
        targets = weight_paths(path, n_layers) if attr == "save_weights" else [path]
        suffix = Path(path).suffix
        if attr == "save_weights" and suffix not in (".npz", ".txt"):
            raise LabError(f"{flag}: {path}: weights are saved as .npz or .txt, got '{suffix or 'no extension'}'")
        for target in targets:
            try:
                check_writable(target)
            except LabError as e:
                raise at(flag, e) from None
            key = str(target)
            if key in seen and write_kind(target) != DEVICE:  # /dev/null may take them all
                raise LabError(f"{flag}: {target} is also the {seen[key]} file")
            seen[key] = flag


def train_main(argv: Sequence[str]) -> int:
    """Run ``nnlab train``; returns the exit status: 0, or 130 after Ctrl-C (the run stops after a whole epoch and
    every output asked for is written, holding the epochs done; ``--json`` says ``"interrupted": true``). Bad input
    is raised as LabError."""
    args = parser().parse_args(argv)
    if args.every is not None and args.every < 1:
        raise LabError(f"--every: expected a whole number of at least 1, got {args.every}")
    experiment, trainer = experiment_from_args(args)
    trainer = trainer or Trainer(experiment)
    check_outputs(args, trainer.net.shape.n_layers)
    if args.tutorial_files:  # refused before any training when the network or loss cannot give the tutorial's files
        tutorial_files(experiment, trainer.state())
    talk = not (args.json or args.quiet)
    width = output_width()  # a terminal's lines break at spaces; a file or a pipe gets each whole
    budget = experiment.training.budget
    every = args.every or (UNTIL_STOPPED_EVERY if experiment.training.until_stopped else max(1, budget // 10))
    if talk:
        print(summary_text(experiment.shape, experiment.name))

    last_line = 0  # the epoch of the last line printed
    # A progress line on stderr while it trains, only on a terminal (stdout stays clean for --json and pipes).
    progress = Progress(sys.stderr, budget, unit="epoch")
    progress.enabled &= not args.quiet

    def on_epoch(t: Trainer) -> None:
        nonlocal last_line
        if talk and (t.epoch % every == 0 or t.epoch == t.solved_epoch or t.done):
            progress.close()  # the line goes above the progress line, not through it
            print(fit_line(epoch_line(t), width), flush=True)  # flushed: a pipe gets each line as it is made
            last_line = t.epoch
        progress.update(t.epoch, f"loss {loss_text(t.history.loss[-1])}")

    start, first = time.perf_counter(), trainer.epoch
    try:
        with StopRequest() as stop:  # Ctrl-C ends the run after a whole epoch; what is done is then written
            status = trainer.run(should_stop=stop, on_epoch=on_epoch if talk or progress.enabled else None)
    finally:
        progress.close()
    seconds, timed = time.perf_counter() - start, trainer.epoch - first
    state = trainer.state()
    if args.save:  # the experiment first: it alone can resume the run and make every other output again
        target = write(args.save, trainer.experiment, state)
        if target != Path(args.save):
            print(f"nnlab: --save: {args.save} is a symbolic link: wrote {target} through the link {args.save}",
                  file=sys.stderr)
    if args.log_csv:
        write_history_csv(args.log_csv, state.history)
    if args.save_weights:
        weight_files = write_weights(args.save_weights, state)
        if not args.quiet and Path(args.save_weights).suffix == ".txt":
            # One text file per layer, under names of their own: say which (on stderr, so --json stays clean).
            names = [str(p) for p in weight_files]
            listed = " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
            print(f"--save-weights: wrote {listed} (one file a layer)", file=sys.stderr)
    if args.export_script:
        write_script(args.export_script, trainer.experiment, state)
    if args.tutorial_files:
        write_tutorial_files(args.tutorial_files, trainer.experiment, state)
    if stop.asked:
        outputs = [path for attr, _ in OUTPUT_FLAGS if (path := getattr(args, attr))]
        if args.tutorial_files:
            outputs.append(args.tutorial_files)
        of = "" if experiment.training.until_stopped else f" of {budget:,}"  # until stopped: ctrl+c is its end
        print(f"nnlab: interrupted at epoch {trainer.epoch:,}{of}"
              + (f": {', '.join(map(str, outputs))} hold the epochs done" if outputs else ""), file=sys.stderr)
    if args.json:
        print(json.dumps(result(trainer, seconds, timed) | {"interrupted": stop.asked}))
        return 130 if stop.asked else 0
    if talk:
        if status == "diverged" and trainer.epoch and trainer.epoch != last_line:
            print(fit_line(epoch_line(trainer), width))
        print()
        print("\n".join(prediction_lines(trainer)))
    print(fit_line(result_line(trainer, seconds, timed), width))
    return 130 if stop.asked else 0


def result_line(trainer: Trainer, seconds: float, timed: int | None = None) -> str:
    """One line: status, solved epoch, loss and accuracy, speed (``timed`` epochs in ``seconds``, default all)."""
    h = trainer.history
    parts = [f"status: {trainer.status}"]
    if trainer.diverged_epoch is not None:
        parts[0] = f"status: diverged at epoch {trainer.diverged_epoch} (the loss or a weight became NaN or "\
                   "infinite; try a smaller --lr)"
    parts.append(f"solved at epoch {trainer.solved_epoch}" if trainer.solved_epoch else "not solved")
    if h.loss:
        parts.append(f"loss {h.loss[-1]:.4g}, accuracy {h.accuracy[-1]:.4f}")
    if h.heldout_accuracy and trainer.experiment.table.heldout:
        parts.append(f"held-out accuracy {h.heldout_accuracy[-1]:.4f}")
    parts.append(f"{trainer.epoch if timed is None else timed} epochs in {seconds_text(seconds)}")
    return " · ".join(parts)

