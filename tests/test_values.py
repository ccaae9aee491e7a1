"""Cell parsers, the attribution of hours to years and French number formats, value by value."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from impact.attribution import hours_by_contract_year
from impact.formatting import french_number
from impact.validation import IDENTIFYING_CANDIDATE, IDENTIFYING_PATTERNS
from impact.values import normalise_key, parse_boolean, parse_category, parse_date, parse_integer, parse_month, parse_number


def _run(parser, values, *args):
    typed, bad = parser(pd.Series(values, dtype="str"), *args)
    return typed.tolist(), bad.tolist()


def test_numbers():
    values, bad = _run(parse_number, ["1 234,5", "1\u00a0234,5", "1\u202f234", "-3", "12.5", " 7 ", "", "abc", "1.234,5", "1,2,3"])
    assert values[:6] == [1234.5, 1234.5, 1234.0, -3.0, 12.5, 7.0]
    assert np.isnan(values[6:]).all()
    assert bad == [False] * 7 + [True] * 3


def test_integers():
    values, bad = _run(parse_integer, ["1990", "1 990", "6,0", "6,5", ""])
    assert values[:3] == [1990, 1990, 6] and pd.isna(values[3]) and pd.isna(values[4])
    assert bad == [False, False, False, True, False]


def test_dates():
    values, bad = _run(parse_date, ["2024-02-29", "29/02/2024", "01/12/2023", "31/02/2024", "2023-02-29", "12/31/2024", ""])
    assert values[:3] == [pd.Timestamp("2024-02-29"), pd.Timestamp("2024-02-29"), pd.Timestamp("2023-12-01")]
    assert bad == [False, False, False, True, True, True, False]


def test_months():
    values, bad = _run(parse_month, ["2024-03", "03/2024", "2024-03-15", "15/03/2024", "2024-13", "mars"])
    assert values[:4] == [pd.Timestamp("2024-03-01")] * 4
    assert bad == [False] * 4 + [True] * 2


def test_excel_month_display_and_serial_dates():
    """A month column shown as Excel displays months (mmm-yy: « janv.-24 », « Jan-24 »), and a date
    column exported as Excel's serial numbers (« 45366 »: 45 366 days after 30/12/1899) (I2-19); a
    five-digit number out of 1955-2118 is no date."""
    values, bad = _run(parse_month, ["janv.-24", "Jan-24", "sept.-23", "févr. 24", "45366", "xx-24"])
    assert values[:5] == [pd.Timestamp("2024-01-01")] * 2 + [pd.Timestamp("2023-09-01"), pd.Timestamp("2024-02-01"), pd.Timestamp("2024-03-01")]
    assert bad == [False] * 5 + [True]
    values, bad = _run(parse_date, ["45366", "45366,0", "45292", "12345", "99999"])
    assert values[:3] == [pd.Timestamp("2024-03-15")] * 2 + [pd.Timestamp("2024-01-01")]
    assert bad == [False] * 3 + [True] * 2


def test_hours_and_minutes_and_months_of_timesheets():
    """« 151h40 » and « 7:30 » are hours and minutes (R3I-18); « 10h75 » is no time; « 01-2024 »
    and « 2024/01 » are months."""
    values, bad = _run(parse_number, ["151h40", "7:30", "12h", "10h75"])
    assert values[:3] == [pytest.approx(151 + 40 / 60), 7.5, 12.0] and bad == [False, False, False, True]
    values, bad = _run(parse_month, ["01-2024", "2024/01"])
    assert values == [pd.Timestamp("2024-01-01")] * 2 and bad == [False, False]


def test_booleans():
    values, bad = _run(parse_boolean, ["oui", "O", "vrai", "TRUE", "1", "x", " Oui ", "non", "n", "Faux", "false", "0", "", "peut-être", "2"])
    assert values == [True] * 7 + [False] * 8
    assert bad == [False] * 13 + [True] * 2


def test_categories():
    codes = {"travaux": "", "bailleur_social": "", "F": ""}
    values, bad = _run(parse_category, ["Travaux ", "TRAVAUX", "Bailleur social", "bailleur-social", "BAILLEUR_SOCIAL", "f", "travail", ""], codes)
    assert values[:6] == ["travaux", "travaux", "bailleur_social", "bailleur_social", "bailleur_social", "F"]
    assert pd.isna(values[6]) and pd.isna(values[7])
    assert bad == [False] * 6 + [True, False]


@pytest.mark.parametrize("header,key", [("Heures réalisées", "heures_realisees"), ("  ID_Contrat ", "id_contrat"),
                                        ("Année de naissance", "annee_de_naissance"), ("Type-marché", "type_marche")])
def test_header_keys(header, key):
    assert normalise_key(header) == key


@pytest.mark.parametrize("value,what", [
    ("Jean Dupont", "un nom et un prénom"), ("Marie-Claire Durand", "un nom et un prénom"),
    ("1 85 05 78 006 084 36", "un numéro de sécurité sociale"), ("185057800608436", "un numéro de sécurité sociale"),
    ("jean.dupont@exemple.fr", "une adresse électronique"), ("06 12 34 56 78", "un numéro de téléphone"),
    ("+33612345678", "un numéro de téléphone"),
])
def test_identifying_values(value, what):
    matched = [name for name, pattern in IDENTIFYING_PATTERNS.items() if pd.Series([value]).str.fullmatch(pattern)[0]]
    assert matched == [what]
    assert pd.Series([value]).str.contains(IDENTIFYING_CANDIDATE)[0]


@pytest.mark.parametrize("value", ["P0102415", "a3f9c2e1", "PART-0042", "C12"])
def test_pseudonyms_are_not_flagged(value):
    assert not any(pd.Series([value]).str.fullmatch(p)[0] for p in IDENTIFYING_PATTERNS.values())


def _contract(start, end, hours, ident="C1"):
    return pd.DataFrame({"id_contrat": [ident], "date_debut": [pd.Timestamp(start)],
                         "date_fin": [pd.Timestamp(end) if end else pd.NaT], "heures_realisees": [hours]})


NO_MONTHS = pd.DataFrame({"id_contrat": pd.Series(dtype="str"), "mois": pd.Series(dtype="datetime64[ns]"), "heures": pd.Series(dtype=float)})


def test_hours_prorated_across_a_year_end_inclusive_days():
    # 27/12/2023 to 10/01/2024: 5 days in 2023 (27 to 31) and 10 in 2024, 15 in all; 150 h.
    years = hours_by_contract_year(_contract("2023-12-27", "2024-01-10", 150.0), NO_MONTHS, pd.Timestamp("2024-12-31"))
    assert years[["annee", "heures"]].values.tolist() == [[2023, 50.0], [2024, 100.0]]


def test_running_contract_is_closed_at_the_extraction_date():
    # 01/12/2024 to the extraction date 31/01/2025: 31 + 31 = 62 days; 124 h, 2 h a day.
    years = hours_by_contract_year(_contract("2024-12-01", None, 124.0), NO_MONTHS, pd.Timestamp("2025-01-31"))
    assert years[["annee", "heures"]].values.tolist() == [[2024, 62.0], [2025, 62.0]]


def test_monthly_rows_take_precedence_over_declared_hours():
    months = pd.DataFrame({"id_contrat": ["C1", "C1", "C1"], "mois": pd.to_datetime(["2023-12-01", "2024-01-01", "2024-02-01"]),
                           "heures": [10.0, 20.0, 5.5]})
    years = hours_by_contract_year(_contract("2023-12-27", "2024-02-10", 999.0), months, pd.Timestamp("2024-12-31"))
    assert years.sort_values("annee")[["annee", "heures"]].values.tolist() == [[2023, 10.0], [2024, 25.5]]


@pytest.mark.parametrize("value,decimals,text", [(1234.5, 2, "1\u202f234,5"), (330.5, 2, "330,5"), (1800.0, 2, "1\u202f800"),
                                                  (0.125, 1, "0,1"), (1234567, 0, "1\u202f234\u202f567"), (float("nan"), 2, "")])
def test_french_numbers(value, decimals, text):
    assert french_number(value, decimals) == text


def test_codes_as_real_exports_write_them():
    """Spellings two import reviews found in the field, read as the kit's codes wherever a dataset
    is read (``impact valider`` too): a buyer « Commune » or « EPCI », « MAD », « Contrat pro. »,
    « 10 à 49 », « Mme », « CAP », « Sans qualification »; an unknown spelling stays an error."""
    from impact.schema import TABLES_BY_NAME
    from impact.values import parse_category

    def read(table: str, column: str, raw: list[str]) -> list:
        found = next(c for c in TABLES_BY_NAME[table].columns if c.name == column)
        values, bad = parse_category(pd.Series(raw), found.codes, found.spellings)
        return [None if b else v for v, b in zip(values, bad)]

    assert read("acheteurs", "type_acheteur", ["Commune", "EPCI", "Conseil départemental", "OPH", "CHU", "Asso"]) == [
        "collectivite", "collectivite", "collectivite", "bailleur_social", "etablissement_sante", None]
    assert read("contrats", "modalite", ["MAD", "Co-traitance"]) == ["mise_a_disposition", "cotraitance_siae"]
    assert read("contrats", "type_contrat", ["Contrat pro.", "Intérim", "CDDI"]) == ["professionnalisation", "interim", "cddi"]
    assert read("entreprises", "taille", ["10 à 49", "0 à 9"]) == ["pme", "tpe"]
    assert read("participants", "sexe", ["Mme", "M.", "Monsieur"]) == ["F", "M", "M"]
    assert read("participants", "niveau_formation", ["CAP", "Bac", "BTS", "Sans qualification", "Niveau V"]) == [
        "niveau_3", "niveau_4", "niveau_5_plus", "infra_3", "niveau_3"]
    # A value with its explanation in parentheses, or the parentheses alone (a PLIE export).
    assert read("participants", "niveau_formation", ["Niveau 4 (Bac)", "Niveau 3 (CAP/BEP)", "VI", "(Bac)", "()"]) == [
        "niveau_4", "niveau_3", "infra_3", "niveau_4", None]
