"""impact: evaluation and impact study kit for the social clauses of French public procurement.

Python API:

- :func:`load` reads a dataset folder into a typed :class:`Dataset` (raises on errors);
- :func:`validate` reads and checks it, returning every problem without raising.
"""

from importlib.metadata import PackageNotFoundError, version

from impact.dataset import Dataset, InvalidDatasetError, load, validate

try:
    __version__ = version("impact")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = ["Dataset", "InvalidDatasetError", "__version__", "load", "validate"]
