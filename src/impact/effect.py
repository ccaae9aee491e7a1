"""What the clause changed for the persons it hired: the average effect on participants (ATT)
against a comparison group of eligible non-participants, and the diagnostics that make it credible.

Definitions (all rates are shares from 0 to 1, effects are differences of shares, in points /100):

- *Sample*: one row per person, ``participant`` True for the persons hired through a clause
  (leavers of an outcome cohort whose situation at the horizon is known), False for the comparison
  group (situation known at reference date + horizon). Covariates: sex, age, training level, the
  publics and, when every person has it, ``mois_emploi_12m`` (months employed in the 12 months
  before). Outcomes: ``emploi_durable`` and ``sorties_dynamiques`` (1 or 0).
- *Propensity score* ``e(x)``: probability of being a participant given the covariates, by a logit
  (``statsmodels``) on sex, age, age², training level, publics and prior employment.
- *Common support* (trimming): persons whose score lies outside [max of the two groups' minimums,
  min of their maximums] are left out; the analysis sample is what remains, and the score is
  fitted again on it.
- *Estimators* of ATT = E[Y(1) - Y(0) | participant]:
  nearest-neighbour matching (1:1, with replacement, on the logit of the score, caliper of
  :data:`CALIPER` standard deviations of that logit; treated persons without a neighbour within the
  caliper are left out); inverse-probability weighting (comparison persons weighted by the odds
  ``e / (1 - e)``, normalised); the *doubly robust* estimate, the main one: a linear outcome
  regression fitted on the comparison group weighted by the odds, and ATT = mean over participants
  of ``y - x'β``: consistent when either the score or the outcome model is right.
- *Intervals*: bootstrap by persons (resampling with replacement within each group, the score
  fitted again on each replicate), 95 % normal interval ``estimate ± 1.96 × bootstrap standard
  error``. Replicates are frequency weights, so the whole bootstrap is a few batched numpy
  operations.
- *Balance*: standardised mean difference ``(mean_t - mean_c) / sqrt((s²_t + s²_c) / 2)`` (the
  denominator from the unweighted analysis sample, before and after), target below
  :data:`MAX_SMD` in absolute value after weighting; variance ratio ``s²_t / s²_c`` of the
  continuous covariates, target within :data:`VARIANCE_RATIO`.
- *Overlap* passes when at most :data:`MAX_TRIMMED` of the participants fall outside the common
  support and the *effective sample size* of the weighted comparison group,
  ``(Σw)² / Σw²``, is at least :data:`MIN_EFFECTIVE`.
- *Minimum detectable effect* (before the estimate): ``(z_0.975 + z_0.80) × sqrt(p (1 - p)
  (1 / n_t + 1 / ESS_c))``, ``p`` the comparison group's rate: the smallest true effect the study
  would find 80 % of the time at the 5 % level.
- *Placebo*: the doubly robust estimate on prior employment (months), with a score that leaves
  it out: the other characteristics should make the groups alike on their past; a difference says
  selection rests on the past beyond them.
- *Sensitivity*: the E-value (VanderWeele and Ding 2017) of the risk ratio ``p_1 / (p_1 - ATT)``
  and of its interval bound nearest 1; Rosenbaum bounds of the matched pairs (sign test on the
  discordant pairs, McNemar): the largest hidden bias Γ (odds of participation of two matched
  persons) under which the result stays significant at 5 %.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit, logit
from scipy.stats import binom, norm

from impact.formatting import french_number, french_percent
from impact.schema import NIVEAU_FORMATION, PUBLICS

#: The two outcomes estimated, with their French label.
OUTCOMES = {"emploi_durable": "emploi durable", "sorties_dynamiques": "sortie dynamique"}
#: Months employed in the 12 months before: the prior-employment column (and placebo outcome).
PRIOR = "mois_emploi_12m"
#: Caliper of the matching, in standard deviations of the logit of the score (Austin 2011).
CALIPER = 0.2
#: Largest absolute standardised mean difference after weighting for balance to pass.
MAX_SMD = 0.1
#: Range of the variance ratio of continuous covariates for balance to pass.
VARIANCE_RATIO = (0.5, 2.0)
#: Largest share of participants outside the common support for overlap to pass.
MAX_TRIMMED = 0.10
#: Smallest effective sample size of the weighted comparison group for overlap to pass.
MIN_EFFECTIVE = 50
#: Bootstrap replicates by default.
REPLICATES = 400
#: Replicates processed at once (memory: CHUNK × persons × coefficients floats).
CHUNK = 25
Z95 = float(norm.ppf(0.975))
Z80 = float(norm.ppf(0.80))


def covariates(sample: pd.DataFrame, prior: bool = True) -> pd.DataFrame:
    """The numeric covariates of the score and of the outcome model, labelled in French: women,
    age, age² / 100, one indicator per training level but the first, the publics and (``prior``)
    the months employed in the 12 months before. Columns constant over the sample are left out."""
    age = sample["age"].astype(float)
    columns = {"Femme": (sample["sexe"] == "F").astype(float), "Âge": age, "Âge² / 100": age ** 2 / 100}
    columns |= {f"Formation {LEVEL_LABELS[level]}": (sample["niveau_formation"] == level).astype(float) for level in list(NIVEAU_FORMATION)[1:]}
    columns |= {PUBLIC_LABELS[name]: sample[name].astype(float) for name in PUBLICS}
    if prior:
        columns[PRIOR_LABEL] = sample[PRIOR].astype(float)
    frame = pd.DataFrame(columns, index=sample.index)
    return frame.loc[:, frame.nunique() > 1]


#: Short labels of the covariates, for the balance table.
LEVEL_LABELS = {"niveau_3": "CAP-BEP", "niveau_4": "bac", "niveau_5_plus": "bac + 2", "inconnu": "inconnue"}
PUBLIC_LABELS = {"deld": "DELD", "minima_sociaux": "Minima sociaux", "travailleur_handicape": "Handicap", "jeune_peu_qualifie": "Jeune peu qualifié",
                 "senior_50": "Senior 50 ans et plus", "residant_qpv": "Résidant QPV", "parcours_iae": "Parcours IAE", "autre_public": "Autre public"}
PRIOR_LABEL = "Mois en emploi avant"
#: Covariates whose variance ratio is checked (the continuous ones).
CONTINUOUS = ("Âge", "Âge² / 100", PRIOR_LABEL)


def _design(frame: pd.DataFrame) -> np.ndarray:
    return np.column_stack([np.ones(len(frame)), frame.to_numpy(dtype=float)])


def propensity(X: np.ndarray, treated: np.ndarray) -> np.ndarray:
    """Logit of participation (``statsmodels``) on the design ``X`` (intercept first); returns the
    coefficients. Under complete separation the estimates grow large and the scores reach 0 or 1:
    the overlap diagnostic then fails."""
    from statsmodels.discrete.discrete_model import Logit

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            params = np.asarray(Logit(treated.astype(float), X).fit(disp=0, method="newton", maxiter=100).params)
        except Exception:  # noqa: BLE001 - singular or separated designs: fall back on a ridge fit
            params = _batched_logit(X, treated, np.ones((1, len(treated))), np.zeros(X.shape[1]), iterations=50)[0]
    return params


def _batched_logit(X: np.ndarray, y: np.ndarray, counts: np.ndarray, start: np.ndarray, iterations: int = 5) -> np.ndarray:
    """Logits of ``y`` on ``X`` for each row of frequency weights ``counts`` (replicates × persons),
    by Newton-Raphson from ``start`` with a tiny ridge (singular replicates stay finite)."""
    beta = np.tile(start, (len(counts), 1))
    ridge = 1e-6 * np.eye(X.shape[1])
    for _ in range(iterations):
        p = expit(np.clip(beta @ X.T, -30, 30))
        gradient = (counts * (y - p)) @ X - beta @ ridge
        hessian = _weighted_gram(counts * p * (1 - p), X) + ridge
        beta = beta + np.linalg.solve(hessian, gradient[..., None])[..., 0]
    return beta


def _weighted_gram(weights: np.ndarray, X: np.ndarray) -> np.ndarray:
    """``X' diag(w) X`` for each row ``w`` of ``weights`` (replicates × persons), by chunks of
    :data:`CHUNK` replicates to bound the memory."""
    return np.concatenate([(X.T[None] * weights[i:i + CHUNK, None, :]) @ X for i in range(0, len(weights), CHUNK)])


def _estimates(X: np.ndarray, treated: np.ndarray, y: np.ndarray, beta: np.ndarray, counts: np.ndarray,
               caliper: float) -> dict[str, np.ndarray]:
    """Matching, IPW and doubly robust ATT for each row of ``counts`` (frequency weights) and of
    ``beta`` (score coefficients)."""
    score = np.clip(beta @ X.T, -30, 30)
    odds = np.exp(score)
    t, c = treated, ~treated
    n_t = counts[:, t].sum(axis=1)
    mean_t = (counts[:, t] * y[t]).sum(axis=1) / n_t
    w = counts[:, c] * odds[:, c]
    ipw = mean_t - (w * y[c]).sum(axis=1) / w.sum(axis=1)
    Xc = X[c]
    gram = _weighted_gram(w, Xc) + 1e-9 * np.eye(X.shape[1])
    coef = np.linalg.solve(gram, ((w * y[c]) @ Xc)[..., None])[..., 0]
    dr = (counts[:, t] * (y[t] - coef @ X[t].T)).sum(axis=1) / n_t
    matched = np.array([_match(score[b], treated, y, counts[b], caliper)[0] for b in range(len(counts))])
    return {"appariement": matched, "ponderation": ipw, "doublement_robuste": dr}


def _match(score: np.ndarray, treated: np.ndarray, y: np.ndarray, counts: np.ndarray, caliper: float) -> tuple[float, np.ndarray, np.ndarray]:
    """1:1 nearest-neighbour matching with replacement on ``score`` among the comparison persons
    present (``counts > 0``): ATT over the treated matched within ``caliper``, the index of each
    treated person's neighbour (-1 when none within the caliper) and the treated indices."""
    controls = np.flatnonzero(~treated & (counts > 0))
    order = controls[np.argsort(score[controls], kind="stable")]
    sorted_scores = score[order]
    treated_index = np.flatnonzero(treated)
    position = np.clip(np.searchsorted(sorted_scores, score[treated_index]), 1, len(order) - 1)
    left, right = order[position - 1], order[position]
    nearest = np.where(np.abs(score[left] - score[treated_index]) <= np.abs(score[right] - score[treated_index]), left, right)
    within = np.abs(score[nearest] - score[treated_index]) <= caliper
    neighbour = np.where(within, nearest, -1)
    weight = counts[treated_index] * within
    if weight.sum() == 0:
        return float("nan"), neighbour, treated_index
    return float((weight * (y[treated_index] - y[nearest])).sum() / weight.sum()), neighbour, treated_index


