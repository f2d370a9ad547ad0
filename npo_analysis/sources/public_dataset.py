"""Building a school-level dataset from the public DUO and CBS files (no pupil microdata).

The dataset holds the municipalities (CBS list), an empty neighbourhoods table, the regular
primary schools (DUO addresses and pupil counts, joined on the BRIN6), the NPO menukaart and
the published CBS school scores; with an end-score file also the end-of-primary test scores.
Every school that cannot be placed is listed in the :class:`ImportReport` with the reason, never
silently dropped.

Which schools: every school in the address file or the score file, and every regular school
the pupil-count file has pupils for in the count year. Name, municipality, board and
denomination come from the address file, else (e.g. schools closed since the score year) from
the pupil-count file. Pupils: with ``year`` given, from the pupil-count file for that year (falling
back on the score file's count when the year is the score year); without it, from the score
file (falling back on the count file for the score year). Left out, and reported: schools in
neither the address nor the count file, schools whose municipality is not in the municipality
list, schools without a pupil count (not in the count file, or ``<5``) and schools with 0 pupils
and no published score (not open on the count date).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from npo_analysis import schema
from npo_analysis.dataset import Dataset, DatasetInfo
from npo_analysis.menukaart import load_menukaart
from npo_analysis.sources import cbs, duo

#: Columns of the ``published_school_scores`` table (see ``docs/real-data.md``).
PUBLISHED_SCORE_COLUMNS = ("school_id", "pupils", "score_gross", "score_gross_onderbouw",
                           "score_gross_bovenbouw", "score", "flag", "flag_parts")
_SCHOOL_ATTRIBUTES = ("school_id", "name", "municipality_code", "board_id", "denomination")
#: Count date of DUO's pupil counts (1 October) for years without a CBS count date.
DUO_COUNT_MONTH_DAY = "10-01"


@dataclass(frozen=True)
class JoinRate:
    """How many of a set were found in another: ``matched`` of ``total``."""

    matched: int
    total: int

    @property
    def rate(self) -> float:
        """``matched / total`` (NaN when ``total`` is 0)."""
        return self.matched / self.total if self.total else float("nan")


@dataclass
class ImportReport:
    """What ``build_public_dataset`` joined, kept and left out.

    Parameters
    ----------
    year : int
        Count year of the school pupil counts.
    rows_read : dict of str to int
        Rows read per source (school locations, scored schools, municipalities, ...).
    join_rates : dict of str to JoinRate
        How well the files match, e.g. ``"address schools in score file"``.
    excluded : dict of str to list of str
        School ids left out of ``schools``, by reason (each sorted).
    notes : dict of str to list of str
        School ids kept but worth knowing about (missing from the score file, ...).
    written : dict of str to int
        Rows per table written.
    """

    year: int
    rows_read: dict[str, int] = field(default_factory=dict)
    join_rates: dict[str, JoinRate] = field(default_factory=dict)
    excluded: dict[str, list[str]] = field(default_factory=dict)
    notes: dict[str, list[str]] = field(default_factory=dict)
    written: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict:
        """Return the report as plain JSON-ready data (join rates with their rate)."""
        data = asdict(self)
        data["join_rates"] = {name: {"matched": r.matched, "total": r.total,
                                     "rate": round(r.rate, 6)}
                              for name, r in self.join_rates.items()}
        return data

    def to_text(self, examples: int = 5) -> str:
        """Return the report for people: counts, join rates, excluded schools by reason."""
        lines = [f"Import of public data, count year {self.year}"]
        lines += [f"  read {count:,} {what}" for what, count in self.rows_read.items()]
        lines.append("Join rates:")
        lines += [f"  {name}: {r.matched:,} of {r.total:,} ({100 * r.rate:.1f}%)"
                  for name, r in self.join_rates.items()]
        for title, groups in (("Left out of schools", self.excluded),
                              ("Kept, for information", self.notes)):
            lines.append(f"{title}:")
            lines += [_listed(reason, ids, examples) for reason, ids in groups.items()]
        lines.append("Written: " + ", ".join(f"{name} {count:,} rows"
                                             for name, count in self.written.items()))
        return "\n".join(lines)


def _listed(reason: str, ids: list[str], examples: int) -> str:
    shown = ", ".join(ids[:examples]) + (", ..." if len(ids) > examples else "")
    return f"  {reason}: {len(ids):,}" + (f" ({shown})" if ids else "")


Source = str | Path | pd.DataFrame


def build_public_dataset(addresses: Source, pupils: Source, scores: Source,
                         municipalities: Source, end_scores: Source | None = None,
                         year: int | None = None) -> tuple[Dataset, ImportReport]:
    """Build a school-level dataset from the public files.

    Parameters
    ----------
    addresses, pupils, scores, municipalities : path-like or pandas.DataFrame
        The DUO address file, the DUO historic pupil-count file, the CBS school-score workbook
        and the CBS municipality list: a path, or the frame its loader returned
        (:func:`~npo_analysis.sources.duo.read_school_addresses`,
        :func:`~npo_analysis.sources.duo.read_pupil_counts`,
        :func:`~npo_analysis.sources.cbs.read_school_scores`,
        :func:`~npo_analysis.sources.cbs.read_municipalities`).
    end_scores : path-like or pandas.DataFrame, optional
        The DUO end-score file (:func:`~npo_analysis.sources.duo.read_end_scores`).
    year : int, optional
        Count year of the pupil counts (default: the year of the score file's count date).

    Returns
    -------
    tuple of (Dataset, ImportReport)
        The dataset (``synthetic: false``; tables ``municipalities``, ``schools``,
        ``interventions``, ``published_school_scores`` and, with end scores,
        ``published_end_scores`` and ``school_end_scores``) and what was joined and left out.

    Raises
    ------
    SourceFormatError
        When a file does not have the expected layout (from the loaders).
    ValueError
        When no year is given and the score file has no count date, or the year is not in the
        pupil-count file.
    """
    addresses = _loaded(addresses, duo.read_school_addresses)
    counts = _loaded(pupils, duo.read_pupil_counts)
    scores = _loaded(scores, cbs.read_school_scores)
    municipalities = _loaded(municipalities, cbs.read_municipalities)
    score_year = _score_year(scores)
    count_year = year if year is not None else score_year
    if count_year is None:
        raise ValueError("year: the score file has no count date in its title; pass the count "
                         "year of the pupil counts (e.g. year=2019)")
    report = ImportReport(year=count_year)
    year_counts = duo.regular_school_pupils(counts, count_year)
    schools = _schools(addresses, counts, year_counts, scores, municipalities, year,
                       score_year, report)
    tables = {"municipalities": _municipality_table(municipalities),
              "neighbourhoods": _empty_neighbourhoods(), "schools": schools,
              "interventions": load_menukaart(),
              "published_school_scores": _published_scores(scores, schools)}
    frames = [addresses, counts, scores, municipalities]
    if end_scores is not None:
        frames.append(_loaded(end_scores, duo.read_end_scores))
        tables.update(_end_score_tables(frames[-1], schools, report))
    _record_reads(report, addresses, year_counts, scores, municipalities, counts)
    report.written = {name: len(frame) for name, frame in tables.items()}
    info = _info(count_year, score_year, scores, frames)
    return Dataset(info=info, tables=tables), report


def _loaded(source: Source, loader: Callable[[str | Path], pd.DataFrame]) -> pd.DataFrame:
    return source if isinstance(source, pd.DataFrame) else loader(source)


def _score_year(scores: pd.DataFrame) -> int | None:
    count_date = scores.attrs.get("count_date", "")
    return int(count_date[:4]) if count_date else None


# --- Schools -----------------------------------------------------------------------------------


def _schools(addresses, counts, year_counts, scores, municipalities, year_arg, score_year,
             report: ImportReport) -> pd.DataFrame:
    """The ``schools`` table: candidates placed, counted and filtered, every drop reported."""
    located = _candidates(addresses, counts, year_counts, scores, report)
    located = located.assign(pupils=_pupil_counts(located, year_counts, scores, year_arg,
                                                  score_year))
    known = located["municipality_code"].isin(municipalities["municipality_code"]).to_numpy()
    report.excluded["municipality not in the municipality list"] = _labelled(located[~known])
    located = located[known]
    suppressed = set(year_counts.loc[year_counts["suppressed"], "school_id"])
    missing = located["pupils"].isna().to_numpy()
    is_suppressed = located["school_id"].isin(suppressed).to_numpy()
    report.excluded["pupil count suppressed (<5) for the year"] = _ids(
        located[missing & is_suppressed])
    report.excluded["no pupil count for the year"] = _ids(located[missing & ~is_suppressed])
    located = located[~missing]
    closed = ((located["pupils"] == 0) & ~located["school_id"].isin(scores["school_id"]))
    report.excluded["0 pupils and no published score (not open in the year)"] = _ids(
        located[closed.to_numpy()])
    located = located[~closed.to_numpy()]
    return located.assign(neighbourhood_code=pd.Series(np.nan, index=located.index, dtype="str"),
                          pupils=located["pupils"].astype("int64"))[
        ["school_id", "name", "municipality_code", "neighbourhood_code", "board_id",
         "denomination", "pupils"]].sort_values("school_id", kind="stable").reset_index(drop=True)


def _candidates(addresses, counts, year_counts, scores, report: ImportReport) -> pd.DataFrame:
    """Schools of the address file, plus scored schools and schools open in the year that only
    the pupil-count file places."""
    locations = counts.drop_duplicates("school_id")[list(_SCHOOL_ATTRIBUTES)]
    scored_elsewhere = scores.loc[~scores["school_id"].isin(addresses["school_id"]).to_numpy(),
                                  ["school_id"]]
    from_counts = scored_elsewhere.merge(locations, on="school_id", how="inner")
    report.excluded["scored school in neither the address nor the pupil-count file"] = sorted(
        set(scored_elsewhere["school_id"]) - set(from_counts["school_id"]))
    report.notes["scored school missing from the address file (placed via pupil counts)"] = (
        sorted(from_counts["school_id"]))
    report.notes["address-file school missing from the score file"] = sorted(
        set(addresses["school_id"]) - set(scores["school_id"]))
    open_in_year = year_counts[(year_counts["pupils"].fillna(1) > 0).to_numpy()]
    only_counted = open_in_year.loc[
        ~open_in_year["school_id"].isin(pd.concat([addresses["school_id"],
                                                   scores["school_id"]])).to_numpy(),
        ["school_id"]].merge(locations, on="school_id", how="inner")
    report.notes["school open in the year found only in the pupil-count file"] = sorted(
        only_counted["school_id"])
    return pd.concat([addresses[list(_SCHOOL_ATTRIBUTES)], from_counts, only_counted],
                     ignore_index=True)


def _pupil_counts(located, year_counts, scores, year_arg, score_year) -> pd.Series:
    """Pupils per candidate school from the preferred source, else the other (module doc)."""
    from_counts = located["school_id"].map(
        year_counts.set_index("school_id")["pupils"].astype("float64"))
    same_year = year_arg is None or year_arg == score_year
    from_scores = located["school_id"].map(scores.set_index("school_id")["pupils"]
                                           .astype("float64"))
    if not same_year:
        return from_counts
    if year_arg is None:
        return from_scores.combine_first(from_counts)
    return from_counts.combine_first(from_scores)


def _ids(frame: pd.DataFrame) -> list[str]:
    return sorted(frame["school_id"])


def _labelled(frame: pd.DataFrame) -> list[str]:
    return sorted(f"{school} ({code})" for school, code in
                  zip(frame["school_id"], frame["municipality_code"], strict=True))


# --- Other tables ------------------------------------------------------------------------------


def _municipality_table(municipalities: pd.DataFrame) -> pd.DataFrame:
    """CBS list plus the schema's figures no public file here provides, as missing values."""
    n = len(municipalities)
    return municipalities[["municipality_code", "name", "province"]].assign(
        population=pd.array([pd.NA] * n, dtype="Int64"),
        urbanity=pd.array([pd.NA] * n, dtype="Int64"),
        low_income_share=np.full(n, np.nan),
    ).reset_index(drop=True)


def _empty_neighbourhoods() -> pd.DataFrame:
    """The ``neighbourhoods`` table with no rows: no public file here places schools in wijken."""
    dtypes = {"string": "str", "int": "int64", "float": "float64"}
    return pd.DataFrame({col.name: pd.Series(dtype=dtypes[col.kind])
                         for col in schema.NEIGHBOURHOODS.columns})


def _published_scores(scores: pd.DataFrame, schools: pd.DataFrame) -> pd.DataFrame:
    kept = scores[scores["school_id"].isin(schools["school_id"]).to_numpy()]
    return kept[list(PUBLISHED_SCORE_COLUMNS)].sort_values("school_id", kind="stable").reset_index(
        drop=True)


def _end_score_tables(end_scores: pd.DataFrame, schools: pd.DataFrame,
                      report: ImportReport) -> dict[str, pd.DataFrame]:
    """Raw end scores of the dataset's schools and their standardised school means.

    The z-scores are computed over every regular (BO) school of the file, then restricted to
    the dataset's schools.
    """
    regular = end_scores[(end_scores["school_type"] == "BO").to_numpy()]
    standardised = duo.standardise_end_scores(regular)
    known = regular["school_id"].isin(schools["school_id"]).to_numpy()
    report.join_rates["end-score schools (BO) in schools"] = JoinRate(
        int(regular.loc[known, "school_id"].nunique()), int(regular["school_id"].nunique()))
    report.notes["end-score school (BO) not in schools"] = sorted(
        set(regular.loc[~known, "school_id"]))
    raw = regular[known][["school_id", "school_year", "provider", "pupils", "mean_score"]]
    kept = standardised[standardised["school_id"].isin(schools["school_id"]).to_numpy()]
    return {"published_end_scores": raw.reset_index(drop=True),
            "school_end_scores": kept.reset_index(drop=True)}


# --- Report and metadata -----------------------------------------------------------------------


def _record_reads(report, addresses, year_counts, scores, municipalities, counts) -> None:
    address_ids = set(addresses["school_id"])
    score_ids = set(scores["school_id"])
    count_ids = set(year_counts["school_id"])
    listed = set(municipalities["municipality_code"])
    address_codes = set(addresses["municipality_code"])
    report.rows_read = {
        "school locations (address file)": len(addresses),
        "regular (BO) locations in the pupil-count file": len(count_ids),
        "placeholder rows in the pupil-count file (9999/ONBEKEND)":
            len(counts.attrs.get("placeholder_rows", [])),
        "schools with a published score": len(scores),
        "municipalities (municipality list)": len(municipalities),
    }
    rates = {
        "address schools in score file": JoinRate(len(address_ids & score_ids), len(address_ids)),
        "scored schools in address file": JoinRate(len(address_ids & score_ids), len(score_ids)),
        "scored schools in pupil-count file (BO)": JoinRate(len(score_ids & count_ids),
                                                            len(score_ids)),
        "address schools in pupil-count file (BO)": JoinRate(len(address_ids & count_ids),
                                                             len(address_ids)),
        "address-file municipalities in municipality list": JoinRate(
            len(address_codes & listed), len(address_codes)),
    }
    rates.update(_equal_counts(year_counts, scores, report.year))
    report.join_rates = {**rates, **report.join_rates}


def _equal_counts(year_counts: pd.DataFrame, scores: pd.DataFrame,
                  year: int) -> dict[str, JoinRate]:
    """Share of scored schools whose DUO count for the year equals the CBS count."""
    both = scores[["school_id", "pupils"]].merge(
        year_counts[["school_id", "pupils"]], on="school_id", suffixes=("_cbs", "_duo"))
    equal = (both["pupils_cbs"] == both["pupils_duo"]).fillna(False)
    return {f"scored schools whose DUO {year} count equals the CBS count":
            JoinRate(int(equal.sum()), len(both))}


def _info(year: int, score_year: int | None, scores: pd.DataFrame,
          frames: list[pd.DataFrame]) -> DatasetInfo:
    same = score_year == year and scores.attrs.get("count_date")
    count_date = scores.attrs["count_date"] if same else f"{year}-{DUO_COUNT_MONTH_DAY}"
    sources = [frame.attrs.get("source", {"name": "a table given in memory (no file)"})
               for frame in frames]
    return DatasetInfo(name=f"public-{year}", synthetic=False, count_date=count_date,
                       years=[year], sources=sources)
