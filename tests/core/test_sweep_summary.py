"""What a sweep found: the numbers and the histogram shared by ``nnlab sweep`` and the app, held to the sweep's own
arrays and to hand-made cases."""

from __future__ import annotations

import numpy as np
import pytest

from lab.core.experiment import Layer
from lab.core.recipes import recipe
from lab.core.sweep import Sweep, sweep_bytes
from lab.core.sweep_summary import bin_width, configuration_label, rate_text, solve_histogram, sweep_stats


def test_stats_are_the_sweeps_own_numbers():
    """Solved, percentiles over the solvers, the final-loss spread and the work done come from the sweep's arrays."""
    sweep = Sweep(recipe("keras-xor").with_training(epochs=150), 12, keep_history=False)
    sweep.run()
    stats = sweep_stats(sweep, 0.5)
    solved = sweep.solved_epoch[sweep.solved_epoch > 0]
    assert 0 < solved.size < 12  # some solve within 150 epochs, some do not
    assert (stats.seeds, stats.solved, stats.epoch, stats.diverged) == (12, solved.size, 150, 0)
    assert stats.success_rate == solved.size / 12
    assert stats.median_solved_epoch == float(np.median(solved))
    assert (stats.p10_solved_epoch, stats.p90_solved_epoch) == tuple(np.percentile(solved, [10, 90]))
    assert stats.final_loss == (sweep.last_loss.min(), np.median(sweep.last_loss), sweep.last_loss.max())
    assert stats.network_epochs == 12 * 150 and stats.network_epochs_per_s == 12 * 150 / 0.5


def test_stats_before_any_epoch_and_with_no_time():
    """Before the first epoch nothing is solved and there is no loss; no time measured gives no speed."""
    stats = sweep_stats(Sweep(recipe("keras-xor"), 3), 0.0)
    assert stats.solved == 0 and stats.median_solved_epoch is None and stats.final_loss is None
    assert stats.network_epochs_per_s is None


def test_solved_counts_add_up_to_the_curve():
    """``solved_counts`` per epoch, summed, is the success curve times K, from any start."""
    sweep = Sweep(recipe("keras-xor").with_training(epochs=120, lr=0.01), 10, keep_history=False)
    sweep.run()
    counts = sweep.solved_counts()
    assert counts.shape == (120,) and counts.sum() == sweep.solved
    np.testing.assert_array_equal(np.cumsum(counts) / 10, sweep.success_curve())
    np.testing.assert_array_equal(sweep.solved_counts(100), counts[100:])


@pytest.mark.parametrize("top,bins,width", [(1, 10, 1), (10, 10, 1), (11, 10, 2), (38, 10, 5), (38, 7, 10),
                                            (1000, 10, 100), (1001, 10, 200), (150, 10, 20), (0, 10, 1)])
def test_bin_widths_are_one_two_or_five_times_a_power_of_ten(top, bins, width):
    assert bin_width(top, bins) == width


def test_histogram_counts_every_seed_once():
    """Each solve epoch lands in its bin (edges included), unsolved seeds apart; the labels name the epochs."""
    h = solve_histogram([1, 10, 11, 20, 0, 0, 35, 40], top=40, bins=4)
    assert (h.width, h.counts, h.unsolved, h.top) == (10, (2, 2, 0, 2), 2, 40)
    assert h.labels() == ["1-10", "11-20", "21-30", "31-40"]
    with pytest.raises(ValueError, match="a solve epoch of 41 lies past the last bin, which ends at 40"):
        solve_histogram([41], top=40, bins=4)


def test_configuration_labels_name_what_differs():
    """The label gives the layer sizes, activations, optimizer and rate, then only settings off the defaults."""
    xor = recipe("keras-xor")
    assert configuration_label(xor.with_training(lr=0.01)) == "2-16-1 relu adam lr 0.01"
    deeper = xor.with_architecture(layers=(Layer(16, "relu"), Layer(8, "tanh")), bias=False)
    assert configuration_label(deeper.with_training(loss="bce", batch_size=2, epochs=5000, stop="solved")) == (
        "2-16-8-1 relu/tanh bce adam lr 0.001 batch 2 no bias 5,000 epochs stop solved")
    assert configuration_label(xor.with_architecture(layers=(), output_activation="tanh")) == (
        "2-1 tanh adam lr 0.001")


def test_memory_estimate_grows_with_seeds_and_parameters():
    """The estimate is about 8 floats a parameter a member, plus a bounded scratch."""
    small, big = recipe("keras-xor").shape, recipe("keras-xor").with_architecture(layers=(Layer(64, "relu"),) * 4).shape
    assert sweep_bytes(big, 4, 1000) > 8 * 8 * big.n_params * 1000 > sweep_bytes(small, 4, 1000)
    assert sweep_bytes(small, 4, 2000) > sweep_bytes(small, 4, 1000)


@pytest.mark.parametrize("per_s,text", [(None, "-"), (0.0, "0"), (850.4, "850"), (25_512.0, "25.5k"),
                                        (1_044_648.0, "1.04M")])
def test_rates_in_three_figures(per_s, text):
    assert rate_text(per_s) == text
