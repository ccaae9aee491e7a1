"""Charts of the reports, drawn to the conventions of official statistics: one y-axis per panel
(several measures are small multiples, never a second axis), bars sorted and labelled with their
value, French number formats, the report's font (DejaVu Sans, the font of the HTML, Word and PDF
texts), nothing clipped (the saved image is cropped to everything drawn). Every text drawn
(titles, labels, annotations) goes through :func:`impact.escaping.chart`: a ``$`` in a territory
name is a dollar sign, never mathtext.

:func:`figure_output` turns a figure into what a notebook displays: an SVG (vector, text drawn as
paths so that it looks the same everywhere) for the HTML and PDF reports and a 300 dpi PNG for
Word, with the alt text in the output's metadata, which :mod:`impact.rendering` writes as the
image's description.
"""

from __future__ import annotations

import base64
import functools
import io
import math
import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from impact.escaping import chart as label  # noqa: E402
from impact.formatting import french_number, french_percent, unit_kept  # noqa: E402

COLOURS = {"heures": "#2e6c9e", "personnes": "#d9822b", "contrats": "#4a9c5d", "bar": "#2e6c9e", "interval": "#555555",
           "reference": "#9a9a9a"}
#: The font of every report text, table and chart (ships with matplotlib; embedded in the PDF).
FONT = "DejaVu Sans"
#: Resolution of the PNG images (Word); the HTML and the PDF get the SVG.
DPI = 300
#: How a value that is not published reads on a chart.
MASKED = "s"
_FRENCH = FuncFormatter(lambda value, _: french_number(value, 0))
_PERCENT = FuncFormatter(lambda value, _: f"{french_number(value * 100, 0)}\u202f%")
_STYLE = {"font.family": "sans-serif", "font.sans-serif": [FONT], "font.size": 9, "axes.titlesize": 9, "axes.titleweight": "normal", "axes.titlecolor": "#404040",
          "axes.titlelocation": "left", "axes.labelsize": 9, "xtick.labelsize": 8.5, "ytick.labelsize": 8.5, "legend.fontsize": 8.5,
          "axes.spines.top": False, "axes.spines.right": False, "svg.fonttype": "path",
          # fixed SVG identifiers (clip paths): the same chart gives the same bytes
          "svg.hashsalt": "impact"}


def _styled(draw):
    """Draw (or save) within the reports' style, leaving matplotlib's global settings alone."""
    @functools.wraps(draw)
    def styled(*args, **kwargs):
        with plt.rc_context(_STYLE):
            return draw(*args, **kwargs)
    return styled


class FigureOutput:
    """A chart as a notebook displays it: SVG and PNG, with in the metadata its alt text (what it
    shows, values included), its title (the message, the caption of the report; a number keeps its
    unit on its line) and the lines under it (Champ, Source)."""

    def __init__(self, figure, alt: str, title: str = "", notes: list[str] | None = None):
        self.svg = _save(figure, "svg")
        self.png = _save(figure, "png")
        plt.close(figure)
        self.described = {"alt": alt, "titre": unit_kept(title or alt), "notes": list(notes or [])}

    @property
    def metadata(self) -> dict:
        """Alt text, title and notes, as an IPython ``Image``'s ``metadata`` holds its alt text."""
        return self.described

    def _repr_mimebundle_(self, include=None, exclude=None):
        return ({"image/svg+xml": self.svg.decode("utf-8"), "image/png": base64.b64encode(self.png).decode("ascii")},
                {"image/png": self.described})


def figure_output(figure, alt: str, title: str = "", notes: list[str] | None = None) -> FigureOutput:
    """``figure`` ready to display with its alt text, title and notes; the figure is closed."""
    return FigureOutput(figure, alt, title, notes)


@_styled
def _save(figure, fmt: str) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt, dpi=DPI, bbox_inches="tight", pad_inches=0.08, metadata={"Date": None} if fmt == "svg" else None)
    return buffer.getvalue()


