"""Vectorised helpers on columns that pandas does slowly for Arrow-backed strings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def is_member(values: pd.Series, reference: pd.Series) -> np.ndarray:
    """Whether each of ``values`` appears in ``reference`` (missing values never do).

    Same result as ``values.isin(reference)`` for text columns, through Arrow's hash lookup:
    pandas 3 compares Arrow strings one Python object at a time.
    """
    value_set = pa.array(reference.dropna().unique(), from_pandas=True)
    found = pc.is_in(pa.array(values, from_pandas=True), value_set=value_set, skip_nulls=True)
    return found.to_numpy(zero_copy_only=False).astype(bool)
