"""The search core: axes, the grid, strategies reproducible from the seed, a configuration's numbers equal to a
sweep of it, the up-front refusal and a stopped search."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from lab.core.errors import LabError
from lab.core.experiment import Layer
from lab.core.recipes import recipe
from lab.core.sweep import Sweep
from lab.core.sweep_summary import sweep_stats
from lab.core.tune import Plan, Stopped, batches, check_budget, rounds, search, tasks_for, train_batch
from lab.core.tune_space import SearchSpace, parse_axis
from lab.core.tune_table import heatmap_lines, table_lines

BASE = recipe("keras-xor").with_training(epochs=60)

pytestmark = pytest.mark.usefixtures("process_deadline")  # every test here may start worker processes


def numbers(result):
    s = result.stats
    return (result.label, result.rung, s.seeds, s.solved, s.median_solved_epoch, s.p10_solved_epoch,
            s.p90_solved_epoch, s.final_loss, s.diverged)


@pytest.mark.parametrize("name, text, message", [
    ("units", "0", "--units item 1: expected 1 to 64, got 0"),
    ("units", "", "--units: expected a comma-separated list of values, got nothing"),
    ("units", "4,,8", "--units: item 2 of '4,,8' is empty"),
    ("layers", "9", "--layers item 1: expected 0 to 8, got 9"),
    ("activation", "relu,swish", "--activation item 2: unknown 'swish', choose from"),
    ("lr", "0", "--lr item 1: a learning rate is above 0 and at most 1e6, got '0'"),
    ("optimizer", "adamw", "--optimizer item 1: unknown 'adamw'"),
    ("batch_size", "-1", "--batch-size item 1: expected 0 to 65536, got -1"),
])
def test_bad_axes_are_one_line(name, text, message):
    with pytest.raises(LabError) as e:
        parse_axis(name, text)
    assert str(e.value).startswith(message) and "\n" not in str(e.value)


def test_axis_values_in_order_without_repeats():
    assert parse_axis("units", " 8, 2,8 ") == (8, 2)
    assert parse_axis("lr", "0.1,1e-2") == (0.1, 0.01)


def test_grid_spans_the_axes_and_holds_no_hidden_layer_once():
    space = SearchSpace(BASE, {"layers": (0, 1, 2), "units": (2, 4), "lr": (0.01, 0.1)})
    grid = list(space.grid())
    assert space.size() == len(grid) == (1 + 2 + 2) * 2
    assert [space.config(i) for i in range(len(grid))] == grid
    assert grid[0].hidden == () and grid[-1].hidden == (Layer(4, "relu"),) * 2
    assert grid[1].lr == 0.1 and grid[0].experiment(BASE).training.lr == 0.01
    assert space.varied() == ["layers", "units", "lr"]


def test_no_architecture_axis_keeps_the_base_layers():
    base = BASE.with_architecture(layers=(Layer(8, "tanh"), Layer(3, "relu")))
    space = SearchSpace(base, {"lr": (0.01, 0.1)})
    assert [c.hidden for c in space.grid()] == [base.architecture.layers] * 2


def test_grid_over_the_bound_is_refused():
    space = SearchSpace(BASE, {"units": tuple(range(1, 51)), "lr": tuple(0.001 * i for i in range(1, 51))})
    with pytest.raises(LabError, match="the grid holds 2,500 configurations, more than 2,000"):
        _ = Plan(space).candidates


def test_a_configuration_equals_a_sweep_of_it():
    """Each result's numbers are ``sweep_stats`` of ``Sweep(config.experiment(base), K)``, in one process or on
    worker processes."""
    space = SearchSpace(BASE, {"units": (2, 8), "lr": (0.01, 0.1)})
    for jobs in (1, 2):
        results = search(Plan(space, seeds=6), jobs=jobs)
        assert len(results) == 4
        for r in results:
            sweep = Sweep(r.config.experiment(BASE), 6, keep_history=False)
            sweep.run()
            assert numbers(r)[2:] == numbers(type(r)(r.index, r.config, r.experiment, r.label, 0, r.n_params,
                                                     sweep_stats(sweep, 0.0)))[2:]


@pytest.mark.parametrize("base, lrs", [
    (BASE, (0.001, 0.01, 0.1)),
    (BASE.with_training(batch_size=2, optimizer="momentum"), (0.01, 0.05)),
    (BASE.with_training(optimizer="sgd", loss="sse", init="normal").with_architecture(
        layers=(Layer(4, "leaky_relu"),), output_activation="linear"), (0.01, 0.5, 1000.0)),
    (BASE.with_training(stop="solved", precision="float32").with_table(
        BASE.table.with_heldout({3})), (0.01, 0.1)),
], ids=["adam", "mini-batch momentum", "sgd, some diverge", "float32, stop solved, a held-out row"])
def test_a_batch_of_learning_rates_is_each_configuration_s_own_sweep(base, lrs):
    """Configurations that differ only in their learning rate train as one sweep (``Batch``); each one's numbers
    (final weights, epochs, solved and diverged epochs, last metrics) are exactly its own sweep's."""
    tasks = tasks_for(base, list(enumerate(SearchSpace(base, {"lr": lrs}).grid())), 5, base.training.epochs, 0)
    (batch,) = batches(tasks)
    results = train_batch(batch)
    for task, result in zip(tasks, results, strict=True):
        alone = Sweep(task.experiment, task.seeds, keep_history=False)
        alone.run()
        assert result.index == task.index
        exact = dataclasses.replace(sweep_stats(alone, 0.0), final_loss=None)
        assert dataclasses.replace(result.stats, seconds=0.0, final_loss=None) == exact
        if base.training.precision == "float64":
            assert result.stats.final_loss == sweep_stats(alone, 0.0).final_loss
        else:  # float32: a loss summed over more members may take another BLAS kernel, an ulp apart
            np.testing.assert_allclose(result.stats.final_loss, sweep_stats(alone, 0.0).final_loss, rtol=1e-6)
    grouped = Sweep(base, tasks[0].seeds * len(tasks), keep_history=False,
                    lrs=[t.experiment.training.lr for t in tasks for _ in t.seeds])
    grouped.run()
    for i, task in enumerate(tasks):
        alone = Sweep(task.experiment, task.seeds, keep_history=False)
        alone.run()
        member = slice(5 * i, 5 * i + 5)
        for name in ("epochs_run", "solved_epoch", "diverged_epoch"):
            assert (getattr(grouped, name)[member] == getattr(alone, name)).all(), name
        if base.training.precision == "float64":
            assert (grouped.weights()[member] == alone.weights()).all()
            assert np.array_equal(grouped.last_loss[member], alone.last_loss, equal_nan=True)