def _wrap(text: str, width: int = 28) -> str:
    """``text`` escaped for matplotlib and wrapped at spaces into lines of ``width`` characters."""
    text = label(text)
    return "\n".join(textwrap.wrap(text, width)) or text


def _label_bars(axes, positions, values, text, horizontal: bool) -> None:
    """Each bar's value at its end (``s`` where the value is not published)."""
    for position, value, shown in zip(positions, values, text):
        if horizontal:
            axes.annotate(shown, (0 if np.isnan(value) else value, position), xytext=(3, 0), textcoords="offset points",
                          va="center", ha="left", fontsize=8)
        else:
            axes.annotate(shown, (position, 0 if np.isnan(value) else value), xytext=(0, 2), textcoords="offset points",
                          ha="center", va="bottom", fontsize=7.5)


@_styled
def trend(years: list[int], series: dict[str, list[float]], title: str):
    """Small multiples, one panel per measure (label -> values by year), each with its own scale
    from zero: the first and last bars labelled with their value, ``s`` where a value is not
    published."""
    colours = [COLOURS["heures"], COLOURS["personnes"], COLOURS["contrats"], COLOURS["bar"]]
    width = max(6.3, 2.1 * len(series))
    figure, panels = plt.subplots(1, len(series), figsize=(width, 2.6), squeeze=False)
    # Year labels side by side when they fit in a panel's plotting area (about 0.34 in each; the
    # value axis takes about a third of a panel), else upright (about 0.2 in each), and then one
    # year in two or more when they still do not fit.
    panel = 0.65 * width / len(series)
    upright = len(years) * 0.34 > panel
    step = math.ceil(len(years) * 0.2 / panel) if upright else 1
    labels = [str(y) if (len(years) - 1 - i) % step == 0 else "" for i, y in enumerate(years)]
    for axes, (name, values), colour in zip(panels[0], series.items(), colours):
        values = np.asarray(values, dtype=float)
        axes.bar(range(len(labels)), np.nan_to_num(values), color=colour, width=0.7)
        axes.set_xticks(range(len(labels)), labels)
        # The first and the last value, and the mark of any value not published: the series table gives the others.
        shown = [MASKED if np.isnan(v) else french_number(v, 0) if i in (0, len(values) - 1) else "" for i, v in enumerate(values)]
        _label_bars(axes, range(len(labels)), values, shown, False)
        axes.set_title(_wrap(name, 24), fontsize=9)
        axes.yaxis.set_major_formatter(_FRENCH)
        # Counts (whole values) get whole ticks: no « 0, 1, 1, 2, 2 » from ticks at halves printed without decimals.
        whole = bool(np.all(np.mod(values[np.isfinite(values)], 1) == 0))
        axes.yaxis.set_major_locator(MaxNLocator(4, integer=whole))
        axes.set_ylim(0, max(np.nanmax(values) if np.isfinite(values).any() else 1, 1) * 1.18)
        axes.tick_params(axis="x", labelrotation=90 if upright else 0)
        axes.set_xlim(-0.9, len(labels) - 0.1)  # room for the first bar's value beside the value axis
    figure.suptitle(label(title), x=0.01, ha="left", fontsize=9, color="#404040")
    figure.tight_layout()
    return figure


@_styled
def shares(labels: list[str], values: list[float], title: str, xlabel: str):
    """Horizontal bars of shares (0 to 1), largest first, each labelled with its value."""
    order = np.argsort(-np.asarray(values, dtype=float), kind="stable")
    return _bars([labels[i] for i in order], [values[i] for i in order], title, xlabel,
                 [french_percent(values[i], 1, fixed=True) for i in order], _PERCENT, 1.0)