def bootstrap_counts(treated: np.ndarray, replicates: int, seed: int) -> np.ndarray:
    """Frequency weights of ``replicates`` resamples of persons, with replacement within each group
    (the group sizes stay those of the sample)."""
    rng = np.random.default_rng(seed)
    counts = np.zeros((replicates, len(treated)))
    for group in (treated, ~treated):
        index = np.flatnonzero(group)
        counts[:, index] = rng.multinomial(len(index), np.full(len(index), 1 / len(index)), size=replicates)
    return counts


@dataclass(frozen=True)
class Estimate:
    """One outcome's estimates (``appariement``, ``ponderation``, ``doublement_robuste``), their
    bootstrap standard errors and 95 % intervals, the participants' observed rate ``p1`` and the
    comparison group's raw rate ``p0_raw``."""

    outcome: str
    values: dict[str, float]
    errors: dict[str, float]
    p1: float
    p0_raw: float

    def interval(self, method: str = "doublement_robuste") -> tuple[float, float]:
        """95 % normal bootstrap interval of ``method``."""
        return self.values[method] - Z95 * self.errors[method], self.values[method] + Z95 * self.errors[method]

    @property
    def raw_difference(self) -> float:
        """Participants' rate minus the comparison group's, without adjustment."""
        return self.p1 - self.p0_raw

    @property
    def significant(self) -> bool:
        """Whether the doubly robust interval leaves out 0."""
        low, high = self.interval()
        return low > 0 or high < 0