def test_batches_hold_at_most_batch_members_members(monkeypatch):
    """Batches group by everything but the learning rate, up to ``BATCH_MEMBERS`` members, whatever the machine."""
    from lab.core import tune

    tasks = tasks_for(BASE, list(enumerate(SearchSpace(BASE, {"units": (2, 4), "lr": (0.001, 0.01, 0.1)}).grid())),
                      4, 60, 0)
    assert [[t.index for t in b.tasks] for b in batches(tasks)] == [[0, 1, 2], [3, 4, 5]]
    monkeypatch.setattr(tune, "BATCH_MEMBERS", 8)
    assert [[t.index for t in b.tasks] for b in batches(tasks)] == [[0, 1], [2], [3, 4], [5]]
    monkeypatch.setattr(tune, "BATCH_MEMBERS", 3)
    assert [len(b.tasks) for b in batches(tasks)] == [1] * 6


def test_ranking_reliable_then_fast_then_small():
    space = SearchSpace(BASE.with_training(epochs=200), {"units": (1, 16), "lr": (0.001, 0.05)})
    results = search(Plan(space, seeds=8), jobs=1)
    keys = [(-r.success_rate, r.median, r.n_params) for r in results]
    assert keys == sorted(keys)
    small = search(Plan(space, seeds=8, objective="small"), jobs=1)
    assert [r.index for r in small] != [r.index for r in results] or small[0].n_params == min(
        r.n_params for r in results if r.success_rate >= 0.9)


def test_random_search_is_reproducible_from_the_seed():
    space = SearchSpace(BASE.with_training(epochs=20), {"units": (1, 2, 3, 4, 5, 6), "lr": (0.01, 0.03, 0.1)})
    first = Plan(space, "random", seeds=3, samples=4, seed=7)
    assert len(first.candidates) == 4
    assert first.candidates == Plan(space, "random", seeds=3, samples=4, seed=7).candidates
    assert first.candidates != Plan(space, "random", seeds=3, samples=4, seed=8).candidates
    assert [numbers(r) for r in search(first, jobs=1)] == [numbers(r) for r in search(first, jobs=2)]