@_styled
def ranked(labels: list[str], values: list[float], title: str, xlabel: str, reference: tuple[str, float] | None = None,
           decimals: int = 0):
    """Horizontal bars of ``values`` ranked largest first, labelled; a reference value (label,
    value), such as the whole of the territories, drawn as a vertical line."""
    order = np.argsort(-np.asarray(values, dtype=float), kind="stable")
    figure = _bars([labels[i] for i in order], [values[i] for i in order], title, xlabel,
                   [french_number(values[i], decimals) for i in order], _FRENCH, None)
    if reference is not None and np.isfinite(reference[1]):
        axes = figure.axes[0]
        axes.axvline(reference[1], color=COLOURS["reference"], linestyle="--", linewidth=1,
                     label=label(f"{reference[0]} : {french_number(reference[1], decimals)}"))
        axes.legend(frameon=False, loc="lower right")
    return figure


def _bars(labels, values, title, xlabel, text, formatter, upper):
    values = np.asarray(values, dtype=float)
    figure, axes = plt.subplots(figsize=(6.3, 0.36 * len(labels) + 1.1))
    positions = np.arange(len(labels))[::-1]
    axes.barh(positions, np.nan_to_num(values), color=COLOURS["bar"], height=0.65)
    _label_bars(axes, positions, values, text, True)
    axes.set_yticks(positions, [_wrap(text) for text in labels])
    axes.xaxis.set_major_formatter(formatter)
    top = np.nanmax(values) if np.isfinite(values).any() else 1
    axes.set_xlim(0, min(upper, top * 1.25) if upper else top * 1.22)
    axes.set_xlabel(label(xlabel))
    axes.set_title(label(title))
    axes.spines["left"].set_visible(False)
    axes.tick_params(axis="y", length=0)
    figure.tight_layout()
    return figure


@_styled
def rates(labels: list[str], values: list[float], low: list[float], high: list[float], title: str):
    """Rates (0 to 1) as points with their 95 % interval, each labelled with its value."""
    figure, axes = plt.subplots(figsize=(6.3, 0.45 * len(labels) + 1.2))
    positions = np.arange(len(labels))[::-1]
    values, low, high = (np.asarray(a, dtype=float) for a in (values, low, high))
    axes.errorbar(values, positions, xerr=[values - low, high - values], fmt="o", color=COLOURS["bar"],
                  ecolor=COLOURS["interval"], capsize=4)
    for position, value, top in zip(positions, values, high):
        axes.annotate(french_percent(value, 1, fixed=True), (top, position), xytext=(5, 0), textcoords="offset points", va="center", fontsize=8)
    axes.set_yticks(positions, [_wrap(text) for text in labels])
    axes.set_xlim(0, 1.08)
    axes.xaxis.set_major_formatter(_PERCENT)
    axes.set_xlabel("Taux (intervalle de confiance à 95 %)")
    axes.set_title(label(title))
    figure.tight_layout()
    return figure


