"""A dataset directory as stored: its metadata (``dataset.json``) and its raw Parquet tables.

What both :mod:`npo_analysis.data.dataset` (loading, with validation and conversion) and
:mod:`npo_analysis.data.validation` (the checks) read, so that neither imports the other's
module to get at the files. Reading the metadata needs no pandas.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from npo_analysis.errors import DatasetError

if TYPE_CHECKING:
    import pandas as pd

INFO_FILE = "dataset.json"
#: Optional file of a synthetic dataset with the generator's true parameters and planted effects.
TRUTH_FILE = "truth.json"


@dataclass
class DatasetInfo:
    """Metadata of a dataset (the content of ``dataset.json``).

    Parameters
    ----------
    name : str
        Short name, e.g. ``"demoland-small"``.
    synthetic : bool
        ``True`` for generated data; reports then show a visible banner.
    count_date : str
        Count date (peildatum) of the pupil and school counts, ISO ``YYYY-MM-DD``.
    years : list of int
        Years the dataset covers (school years for test results, count years for counts).
    sources : list of dict
        Where the data came from: each ``{"name": ..., "url": ..., "count_date": ...}``.
    generator : dict, optional
        For generated data: ``{"name": ..., "version": ..., "seed": ..., "profile": ...}``.
    public : dict, optional
        For a public import (``npo-analysis import-public``): the indeling, C - G estimated
        from the whole published score file and the number of schools it came from, the
        published totals, the schools left out with their score and the municipality mappings
        applied (see ``docs/real-data.md``).
    """

    name: str
    synthetic: bool
    count_date: str
    years: list[int]
    sources: list[dict] = field(default_factory=list)
    generator: dict | None = None
    public: dict | None = None

    def to_json(self) -> str:
        """Serialise to pretty, key-sorted JSON (``public`` only when set)."""
        data = asdict(self)
        if data["public"] is None:
            del data["public"]
        return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    @classmethod
    def from_file(cls, path: Path) -> DatasetInfo:
        """Read ``dataset.json``; raise :class:`DatasetError` naming the file on problems."""
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise DatasetError(f"{path}: missing; a dataset directory needs {INFO_FILE}") from exc
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{path}: not valid JSON ({exc.msg}, line {exc.lineno})") from exc
        expected = {"name", "synthetic", "count_date", "years"}
        missing = sorted(expected - set(raw))
        unknown = sorted(set(raw) - expected - {"sources", "generator", "public"})
        if missing or unknown:
            raise DatasetError(
                f"{path}: missing keys {missing}, unknown keys {unknown}; expected "
                f"{sorted(expected)} plus optional 'sources', 'generator' and 'public'"
            )
        return cls(**raw)


#: The GeoParquet file of the areas' polygons (:mod:`npo_analysis.data.geometry`), not a table.
GEOMETRY_FILE = "geometry.parquet"


def read_raw_tables(
    directory: str | Path, tables: list[str] | None = None
) -> dict[str, pd.DataFrame]:
    """Read the Parquet tables of a dataset directory as stored (no validation, no conversion).

    Parameters
    ----------
    directory : path-like
        The dataset directory.
    tables : list of str, optional
        Only these tables (default: every ``*.parquet`` file present except the geometry,
        :data:`npo_analysis.data.geometry.GEOMETRY_FILE`).

    Raises
    ------
    DatasetError
        When the directory does not exist, a requested table is missing, or a file is not
        readable Parquet (the message names the file).
    """
    import pandas as pd

    directory = Path(directory)
    if not directory.is_dir():
        raise DatasetError(f"{directory}: data directory does not exist")
    names = tables if tables is not None else sorted(
        p.stem for p in directory.glob("*.parquet") if p.name != GEOMETRY_FILE)
    frames = {}
    for name in names:
        path = directory / f"{name}.parquet"
        if not path.exists():
            raise DatasetError(f"{path}: table {name!r} is missing")
        try:
            frames[name] = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several types for damaged files
            raise DatasetError(f"{path}: not a readable Parquet file ({exc})") from exc
    return frames
