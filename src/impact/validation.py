"""Validation of a dataset (SPEC section 3): typing every column and checking every rule.

An *error* makes the dataset unusable: a missing table, column or required value, a value of the
wrong type, an unknown category, a duplicate key, a broken reference, ``date_fin`` before
``date_debut``, a negative number. A *warning* does not: an unknown extra column, more than one
full-time year (1 607 h) for one contract in one year, ``heures_realisees`` that disagrees with
the monthly rows by more than 1 hour, an operation or a participant with no contract, values that
look like names or personal numbers in an identifier column.

Every check is vectorised and reports all the rows it concerns at once.
"""

from __future__ import annotations

import itertools
import re

import numpy as np
import pandas as pd

from impact.columns import is_member
from impact.escaping import FORMULA_START
from impact.formatting import french_number
from impact.attribution import end_of_path, follow_up_window, hours_by_contract_year, observed_dates
from impact.output import RESERVED, slug
from impact.problems import ProblemLog
from impact.reading import RawTable
from impact.schema import HEURES_ETP, TABLES, Column, Table, max_birth_year
from impact.values import KIND_LABELS, PARSERS, normalise_key, parse_category

#: Tolerance, in hours, between ``heures_realisees`` and the sum of the monthly rows.
MONTHLY_TOLERANCE = 1.0
#: The kind of problem (:data:`impact.hints.HINTS`) of a value that cannot be read, by column kind.
INVALID_KINDS = {"number": "valeur_non_nombre", "integer": "valeur_non_entier", "date": "valeur_non_date",
                 "month": "valeur_non_mois", "boolean": "valeur_non_booleen", "category": "valeur_hors_liste"}
#: Patterns of values that identify a person directly (checked in identifier columns).
IDENTIFYING_PATTERNS = {
    "un numéro de sécurité sociale": r"^[12]\s?\d{2}\s?\d{2}\s?(?:\d{2}|2[AB])\s?\d{3}\s?\d{3}(?:\s?\d{2})?$",
    "une adresse électronique": r"^[^@\s]+@[^@\s]+\.[a-zA-Z]{2,}$",
    "un numéro de téléphone": r"^(?:\+33\s?|0)[1-9](?:[\s.\-]?\d{2}){4}$",
    "un nom et un prénom": r"^[A-ZÀ-Ý][a-zà-ÿ]+(?:[ \-][A-ZÀ-Ý][a-zà-ÿ]+)+$",
}
#: Every value that matches one of the patterns above matches this one (a quick first filter).
IDENTIFYING_CANDIDATE = r"[@\s\-]|\d{9}"


def validate_tables(raw: dict[str, RawTable], log: ProblemLog, unreadable: set[str] = frozenset()) -> dict[str, pd.DataFrame]:
    """Type every table of ``raw`` and check every rule; return the typed tables.

    Typed tables are indexed by spreadsheet line (``ligne``) and have every schema column, empty
    where the file lacks it. A missing optional table comes back empty. ``unreadable`` names the
    tables whose file could not be read: they are not reported again as absent, and references
    to them are not checked.
    """
    typed: dict[str, pd.DataFrame] = {}
    for table in TABLES:
        if table.name in raw:
            typed[table.name] = _type_table(table, raw[table.name], log)
        else:
            if not table.optional and table.name not in unreadable:
                log.error(table.name, None, None, "table obligatoire absente", "table_absente")
            typed[table.name] = _empty_table(table)
    for table in TABLES:
        _check_key(table, typed[table.name], log)
        _check_references(table, typed, unreadable, log)
    _check_contracts(typed, _blank(raw, "contrats", "heures_realisees", typed["contrats"].index), log)
    _check_unused(typed, log)
    _check_territories(typed, log)
    _check_territory_names(typed, log)
    _check_territory_spellings(typed, log)
    _check_identifiers(typed, log)
    _check_text_values(typed, log)
    return typed