def test_halving_rounds_and_reproducible():
    assert rounds(25, 100, 1000) == [(25, 12, 112), (9, 34, 334), (3, 100, 1000)]
    assert rounds(1, 100, 1000) == [(1, 100, 1000)]
    space = SearchSpace(BASE, {"units": (1, 2, 4, 8), "lr": (0.01, 0.1)})
    plan = Plan(space, "halving", seeds=9)
    heard = []
    once = search(plan, lambda r, done, total: heard.append((done, total)), jobs=2)
    assert heard[-1] == (8 + 3, 8 + 3)
    assert [r.rung for r in once] == [1] * 3 + [0] * 5
    assert [(r.stats.seeds, r.experiment.training.epochs) for r in once[:3]] == [(9, 60)] * 3
    assert [(r.stats.seeds, r.experiment.training.epochs) for r in once[3:]] == [(3, 20)] * 5
    again = search(plan, jobs=1)
    assert [numbers(r) for r in once] == [numbers(r) for r in again]


def test_a_search_that_would_not_fit_is_refused_with_the_figure():
    big = BASE.with_architecture(layers=(Layer(64, "relu"),) * 8).with_training(epochs=1_000_000)
    tasks = tasks_for(big, [(0, next(SearchSpace(big, {}).grid()))], 10_000, 1_000_000, 0)
    with pytest.raises(LabError, match=r"the search needs about [\d,]+ MiB at once"):
        check_budget(tasks, 1)
    small = tasks_for(BASE, [(0, next(SearchSpace(BASE, {}).grid()))], 1_000, 10_000_000, 0)
    with pytest.raises(LabError, match=r"the search would take about [\d,]+ minutes, more than 60"):
        check_budget(small, 1)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_stopped_search_keeps_what_is_done(jobs):
    space = SearchSpace(BASE.with_training(epochs=400), {"units": (2, 4, 8, 16)})
    heard = []

    def stop() -> bool:
        return len(heard) >= 1

    with pytest.raises(Stopped) as e:
        search(Plan(space, seeds=4), lambda r, done, total: heard.append(r), jobs=jobs, should_stop=stop)
    assert 1 <= len(e.value.results) < 4 and e.value.results[0] in heard


def test_a_failing_configuration_is_one_line(monkeypatch):
    held = BASE.with_table(BASE.table.with_heldout({0, 1, 2, 3}))
    space = SearchSpace(held, {"units": (2, 4)})
    for jobs in (1, 2):
        with pytest.raises(LabError, match="every row is held out"):
            search(Plan(space, seeds=2), jobs=jobs)


def test_heatmap_text_without_colour():
    space = SearchSpace(BASE.with_training(epochs=300), {"layers": (0, 1), "units": (4, 8)})
    results = search(Plan(space, seeds=4), jobs=1)
    lines = heatmap_lines(results, "layers", "units", space)
    assert lines[1].strip() == "layers \\ units"
    assert lines[2].split() == ["-", "4", "8"]  # no hidden layer has no units: its own column
    assert lines[3].split()[0] == "0" and lines[3].split()[-1] == "·" and "%" in lines[4]


def test_the_ranked_table_drops_its_least_needed_columns_to_fit_a_width():
    space = SearchSpace(BASE.with_training(epochs=300), {"layers": (1, 2), "units": (4, 16), "lr": (0.001, 0.01)})
    results = search(Plan(space, seeds=4), jobs=1)
    whole = table_lines(results)
    assert whole[0].split() == ["rank", "configuration", "solved", "median", "p10-p90", "loss", "params", "seconds"]
    assert len(whole) == len(results) + 1 and table_lines(results, max(map(len, whole))) == whole
    narrow = table_lines(results, 80)
    assert all(len(line) <= 80 for line in narrow)
    kept = narrow[0].split()
    assert kept[:4] == ["rank", "configuration", "solved", "median"] and kept == whole[0].split()[: len(kept)]
    left_out = whole[0].split()[len(kept):]
    assert left_out and narrow[-1].startswith(f"  ({', '.join(left_out)}: left out to fit 80 columns")
    for row, full in zip(narrow[:-1], whole, strict=True):  # the same cells in the same places, the last dropped
        assert full.startswith(row)
