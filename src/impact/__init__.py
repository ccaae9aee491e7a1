"""impact: evaluation and impact study kit for the social clauses of French public procurement.

Python API:

- :func:`load` reads a dataset folder into a typed :class:`Dataset` (raises on errors);
- :func:`validate` reads and checks it, returning every problem without raising;
- :func:`indicators` computes the indicator table of SPEC section 5 from a dataset.
"""

from importlib.metadata import PackageNotFoundError, version

from impact.dataset import Dataset, InvalidDatasetError, load, validate

try:
    __version__ = version("impact")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = ["Dataset", "InvalidDatasetError", "__version__", "indicators", "load", "validate"]


def __getattr__(name: str):
    # The indicator engine imports statsmodels: loaded on first use, so that reading and
    # validating stay quick to start.
    if name == "indicators":
        from impact.indicators import indicators

        return indicators
    raise AttributeError(f"module 'impact' has no attribute {name!r}")