def validate_table(table: Table, raw: RawTable, log: ProblemLog) -> pd.DataFrame:
    """Type one table read on its own (the comparison group) and check its key."""
    typed = _type_table(table, raw, log)
    _check_key(table, typed, log)
    return typed


def _empty_table(table: Table) -> pd.DataFrame:
    raw = pd.DataFrame({c.name: pd.Series(dtype="str") for c in table.columns}, index=pd.Index([], name="ligne"))
    return pd.DataFrame({c.name: _parse(c, raw[c.name])[0] for c in table.columns}, index=raw.index)


def _parse(column: Column, raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    if column.kind == "category":
        return parse_category(raw, column.codes, column.spellings)
    return PARSERS[column.kind](raw)


def _type_table(table: Table, raw: RawTable, log: ProblemLog) -> pd.DataFrame:
    """Parse each column of one table and report wrong types, missing values and bounds."""
    data = raw.data
    typed: dict[str, pd.Series] = {}
    for column in table.columns:
        if column.name not in data.columns:
            if column.must_be_present:
                log.error(table.name, 1, column.name, "colonne obligatoire absente", "colonne_absente")
            text = pd.Series("", index=data.index, dtype="str")
        else:
            text = data[column.name].astype("str")
        values, invalid = _parse(column, text)
        if invalid.any():
            log.error(table.name, data.index[invalid.to_numpy()], column.name, _invalid_messages(column, text[invalid]),
                      INVALID_KINDS[column.kind])
        if column.required and column.name in data.columns:
            missing = values.isna() & ~invalid
            log.error(table.name, data.index[missing.to_numpy()], column.name, "valeur obligatoire manquante", "valeur_manquante")
        values = _check_bounds(table, column, values, text, log)
        typed[column.name] = values
    return pd.DataFrame(typed, index=data.index)


def _invalid_messages(column: Column, text: pd.Series) -> pd.Series:
    shown = "« " + text.str.strip() + " »"
    if column.kind == "category":
        allowed = ", ".join(column.codes)
        return shown + f" n'est pas un code de {column.name} (codes admis : {allowed})"
    return shown + f" n'est pas {KIND_LABELS[column.kind]}"


def _check_bounds(table: Table, column: Column, values: pd.Series, text: pd.Series, log: ProblemLog) -> pd.Series:
    """Minimums, the birth-year maximum and digit codes (SIRET); returns cleaned values."""
    if column.minimum is not None:
        if column.exclusive_minimum:
            low = values.notna() & (values <= column.minimum)
            rule = f"doit être strictement supérieur à {column.minimum:g}"
        else:
            low = values.notna() & (values < column.minimum)
            rule = f"doit être supérieur ou égal à {column.minimum:g}" if column.minimum else "ne peut pas être négatif"
        log.error(table.name, values.index[low.to_numpy()], column.name, "« " + text[low].str.strip() + " » " + rule, "valeur_trop_petite")
    if column.name == "annee_naissance":
        high = values.notna() & (values > max_birth_year())
        log.error(table.name, values.index[high.to_numpy()], column.name,
                  "« " + text[high].str.strip() + f" » : la personne aurait moins de 14 ans (au plus {max_birth_year()})", "naissance_trop_recente")
    if column.digits:
        compact = values.str.replace(r"\s", "", regex=True)
        wrong = compact.notna() & ~compact.str.fullmatch(rf"\d{{{column.digits}}}").fillna(False).astype(bool)
        log.error(table.name, values.index[wrong.to_numpy()], column.name,
                  "« " + text[wrong].str.strip() + f" » doit compter {column.digits} chiffres", "chiffres_manquants")
        values = compact
    return values


def _check_key(table: Table, frame: pd.DataFrame, log: ProblemLog) -> None:
    """Duplicate keys: each repeat after the first is an error naming the first line."""
    if not table.key or frame.empty:
        return
    keyed = frame.dropna(subset=list(table.key))
    duplicated = keyed.duplicated(subset=list(table.key), keep=False)
    if not duplicated.any():
        return
    dups = keyed.loc[duplicated, list(table.key)].reset_index()
    dups["premiere"] = dups.groupby(list(table.key), observed=True)["ligne"].transform("min")
    dups = dups.loc[dups["ligne"] != dups["premiere"]]
    parts = [_display(table.column(name), dups[name]) for name in table.key]
    shown = parts[0]
    for part in parts[1:]:
        shown = shown + ", " + part
    if len(table.key) > 1:
        text = "valeurs (" + ", ".join(table.key) + ") « " + shown + " » en double (première occurrence ligne " + dups["premiere"].astype(str) + ")"
    else:
        text = "identifiant « " + shown + " » en double (première occurrence ligne " + dups["premiere"].astype(str) + ")"
    log.error(table.name, dups["ligne"].to_numpy(), table.key[-1] if len(table.key) == 1 else table.key[0], text.to_numpy(),
              "identifiant_en_double" if len(table.key) == 1 else "valeurs_en_double")


def _display(column: Column, values: pd.Series) -> pd.Series:
    """Typed values written back as a user typed them (dates ``JJ/MM/AAAA``, months ``AAAA-MM``)."""
    if column.kind == "date":
        return values.dt.strftime("%d/%m/%Y")
    if column.kind == "month":
        return values.dt.strftime("%Y-%m")
    return values.astype("str")


def _check_references(table: Table, typed: dict[str, pd.DataFrame], unreadable: set[str], log: ProblemLog) -> None:
    """Every reference must exist in the table it points to (unless that table was unreadable)."""
    frame = typed[table.name]
    for column in table.columns:
        if column.references is None or column.references[0] in unreadable:
            continue
        target_table, target_column = column.references
        values = frame[column.name]
        broken = values.notna() & ~is_member(values, typed[target_table][target_column])
        log.error(table.name, frame.index[broken.to_numpy()], column.name,
                  "« " + values[broken].astype(str) + f" » absent de la table {target_table} ({target_column})", "reference_absente")


def _blank(raw: dict[str, RawTable], table: str, column: str, index: pd.Index) -> pd.Series:
    """Whether each cell of ``table.column`` was left empty in the file (absent column: all)."""
    data = raw[table].data if table in raw else pd.DataFrame(index=index)
    if column not in data.columns:
        return pd.Series(True, index=index)
    return data[column].astype("str").str.strip().eq("")


def _check_months_within_contracts(contrats: pd.DataFrame, heures: pd.DataFrame, log: ProblemLog) -> None:
    """Monthly hours of a month before the contract's start or after its end: counted in their
    year (SPEC 4), where the contract may not be active (hours of a year without contracts)."""
    spans = contrats.dropna(subset=["id_contrat"]).drop_duplicates("id_contrat").set_index("id_contrat")[["date_debut", "date_fin"]]
    rows = heures.dropna(subset=["id_contrat", "mois"])
    if rows.empty or spans.empty:
        return
    dates = rows.join(spans, on="id_contrat")
    first, last = (dates[c].dt.to_period("M").dt.to_timestamp() for c in ("date_debut", "date_fin"))
    outside = (dates["mois"] < first) | (dates["mois"] > last)
    if outside.any():
        chosen = dates.loc[outside]
        ends = chosen["date_fin"].dt.strftime("%d/%m/%Y").fillna("")
        log.warning("heures", chosen.index, "mois",
                    "mois " + chosen["mois"].dt.strftime("%m/%Y") + " hors des dates du contrat (du "
                    + chosen["date_debut"].dt.strftime("%d/%m/%Y").fillna("?") + ends.map(lambda e: f" au {e}" if e else "") + ") : "
                    "ses heures comptent dans l'année du mois", "heures_hors_contrat")


def _check_contracts(typed: dict[str, pd.DataFrame], hours_blank: pd.Series, log: ProblemLog) -> None:
    """Date order, hours required without monthly rows, monthly totals and yearly hours."""
    contrats, heures = typed["contrats"], typed["heures"]
    reversed_dates = contrats["date_fin"] < contrats["date_debut"]
    log.error("contrats", contrats.index[reversed_dates.to_numpy()], "date_fin",
              "date de fin (" + contrats.loc[reversed_dates, "date_fin"].dt.strftime("%d/%m/%Y")
              + ") antérieure à la date de début (" + contrats.loc[reversed_dates, "date_debut"].dt.strftime("%d/%m/%Y") + ")",
              "dates_inversees")

    monthly = heures.groupby("id_contrat", observed=True)["heures"].sum()
    has_monthly = pd.Series(is_member(contrats["id_contrat"], monthly.index.to_series()), index=contrats.index)
    no_hours = hours_blank & ~has_monthly & contrats["id_contrat"].notna()
    log.error("contrats", contrats.index[no_hours.to_numpy()], "heures_realisees",
              "heures réalisées manquantes, et aucune ligne pour ce contrat dans la table heures", "heures_manquantes")

    declared = contrats.loc[has_monthly & contrats["heures_realisees"].notna()]
    total = declared["id_contrat"].map(monthly).astype(float)
    gap = (declared["heures_realisees"] - total).abs() > MONTHLY_TOLERANCE
    if gap.any():
            log.warning("contrats", declared.index[gap.to_numpy()], "heures_realisees",
                    declared.loc[gap, "heures_realisees"].map(french_number) + " h déclarées, mais "
                    + total[gap].map(french_number) + " h dans la table heures", "heures_ecart_mensuel")
    _check_months_within_contracts(contrats, heures, log)

    usable = (
        contrats.dropna(subset=["id_contrat", "date_debut"])
        .loc[lambda d: ~(d["date_fin"] < d["date_debut"])]
        .drop_duplicates("id_contrat", keep=False)
    )
    if usable.empty:
        return
    dates, planned = observed_dates(usable, heures, typed["suivis"])
    extraction = dates.max()
    log.warning("contrats", usable.index[planned.to_numpy()], "date_fin",
                "date de fin (" + usable.loc[planned, "date_fin"].dt.strftime("%d/%m/%Y") + ") dans une année où le jeu n'observe rien "
                "d'autre (ni début de contrat, ni heures mensuelles, ni suivi), plus d'un mois après toute autre date : "
                "prise pour une date prévue, le contrat est compté en cours à la date d'extraction "
                f"({extraction:%d/%m/%Y})", "date_fin_prevue")
    yearly = hours_by_contract_year(usable, heures.loc[is_member(heures["id_contrat"], usable["id_contrat"])], extraction)
    over = yearly.loc[yearly["heures"] > HEURES_ETP + 1e-9]
    if not over.empty:
        lines = pd.Series(usable.index, index=usable["id_contrat"]).loc[over["id_contrat"]].to_numpy()
        log.warning("contrats", lines, "heures_realisees",
                    over["heures"].map(french_number).to_numpy() + " h en " + over["annee"].astype(str).to_numpy()
                    + " pour ce contrat : plus qu'un temps plein annuel (1 607 h)", "plus_qu_un_temps_plein")
    if not log.has_errors("contrats"):  # a person's end of path is only known from a clean table
        _check_follow_up_dates(typed["suivis"], end_of_path(usable, extraction), log)


def _check_follow_up_dates(suivis: pd.DataFrame, ends: pd.Series, log: ProblemLog) -> None:
    """A follow-up observed outside its window around end of path + horizon is not used
    (:func:`impact.attribution.follow_up_window`)."""
    rows = suivis.dropna(subset=["date_observation", "horizon_mois", "id_participant"])
    if rows.empty or ends.empty:
        return
    rows = rows.assign(fin=rows["id_participant"].map(ends)).dropna(subset=["fin"])
    if rows.empty:
        return
    first = pd.Series(pd.NaT, index=rows.index, dtype="datetime64[ns]")
    last = first.copy()
    for horizon, group in rows.groupby("horizon_mois"):
        first[group.index], last[group.index] = follow_up_window(group["fin"], int(horizon))
    outside = (rows["date_observation"] < first) | (rows["date_observation"] > last)
    shown = rows.loc[outside]
    log.warning("suivis", shown.index, "date_observation",
                "observation du " + shown["date_observation"].dt.strftime("%d/%m/%Y") + " hors de la fenêtre du suivi à "
                + shown["horizon_mois"].astype(str) + " mois (fin de parcours le " + shown["fin"].dt.strftime("%d/%m/%Y")
                + " : du " + first[outside].dt.strftime("%d/%m/%Y") + " au " + last[outside].dt.strftime("%d/%m/%Y")
                + ") : elle n'est pas utilisée, la situation compte comme inconnue", "suivi_hors_fenetre")


def _check_unused(typed: dict[str, pd.DataFrame], log: ProblemLog) -> None:
    """Operations and participants that no contract uses."""
    contrats = typed["contrats"]
    for table, column, what in (("operations", "id_operation", "opération"), ("participants", "id_participant", "participant")):
        frame = typed[table]
        unused = frame[column].notna() & ~is_member(frame[column], contrats[column])
        log.warning(table, frame.index[unused.to_numpy()], column, f"{what} sans aucun contrat", "sans_contrat")


def _check_territories(typed: dict[str, pd.DataFrame], log: ProblemLog) -> None:
    """When ``territoires`` is given, every territory of ``operations`` should be in it."""
    known = typed["territoires"]["territoire"].dropna()
    if known.empty:
        return
    operations = typed["operations"].dropna(subset=["territoire"])
    unknown = operations.loc[~is_member(operations["territoire"], known)]
    first = unknown.reset_index().groupby("territoire", observed=True)["ligne"].min()
    log.warning("operations", first.to_numpy(), "territoire",
                "territoire « " + first.index.astype(str) + " » absent de la table territoires", "territoire_hors_table")


def _check_territory_names(typed: dict[str, pd.DataFrame], log: ProblemLog) -> None:
    """Each territory gets its own report folder (:func:`impact.output.slug`): two names that
    differ only by case, accents, punctuation or Unicode normalisation would share one, and a name
    whose folder is one of the kit's own (``ensemble``, ``indicateurs``...) would take its place."""
    rows = pd.concat([typed[t]["territoire"].dropna().astype(str).rename_axis("ligne").reset_index().assign(table=t)
                      for t in ("operations", "territoires")], ignore_index=True)
    first = rows.drop_duplicates("territoire").assign(dossier=lambda d: d["territoire"].map(slug))
    reserved = first.loc[first["dossier"].isin(RESERVED)]
    for table, found in reserved.groupby("table", sort=False):
        log.error(table, found["ligne"].to_numpy(), "territoire",
                  "territoire « " + found["territoire"] + " » : son nom de dossier « " + found["dossier"]
                  + " » est réservé par le kit (" + ", ".join(RESERVED) + ")", "territoire_reserve")
    owner = first.drop_duplicates("dossier").set_index("dossier")
    clash = first.loc[first.duplicated("dossier") & ~first["dossier"].isin(RESERVED)]
    for table, found in clash.groupby("table", sort=False):
        other = owner.loc[found["dossier"]]
        log.error(table, found["ligne"].to_numpy(), "territoire",
                  "territoire « " + found["territoire"] + " » : même nom de dossier « " + found["dossier"].to_numpy()
                  + " » que le territoire « " + other["territoire"].to_numpy() + " » (" + other["table"].to_numpy() + ", ligne "
                  + other["ligne"].astype(str).to_numpy() + ") ; les deux noms ne diffèrent que par la casse, les accents, la "
                  "ponctuation ou le codage des caractères", "territoire_meme_dossier")


#: Text that markup would read as code or a link: an HTML tag, a Markdown link, a script URL.
MARKUP = r"<\s*[A-Za-z/!]|\]\s*\(|javascript\s*:|\$[^$]*\$|\{="


def _check_text_values(typed: dict[str, pd.DataFrame], log: ProblemLog) -> None:
    """Warn about text values that a spreadsheet would read as a formula, that hold control
    characters (carriage return, terminal escape, right-to-left override) or markup: the reports
    show them as text, but they deserve a look."""
    checks = {
        "commence comme une formule de tableur (=, +, -, @) : il est écrit comme du texte dans les fichiers pour tableur":
            ("texte_formule", lambda v: v.str.startswith(FORMULA_START)),
        "contient des caractères de contrôle ou invisibles (retour chariot, échappement de terminal, inversion du sens "
        "d'écriture...) : ils sont retirés des rapports":
            ("texte_controle", lambda v: v.str.contains(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]", regex=True)),
        "contient du balisage (HTML, lien Markdown, formule $...$) : il est montré comme du texte dans les rapports":
            ("texte_balisage", lambda v: v.str.contains(MARKUP, regex=True)),
    }
    for table in TABLES:
        frame = typed[table.name]
        for column in table.columns:
            if column.kind != "text" or frame.empty:
                continue
            values = frame[column.name].dropna().astype(str)
            for what, (kind, test) in checks.items():
                hit = test(values).to_numpy(dtype=bool)
                log.warning(table.name, values.index[hit], column.name, "« " + values[hit] + " » " + what, kind)
def within_one_edit(a: str, b: str) -> bool:
    """Whether ``b`` is ``a`` with at most one letter added, removed or replaced."""
    if abs(len(a) - len(b)) > 1:
        return False
    prefix = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return a[prefix + (len(a) >= len(b)):] == b[prefix + (len(b) >= len(a)):]


def near_names(a: str, b: str) -> bool:
    """Whether two names are most likely one misspelt: equal but for case, accents, spaces and
    punctuation, or (5 letters or more) one letter apart with the same digits (« Lot 2 » and
    « Lot 3 » are two names)."""
    a, b = (re.sub(r"[^a-z0-9]", "", normalise_key(n)) for n in (a, b))
    if a == b:
        return True
    return min(len(a), len(b)) >= 5 and re.sub(r"\D", "", a) == re.sub(r"\D", "", b) and within_one_edit(a, b)


def _check_territory_spellings(typed: dict[str, pd.DataFrame], log: ProblemLog) -> None:
    """Territory names of ``operations`` that differ only by case, accents, spaces or punctuation,
    or by one letter (names of 5 letters or more): two territories for the kit, most likely one
    misspelt. A warning at the first line of the rarer name names both."""
    operations = typed["operations"].dropna(subset=["territoire"]).reset_index()
    if operations.empty:
        return
    usage = operations.groupby("territoire", observed=True)["ligne"].agg(["min", "size"]).sort_values("size", ascending=False, kind="stable")
    for main, other in itertools.combinations(usage.index, 2):
        if near_names(main, other) and slug(main) != slug(other):  # one folder: an error already
            lines = {name: f"{usage.at[name, 'size']} ligne{'s' if usage.at[name, 'size'] > 1 else ''}" for name in (main, other)}
            log.warning("operations", int(usage.at[other, "min"]), "territoire",
                        f"territoire « {other} » ({lines[other]}) presque identique à « {main} » ({lines[main]}, première "
                        f"ligne {usage.at[main, 'min']}) : le kit en fait deux territoires", "territoire_presque_identique")


def _check_identifiers(typed: dict[str, pd.DataFrame], log: ProblemLog) -> None:
    """Warn about identifier values that look like names, e-mails, phone or social security numbers."""
    for table in TABLES:
        frame = typed[table.name]
        for column in table.columns:
            if not column.identifier or frame.empty:
                continue
            values = frame[column.name].dropna()
            values = values.loc[values.str.contains(IDENTIFYING_CANDIDATE, regex=True)].astype(object)
            for what, pattern in IDENTIFYING_PATTERNS.items():
                hit = values.str.fullmatch(pattern)
                log.warning(table.name, values.index[hit.to_numpy()], column.name,
                            f"cette valeur ressemble à {what} : un identifiant doit être un pseudonyme", "identifiant_personnel")


