"""Indicators on small hand-built datasets; every expected value is computed by hand here."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from impact.indicators import COLUMNS, CONCENTRATION, indicators
from tests.builders import contract, dataset, person, value

P = [person("P1", deld=True), person("P2", sexe="F", annee_naissance=2001, minima_sociaux=True, jeune_peu_qualifie=True),
     person("P3", annee_naissance=1970, deld=True, senior_50=True, travailleur_handicape=True)]


def test_hours_prorated_across_a_year_end(tmp_path):
    # 27/12/2023 to 10/01/2024: 5 days in 2023, 10 in 2024, 15 in all, both ends included; 150 h.
    data = dataset(tmp_path, [contract("C1", "P1", "O1", "2023-12-27", "2024-01-10", 150)], P[:1])
    table = indicators(data)
    assert value(table, 2023, "T1", "heures") == pytest.approx(50.0)
    assert value(table, 2024, "T1", "heures") == pytest.approx(100.0)
    assert value(table, 2024, "ensemble", "heures") == pytest.approx(100.0)
    assert value(table, 2023, "T1", "contrats") == 1 and value(table, 2024, "T1", "contrats") == 1
    assert value(table, 2024, "T1", "nouveaux_contrats") == 0 and value(table, 2023, "T1", "nouveaux_contrats") == 1
    assert value(table, 2024, "T1", "etp") == pytest.approx(100.0 / 1607)
    assert value(table, 2024, "T2", "heures") == 0.0


def test_monthly_hours_take_precedence(tmp_path):
    contracts = [contract("C1", "P1", "O1", "2023-12-27", "2024-02-10", 999)]
    months = [{"id_contrat": "C1", "mois": "2023-12", "heures": 10}, {"id_contrat": "C1", "mois": "2024-01", "heures": 20},
              {"id_contrat": "C1", "mois": "2024-02", "heures": 5.5}]
    table = indicators(dataset(tmp_path, contracts, P[:1], heures=months))
    assert value(table, 2023, "T1", "heures") == 10.0
    assert value(table, 2024, "T1", "heures") == 25.5


def test_running_contract_closed_at_the_extraction_date(tmp_path):
    # From 01/12/2024 to the extraction date 31/01/2025: 31 + 31 days; 124 h, 2 h a day.
    data = dataset(tmp_path, [contract("C1", "P1", "O1", "2024-12-01", None, 124)], P[:1])
    table = indicators(data, extraction_date="2025-01-31")
    assert value(table, 2024, "T1", "heures") == 62.0 and value(table, 2025, "T1", "heures") == 62.0
    assert value(table, 2025, "T1", "contrats") == 1
    # By default the extraction date is the latest observed date: here the start, 01/12/2024.
    default = indicators(data)
    assert default["annee"].max() == 2024
    assert value(default, 2024, "T1", "heures") == 124.0


def test_person_in_two_territories_counts_once_in_ensemble(tmp_path):
    contracts = [contract("C1", "P1", "O1", "2024-01-01", "2024-03-31", 100),
                 contract("C2", "P1", "O2", "2024-05-01", "2024-06-30", 80, entreprise="E2")]
    table = indicators(dataset(tmp_path, contracts, P[:1]))
    assert value(table, 2024, "T1", "personnes") == 1 and value(table, 2024, "T2", "personnes") == 1
    assert value(table, 2024, "ensemble", "personnes") == 1
    assert value(table, 2024, "ensemble", "contrats") == 2
    assert value(table, 2024, "ensemble", "entreprises") == 2 and value(table, 2024, "ensemble", "operations") == 2
    assert value(table, 2024, "ensemble", "heures_par_personne") == 180.0
    assert value(table, 2024, "ensemble", "heures_par_contrat") == 90.0
    assert value(table, 2024, "T1", "nouvelles_personnes") == 1 and value(table, 2024, "T2", "nouvelles_personnes") == 0


def test_person_counted_in_several_publics(tmp_path):
    contracts = [contract("C1", "P1", "O1", "2024-01-01", "2024-01-31", 100),
                 contract("C3", "P3", "O1", "2024-02-01", "2024-02-29", 60)]
    table = indicators(dataset(tmp_path, contracts, P))
    # P1: long-term jobseeker; P3: long-term jobseeker, over 50, disabled worker.
    assert value(table, 2024, "T1", "personnes", "public", "deld") == 2
    assert value(table, 2024, "T1", "personnes", "public", "deld", "part") == 1.0
    for public in ("senior_50", "travailleur_handicape"):
        assert value(table, 2024, "T1", "personnes", "public", public) == 1
        assert value(table, 2024, "T1", "personnes", "public", public, "part") == 0.5
        assert value(table, 2024, "T1", "heures", "public", public) == 60.0
    assert value(table, 2024, "T1", "heures", "public", "deld") == 160.0
    assert value(table, 2024, "T1", "personnes", "public", "minima_sociaux") == 0
    assert value(table, 2024, "T1", "personnes", "tranche_age", "50_plus") == 1  # 2024 - 1970 = 54
    assert value(table, 2024, "T1", "personnes", "tranche_age", "26_49") == 1  # 2024 - 1990 = 34
    assert value(table, 2024, "T1", "heures", "sexe", "M", "part") == 1.0


def test_breakdowns_of_contracts_and_operations(tmp_path):
    contracts = [contract("C1", "P1", "O1", "2024-01-01", "2024-01-31", 100),
                 contract("C2", "P2", "O2", "2024-02-01", "2024-02-29", 60, entreprise="E2", type_contrat="ctti", modalite="mise_a_disposition"),
                 contract("C3", "P3", "O2", "2024-03-01", "2024-03-31", 40, entreprise="E2", type_contrat="ctti", modalite="mise_a_disposition")]
    table = indicators(dataset(tmp_path, contracts, P))
    assert value(table, 2024, "ensemble", "contrats", "type_contrat", "ctti") == 2
    assert value(table, 2024, "ensemble", "heures", "modalite", "mise_a_disposition", "part") == pytest.approx(100 / 200)
    assert value(table, 2024, "ensemble", "contrats", "type_structure", "etti") == 2
    assert value(table, 2024, "ensemble", "operations", "type_marche", "services") == 1
    assert value(table, 2024, "ensemble", "heures", "type_acheteur", "bailleur_social") == 100.0
    assert value(table, 2024, "ensemble", "heures", "division_cpv", "45") == 100.0
    assert value(table, 2024, "ensemble", "heures", "division_cpv", "inconnue") == 100.0
    assert value(table, 2024, "ensemble", "entreprises", "taille", "tpe") == 1
    assert value(table, 2024, "ensemble", "acheteurs") == 2


def test_operations_notified_finished_and_realisation(tmp_path):
    # O1 (500 planned hours) ends as planned on 30/06/2024, before the extraction date 31/12/2024;
    # it received 100 h in 2023 (C1) and 300 h in 2024 (C2): 400 / 500 = 0.8.
    contracts = [contract("C1", "P1", "O1", "2023-12-01", "2023-12-31", 100),
                 contract("C2", "P1", "O1", "2024-01-01", "2024-12-31", 300)]
    table = indicators(dataset(tmp_path, contracts, P[:1]))
    assert value(table, 2023, "ensemble", "operations_notifiees") == 2 and value(table, 2023, "T1", "heures_prevues") == 500.0
    assert value(table, 2024, "T1", "operations_terminees") == 1 and value(table, 2024, "T2", "operations_terminees") == 0
    assert value(table, 2024, "T1", "ratio_realisation") == pytest.approx(0.8)
    assert value(table, 2024, "T1", "ratio_realisation", column="effectif") == 1
    assert value(table, 2024, "T1", "duree_moyenne_contrats") == 366.0  # 2024 is a leap year
    assert value(table, 2023, "T1", "duree_moyenne_contrats") == 31.0


def _leavers_dataset(folder):
    people = [person(f"P{i}", sexe="F" if i <= 2 else "M") for i in range(1, 8)]
    contracts = [
        # P1 leaves in 2024 from T2: its last contract (C2, 30/06) is on O2.
        contract("C1", "P1", "O1", "2024-01-01", "2024-03-31", 100), contract("C2", "P1", "O2", "2024-04-01", "2024-06-30", 100),
        # P2 still runs at the extraction date: not a leaver.
        contract("C3", "P2", "O1", "2024-01-01", None, 100),
        # P3 to P6 leave T1 in 2024; P7 has two contracts ending the same day: C8 (O1) < C9 (O2), so T1.
        *(contract(f"C{i + 1}", f"P{i}", "O1", "2024-01-01", "2024-05-31", 100) for i in range(3, 7)),
        contract("C9", "P7", "O2", "2024-01-01", "2024-05-31", 100), contract("C8", "P7", "O1", "2024-02-01", "2024-05-31", 100),
    ]
    follow = [{"id_participant": "P1", "horizon_mois": 6, "situation": "cdi"},
              {"id_participant": "P3", "horizon_mois": 6, "situation": "cdd_moins_6_mois"},
              {"id_participant": "P4", "horizon_mois": 6, "situation": "neutralisee"},
              {"id_participant": "P5", "horizon_mois": 6, "situation": "inconnue"},
              {"id_participant": "P7", "horizon_mois": 6, "situation": "formation_qualifiante"},
              {"id_participant": "P6", "horizon_mois": 12, "situation": "cdi"}]  # P6 has no 6-month row: unknown
    return dataset(folder, contracts, people, suivis=follow)


def test_leavers_cohort_and_territory_of_last_contract(tmp_path):
    table = indicators(_leavers_dataset(tmp_path), extraction_date="2024-12-31")
    assert value(table, 2024, "T2", "sortants") == 1  # P1
    assert value(table, 2024, "T1", "sortants") == 5  # P3, P4, P5, P6, P7
    assert value(table, 2024, "ensemble", "sortants") == 6
    assert value(table, 2024, "T1", "sortants", "situation_groupe", "inconnue") == 2  # P5, P6
    assert value(table, 2024, "T1", "sortants", "situation", "formation_qualifiante") == 1
    assert value(table, 2024, "T1", "sortants", "situation_groupe", "neutralisee", "part") == pytest.approx(1 / 5)


def test_unknown_and_neutralised_situations_in_denominators(tmp_path):
    table = indicators(_leavers_dataset(tmp_path), extraction_date="2024-12-31")
    # T1: 5 leavers, 1 neutralised, 2 unknown: known = 2 (P3 transition, P7 positive exit).
    assert value(table, 2024, "T1", "taux_connaissance") == pytest.approx(2 / 4)
    assert value(table, 2024, "T1", "taux_connaissance", column="effectif") == 4
    assert value(table, 2024, "T1", "taux_emploi_transition") == pytest.approx(1 / 2)
    assert value(table, 2024, "T1", "taux_emploi_durable") == 0.0
    assert value(table, 2024, "T1", "taux_sorties_dynamiques") == 1.0
    assert value(table, 2024, "T1", "taux_sorties_dynamiques", column="effectif") == 2
    # Whole dataset: 6 leavers, 1 neutralised, known 3 (P1 durable, P3, P7): durable 1/3.
    assert value(table, 2024, "ensemble", "taux_emploi_durable") == pytest.approx(1 / 3)
    # By sex: the only woman leaving is P1 (durable, in T2); the men P3 to P7 have no durable job.
    assert value(table, 2024, "ensemble", "taux_emploi_durable", "sexe", "F") == 1.0
    assert value(table, 2024, "ensemble", "taux_emploi_durable", "sexe", "M") == 0.0
    assert math.isnan(value(table, 2024, "T1", "taux_emploi_durable", "sexe", "F"))
    assert value(table, 2024, "T1", "taux_emploi_durable", "sexe", "F", column="effectif") == 0


def test_wilson_intervals_equal_statsmodels(tmp_path):
    table = indicators(_leavers_dataset(tmp_path), extraction_date="2024-12-31")
    rates = table.loc[table["indicateur"].str.startswith("taux_") & (table["effectif"] > 0)]
    assert len(rates) > 20
    successes = (rates["valeur"] * rates["effectif"]).round()
    low, high = proportion_confint(successes, rates["effectif"], alpha=0.05, method="wilson")
    pd.testing.assert_series_equal(rates["ic_bas"], pd.Series(low, index=rates.index), check_names=False)
    pd.testing.assert_series_equal(rates["ic_haut"], pd.Series(high, index=rates.index), check_names=False)
    # T1 knowledge rate 2 / 4: Wilson interval by hand, z = 1.959964.
    z, p, n = 1.959963984540054, 0.5, 4
    centre, half = (p + z * z / (2 * n)) / (1 + z * z / n), z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert value(table, 2024, "T1", "taux_connaissance", column="ic_bas") == pytest.approx(centre - half)
    assert value(table, 2024, "T1", "taux_connaissance", column="ic_haut") == pytest.approx(centre + half)


def test_change_on_previous_year(tmp_path):
    contracts = [contract("C1", "P1", "O1", "2023-01-01", "2023-12-31", 200),
                 contract("C2", "P1", "O1", "2024-01-01", "2024-12-31", 300),
                 contract("C3", "P2", "O1", "2024-01-01", "2024-06-30", 100),
                 contract("C4", "P3", "O2", "2024-01-01", "2024-06-30", 50)]
    follow = [{"id_participant": "P2", "horizon_mois": 6, "situation": "cdi"},
              {"id_participant": "P3", "horizon_mois": 6, "situation": "demandeur_emploi"}]
    table = indicators(dataset(tmp_path, contracts, P, suivis=follow), extraction_date="2025-12-31")
    # Counts and hours: relative change. T1 hours 200 then 400: +100 %.
    assert value(table, 2024, "T1", "heures", column="valeur_precedente") == 200.0
    assert value(table, 2024, "T1", "heures", column="evolution") == pytest.approx(1.0)
    assert value(table, 2024, "T1", "contrats", column="evolution") == pytest.approx((2 - 1) / 1)
    # T2 had nothing in 2023: previous value 0, change empty.
    assert value(table, 2024, "T2", "heures", column="valeur_precedente") == 0.0
    assert math.isnan(value(table, 2024, "T2", "heures", column="evolution"))
    # 2023 is the first year of the data: no previous year at all.
    assert math.isnan(value(table, 2023, "T1", "heures", column="valeur_precedente"))
    assert math.isnan(value(table, 2023, "T1", "heures", column="evolution"))
    # Leavers of 2024: P2 durable (T1), P3 other exit (T2), and P1, whose last contract ends on
    # 31/12/2024, with no follow-up (unknown): durable 1 of 2 known. Nobody leaves in 2025.
    assert value(table, 2024, "ensemble", "taux_emploi_durable") == pytest.approx(1 / 2)
    assert math.isnan(value(table, 2025, "ensemble", "taux_emploi_durable"))
    assert math.isnan(value(table, 2025, "ensemble", "taux_emploi_durable", column="evolution"))


def test_rate_change_is_in_points(tmp_path):
    contracts = [contract("C1", "P1", "O1", "2023-01-01", "2023-06-30", 100),
                 contract("C2", "P2", "O1", "2023-01-01", "2023-06-30", 100),
                 contract("C3", "P3", "O1", "2024-01-01", "2024-06-30", 100)]
    follow = [{"id_participant": "P1", "horizon_mois": 6, "situation": "cdi"},
              {"id_participant": "P2", "horizon_mois": 6, "situation": "inactif"},
              {"id_participant": "P3", "horizon_mois": 6, "situation": "cdi"}]
    # The cohort of 2024 is complete (observable at 6 months) from 30/06/2025.
    table = indicators(dataset(tmp_path, contracts, P, suivis=follow), extraction_date="2025-06-30")
    # Durable employment: 1/2 in 2023, 1/1 in 2024: +0.5, that is +50 points.
    assert value(table, 2024, "T1", "taux_emploi_durable", column="valeur_precedente") == 0.5
    assert value(table, 2024, "T1", "taux_emploi_durable", column="evolution") == pytest.approx(0.5)
    assert value(table, 2024, "T1", "sortants", column="evolution") == pytest.approx(-0.5)


def test_table_shape_and_years(tmp_path):
    data = _leavers_dataset(tmp_path)
    table = indicators(data, years=[2024], extraction_date="2024-12-31")
    assert list(table.columns) == COLUMNS + CONCENTRATION
    assert set(table["annee"]) == {2024}
    assert list(dict.fromkeys(table["territoire"])) == ["ensemble", "T1", "T2"]
    assert not table.duplicated(["annee", "territoire", "indicateur", "dimension", "modalite"]).any()
    first = table.iloc[0]
    assert (first["indicateur"], first["dimension"], first["modalite"]) == ("heures", "ensemble", "ensemble")
    types = table.loc[(table["territoire"] == "ensemble") & (table["dimension"] == "type_structure") & (table["indicateur"] == "contrats"), "modalite"]
    assert types.tolist() == ["entreprise", "etti", "ei", "ai", "aci", "geiq", "ea", "esat", "autre"]


def test_employer_concentration_of_hours_cells(tmp_path):
    contracts = [contract("C1", "P1", "O1", "2024-01-01", "2024-01-31", 90),
                 contract("C2", "P2", "O1", "2024-02-01", "2024-02-29", 10, entreprise="E2", type_contrat="ctti", modalite="mise_a_disposition")]
    table = indicators(dataset(tmp_path, contracts, P))
    # T1 2024: 100 h from two employers, the first making 90 of them.
    assert value(table, 2024, "T1", "heures", column="employeurs") == 2
    assert value(table, 2024, "T1", "heures", column="part_premier_employeur") == pytest.approx(0.9)
    # The CDD cell holds E1's 90 h only.
    assert value(table, 2024, "T1", "heures", "type_contrat", "cdd", column="employeurs") == 1
    assert value(table, 2024, "T1", "heures", "type_contrat", "cdd", column="part_premier_employeur") == 1.0


# --- outcome cohort, follow-up window, partial years and coverage (SPEC section 4) ---------------

def _cohort_dataset(folder):
    # Data observed up to 31/12/2024 (P4's start). P1 leaves on 31/03/2024: 6 months later is
    # 30/09/2024, observable. P2 leaves on 31/08/2024: 28/02/2025 is after the extraction date, not
    # yet observable, though a follow-up row exists. P3 leaves on 30/04/2024 but was observed on
    # 15/03/2024, before the end of their path: that row is not used (unknown).
    contracts = [contract("C1", "P1", "O1", "2024-01-01", "2024-03-31", 100),
                 contract("C2", "P2", "O1", "2024-02-01", "2024-08-31", 100),
                 contract("C3", "P3", "O1", "2023-06-01", "2023-09-30", 100), contract("C4", "P3", "O1", "2024-01-01", "2024-04-30", 100),
                 contract("C5", "P4", "O1", "2024-12-31", None, 10)]
    people = [person(f"P{i}") for i in range(1, 5)]
    follow = [{"id_participant": "P1", "horizon_mois": 6, "date_observation": "2024-10-01", "situation": "cdi"},
              {"id_participant": "P2", "horizon_mois": 6, "date_observation": "2024-12-15", "situation": "cdi"},
              {"id_participant": "P3", "horizon_mois": 6, "date_observation": "2024-03-15", "situation": "cdi"}]
    return dataset(folder, contracts, people, suivis=follow)


def test_leaver_not_yet_observable_is_neither_unknown_nor_in_a_rate(tmp_path):
    table = indicators(_cohort_dataset(tmp_path))
    assert table.attrs["date_extraction"] == "2024-12-31"
    assert value(table, 2024, "T1", "sortants") == 3  # P1, P2, P3
    assert value(table, 2024, "T1", "sortants_non_observables") == 1  # P2
    assert value(table, 2024, "T1", "sortants", "situation_groupe", "inconnue") == 1  # P3 only
    assert value(table, 2024, "T1", "sortants", "situation_groupe", "emploi_durable") == 1  # P1, not P2
    groups = table.loc[(table["annee"] == 2024) & (table["territoire"] == "T1") & (table["dimension"] == "situation_groupe")]
    assert groups["valeur"].sum() == 2  # the cohort: 3 leavers less 1 not yet observable
    assert value(table, 2024, "T1", "sortants", "situation_groupe", "emploi_durable", "part") == 0.5
    # Known 1 (P1) of a cohort of 2: knowledge 1/2; durable employment 1/1.
    assert value(table, 2024, "T1", "taux_connaissance") == 0.5
    assert value(table, 2024, "T1", "taux_connaissance", column="effectif") == 2
    assert value(table, 2024, "T1", "taux_emploi_durable") == 1.0
    assert value(table, 2024, "T1", "taux_emploi_durable", column="effectif") == 1


def test_follow_up_observed_before_the_end_of_path_is_not_used_and_warned(tmp_path):
    data = _cohort_dataset(tmp_path)
    warnings = data.warnings.loc[data.warnings["table"] == "suivis"]
    # P3's row (line 4) was observed on 15/03/2024; their path ends on 30/04/2024: window from
    # 30/09/2024 to 30/12/2024. P1's row (01/10/2024, window 30/08 to 30/11/2024) is fine; P2's
    # (15/12/2024, window 28/01 to 30/04/2025) is outside too.
    assert warnings["ligne"].tolist() == [3, 4]
    assert "hors de la fenêtre du suivi à 6 mois (fin de parcours le 30/04/2024 : du 30/09/2024 au 30/12/2024)" in warnings["message"].iloc[1]
    table = indicators(data)
    assert value(table, 2024, "T1", "sortants", "situation", "cdi") == 1  # P1 only


def test_default_extraction_date_ignores_planned_end_dates(tmp_path):
    # Data up to 2024; C2's end, 30/06/2026, is in a year where nothing else is observed: a planned
    # end. C3's, in 2099, is after the day of the run. Neither moves the extraction date, and
    # their persons are not leavers.
    contracts = [contract("C1", "P1", "O1", "2024-01-01", "2024-12-31", 100),
                 contract("C2", "P2", "O1", "2024-03-01", "2026-06-30", 100),
                 contract("C3", "P3", "O1", "2024-11-30", "2099-01-31", 100)]
    data = dataset(tmp_path, contracts, P)
    table = indicators(data)
    assert table.attrs["date_extraction"] == "2024-12-31"
    assert table["annee"].max() == 2024
    assert value(table, 2024, "T1", "sortants") == 1  # P1
    # C2 runs at the extraction date: its 100 h are spread from 01/03 to 31/12/2024, all in 2024.
    assert value(table, 2024, "T1", "heures") == pytest.approx(300.0)
    planned = data.warnings.loc[data.warnings["colonne"] == "date_fin", "ligne"].tolist()
    assert planned == [3, 4]


def test_partial_year_has_no_change(tmp_path):
    # Data extracted on 30/06/2024: 2024 is partial, its rows carry their N-1 value but no change.
    contracts = [contract("C1", "P1", "O1", "2023-01-02", "2023-12-31", 200),
                 contract("C2", "P2", "O1", "2024-01-02", "2024-06-30", 100)]
    table = indicators(dataset(tmp_path, contracts, P))
    assert table.attrs["date_extraction"] == "2024-06-30"
    assert value(table, 2024, "T1", "heures", column="valeur_precedente") == 200.0
    rows = table.loc[table["annee"] == 2024]
    assert rows["evolution"].isna().all()
    record = table.attrs["couverture"]
    assert record["2024"]["annee_partielle"] and not record["2024"]["evolution_calculee"]
    assert record["2023"] == {"premiere_date_observee": "2023-01-02", "derniere_date_observee": "2023-12-31", "annee_partielle": False,
                              "couverte_des_janvier": True, "evolution_calculee": False, "cohorte_complete": True}


def test_previous_year_not_covered_from_january_gives_no_change(tmp_path):
    # A yearly export of 2024: 2023 holds only C1, still running in 2024 (first observed date in
    # 2023: 01/09; no contract ended in 2023). The change 2024/2023 would measure the export.
    # C1: 122 days in 2023 (September to December) and 60 in 2024 (a leap year), 1 h a day.
    contracts = [contract("C1", "P1", "O1", "2023-09-01", "2024-02-29", 182),
                 contract("C2", "P2", "O1", "2024-01-03", "2024-12-31", 300)]
    table = indicators(dataset(tmp_path, contracts, P))
    assert not table.attrs["couverture"]["2023"]["couverte_des_janvier"]
    assert value(table, 2024, "T1", "heures", column="valeur_precedente") == pytest.approx(122.0)
    assert math.isnan(value(table, 2024, "T1", "heures", column="evolution"))


def test_rates_of_an_incomplete_cohort_carry_no_change(tmp_path):
    # Extraction 31/12/2024, horizon 6: the 2023 cohort is complete (30/06/2024), 2024's is not.
    contracts = [contract("C1", "P1", "O1", "2023-01-02", "2023-03-31", 100),
                 contract("C2", "P2", "O1", "2024-01-02", "2024-03-31", 100),
                 contract("C3", "P3", "O1", "2024-12-31", None, 10)]
    follow = [{"id_participant": "P1", "horizon_mois": 6, "situation": "cdi"}, {"id_participant": "P2", "horizon_mois": 6, "situation": "inactif"}]
    table = indicators(dataset(tmp_path, contracts, P, suivis=follow))
    record = table.attrs["couverture"]
    assert record["2023"]["cohorte_complete"] and not record["2024"]["cohorte_complete"]
    assert value(table, 2024, "T1", "taux_emploi_durable", column="valeur_precedente") == 1.0
    assert math.isnan(value(table, 2024, "T1", "taux_emploi_durable", column="evolution"))
    assert math.isnan(value(table, 2024, "T1", "sortants", "situation_groupe", "autre_sortie", column="evolution"))
    # Volumes of the complete year 2024 still carry their change: hours 100 then 110 -> +10 %.
    assert value(table, 2024, "T1", "heures", column="evolution") == pytest.approx(0.1)