@_styled
def small_trends(years: list[int], series: dict[str, list[float]], title: str, ylabel: str):
    """One small panel per territory (label -> values by year) on a common scale: how each
    territory moved, without a tangle of lines; a value not published is a gap marked ``s``."""
    count = len(series)
    columns = min(count, 4)
    rows = -(-count // columns)
    figure, panels = plt.subplots(rows, columns, figsize=(1.65 * columns + 0.6, 1.45 * rows + 0.7), sharey=True, squeeze=False)
    top = max((np.nanmax(v) for v in (np.asarray(s, dtype=float) for s in series.values()) if np.isfinite(v).any()), default=1)
    for axes, (name, values) in zip(panels.flat, series.items()):
        values = np.asarray(values, dtype=float)
        axes.plot(years, values, marker="o", markersize=3, color=COLOURS["bar"], linewidth=1.4)
        for year, value in zip(years, values):
            if np.isnan(value):
                axes.annotate(MASKED, (year, 0), ha="center", va="bottom", fontsize=7)
        axes.set_title(_wrap(name, 18), fontsize=8, fontweight="normal")
        axes.set_ylim(0, top * 1.15)
        axes.set_xticks([years[0], years[-1]], [str(years[0]), str(years[-1])])
        axes.yaxis.set_major_formatter(_FRENCH)
        axes.yaxis.set_major_locator(MaxNLocator(3))
    for axes in list(panels.flat)[count:]:
        axes.set_visible(False)
    for axes in panels[:, 0]:
        axes.set_ylabel(label(ylabel), fontsize=8)
    figure.suptitle(label(title), x=0.01, ha="left", fontsize=9, color="#404040")
    figure.tight_layout()
    return figure


@_styled
def funnel(n: list[float], rates: list[float], labels: list[str], pooled: float, limits: dict[str, tuple], title: str):
    """A funnel plot: each territory's rate against its number of known situations, with the
    pooled rate and the limits (``limits``: label -> (n grid, lower, upper)); the legend sits
    under the plot, never over a limit."""
    figure, axes = plt.subplots(figsize=(6.3, 4.2))
    axes.axhline(pooled, color=COLOURS["interval"], linewidth=1, label="Taux commun")
    for (name, (grid, low, high)), style in zip(limits.items(), ("--", ":")):
        axes.plot(grid, low, style, color=COLOURS["interval"], linewidth=1, label=label(name))
        axes.plot(grid, high, style, color=COLOURS["interval"], linewidth=1)
    axes.scatter(n, rates, color=COLOURS["bar"], zorder=3, label="Territoires")
    for x, y, text in zip(n, rates, labels):
        axes.annotate(label(text), (x, y), fontsize=7.5, xytext=(4, 3), textcoords="offset points")
    axes.set_ylim(0, 1)
    axes.yaxis.set_major_formatter(_PERCENT)
    axes.xaxis.set_major_formatter(_FRENCH)
    axes.set_xlabel("Situations connues à l'horizon (personnes)")
    axes.set_ylabel("Taux de sorties dynamiques")
    axes.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=4)
    axes.set_title(label(title))
    figure.tight_layout()
    return figure


@_styled
def overlap(participants: tuple[np.ndarray, np.ndarray], others: tuple[np.ndarray, np.ndarray], support: tuple[float, float],
            title: str, step: float):
    """Histograms of the propensity scores (0 to 1) of participants and of the comparison group,
    each given as its scores and its bars' edges (bars of unequal widths: each bar's height is the
    share of its group per ``step`` of score, so that areas compare), with the common support's
    bounds."""
    figure, axes = plt.subplots(figsize=(6.3, 3.8))
    for (scores, edges), name, colour in ((participants, "Participants", COLOURS["heures"]), (others, "Groupe de comparaison", COLOURS["personnes"])):
        counts = np.histogram(scores, bins=edges)[0]
        axes.stairs(counts / max(len(scores), 1) / (np.diff(edges) / step), edges, fill=True, alpha=0.55, color=colour, label=name)
    for bound in support:
        axes.axvline(bound, color=COLOURS["interval"], linestyle="--", linewidth=1)
    axes.xaxis.set_major_formatter(_PERCENT)
    axes.yaxis.set_major_formatter(_PERCENT)
    axes.set_xlabel("Score de propension (probabilité estimée d'être participant)")
    axes.set_ylabel(f"Part du groupe par tranche de {french_number(step * 100, 1)} points")
    axes.legend(frameon=False)
    axes.set_title(label(title))
    figure.tight_layout()
    return figure


@_styled
def curve(x: np.ndarray, y: np.ndarray, low: np.ndarray, high: np.ndarray, title: str, xlabel: str, ylabel: str):
    """A rate (0 to 1) against ``x`` with its 95 % band."""
    figure, axes = plt.subplots(figsize=(6.3, 3.6))
    axes.fill_between(x, low, high, color=COLOURS["bar"], alpha=0.2, label="Intervalle à 95 %")
    axes.plot(x, y, color=COLOURS["bar"], label="Taux estimé")
    axes.set_ylim(0, 1)
    axes.yaxis.set_major_formatter(_PERCENT)
    axes.xaxis.set_major_formatter(_FRENCH)
    axes.set_xlabel(label(xlabel))
    axes.set_ylabel(label(ylabel))
    axes.legend(frameon=False)
    axes.set_title(label(title))
    figure.tight_layout()
    return figure
