"""Charts of the reports: matplotlib figures with a title, labelled axes and French number formats.
Every text drawn (titles, labels, annotations) goes through :func:`impact.escaping.chart`: a ``$``
in a territory name is a dollar sign, never mathtext.

:func:`png` turns a figure into PNG bytes; :mod:`impact.bilan` displays them with their alt text in
the output's metadata, which :mod:`impact.rendering` writes as the image's description.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from impact.escaping import chart as label  # noqa: E402
from impact.formatting import french_number  # noqa: E402

COLOURS = {"heures": "#2e6c9e", "personnes": "#d9822b", "contrats": "#4a9c5d", "bar": "#2e6c9e", "interval": "#555555"}
_FRENCH = FuncFormatter(lambda value, _: french_number(value, 0))
_PERCENT = FuncFormatter(lambda value, _: f"{french_number(value * 100, 0)}\u202f%")


def _figure(width: float = 7.0, height: float = 3.6):
    figure, axes = plt.subplots(figsize=(width, height), dpi=110)
    axes.spines[["top", "right"]].set_visible(False)
    return figure, axes


def trend(years: list[int], hours: list[float], persons: list[float], contracts: list[float], title: str):
    """Hours (bars, left axis) with persons and contracts (lines, right axis), year by year."""
    figure, axes = _figure()
    axes.bar([str(y) for y in years], hours, color=COLOURS["heures"], label="Heures réalisées")
    axes.set_ylabel("Heures réalisées")
    axes.set_xlabel("Année")
    axes.yaxis.set_major_formatter(_FRENCH)
    right = axes.twinx()
    right.plot([str(y) for y in years], persons, color=COLOURS["personnes"], marker="o", label="Personnes")
    right.plot([str(y) for y in years], contracts, color=COLOURS["contrats"], marker="s", label="Contrats")
    right.set_ylabel("Personnes et contrats")
    right.yaxis.set_major_formatter(_FRENCH)
    right.set_ylim(bottom=0)
    handles = [*axes.get_legend_handles_labels()[0], *right.get_legend_handles_labels()[0]]
    axes.legend(handles, [h.get_label() for h in handles], loc="upper left", frameon=False, fontsize=8)
    axes.set_title(label(title))
    figure.tight_layout()
    return figure


def shares(labels: list[str], values: list[float], title: str, xlabel: str):
    """Horizontal bars of shares (0 to 1), one per label."""
    figure, axes = _figure(height=0.45 * len(labels) + 1.2)
    positions = np.arange(len(labels))[::-1]
    axes.barh(positions, values, color=COLOURS["bar"])
    axes.set_yticks(positions, [label(t) for t in labels])
    axes.xaxis.set_major_formatter(_PERCENT)
    axes.set_xlabel(label(xlabel))
    axes.set_title(label(title))
    figure.tight_layout()
    return figure


def rates(labels: list[str], values: list[float], low: list[float], high: list[float], title: str):
    """Rates (0 to 1) as points with their 95 % interval."""
    figure, axes = _figure(height=0.5 * len(labels) + 1.2)
    positions = np.arange(len(labels))[::-1]
    values, low, high = (np.asarray(a, dtype=float) for a in (values, low, high))
    axes.errorbar(values, positions, xerr=[values - low, high - values], fmt="o", color=COLOURS["bar"],
                  ecolor=COLOURS["interval"], capsize=4)
    axes.set_yticks(positions, [label(t) for t in labels])
    axes.set_xlim(0, 1)
    axes.xaxis.set_major_formatter(_PERCENT)
    axes.set_xlabel("Taux (intervalle de confiance à 95 %)")
    axes.set_title(label(title))
    figure.tight_layout()
    return figure


def png(figure) -> bytes:
    """The figure as PNG bytes; the figure is closed."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()


def funnel(n: list[float], rates: list[float], labels: list[str], pooled: float, limits: dict[str, tuple], title: str):
    """A funnel plot: each territory's rate against its number of known situations, with the
    pooled rate and the limits (``limits``: label -> (n grid, lower, upper))."""
    figure, axes = _figure(height=4.2)
    axes.axhline(pooled, color=COLOURS["interval"], linewidth=1, label="Taux commun")
    for (name, (grid, low, high)), style in zip(limits.items(), ("--", ":")):
        axes.plot(grid, low, style, color=COLOURS["interval"], linewidth=1, label=label(name))
        axes.plot(grid, high, style, color=COLOURS["interval"], linewidth=1)
    axes.scatter(n, rates, color=COLOURS["bar"], zorder=3, label="Territoires")
    for x, y, text in zip(n, rates, labels):
        axes.annotate(label(text), (x, y), fontsize=7, xytext=(3, 3), textcoords="offset points")
    axes.set_ylim(0, 1)
    axes.yaxis.set_major_formatter(_PERCENT)
    axes.xaxis.set_major_formatter(_FRENCH)
    axes.set_xlabel("Situations connues à l'horizon (personnes)")
    axes.set_ylabel("Taux de sorties dynamiques")
    axes.legend(frameon=False, fontsize=8, loc="lower right")
    axes.set_title(label(title))
    figure.tight_layout()
    return figure


def overlap(participants: np.ndarray, others: np.ndarray, support: tuple[float, float], title: str):
    """Histograms of the propensity scores (0 to 1) of participants and of the comparison group,
    each as shares of its group, with the common support's bounds."""
    figure, axes = _figure(height=3.8)
    bins = np.linspace(0, 1, 31)
    for values, label, colour in ((participants, "Participants", COLOURS["heures"]), (others, "Groupe de comparaison", COLOURS["personnes"])):
        axes.hist(values, bins=bins, weights=np.full(len(values), 1 / max(len(values), 1)), alpha=0.55, color=colour, label=label)
    for bound in support:
        axes.axvline(bound, color=COLOURS["interval"], linestyle="--", linewidth=1)
    axes.xaxis.set_major_formatter(_PERCENT)
    axes.yaxis.set_major_formatter(_PERCENT)
    axes.set_xlabel("Score de propension (probabilité estimée d'être participant)")
    axes.set_ylabel("Part du groupe")
    axes.legend(frameon=False, fontsize=8)
    axes.set_title(title)
    figure.tight_layout()
    return figure


def curve(x: np.ndarray, y: np.ndarray, low: np.ndarray, high: np.ndarray, title: str, xlabel: str, ylabel: str):
    """A rate (0 to 1) against ``x`` with its 95 % band."""
    figure, axes = _figure()
    axes.fill_between(x, low, high, color=COLOURS["bar"], alpha=0.2, label="Intervalle à 95 %")
    axes.plot(x, y, color=COLOURS["bar"], label="Taux estimé")
    axes.set_ylim(0, 1)
    axes.yaxis.set_major_formatter(_PERCENT)
    axes.xaxis.set_major_formatter(_FRENCH)
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.legend(frameon=False, fontsize=8)
    axes.set_title(title)
    figure.tight_layout()
    return figure
