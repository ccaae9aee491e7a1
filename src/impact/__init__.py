"""impact: evaluation and impact study kit for the social clauses of French public procurement.

Python API:

- :func:`load` reads a dataset folder into a typed :class:`Dataset` (raises on errors);
- :func:`validate` reads and checks it, returning every problem without raising;
- :func:`indicators` computes the indicator table of SPEC section 5 from a dataset;
- :func:`consolidate` consolidates many facilitators' ``indicateurs.csv`` returns.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("impact")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

from impact.dataset import Dataset, InvalidDatasetError, load, validate  # noqa: E402
from impact.indicators import indicators  # noqa: E402  (binds the function over the submodule of the same name)
from impact.consolidation import consolidate_files as consolidate  # noqa: E402

__all__ = ["Dataset", "InvalidDatasetError", "__version__", "consolidate", "indicators", "load", "validate"]
