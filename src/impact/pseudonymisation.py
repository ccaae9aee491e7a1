"""Pseudonymisation of identifier columns with a keyed hash (SPEC section 7).

A pseudonym is the HMAC-SHA-256 of the identifier (surrounding spaces removed) under a secret key,
written as its first 20 hexadecimal characters (80 bits: no collision to fear below billions of
identifiers). The same key gives the same pseudonym in every file and every year, so the tables
still join; without the key, the pseudonym cannot be traced back. The key comes from a file or
from the environment variable ``IMPACT_CLE`` and is never written anywhere.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

import pandas as pd

from impact.hints import UserError

KEY_VARIABLE = "IMPACT_CLE"
PSEUDONYM_LENGTH = 20
#: Shortest key accepted, in bytes.
MIN_KEY_BYTES = 16


class KeyProblem(UserError):
    """The key is missing or too short."""


def read_key(key_file: Path | None) -> bytes:
    """The secret key: the content of ``key_file`` (surrounding blanks removed), or else the
    environment variable ``IMPACT_CLE``."""
    if key_file is not None:
        try:
            key = Path(key_file).read_bytes().strip()
        except OSError:
            raise KeyProblem(f"fichier de clé « {key_file} » illisible", "cle_illisible") from None
        source = f"le fichier « {key_file} »"
    else:
        key = os.environ.get(KEY_VARIABLE, "").strip().encode("utf-8")
        source = f"la variable d'environnement {KEY_VARIABLE}"
        if not key:
            raise KeyProblem("aucune clé", "cle_absente")
    if len(key) < MIN_KEY_BYTES:
        raise KeyProblem(f"la clé lue dans {source} est trop courte (au moins {MIN_KEY_BYTES} caractères)", "cle_courte")
    return key


def pseudonymise(values: pd.Series, key: bytes) -> pd.Series:
    """The pseudonym of each value (computed once per distinct value); empty cells stay empty."""
    codes, distinct = pd.factorize(values.astype("str").str.strip())
    hashed = [hmac.new(key, str(v).encode("utf-8"), hashlib.sha256).hexdigest()[:PSEUDONYM_LENGTH] if v != "" else "" for v in distinct]
    result = pd.Series(pd.Index(hashed, dtype=object).take(codes), index=values.index, dtype=object)
    return result.where(codes >= 0, "")
