"""National analyses every municipality report compares with, computed once per batch.

A report compares its municipality with the country: the national learning delays (one
clustered OLS fit per test domain over every school's test results), the national norms of
expected growth, every school's own delay with the national quantiles that mark *extra
challenges*, and the VE reach of every municipality. Fitting these takes about a second on
Demoland ``small`` and grows with the country, so they belong with the national tables:
:func:`write_national_analyses` writes them to ``<results_dir>/analyses/`` (the batch's national
step calls it once), and :func:`load_national_analyses` reads them there, or computes them in
the report's own process when the directory lacks them (a single report, or older tables).

Files (Parquet): ``growth`` (:func:`npo_analysis.domain.delays.expected_growth`),
``national_delays`` (:func:`npo_analysis.domain.delays.estimate_delays`, pooled over grades),
``school_delays`` (:func:`npo_analysis.domain.delays.school_delays`) and ``vve_reach``
(:func:`npo_analysis.domain.vve.reach_by_municipality` without the target-group split);
:data:`TEST_RESULTS_FILE`, the test results with a row group per municipality, from which a
report reads its own; and :data:`COVERAGE_FILE`, need, supply and coverage of enriching
activities of every neighbourhood (:func:`npo_analysis.report.supply_view.coverage`), computed
for the whole country in one pass (0.18 s for the 1,720 neighbourhoods of the national Demoland,
where each report took 17 ms for its own) and sliced by the reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from npo_analysis import table_cache
from npo_analysis.atomic import atomic_path
from npo_analysis.data.dataset import coerce_table
from npo_analysis.national.key import ANALYSES_COMPLETE, ANALYSES_DIR

#: The dataset's test results with each school's municipality, sorted by municipality with a row
#: group per municipality: a report reads its municipality's rows as one row group.
TEST_RESULTS_FILE = "test_results_by_municipality.parquet"
#: Need, supply and coverage per neighbourhood x domain x age band of every municipality, sorted
#: by municipality (equal, row for row, to what a report computes for its own); in few row
#: groups, as it is read whole (:func:`npo_analysis.table_cache.write_sorted`).
COVERAGE_FILE = "coverage_by_municipality.parquet"
#: The files of :data:`ANALYSES_DIR` (``<name>.parquet``).
ANALYSIS_FILES: tuple[str, ...] = ("growth", "national_delays", "school_delays", "vve_reach")


@dataclass(frozen=True)
class NationalAnalyses:
    """The national analyses (see the module docstring).

    Attributes
    ----------
    growth, national_delays, school_delays : pandas.DataFrame or None
        ``None`` when the dataset has no ``test_results`` table.
    vve_reach : pandas.DataFrame or None
        VE reach per municipality; ``None`` without ``toddlers`` or ``neighbourhoods``.
    precomputed : bool
        Whether they were read from the national tables (``False``: computed by the report).
    """

    growth: pd.DataFrame | None
    national_delays: pd.DataFrame | None
    school_delays: pd.DataFrame | None
    vve_reach: pd.DataFrame | None
    precomputed: bool = False

    def tables(self) -> dict[str, pd.DataFrame | None]:
        """The analyses by file name (:data:`ANALYSIS_FILES`)."""
        return {name: getattr(self, name) for name in ANALYSIS_FILES}


def _table(data_dir: Path, name: str, columns: list[str] | None = None) -> pd.DataFrame | None:
    """A dataset table with canonical dtypes, or ``None`` when the dataset lacks it."""
    path = data_dir / f"{name}.parquet"
    if not path.is_file():
        return None
    return coerce_table(name, pd.read_parquet(path, columns=columns))


def delay_analyses(test_results: pd.DataFrame, school_scores: pd.DataFrame
                   ) -> dict[str, pd.DataFrame]:
    """Expected growth, the national delays and every school's delay.

    Parameters
    ----------
    test_results : pandas.DataFrame
        The national ``test_results`` table.
    school_scores : pandas.DataFrame
        The indicator's school scores (``school_id, municipality_code, pupils,
        target_pupils, score``).

    Returns
    -------
    dict
        ``growth``, ``national_delays``, ``school_delays``.
    """
    from npo_analysis.domain import delays  # imported when fitting only

    growth = delays.expected_growth(test_results)
    return {"growth": growth,
            "national_delays": delays.estimate_delays(test_results, by_grade=False,
                                                      growth=growth),
            "school_delays": delays.school_delays(test_results, school_scores, growth=growth)}


def municipal_vve_reach(toddlers: pd.DataFrame, neighbourhoods: pd.DataFrame) -> pd.DataFrame:
    """VE reach of every municipality (toddlers with an indication who have a VE place).

    Parameters
    ----------
    toddlers : pandas.DataFrame
        The ``toddlers`` table (at least ``toddler_id, neighbourhood_code, ve_indication,
        ve_location_id``).
    neighbourhoods : pandas.DataFrame
        The ``neighbourhoods`` table.

    Returns
    -------
    pandas.DataFrame
        :func:`npo_analysis.domain.vve.reach_by_municipality` (``municipality_code, ve_indicated,
        ve_placed, ve_reach, below_norm, small_group`` ...).
    """
    from npo_analysis.domain import vve

    reach = vve.reach_by_neighbourhood(toddlers, neighbourhoods)
    return vve.reach_by_municipality(reach)


def compute_national_analyses(data_dir: str | Path, school_scores: pd.DataFrame
                              ) -> NationalAnalyses:
    """Compute the national analyses from a dataset directory.

    Parameters
    ----------
    data_dir : path-like
        The dataset directory.
    school_scores : pandas.DataFrame
        The indicator's school scores of the national tables.

    Returns
    -------
    NationalAnalyses
        With ``precomputed=False``; parts whose tables the dataset lacks are ``None``.
    """
    data_dir = Path(data_dir)
    tests = _table(data_dir, "test_results")
    found = delay_analyses(tests, school_scores) if tests is not None and len(tests) else {}
    toddlers = _table(data_dir, "toddlers", ["toddler_id", "neighbourhood_code", "ve_indication",
                                              "ve_location_id"])
    neighbourhoods = _table(data_dir, "neighbourhoods")
    reach = (municipal_vve_reach(toddlers, neighbourhoods)
             if toddlers is not None and neighbourhoods is not None else None)
    return NationalAnalyses(growth=found.get("growth"),
                            national_delays=found.get("national_delays"),
                            school_delays=found.get("school_delays"), vve_reach=reach)


def write_national_analyses(data_dir: str | Path, results_dir: str | Path,
                            school_scores: pd.DataFrame) -> Path:
    """Compute the national analyses and write them to ``<results_dir>/analyses/``.

    Each file is written atomically; an analysis the dataset cannot give (no test results, no
    toddlers) is left out, and :func:`load_national_analyses` then reports it as ``None``.

    Parameters
    ----------
    data_dir : path-like
        The dataset directory.
    results_dir : path-like
        The national tables' directory (or the temporary directory that becomes it).
    school_scores : pandas.DataFrame
        The indicator's school scores.

    Returns
    -------
    pathlib.Path
        The ``analyses`` directory.
    """
    target = Path(results_dir) / ANALYSES_DIR
    target.mkdir(parents=True, exist_ok=True)
    for name, frame in compute_national_analyses(data_dir, school_scores).tables().items():
        if frame is not None:
            with atomic_path(target / f"{name}.parquet", suffix=".parquet") as tmp:
                frame.to_parquet(tmp, index=False)
    _write_test_results_by_municipality(Path(data_dir), target / TEST_RESULTS_FILE)
    _write_coverage(Path(data_dir), Path(results_dir), target / COVERAGE_FILE)
    (target / ANALYSES_COMPLETE).write_text("analyses written\n", encoding="utf-8")
    return target


def _write_test_results_by_municipality(data_dir: Path, target: Path) -> None:
    """:data:`TEST_RESULTS_FILE` (nothing when the dataset has no test results)."""
    source = data_dir / "test_results.parquet"
    if not source.is_file():
        return
    schools = pd.read_parquet(data_dir / "schools.parquet",
                              columns=["school_id", "municipality_code"])
    tests = pd.read_parquet(source)
    tests["municipality_code"] = tests["school_id"].map(
        schools.set_index("school_id")["municipality_code"])
    with atomic_path(target, suffix=".parquet") as tmp:
        table_cache.write_by_group(tests, tmp, "municipality_code")


def national_coverage(data_dir: str | Path, pupil_scores: pd.DataFrame) -> pd.DataFrame | None:
    """:func:`npo_analysis.domain.supply.coverage_table` of every neighbourhood of the country.

    Parameters
    ----------
    data_dir : path-like
        The dataset directory (its ``schools``, ``activities`` and ``neighbourhoods``).
    pupil_scores : pandas.DataFrame
        Every child's score (the national tables' ``pupil_scores``).

    Returns
    -------
    pandas.DataFrame or None
        ``None`` when the dataset lacks one of the three tables.
    """
    from npo_analysis.domain import supply

    tables = [_table(Path(data_dir), name) for name in ("schools", "activities",
                                                         "neighbourhoods")]
    if any(table is None for table in tables):
        return None
    return supply.coverage_table(pupil_scores, *tables)


def _write_coverage(data_dir: Path, results_dir: Path, target: Path) -> None:
    """:data:`COVERAGE_FILE` (nothing without the tables it needs)."""
    scores = results_dir / "indicator" / "pupil_scores.parquet"
    if not scores.is_file():
        return
    coverage = national_coverage(data_dir, pd.read_parquet(scores))
    if coverage is not None:
        with atomic_path(target, suffix=".parquet") as tmp:
            table_cache.write_sorted(coverage, tmp, "municipality_code")


def load_national_analyses(data_dir: str | Path, results_dir: str | Path,
                           school_scores: pd.DataFrame) -> NationalAnalyses:
    """The national analyses from ``<results_dir>/analyses/``, or computed when absent.

    Parameters
    ----------
    data_dir : path-like
        The dataset directory (used only when the analyses must be computed).
    results_dir : path-like
        The national tables' directory.
    school_scores : pandas.DataFrame
        The indicator's school scores (used only when computing).

    Returns
    -------
    NationalAnalyses
    """
    folder = Path(results_dir) / ANALYSES_DIR
    if not (folder / ANALYSES_COMPLETE).is_file():
        return compute_national_analyses(data_dir, school_scores)
    frames = {name: (table_cache.read_parquet(folder / f"{name}.parquet")
                     if (folder / f"{name}.parquet").is_file() else None)
              for name in ANALYSIS_FILES}
    return NationalAnalyses(**frames, precomputed=True)
