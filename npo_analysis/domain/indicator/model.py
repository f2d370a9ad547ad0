"""The CBS end-score model: design matrix, OLS fit and the onderwijsscore it implies.

``end_score = intercept + b_mother[mother] + b_father[father] + b_origin[origin]
+ b_years[band] + b_debt * debt + b_school * school_mean + b_potential * potential + noise``,
treatment-coded with references ``havo_vwo_mbo24`` (both parents), ``netherlands`` and
``15_plus``. The *onderwijsscore* is the fitted value without the potential term.

Missing parental education in the fit: the model is fitted on complete cases (grade-8 pupils with
an observed end score and both parents' education observed). OLS on complete cases is unbiased
when whether a value is missing depends only on the covariates (including the missing education
itself) and not on the outcome's noise, which is how missingness arises here (registration gaps
that depend on origin, age and education); it only costs precision.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from npo_analysis.data import schema
from npo_analysis.domain.indicator.inputs import MISSING, YEARS_BANDS, Background

#: The model's factors: (name, Background attribute, categories, reference category).
FACTORS: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("mother_education", "mother", schema.EDUCATION_LEVELS, "havo_vwo_mbo24"),
    ("father_education", "father", schema.EDUCATION_LEVELS, "havo_vwo_mbo24"),
    ("origin", "origin", schema.ORIGINS, "netherlands"),
    ("mother_years_in_nl_band", "band", YEARS_BANDS, "15_plus"),
)
#: Numeric regressors after the factors, in design order.
NUMERIC_TERMS: tuple[str, ...] = ("debt_restructuring", "school_mean_mother_education",
                                  "potential")


def term_names() -> tuple[str, ...]:
    """Names of the design columns: ``intercept``, ``factor[level]`` ..., numeric terms."""
    names = ["intercept"]
    for factor, _, categories, reference in FACTORS:
        names += [f"{factor}[{level}]" for level in categories if level != reference]
    return (*names, *NUMERIC_TERMS)


def design_matrix(background: Background, school_mean: np.ndarray,
                  potential: np.ndarray) -> np.ndarray:
    """The treatment-coded design matrix, columns in :func:`term_names` order.

    Parameters
    ----------
    background : Background
        Children's background codes; parental education must be observed (no ``-1``).
    school_mean : numpy.ndarray of float
        The school-mean maternal education of each child.
    potential : numpy.ndarray of float
        The children's potential (ability) score.

    Returns
    -------
    numpy.ndarray of float, shape (n, len(term_names()))
    """
    n = len(background)
    blocks = [np.ones((n, 1))]
    for _, attribute, categories, reference in FACTORS:
        codes = getattr(background, attribute)
        levels = [i for i, level in enumerate(categories) if level != reference]
        blocks.append((codes[:, None] == np.asarray(levels)[None, :]).astype(float))
    blocks.append(np.column_stack([background.debt.astype(float), school_mean, potential]))
    return np.hstack(blocks)


@dataclass(frozen=True)
class EndScoreModel:
    """A fitted end-score model.

    Attributes
    ----------
    names : tuple of str
        Term names (:func:`term_names`).
    estimates, standard_errors : numpy.ndarray of float
        OLS estimates and their standard errors, in ``names`` order.
    conf_int : numpy.ndarray of float
        ``(len(names), 2)`` lower and upper limits of the 95% intervals (statsmodels'
        ``conf_int``: t with the residual degrees of freedom); ``NaN`` for a dropped term.
    n_fitted : int
        Pupils the model was fitted on.
    r_squared, residual_sd : float
        Fit statistics.
    """

    names: tuple[str, ...]
    estimates: np.ndarray
    standard_errors: np.ndarray
    conf_int: np.ndarray
    n_fitted: int
    r_squared: float
    residual_sd: float

    def coefficient(self, name: str) -> float:
        """The estimate of term ``name``."""
        return float(self.estimates[self.names.index(name)])

    def effects(self, factor: str) -> np.ndarray:
        """Coefficient per category code of ``factor`` (0 for the reference category)."""
        _, _, categories, reference = next(f for f in FACTORS if f[0] == factor)
        return np.array([0.0 if level == reference else self.coefficient(f"{factor}[{level}]")
                         for level in categories])

    def fixed_part(self, background: Background, school_mean: np.ndarray) -> np.ndarray:
        """The onderwijsscore without the parental-education terms (they may be imputed)."""
        return (self.coefficient("intercept")
                + self.effects("origin")[background.origin]
                + self.effects("mother_years_in_nl_band")[background.band]
                + self.coefficient("debt_restructuring") * background.debt
                + self.coefficient("school_mean_mother_education") * school_mean)

    def education_part(self, mother: np.ndarray, father: np.ndarray) -> np.ndarray:
        """The parental-education terms for complete education codes."""
        return self.effects("mother_education")[mother] + self.effects("father_education")[father]

    def to_dict(self) -> dict:
        """Coefficients as ``{name: {"estimate", "se", "low", "high"}}`` (``low`` and ``high``
        the 95% interval; ``None`` for a term that was not estimated) plus fit statistics."""
        def number(value: float) -> float | None:
            return None if np.isnan(value) else float(value)

        return {
            "coefficients": {name: {"estimate": float(est), "se": number(se),
                                    "low": number(low), "high": number(high)}
                             for name, est, se, (low, high) in zip(
                                 self.names, self.estimates, self.standard_errors,
                                 self.conf_int, strict=True)},
            "n_fitted": self.n_fitted,
            "r_squared": self.r_squared,
            "residual_sd": self.residual_sd,
        }


def fit_rows(grade: np.ndarray, end_score: np.ndarray, background: Background) -> np.ndarray:
    """Mask of the pupils used in the fit: grade 8, end score and both parents observed."""
    return ((grade == 8) & ~np.isnan(end_score)
            & (background.mother != MISSING) & (background.father != MISSING))


def fit_end_score_model(background: Background, school_mean: np.ndarray, potential: np.ndarray,
                        end_score: np.ndarray) -> EndScoreModel:
    """Fit the end-score model by OLS (statsmodels).

    A term whose design column is all zero (a category absent among the fitted pupils, as can
    happen in very small datasets) cannot be estimated: it is dropped from the fit, gets estimate
    0 and standard error ``NaN``, and a warning names it.

    Parameters
    ----------
    background, school_mean, potential, end_score
        The fitted pupils only (see :func:`fit_rows`); no missing values.

    Returns
    -------
    EndScoreModel

    Raises
    ------
    ValueError
        When there are no more fitted pupils than terms.
    """
    names = term_names()
    design = design_matrix(background, school_mean, potential)
    if len(end_score) <= len(names):
        raise ValueError(f"table 'pupils': only {len(end_score)} grade-8 pupils with an end "
                         f"score and known parental education; the model needs more than "
                         f"{len(names)}")
    estimable = design.any(axis=0)
    if not estimable.all():
        dropped = [name for name, ok in zip(names, estimable, strict=True) if not ok]
        warnings.warn(f"table 'pupils': no fitted grade-8 pupil has {dropped}; these terms are "
                      f"set to 0 (not estimated)", stacklevel=2)
    # imported here: report kernels that only read scores skip it
    from statsmodels.regression.linear_model import OLS

    result = OLS(end_score, design[:, estimable]).fit()
    estimates = np.zeros(len(names))
    standard_errors = np.full(len(names), np.nan)
    conf_int = np.full((len(names), 2), np.nan)
    estimates[estimable] = result.params
    standard_errors[estimable] = result.bse
    conf_int[estimable] = result.conf_int(alpha=0.05)
    return EndScoreModel(names=names, estimates=estimates, standard_errors=standard_errors,
                         conf_int=conf_int, n_fitted=len(end_score),
                         r_squared=float(result.rsquared), residual_sd=float(np.sqrt(result.scale)))
