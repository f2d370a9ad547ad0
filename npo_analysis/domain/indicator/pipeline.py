"""The whole indicator: fit, impute, score pupils and toddlers, aggregate, write the outputs.

:func:`compute_indicator` reads a :class:`~npo_analysis.data.dataset.Dataset` and returns an
:class:`IndicatorResult`; :func:`write_indicator` writes it as ``pupil_scores.parquet``,
``school_scores.parquet``, ``municipality_scores.parquet`` and ``model.json`` (each atomically).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from npo_analysis.atomic import atomic_path, write_text_atomic
from npo_analysis.domain.indicator.children import Children, read_children
from npo_analysis.domain.indicator.imputation import EducationImputer
from npo_analysis.domain.indicator.model import EndScoreModel, fit_end_score_model, fit_rows
from npo_analysis.domain.indicator.municipal import municipality_table
from npo_analysis.domain.indicator.scores import (
    NationalTarget,
    gross_by_round,
    national_target,
    school_table,
)

#: Column order of the school output.
SCHOOL_COLUMNS = ["school_id", "municipality_code", "pupils", "target_pupils", "score_gross",
                  "score_gross_low", "score_gross_high", "score_gross_onderbouw",
                  "score_gross_bovenbouw", "threshold", "score", "flag"]
#: How missing parental education is handled, recorded in ``model.json``.
MISSING_EDUCATION_NOTE = (
    "Fit on complete cases (grade-8 pupils with end score and both parents' education observed): "
    "unbiased because missingness depends only on covariates, not on the end score's noise. "
    "Scores: missing education multiply imputed from its conditional distribution given origin, "
    "years band, debt, the other parent's education and the school-mean fifth; the round scores "
    "are averaged per child."
)


@dataclass
class IndicatorResult:
    """The outputs of :func:`compute_indicator`.

    Attributes
    ----------
    pupil_scores : pandas.DataFrame
        One row per child: ``child_type`` (pupil/toddler), ``child_id``, ``school_id``,
        ``neighbourhood_code``, ``municipality_code``, ``score``, ``target``, ``age``.
    school_scores : pandas.DataFrame
        One row per school, columns :data:`SCHOOL_COLUMNS`.
    municipality_scores : pandas.DataFrame
        ``municipality_code, pupils, toddlers, target_children, score_gross, score``.
    model : dict
        Coefficients (name -> {estimate, se}), C, G, boundary, counts and parameters.
    """

    pupil_scores: pd.DataFrame
    school_scores: pd.DataFrame
    municipality_scores: pd.DataFrame
    model: dict


def check_parameters(rounds: int, target_share: float, threshold_fraction: float,
                     municipal_threshold_fraction: float, seed: int) -> None:
    """Raise ``ValueError`` naming the first parameter outside its valid range."""
    if not isinstance(rounds, int | np.integer) or rounds < 1:
        raise ValueError(f"rounds={rounds!r}: expected a whole number >= 1")
    if not 0 < target_share < 1:
        raise ValueError(f"target_share={target_share!r}: expected a share in (0, 1)")
    for name, value in (("threshold_fraction", threshold_fraction),
                        ("municipal_threshold_fraction", municipal_threshold_fraction)):
        if not 0 <= value <= 1:
            raise ValueError(f"{name}={value!r}: expected a fraction in [0, 1]")
    if not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed={seed!r}: expected a whole number >= 0")


def fit_model(children: Children) -> EndScoreModel:
    """Fit the end-score model on the complete-case grade-8 pupils."""
    pupils = children.pupils
    rows = fit_rows(pupils.grade, pupils.end_score, pupils.background)
    if np.isnan(pupils.potential[rows]).any():
        row = int(np.flatnonzero(rows & np.isnan(pupils.potential))[0])
        raise ValueError(f"table 'pupils', column 'potential', row {row}: missing for a grade-8 "
                         f"pupil with an end score; the model needs it")
    return fit_end_score_model(pupils.background.subset(rows), pupils.school_mean[rows],
                               pupils.potential[rows], pupils.end_score[rows])


def round_scores(children: Children, model: EndScoreModel, rounds: int, seed: int,
                 progress: Callable[[str], None]) -> np.ndarray:
    """Onderwijsscore of every child (pupils first, then toddlers) per imputation round."""
    background = children.background
    imputer = EducationImputer(background, children.school_mean)
    fixed = model.fixed_part(background, children.school_mean)
    rng = np.random.default_rng(seed)
    scores = np.empty((rounds, len(background)))
    for r in range(rounds):
        mother, father = imputer.draw(rng)
        scores[r] = fixed + model.education_part(mother, father)
        progress(f"imputation round {r + 1}/{rounds}")
    return scores


def compute_indicator(dataset, *, rounds: int = 10, target_share: float = 0.15,
                      threshold_fraction: float = 0.12, municipal_threshold_fraction: float = 0.12,
                      seed: int = 0, progress: Callable[[str], None] | None = None
                      ) -> IndicatorResult:
    """Compute the CBS education-disadvantage indicator from pupil and toddler microdata.

    Parameters
    ----------
    dataset : npo_analysis.data.dataset.Dataset
        Needs the tables ``pupils``, ``schools``, ``neighbourhoods``, ``municipalities`` and
        optionally ``toddlers``.
    rounds : int
        Imputation rounds whose scores are averaged per child (CBS: 10).
    target_share : float
        Share of pupils nationally in the target group (0.15).
    threshold_fraction : float
        F of the school threshold (0.12).
    municipal_threshold_fraction : float
        F of the municipal threshold (0.12; unconfirmed).
    seed : int
        Seed of the imputation draws; the same seed gives identical results.
    progress : callable, optional
        Called with a short status line after each step.

    Returns
    -------
    IndicatorResult
    """
    check_parameters(rounds, target_share, threshold_fraction, municipal_threshold_fraction, seed)
    progress = progress or (lambda message: None)
    children = read_children(dataset)
    model = fit_model(children)
    progress(f"model fitted on {model.n_fitted} grade-8 pupils (R2 {model.r_squared:.3f})")
    per_round = round_scores(children, model, rounds, seed, progress)
    n_pupils = len(children.pupils.ids)
    scores = per_round.mean(axis=0)
    schools, national = score_schools(children, scores[:n_pupils], per_round[:, :n_pupils],
                                      target_share, threshold_fraction)
    municipalities = score_municipalities(children, scores, national,
                                          municipal_threshold_fraction)
    progress(f"scored {len(schools)} schools and {len(municipalities)} municipalities")
    parameters = {"rounds": rounds, "target_share": target_share, "seed": seed,
                  "threshold_fraction": threshold_fraction,
                  "municipal_threshold_fraction": municipal_threshold_fraction}
    return IndicatorResult(
        pupil_scores=child_table(children, scores, national),
        school_scores=schools,
        municipality_scores=municipalities,
        model=model_summary(model, national, children, parameters),
    )


def score_schools(children: Children, scores: np.ndarray, per_round: np.ndarray,
                  target_share: float, threshold_fraction: float
                  ) -> tuple[pd.DataFrame, NationalTarget]:
    """School scores from the averaged pupil scores, with the 5-95% range over the rounds."""
    links = children.links
    pupils = children.pupils
    national = national_target(scores, target_share, pupils.ids)
    table = school_table(links.school_ids, links.pupil_school, scores, pupils.age, national,
                         threshold_fraction)
    by_round = gross_by_round(links.pupil_school, per_round, links.n_schools, target_share,
                              pupils.ids)
    table = table.assign(
        municipality_code=pd.array(links.municipality_codes[links.school_municipality],
                                   dtype="str"),
        score_gross_low=np.percentile(by_round, 5, axis=1),
        score_gross_high=np.percentile(by_round, 95, axis=1),
    )
    return table[SCHOOL_COLUMNS], national


def score_municipalities(children: Children, scores: np.ndarray, national: NationalTarget,
                         fraction: float) -> pd.DataFrame:
    """Municipal scores from the averaged scores of all children (pupils first, then toddlers)."""
    links = children.links
    n_pupils = len(children.pupils.ids)
    return municipality_table(links.municipality_codes,
                              links.school_municipality[links.pupil_school], scores[:n_pupils],
                              links.toddler_municipality, scores[n_pupils:], national, fraction)


def child_table(children: Children, scores: np.ndarray, national: NationalTarget
                ) -> pd.DataFrame:
    """One row per child (pupils, then toddlers) with its averaged score and target flag."""
    links = children.links
    n_pupils = len(children.pupils.ids)
    n_toddlers = len(children.toddler_ids)
    missing = np.full(n_toddlers, None, dtype=object)
    return pd.DataFrame({
        "child_type": pd.array(["pupil"] * n_pupils + ["toddler"] * n_toddlers, dtype="str"),
        "child_id": np.concatenate([children.pupils.ids, children.toddler_ids]).astype(np.int64),
        "school_id": pd.array(np.concatenate([links.school_ids[links.pupil_school], missing]),
                              dtype="str"),
        "neighbourhood_code": pd.array(
            np.concatenate([np.full(n_pupils, None, dtype=object),
                            links.neighbourhood_codes[links.toddler_neighbourhood]]), dtype="str"),
        "municipality_code": pd.array(np.concatenate([
            links.municipality_codes[links.school_municipality[links.pupil_school]],
            links.municipality_codes[links.toddler_municipality]]), dtype="str"),
        "score": scores,
        "target": np.concatenate([national.target, scores[n_pupils:] <= national.boundary]),
        "age": np.concatenate([children.pupils.age, children.toddler_age]).astype(float),
    })


def model_summary(model: EndScoreModel, national: NationalTarget, children: Children,
                  parameters: dict) -> dict:
    """The content of ``model.json``: coefficients, national constants, counts, parameters."""
    return {
        **model.to_dict(),
        "C": national.c,
        "G": national.g,
        "boundary": national.boundary,
        "n_pupils": len(children.pupils.ids),
        "n_toddlers": len(children.toddler_ids),
        "n_target_pupils": national.n_target,
        **parameters,
        "missing_education": MISSING_EDUCATION_NOTE,
    }


def write_indicator(result: IndicatorResult, out_dir: str | Path) -> Path:
    """Write the indicator outputs to ``out_dir`` (each file atomically; other files untouched).

    Returns
    -------
    pathlib.Path
        ``out_dir``.
    """
    out_dir = Path(out_dir)
    for name, frame in (("pupil_scores", result.pupil_scores),
                        ("school_scores", result.school_scores),
                        ("municipality_scores", result.municipality_scores)):
        with atomic_path(out_dir / f"{name}.parquet", suffix=".parquet") as tmp:
            frame.to_parquet(tmp, index=False)
    write_text_atomic(out_dir / "model.json",
                      json.dumps(result.model, indent=2, sort_keys=True) + "\n")
    return out_dir


#: Tables the indicator reads from a dataset directory (``toddlers`` too when present).
INDICATOR_TABLES = ["municipalities", "neighbourhoods", "schools", "pupils"]


def load_indicator_dataset(directory: Path):
    """Read and validate the tables the indicator needs from a dataset directory.

    Parameters
    ----------
    directory : path-like
        Dataset directory (see :mod:`npo_analysis.data.dataset`).

    Returns
    -------
    npo_analysis.data.dataset.Dataset
        The municipalities, neighbourhoods, schools and pupils tables, plus toddlers when present.
    """
    from npo_analysis.data.dataset import load_dataset

    directory = Path(directory)
    tables = INDICATOR_TABLES + (["toddlers"] if (directory / "toddlers.parquet").exists() else [])
    return load_dataset(directory, tables=tables)
