"""The metadata of a dataset, ``dataset.json``, readable without pandas.

:class:`DatasetInfo` lives here (and is re-exported by :mod:`npo_analysis.dataset`) so that
the report batch's own process can read a dataset's name, count date and sources without
importing pandas.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from npo_analysis.errors import DatasetError

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
