"""Charts read as printed: nothing on top of anything else."""

from __future__ import annotations

import itertools

import matplotlib.pyplot as plt
import pytest

from impact import charts


@pytest.mark.parametrize("years", [list(range(2019, 2025)), list(range(2015, 2025))])
def test_year_labels_of_the_small_multiples_never_overlap(years):
    """Three panels of six or ten years (the bilan's first chart): the year labels of a panel (one
    year in two when ten do not fit), and the first bar's value and the value axis, keep apart."""
    values = [40_000 + 10_000 * i for i in range(len(years))]
    figure = charts.trend(years, {"Heures réalisées": values, "Personnes en contrat": values, "Contrats actifs": values}, "Évolution")
    renderer = figure.canvas.get_renderer()
    for axes in figure.axes:
        shown = [label for label in axes.get_xticklabels() if label.get_text()]
        assert shown[-1].get_text() == str(years[-1]) and len(shown) >= len(years) // 2
        boxes = [label.get_window_extent(renderer) for label in shown]
        assert not any(a.overlaps(b) for a, b in itertools.combinations(boxes, 2))
        ticks = [label.get_window_extent(renderer) for label in axes.get_yticklabels() if label.get_text()]
        values_shown = [text.get_window_extent(renderer) for text in axes.texts]
        assert not any(v.overlaps(t) for v in values_shown for t in ticks)
    plt.close(figure)


def test_a_panel_of_counts_has_whole_ticks_and_no_label_twice():
    """Two returns at most (the consolidation's « Retours reçus »): ticks at 0, 1, 2, never the
    halves that printed « 0, 1, 1, 2, 2 »; hours keep their own ticks."""
    figure = charts.trend([2022, 2023, 2024], {"Heures": [1234.5, 2000.25, 1800.0], "Retours reçus": [1, 2, 2]}, "Série")
    figure.canvas.draw()
    hours, returns = figure.axes
    ticks = [label.get_text() for label in returns.get_yticklabels() if label.get_text()]
    assert len(ticks) == len(set(ticks)) and all(float(t) == int(float(t)) for t in returns.get_yticks() if 0 <= t <= 2)
    assert len(ticks) >= 2
    plt.close(figure)


def test_rates_and_shares_are_labelled_with_the_decimal_of_the_tables():
    """« 58,0 % » on the chart as in the table beside it, never « 58 % »."""
    figure = charts.rates(["Sorties dynamiques"], [0.58], [0.5], [0.66], "Taux")
    assert [text.get_text() for text in figure.axes[0].texts] == ["58,0\u202f%"]
    plt.close(figure)
    figure = charts.shares(["Femmes", "Hommes"], [0.44, 0.56], "Parts", "Part")
    assert sorted(text.get_text() for text in figure.axes[0].texts) == ["44,0\u202f%", "56,0\u202f%"]
    plt.close(figure)


def test_the_overlap_histogram_draws_the_bars_it_is_given():
    """Bars of unequal widths: each height is the share of the group per step of score, so the
    count of a bar is its height times the group's size times its width in steps."""
    import numpy as np
    from matplotlib.patches import StepPatch

    participants = (np.array([0.1, 0.12, 0.5, 0.55, 0.9]), np.array([0.0, 0.5, 1.0]))
    others = (np.array([0.2, 0.3, 0.31]), np.array([0.0, 0.25, 1.0]))
    figure = charts.overlap(participants, others, (0.05, 0.95), "Recouvrement", 1 / 30)
    drawn = [p for p in figure.axes[0].patches if isinstance(p, StepPatch)]
    for patch, (scores, edges), counts in zip(drawn, (participants, others), ([2, 3], [1, 2])):
        heights, at = patch.get_data().values, patch.get_data().edges
        assert at.tolist() == edges.tolist()
        assert (heights * len(scores) * np.diff(edges) * 30).round(9).tolist() == counts
    plt.close(figure)
