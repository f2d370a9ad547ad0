"""Multiple imputation of missing parental education.

Each missing education level is drawn from the empirical conditional distribution of that parent's
education among children whose value is observed, given the child's origin, the mother's
years-in-the-Netherlands band, debt restructuring, the other parent's education (its observed
value, its value imputed in the same round, or "unknown") and the fifth of the school-mean maternal
education the child is in. Cells with fewer than ``min_cell`` observed children fall back to ever
coarser cells (dropping debt, then the years band, then the school-mean fifth, then the other
parent, then origin). The mother is drawn first, then the father given the mother's completed value.

This assumes missingness does not depend on the education level itself once these characteristics
are known (missing at random); where registration gaps are selective by education, as CBS notes,
the imputed levels inherit that bias. Pupils and toddlers are pooled. Every round draws afresh from
one ``numpy.random.Generator``, so a seed fixes all rounds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from npo_analysis.data import schema
from npo_analysis.domain.indicator.inputs import MISSING, YEARS_BANDS, Background

#: Minimum observed children in a conditioning cell before a coarser cell is used.
MIN_CELL = 30
#: Number of school-mean bins (equal-count bins over all children).
SCHOOL_MEAN_BINS = 5
#: Conditioning variables from the finest to the coarsest cell definition.
LEVELS_OF_DETAIL: tuple[tuple[str, ...], ...] = (
    ("origin", "band", "debt", "other", "school_bin"),
    ("origin", "band", "other", "school_bin"),
    ("origin", "other", "school_bin"),
    ("origin", "other"),
    ("origin",),
    (),
)
N_LEVELS = len(schema.EDUCATION_LEVELS)
#: Code of the "other parent unknown" category of the ``other`` variable.
OTHER_UNKNOWN = N_LEVELS
SIZES = {"origin": len(schema.ORIGINS), "band": len(YEARS_BANDS), "debt": 2,
         "other": N_LEVELS + 1, "school_bin": SCHOOL_MEAN_BINS}


def school_mean_bins(school_mean: np.ndarray) -> np.ndarray:
    """Equal-count bin (0 .. SCHOOL_MEAN_BINS - 1) of every child's school mean."""
    inner = np.quantile(school_mean, np.linspace(0, 1, SCHOOL_MEAN_BINS + 1)[1:-1])
    return np.searchsorted(inner, school_mean, side="right").astype(np.intp)


def cell_keys(variables: dict[str, np.ndarray], names: tuple[str, ...]) -> tuple[np.ndarray, int]:
    """Mixed-radix cell number of every child for the variables ``names``, and the cell count."""
    n = len(next(iter(variables.values())))
    keys = np.zeros(n, dtype=np.intp)
    n_cells = 1
    for name in names:
        keys = keys * SIZES[name] + variables[name]
        n_cells *= SIZES[name]
    return keys, n_cells


@dataclass(frozen=True)
class ConditionalSampler:
    """Observed level counts per cell, for each level of detail, of one parent's education."""

    counts: tuple[np.ndarray, ...]
    min_cell: int

    @classmethod
    def from_donors(cls, variables: dict[str, np.ndarray], levels: np.ndarray,
                    min_cell: int = MIN_CELL) -> ConditionalSampler:
        """Count the observed ``levels`` (codes 0..4) per cell of the donor children."""
        counts = []
        for names in LEVELS_OF_DETAIL:
            keys, n_cells = cell_keys(variables, names)
            flat = np.bincount(keys * N_LEVELS + levels, minlength=n_cells * N_LEVELS)
            counts.append(flat.reshape(n_cells, N_LEVELS))
        return cls(counts=tuple(counts), min_cell=min_cell)

    def cumulative(self, variables: dict[str, np.ndarray]) -> np.ndarray:
        """Cumulative level distribution (n, 5) for recipients, from their finest usable cell."""
        n = len(next(iter(variables.values())))
        chosen = np.zeros((n, N_LEVELS))
        done = np.zeros(n, dtype=bool)
        for names, counts in zip(LEVELS_OF_DETAIL, self.counts, strict=True):
            keys, _ = cell_keys(variables, names)
            cell = counts[keys]
            usable = ~done & (cell.sum(axis=1) >= min(self.min_cell, counts.sum()))
            chosen[usable] = cell[usable]
            done |= usable
        cdf = np.cumsum(chosen, axis=1) / chosen.sum(axis=1, keepdims=True)
        cdf[:, -1] = 1.0
        return cdf


def draw_levels(cdf: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
    """Education codes drawn by inverting each row's cumulative distribution."""
    return (uniforms[:, None] > cdf).sum(axis=1).astype(np.int8)


def other_parent(codes: np.ndarray) -> np.ndarray:
    """The ``other`` conditioning variable: the education code, or OTHER_UNKNOWN when missing."""
    return np.where(codes == MISSING, OTHER_UNKNOWN, codes).astype(np.intp)


class EducationImputer:
    """Draws completed parental education for a fixed set of children, one round at a time.

    Parameters
    ----------
    background : Background
        The children's background (missing education as ``-1``).
    school_mean : numpy.ndarray of float
        The children's school-mean maternal education.
    min_cell : int
        Minimum observed children per conditioning cell.

    Raises
    ------
    ValueError
        When no mother's or no father's education is observed at all.
    """

    def __init__(self, background: Background, school_mean: np.ndarray,
                 min_cell: int = MIN_CELL) -> None:
        for parent in ("mother", "father"):
            if not (getattr(background, parent) != MISSING).any():
                raise ValueError(f"column '{parent}_education': no observed value among pupils "
                                 f"and toddlers; cannot impute the missing ones")
        self.background = background
        self.base = {"origin": background.origin.astype(np.intp),
                     "band": background.band.astype(np.intp),
                     "debt": background.debt.astype(np.intp),
                     "school_bin": school_mean_bins(school_mean)}
        self.mother_sampler = self._sampler(background.mother, background.father, min_cell)
        self.father_sampler = self._sampler(background.father, background.mother, min_cell)

    def _variables(self, rows: np.ndarray, other: np.ndarray) -> dict[str, np.ndarray]:
        chosen = {name: values[rows] for name, values in self.base.items()}
        chosen["other"] = other_parent(other[rows])
        return chosen

    def _sampler(self, own: np.ndarray, other: np.ndarray, min_cell: int) -> ConditionalSampler:
        donors = np.flatnonzero(own != MISSING)
        return ConditionalSampler.from_donors(self._variables(donors, other),
                                              own[donors].astype(np.intp), min_cell)

    def draw(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """One imputation round: completed ``(mother, father)`` codes for every child."""
        mother = self.background.mother.copy()
        missing = np.flatnonzero(mother == MISSING)
        cdf = self.mother_sampler.cumulative(self._variables(missing, self.background.father))
        mother[missing] = draw_levels(cdf, rng.random(len(missing)))
        father = self.background.father.copy()
        missing = np.flatnonzero(father == MISSING)
        cdf = self.father_sampler.cumulative(self._variables(missing, mother))
        father[missing] = draw_levels(cdf, rng.random(len(missing)))
        return mother, father
