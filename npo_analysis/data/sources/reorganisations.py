"""Municipal reorganisations (herindelingen): placing every school in one stated indeling.

Municipality codes change when municipalities merge or split (every 1 January, see
``../shared/domain.md`` section 8). A dataset is on one *indeling* (the municipalities of a year
after every reorganisation dated in it or before, e.g. the CBS list of 2023); a school whose
file gives a code of another year is placed in it from two sources, checked against each other:

(a) the package's table of reorganisations, ``npo_analysis/data/herindelingen.csv`` (old code,
    new code, date, ``merge`` or ``split``, source per row; only rows with a source), read by
    :func:`load_reorganisations`;
(b) the mapping the files imply: DUO's pupil-history file gives every school its *current*
    municipality, so an address file's older code and the current code of the same school show
    each merge and split (:func:`implied_mapping`).

:func:`place_schools` places each school: its own code when the indeling has it; else its
current municipality from the pupil-history file when the indeling has that one (a split
municipality's schools go by their own current municipality); else the package's merge chain.
:func:`compare_sources` lists where (a) and (b) disagree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path

import pandas as pd

#: Columns of the package's reorganisation table.
REORGANISATION_COLUMNS = ("old_code", "old_name", "new_code", "new_name", "date", "kind",
                          "source")
#: How a school was placed (column ``placed_by`` of :func:`place_schools`).
AS_IN_FILE = "as in file"
BY_PUPIL_FILE = "pupil-history file (current municipality)"
BY_PACKAGE = "package reorganisations (herindelingen.csv)"
_YEAR_IN_NAME = re.compile(r"(?<![0-9])(19[89][0-9]|20[0-9]{2})(?![0-9])")


def load_reorganisations(path: str | Path | None = None) -> pd.DataFrame:
    """Read the table of municipal reorganisations.

    Parameters
    ----------
    path : path-like, optional
        A CSV with :data:`REORGANISATION_COLUMNS` (default: the package's
        ``data/herindelingen.csv``).

    Returns
    -------
    pandas.DataFrame
        One row per old code x new code; ``date`` as ``datetime.date``.

    Raises
    ------
    ValueError
        Naming the file, row and column when a column is missing, a code is not ``GM`` + 4
        digits, a date is not ISO, ``kind`` is not ``merge``/``split``, a source is empty, or
        a merge row's old code has more than one new code.
    """
    if path is None:
        handle = resources.files("npo_analysis.data").joinpath("herindelingen.csv")
        with resources.as_file(handle) as file:
            return load_reorganisations(file)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in REORGANISATION_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: missing columns {missing}; expected "
                         f"{', '.join(REORGANISATION_COLUMNS)}")
    for row, values in enumerate(frame.itertuples(index=False), start=2):
        _check_row(path, row, values._asdict())
    merges = frame[frame["kind"] == "merge"]
    doubled = merges["old_code"][merges["old_code"].duplicated()]
    if len(doubled):
        raise ValueError(f"{path}: column old_code: {sorted(set(doubled))} merge into more than "
                         "one municipality; expected kind 'split' for those rows")
    return frame.assign(date=[date.fromisoformat(d) for d in frame["date"]])[
        list(REORGANISATION_COLUMNS)]


def _check_row(path, row: int, values: dict) -> None:
    for column in ("old_code", "new_code"):
        if not re.fullmatch(r"GM[0-9]{4}", values[column]):
            raise ValueError(f"{path}, row {row}, column {column}: {values[column]!r}; "
                             "expected GM + 4 digits")
    try:
        date.fromisoformat(values["date"])
    except ValueError:
        raise ValueError(f"{path}, row {row}, column date: {values['date']!r}; expected "
                         "YYYY-MM-DD") from None
    if values["kind"] not in {"merge", "split"}:
        raise ValueError(f"{path}, row {row}, column kind: {values['kind']!r}; expected "
                         "merge or split")
    if not values["source"].strip():
        raise ValueError(f"{path}, row {row}, column source: empty; every row needs its source")


def indeling_year(municipalities: pd.DataFrame, reorganisations: pd.DataFrame,
                  file_name: str = "") -> int | None:
    """The year of a municipality list's indeling: from its file name, else from its codes.

    Parameters
    ----------
    municipalities : pandas.DataFrame
        The list (``municipality_code``).
    reorganisations : pandas.DataFrame
        :func:`load_reorganisations`.
    file_name : str
        The list's file name (``cbs_gemeenten-alfabetisch-2023.csv`` gives 2023).

    Returns
    -------
    int or None
        ``None`` when neither the name nor the codes say the year (the list is then taken as
        it is, and every known reorganisation applies).
    """
    if match := _YEAR_IN_NAME.search(Path(file_name).name):
        return int(match.group(1))
    formed = _formed(reorganisations)
    formed = formed[formed["new_code"].isin(municipalities["municipality_code"])]
    if formed.empty:
        return None
    return max(d.year for d in formed["date"])


def check_indeling(municipalities: pd.DataFrame, reorganisations: pd.DataFrame,
                   year: int | None) -> None:
    """Check that a municipality list fits the indeling of ``year`` (every reorganisation
    dated in ``year`` or before applied).

    Raises
    ------
    ValueError
        When the list holds a code that ceased to exist by then, or one formed later (names
        the codes and the reorganisation). Nothing is checked when ``year`` is ``None``.
    """
    if year is None:
        return
    codes = set(municipalities["municipality_code"])
    cutoff = _cutoff(year)
    gone = reorganisations[(reorganisations["date"] <= cutoff)
                           & reorganisations["old_code"].isin(codes)].drop_duplicates("old_code")
    formed = _formed(reorganisations)
    later = formed[(formed["date"] > cutoff) & formed["new_code"].isin(codes)]
    problems = [f"{r.old_code} {r.old_name} (ended on {r.date}: {r.kind})"
                for r in gone.itertuples()]
    problems += [f"{r.new_code} {r.new_name} (formed on {r.date})"
                 for r in later.drop_duplicates("new_code").itertuples()]
    if problems:
        raise ValueError(f"the municipality list is not of the {year} indeling: it has "
                         f"{'; '.join(problems)}; pass the list of {year} or --indeling with "
                         "the list's year")


def _cutoff(year: int | None) -> date:
    """Last date of the reorganisations that apply to the indeling of ``year`` (all: None)."""
    return date.max if year is None else date(year, 12, 31)


def _formed(reorganisations: pd.DataFrame) -> pd.DataFrame:
    """Rows of municipalities formed by a merge of two or more (a new code, not an old one
    absorbing a neighbour), one per new code."""
    merges = reorganisations[reorganisations["kind"] == "merge"]
    sizes = merges.groupby("new_code")["old_code"].transform("size")
    return merges[(sizes >= 2).to_numpy()].drop_duplicates("new_code")


@dataclass(frozen=True)
class Placement:
    """Where each school was placed and which mappings did it.

    Attributes
    ----------
    schools : pandas.DataFrame
        One row per school: ``school_id``, ``file_code`` (the code its file gives),
        ``municipality_code`` (in the indeling; missing when unplaced), ``placed_by``
        (:data:`AS_IN_FILE`, :data:`BY_PUPIL_FILE`, :data:`BY_PACKAGE`, or missing) and
        ``reason`` (why it could not be placed, else empty).
    mappings : pandas.DataFrame
        Every mapping applied: ``file_code``, ``municipality_code``, ``placed_by``,
        ``schools`` (how many).
    """

    schools: pd.DataFrame
    mappings: pd.DataFrame

    @property
    def unplaced(self) -> pd.DataFrame:
        """The rows of :attr:`schools` without a municipality."""
        return self.schools[self.schools["municipality_code"].isna().to_numpy()]


def place_schools(schools: pd.DataFrame, current: pd.Series, municipalities: pd.DataFrame,
                  reorganisations: pd.DataFrame, year: int | None) -> Placement:
    """Place schools in the indeling of ``year`` (module docstring for the order of sources).

    Parameters
    ----------
    schools : pandas.DataFrame
        ``school_id`` and ``municipality_code`` as the school's file gives it.
    current : pandas.Series
        School id -> current municipality code (the pupil-history file).
    municipalities : pandas.DataFrame
        The indeling's municipality list (``municipality_code``).
    reorganisations : pandas.DataFrame
        :func:`load_reorganisations`.
    year : int
        The indeling (reorganisations dated in ``year`` or before apply; all when ``None``).

    Returns
    -------
    Placement

    Examples
    --------
    >>> reorganisations = load_reorganisations()
    >>> schools = pd.DataFrame({"school_id": ["99AA00"], "municipality_code": ["GM0003"]})
    >>> placed = place_schools(schools, pd.Series(dtype=str),
    ...                        pd.DataFrame({"municipality_code": ["GM1979"]}),
    ...                        reorganisations, 2023)
    >>> placed.schools["municipality_code"].tolist(), placed.schools["placed_by"].tolist()
    (['GM1979'], ['package reorganisations (herindelingen.csv)'])
    """
    listed = set(municipalities["municipality_code"])
    applicable = reorganisations[reorganisations["date"] <= _cutoff(year)]
    rows = [_placed(school, code, current.get(school), listed, applicable)
            for school, code in zip(schools["school_id"], schools["municipality_code"],
                                    strict=True)]
    frame = pd.DataFrame(rows, columns=["school_id", "file_code", "municipality_code",
                                        "placed_by", "reason"])
    mapped = frame[frame["placed_by"].isin([BY_PUPIL_FILE, BY_PACKAGE]).to_numpy()]
    mappings = (mapped.groupby(["file_code", "municipality_code", "placed_by"], sort=True)
                .size().rename("schools").reset_index())
    return Placement(frame, mappings)


def _placed(school: str, code: str, now: str | None, listed: set[str],
            reorganisations: pd.DataFrame) -> tuple:
    if code in listed:
        return school, code, code, AS_IN_FILE, ""
    if isinstance(now, str) and now in listed:
        return school, code, now, BY_PUPIL_FILE, ""
    target, reason = _merge_chain(code, listed, reorganisations)
    if target is not None:
        return school, code, target, BY_PACKAGE, ""
    return school, code, None, None, reason


def _merge_chain(code: str, listed: set[str], reorganisations: pd.DataFrame
                 ) -> tuple[str | None, str]:
    """Follow the package's merges from ``code`` to a listed code, or say why not."""
    seen = [code]
    while seen[-1] not in listed:
        rows = reorganisations[reorganisations["old_code"] == seen[-1]]
        if rows.empty:
            return None, (f"municipality {seen[-1]} is not in the indeling and no "
                          "reorganisation of it is known (package data) nor does the "
                          "pupil-history file give the school a current municipality in it")
        if (rows["kind"] == "split").any():
            parts = ", ".join(sorted(rows["new_code"]))
            return None, (f"municipality {seen[-1]} was split on {rows['date'].iloc[0]} over "
                          f"{parts}; the pupil-history file does not say which part the "
                          "school is in")
        seen.append(rows["new_code"].iloc[0])
        if seen[-1] in seen[:-1]:
            return None, f"reorganisations form a cycle: {' -> '.join(seen)}"
    return seen[-1], ""