@dataclass(frozen=True)
class Fit:
    """The score fitted on the sample (``beta``) and on each bootstrap replicate (``betas``, with
    their frequency weights ``counts``), shared by every outcome estimated on the same design."""

    X: np.ndarray
    treated: np.ndarray
    beta: np.ndarray
    counts: np.ndarray
    betas: np.ndarray

    @property
    def caliper(self) -> float:
        return CALIPER * float(np.std(self.X @ self.beta))


def fit(X: np.ndarray, treated: np.ndarray, replicates: int = REPLICATES, seed: int = 1) -> Fit:
    """Score on the sample (``statsmodels``) and on ``replicates`` bootstrap resamples of persons."""
    beta = propensity(X, treated)
    counts = bootstrap_counts(treated, replicates, seed)
    return Fit(X, treated, beta, counts, _batched_logit(X, treated, counts, beta))


def estimate(scores: Fit, y: np.ndarray, outcome: str) -> Estimate:
    """Point estimates of the three estimators of ATT on outcome ``y``, and their bootstrap
    standard errors."""
    X, treated = scores.X, scores.treated
    point = _estimates(X, treated, y, scores.beta[None], np.ones((1, len(y))), scores.caliper)
    replicas = _estimates(X, treated, y, scores.betas, scores.counts, scores.caliper)
    values = {name: float(v[0]) for name, v in point.items()}
    errors = {name: float(np.nanstd(v, ddof=1)) for name, v in replicas.items()}
    return Estimate(outcome, values, errors, float(y[treated].mean()), float(y[~treated].mean()))


