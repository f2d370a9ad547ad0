"""The cache key of the national tables: what they depend on, importable without pandas.

:func:`national_inputs` describes the inputs of :func:`npo_analysis.national.tables.
build_national_tables` with content hashes; its :func:`~npo_analysis.hashing.json_sha256`
is the key, and :func:`is_current` tells whether a results directory was built from inputs with
that key. The report batch checks its tables with these alone, before (and mostly instead of)
importing pandas. :mod:`npo_analysis.national.tables` re-exports them.
"""

from __future__ import annotations

import json
from pathlib import Path

from npo_analysis import __version__
from npo_analysis.domain.params import params_years
from npo_analysis.hashing import directory_sha256, files_sha256

INFO_FILE = "national_tables.json"
SCENARIO_DIR = "scenarios"
#: Bumped when the layout of the results directory changes (part of the cache key); 5: the
#: national analyses hold the coverage of enriching activities; 6: in few row groups.
LAYOUT_VERSION = 6
#: Sub-directory of the national tables with the national analyses
#: (:mod:`npo_analysis.national.analyses`), and the file that marks them complete.
ANALYSES_DIR = "analyses"
ANALYSES_COMPLETE = "complete"


# --- Inputs and the cache key -------------------------------------------------------------------


def scenario_files(params_dir: str | Path = "params") -> list[Path]:
    """The scenario files ``<params_dir>/scenarios/*.yaml``, sorted by name."""
    return sorted(Path(params_dir, SCENARIO_DIR).glob("*.yaml"))


def national_inputs(data_dir: str | Path, params_dir: str | Path = "params",
                    years: list[int] | None = None, rounds: int = 10, seed: int = 0) -> dict:
    """Describe everything the national tables depend on, with content hashes.

    Parameters
    ----------
    data_dir, params_dir : path-like
        The dataset directory and the parameter directory.
    years : list of int, optional
        Budget years (default: every year in ``params_dir``).
    rounds, seed : int
        Indicator options.

    Returns
    -------
    dict
        ``data_hash`` (every file of the dataset), ``params_hash`` (the year files and scenario
        files used), ``years``, ``scenarios``, ``rounds``, ``seed``, ``package_version`` and
        ``layout_version``. :func:`json_sha256` of it is the cache key.
    """
    data_dir, params_dir = Path(data_dir), Path(params_dir)
    if not data_dir.is_dir():
        raise FileNotFoundError(f"{data_dir}: data directory does not exist")
    years = _checked_years(years, params_dir)
    params_files = [params_dir / f"{year}.yaml" for year in years] + scenario_files(params_dir)
    return {
        "data_hash": directory_sha256(data_dir),
        "params_hash": files_sha256(params_files, params_dir),
        "years": years,
        "scenarios": [p.stem for p in scenario_files(params_dir)],
        "rounds": rounds,
        "seed": seed,
        "package_version": __version__,
        "layout_version": LAYOUT_VERSION,
    }


def _checked_years(years: list[int] | None, params_dir: Path) -> list[int]:
    available = params_years(params_dir)
    if years is None:
        if not available:
            raise FileNotFoundError(f"{params_dir}: no budget-year parameter files (<year>.yaml)")
        return available
    missing = sorted(set(years) - set(available))
    if missing:
        raise ValueError(f"years={missing}: no parameter file in {params_dir} "
                         f"(years present: {available})")
    return sorted(set(years))


def is_current(results_dir: str | Path, key: str) -> bool:
    """Whether ``results_dir`` holds national tables built from inputs with cache key ``key``."""
    path = Path(results_dir) / INFO_FILE
    if not path.is_file():
        return False
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("key") == key
    except (json.JSONDecodeError, UnicodeDecodeError):
        return False