def implied_mapping(file_codes: pd.Series, current: pd.Series) -> pd.DataFrame:
    """The mapping the files imply: file code -> current code, school by school.

    Parameters
    ----------
    file_codes : pandas.Series
        School id -> municipality code of an address (or other) file.
    current : pandas.Series
        School id -> current municipality code (the pupil-history file).

    Returns
    -------
    pandas.DataFrame
        ``file_code``, ``current_code``, ``schools``: one row per pair with different codes.
    """
    both = pd.DataFrame({"file_code": file_codes}).join(current.rename("current_code"),
                                                        how="inner")
    changed = both[both["file_code"] != both["current_code"]]
    return (changed.groupby(["file_code", "current_code"], sort=True).size()
            .rename("schools").reset_index())


def compare_sources(implied: pd.DataFrame, reorganisations: pd.DataFrame,
                    year: int | None) -> pd.DataFrame:
    """Where the files' mapping (b) and the package's reorganisations (a) disagree.

    Parameters
    ----------
    implied : pandas.DataFrame
        :func:`implied_mapping`.
    reorganisations : pandas.DataFrame
        :func:`load_reorganisations`.
    year : int
        The indeling: only reorganisations up to its year count.

    Returns
    -------
    pandas.DataFrame
        ``file_code``, ``current_code``, ``schools``, ``disagreement``: file pairs the package
        has no row for (``"not in package data"``) and pairs whose current code is not one
        of the package's new codes for the old code (``"package says <codes>"``), sorted.
    """
    applicable = reorganisations[reorganisations["date"] <= _cutoff(year)]
    targets = applicable.groupby("old_code")["new_code"].agg(lambda s: sorted(set(s)))
    texts = []
    for file_code, current_code in zip(implied["file_code"], implied["current_code"],
                                       strict=True):
        known = targets.get(file_code)
        if known is None:
            texts.append("not in package data")
        elif current_code not in known:
            texts.append(f"package says {', '.join(known)}")
        else:
            texts.append("")
    result = implied.assign(disagreement=texts)
    return result[result["disagreement"] != ""].reset_index(drop=True)