def smd(values: pd.DataFrame, treated: np.ndarray, weights: np.ndarray) -> pd.DataFrame:
    """Standardised mean differences before (unweighted) and after weighting (``weights``: 1 for
    participants, the comparison weights otherwise), and the variance ratios before and after."""
    data = values.to_numpy(dtype=float)
    t, c = treated, ~treated

    def moments(w: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        w = w[rows] / w[rows].sum()
        mean = w @ data[rows]
        return mean, w @ (data[rows] - mean) ** 2

    ones = np.ones(len(data))
    (mt, vt), (mc, vc) = moments(ones, t), moments(ones, c)
    (wmt, wvt), (wmc, wvc) = moments(weights, t), moments(weights, c)
    scale = np.sqrt((vt + vc) / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        return pd.DataFrame({"moyenne_participants": mt, "moyenne_comparaison": mc, "dms_avant": (mt - mc) / scale,
                             "dms_apres": (wmt - wmc) / scale, "rv_avant": vt / vc, "rv_apres": wvt / wvc}, index=values.columns)


def balance_passes(table: pd.DataFrame) -> bool:
    """Every |SMD| after weighting below :data:`MAX_SMD`, every continuous variance ratio within
    :data:`VARIANCE_RATIO`."""
    continuous = table.loc[table.index.isin(CONTINUOUS), "rv_apres"]
    low, high = VARIANCE_RATIO
    return bool((table["dms_apres"].abs() < MAX_SMD).all() and continuous.between(low, high).all())


def effective_size(weights: np.ndarray) -> float:
    """Kish's effective sample size ``(Σw)² / Σw²``."""
    return float(weights.sum() ** 2 / (weights ** 2).sum())


def minimum_detectable(rate: float, n_treated: float, n_effective: float) -> float:
    """Smallest true difference of rates detected 80 % of the time at the 5 % two-sided level."""
    return (Z95 + Z80) * float(np.sqrt(rate * (1 - rate) * (1 / n_treated + 1 / n_effective)))


def e_value(p1: float, effect: float, bound: float) -> tuple[float, float]:
    """E-values of the risk ratio ``p1 / (p1 - effect)`` and of the interval ``bound`` nearest the
    null (1 when the interval reaches it): the strength of association, on the risk-ratio scale, an
    unmeasured confounder would need with both participation and outcome to explain it away."""

    def value(rr: float) -> float:
        rr = 1 / rr if rr < 1 else rr
        return float(rr + np.sqrt(rr * (rr - 1)))

    p0 = p1 - effect
    if not 0 < p0 < 1:
        return float("nan"), float("nan")
    crosses = (effect > 0 and bound <= 0) or (effect < 0 and bound >= 0)
    return value(p1 / p0), 1.0 if crosses else value(p1 / (p1 - bound))


def rosenbaum_gamma(discordant_for: int, discordant_against: int, level: float = 0.05) -> float:
    """The largest Γ at which the one-sided sign test of the matched pairs stays below ``level``:
    ``P(X >= a) < level`` with ``X ~ Binomial(a + b, Γ / (1 + Γ))``, ``a`` the discordant pairs in
    the direction of the estimate. 1 when the result is not significant without hidden bias."""
    a, n = discordant_for, discordant_for + discordant_against
    if n == 0 or binom.sf(a - 1, n, 0.5) >= level:
        return 1.0
    low, high = 1.0, 50.0
    for _ in range(60):
        middle = (low + high) / 2
        low, high = (middle, high) if binom.sf(a - 1, n, middle / (1 + middle)) < level else (low, middle)
    return low


@dataclass(frozen=True)
class Overlap:
    """The score on the full sample, which persons are kept (common support), the participants and
    comparison persons left out, and the effective size of the weighted comparison group."""

    score: np.ndarray
    kept: np.ndarray
    support: tuple[float, float]
    trimmed_treated: int
    trimmed_comparison: int
    effective: float
    n_treated: int

    @property
    def share_trimmed(self) -> float:
        return self.trimmed_treated / self.n_treated

    @property
    def passes(self) -> bool:
        return self.share_trimmed <= MAX_TRIMMED and self.effective >= MIN_EFFECTIVE


def overlap(frame: pd.DataFrame, treated: np.ndarray) -> Overlap:
    """Fit the score on everyone, trim to the common support, and weigh the comparison persons kept."""
    X = _design(frame)
    score = expit(np.clip(X @ propensity(X, treated), -30, 30))
    low = max(score[treated].min(), score[~treated].min())
    high = min(score[treated].max(), score[~treated].max())
    kept = (score >= low) & (score <= high)
    odds = score / (1 - score)
    effective = effective_size(odds[kept & ~treated]) if (kept & ~treated).any() else 0.0
    return Overlap(score, kept, (float(low), float(high)), int((treated & ~kept).sum()), int((~treated & ~kept).sum()),
                   effective, int(treated.sum()))


@dataclass(frozen=True)
class Study:
    """Everything the report shows: sizes, overlap, balance (weighting and matching), minimum
    detectable effects, estimates per outcome, placebo, sensitivity, and the verdict."""

    sample: pd.DataFrame
    overlap: Overlap
    prior_used: bool
    balance: pd.DataFrame | None
    matched_balance: pd.DataFrame | None
    matched_share: float
    weights: np.ndarray | None
    detectable: dict[str, float]
    estimates: dict[str, Estimate]
    placebo: Estimate | None
    gamma: dict[str, float]
    e_values: dict[str, tuple[float, float]]

    @property
    def balance_ok(self) -> bool:
        return self.balance is not None and balance_passes(self.balance)

    @property
    def credible(self) -> bool:
        """Whether balance and overlap pass: the only case where an effect may be stated."""
        return self.overlap.passes and self.balance_ok

    def failures(self) -> list[str]:
        """The diagnostics that failed, in plain French."""
        reasons = []
        o = self.overlap
        if o.share_trimmed > MAX_TRIMMED:
            reasons.append(f"recouvrement insuffisant : plus de {french_percent(MAX_TRIMMED, 0)} des participants n'ont aucune "
                           "personne comparable")
        if o.effective < MIN_EFFECTIVE:
            reasons.append(f"taille effective du groupe de comparaison pondéré de {o.effective:.0f} personnes, "
                           f"sous le minimum de {MIN_EFFECTIVE}")
        if self.balance is None:
            reasons.append("équilibre non mesurable : aucun groupe de comparaison dans le support commun")
        elif not self.balance_ok:
            bad = self.balance.loc[self.balance["dms_apres"].abs() >= MAX_SMD].index.tolist()
            ratio = self.balance.loc[self.balance.index.isin(CONTINUOUS) & ~self.balance["rv_apres"].between(*VARIANCE_RATIO)].index.tolist()
            if bad:
                reasons.append(f"déséquilibre après pondération (différence standardisée d'au moins {french_number(MAX_SMD, 1)}) : {', '.join(bad)}")
            if ratio:
                reasons.append(f"rapport de variances hors de 0,5 à 2 après pondération : {', '.join(ratio)}")
        return reasons


def study(sample: pd.DataFrame, replicates: int = REPLICATES, seed: int = 1) -> Study:
    """Run the whole analysis on ``sample`` (see the module docstring for its columns)."""
    treated_all = sample["participant"].to_numpy(dtype=bool)
    prior_used = PRIOR in sample and bool(sample[PRIOR].notna().all())
    frame_all = covariates(sample, prior_used)
    found = overlap(frame_all, treated_all)
    kept = sample.loc[found.kept]
    treated = kept["participant"].to_numpy(dtype=bool)
    empty = Study(sample, found, prior_used, None, None, float("nan"), None, {}, {}, None, {}, {})
    if treated.sum() < 2 or (~treated).sum() < 2:
        return empty
    frame = covariates(kept, prior_used)
    X = _design(frame)
    scores = fit(X, treated, replicates, seed)
    beta = scores.beta
    odds = np.exp(np.clip(X @ beta, -30, 30))
    weights = np.where(treated, 1.0, odds)
    balance = smd(frame, treated, weights)
    ones = np.ones(len(kept))
    _, neighbour, treated_index = _match(X @ beta, treated, np.zeros(len(kept)), ones, scores.caliper)
    matched_weights = np.where(treated, 0.0, 0.0)
    matched_weights[treated_index[neighbour >= 0]] = 1.0
    np.add.at(matched_weights, neighbour[neighbour >= 0], 1.0)
    matched_balance = smd(frame, treated, matched_weights) if (neighbour >= 0).any() else None
    effective = effective_size(odds[~treated])
    estimates, detectable, gamma, evalues = {}, {}, {}, {}
    for name in OUTCOMES:
        y = kept[name].to_numpy(dtype=float)
        detectable[name] = minimum_detectable(float(y[~treated].mean()), treated.sum(), effective)
        estimates[name] = estimate(scores, y, name)
        result = estimates[name]
        sign = 1 if result.values["appariement"] >= 0 else -1
        pairs = neighbour >= 0
        difference = y[treated_index[pairs]] - y[neighbour[pairs]]
        gamma[name] = rosenbaum_gamma(int((sign * difference > 0).sum()), int((sign * difference < 0).sum()))
        low, high = result.interval()
        evalues[name] = e_value(result.p1, result.values["doublement_robuste"], low if result.values["doublement_robuste"] > 0 else high)
    placebo = None
    if prior_used:
        placebo = estimate(fit(_design(covariates(kept, False)), treated, replicates, seed), kept[PRIOR].to_numpy(dtype=float), PRIOR)
    return Study(sample, found, prior_used, balance, matched_balance, float((neighbour >= 0).mean()), weights, detectable,
                 estimates, placebo, gamma, evalues)
