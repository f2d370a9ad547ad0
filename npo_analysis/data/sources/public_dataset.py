"""Building a school-level dataset from the public DUO and CBS files (no pupil microdata).

The dataset holds the municipalities (CBS list), an empty neighbourhoods table, the regular
primary schools (DUO addresses and pupil counts, joined on the BRIN6), the NPO menukaart, the
published CBS school scores, the pupils per municipality and year since 1996
(``pupil_history``) and the scored schools left out (``left_out_scores``); with an end-score file
also the end-of-primary test scores. Every school that cannot be placed is listed in the
:class:`ImportReport` with the reason, never silently dropped.

Indeling: the dataset is on one municipal indeling (default: the year of the municipality
list). Each school is placed in it by :mod:`npo_analysis.data.sources.reorganisations`: its own code
when the list has it, else its current municipality from the pupil-history file, else the
package's reorganisations. A *scored* school that still cannot be placed stops the import
(:class:`UnplacedSchoolsError`) unless ``allow_unplaced`` is given. C - G is estimated from the
whole score file, whatever was placed, and stored in ``dataset.json`` (``public``).

Which schools: every school in the address file or the score file, and every regular school
the pupil-count file has pupils for in the count year. Name, municipality, board and
denomination come from the address file, else (e.g. schools closed since the score year) from
the pupil-count file. Pupils: with ``year`` given, from the pupil-count file for that year (falling
back on the score file's count when the year is the score year); without it, from the score
file (falling back on the count file for the score year). Left out, and reported: schools in
neither the address nor the count file, schools that cannot be placed in the indeling, schools
without a pupil count (not in the count file, or ``<5``) and schools with 0 pupils and no
published score (not open on the count date).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from npo_analysis.data import schema
from npo_analysis.data.dataset import Dataset, DatasetInfo
from npo_analysis.data.menukaart import load_menukaart
from npo_analysis.data.pupil_trend import SCHOOL_TYPES, municipality_pupil_history
from npo_analysis.data.sources import cbs, duo
from npo_analysis.data.sources.cbs import estimate_c_minus_g
from npo_analysis.data.sources.reorganisations import (
    check_indeling,
    compare_sources,
    implied_mapping,
    indeling_year,
    load_reorganisations,
    place_schools,
)

#: Columns of the ``published_school_scores`` table (see ``docs/real-data.md``).
PUBLISHED_SCORE_COLUMNS = ("school_id", "pupils", "score_gross", "score_gross_onderbouw",
                           "score_gross_bovenbouw", "score", "flag", "flag_parts")
_SCHOOL_ATTRIBUTES = ("school_id", "name", "municipality_code", "board_id", "denomination")
#: Count date of DUO's pupil counts (1 October) for years without a CBS count date.
DUO_COUNT_MONTH_DAY = "10-01"
#: Share of all pupils in the CBS target group, used for C - G in the metadata (0.15).
TARGET_SHARE = 0.15
#: Reason of the schools neither the address nor the pupil-count file has.
NOT_IN_FILES = "scored school in neither the address nor the pupil-count file"
#: Reason of schools whose municipality is not in the indeling and cannot be mapped into it.
UNPLACED = "municipality not in the indeling and no mapping into it"


class UnplacedSchoolsError(ValueError):
    """Scored schools cannot be placed in a municipality of the indeling (the message lists
    every school and why)."""


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
    indeling : int, optional
        The year of the municipal indeling every school is placed in.
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
    mappings : list of dict
        Every municipality mapping applied: ``file_code``, ``municipality_code``,
        ``placed_by``, ``schools``.
    disagreements : list of dict
        Where the files' own mapping (address-file code vs the pupil-history file's current
        code) and the package's reorganisations disagree: ``file_code``, ``current_code``,
        ``schools``, ``disagreement``.
    """

    year: int
    indeling: int | None = None
    rows_read: dict[str, int] = field(default_factory=dict)
    join_rates: dict[str, JoinRate] = field(default_factory=dict)
    excluded: dict[str, list[str]] = field(default_factory=dict)
    notes: dict[str, list[str]] = field(default_factory=dict)
    written: dict[str, int] = field(default_factory=dict)
    mappings: list[dict] = field(default_factory=list)
    disagreements: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        """Return the report as plain JSON-ready data (join rates with their rate)."""
        data = asdict(self)
        data["join_rates"] = {name: {"matched": r.matched, "total": r.total,
                                     "rate": round(r.rate, 6)}
                              for name, r in self.join_rates.items()}
        return data

    def to_text(self, examples: int = 5) -> str:
        """Return the report for people: counts, join rates, excluded schools by reason."""
        lines = [f"Import of public data, count year {self.year}, "
                 f"{_indeling_name(self.indeling)}"]
        lines += [f"  read {count:,} {what}" for what, count in self.rows_read.items()]
        lines.append("Join rates:")
        lines += [f"  {name}: {r.matched:,} of {r.total:,} ({100 * r.rate:.1f}%)"
                  for name, r in self.join_rates.items()]
        for title, groups in (("Left out of schools", self.excluded),
                              ("Kept, for information", self.notes)):
            lines.append(f"{title}:")
            lines += [_listed(reason, ids, examples) for reason, ids in groups.items()]
        lines.append(f"Municipality mappings applied: {len(self.mappings)}")
        lines += [f"  {m['file_code']} -> {m['municipality_code']}: {m['schools']} school(s), "
                  f"by {m['placed_by']}" for m in self.mappings]
        lines.append("Address-file codes vs current codes (pupil-history file), where the "
                     f"package's reorganisations disagree: {len(self.disagreements)}")
        lines += [f"  {d['file_code']} -> {d['current_code']}: {d['schools']} school(s), "
                  f"{d['disagreement']}" for d in self.disagreements]
        lines.append("Written: " + ", ".join(f"{name} {count:,} rows"
                                             for name, count in self.written.items()))
        return "\n".join(lines)


def _listed(reason: str, ids: list[str], examples: int) -> str:
    shown = ", ".join(ids[:examples]) + (", ..." if len(ids) > examples else "")
    return f"  {reason}: {len(ids):,}" + (f" ({shown})" if ids else "")


Source = str | Path | pd.DataFrame


def build_public_dataset(addresses: Source, pupils: Source, scores: Source,
                         municipalities: Source, end_scores: Source | None = None,
                         year: int | None = None, *, indeling: int | None = None,
                         allow_unplaced: bool = False,
                         reorganisations: pd.DataFrame | None = None
                         ) -> tuple[Dataset, ImportReport]:
    """Build a school-level dataset from the public files.

    Parameters
    ----------
    addresses, pupils, scores, municipalities : path-like or pandas.DataFrame
        The DUO address file, the DUO historic pupil-count file, the CBS school-score workbook
        and the CBS municipality list: a path, or the frame its loader returned
        (:func:`~npo_analysis.data.sources.duo.read_school_addresses`,
        :func:`~npo_analysis.data.sources.duo.read_pupil_counts`,
        :func:`~npo_analysis.data.sources.cbs.read_school_scores`,
        :func:`~npo_analysis.data.sources.cbs.read_municipalities`).
    end_scores : path-like or pandas.DataFrame, optional
        The DUO end-score file (:func:`~npo_analysis.data.sources.duo.read_end_scores`).
    year : int, optional
        Count year of the pupil counts (default: the year of the score file's count date).
    indeling : int, optional
        Year of the municipal indeling the dataset is on (default: the municipality list's
        year, from its file name or codes). Every school is placed in it
        (:mod:`npo_analysis.data.sources.reorganisations`).
    allow_unplaced : bool
        Import even when scored schools cannot be placed; they are then left out and counted
        (table ``left_out_scores``, ``dataset.json`` ``public.left_out``).
    reorganisations : pandas.DataFrame, optional
        The municipal reorganisations (default: the package's ``herindelingen.csv``).

    Returns
    -------
    tuple of (Dataset, ImportReport)
        The dataset (``synthetic: false``; tables ``municipalities``, ``schools``,
        ``interventions``, ``published_school_scores``, ``pupil_history``,
        ``left_out_scores`` and, with end scores, ``published_end_scores`` and
        ``school_end_scores``; ``info.public`` with the indeling, C - G of the whole score
        file and what was left out) and what was joined, mapped and left out.

    Raises
    ------
    SourceFormatError
        When a file does not have the expected layout (from the loaders).
    UnplacedSchoolsError
        When scored schools cannot be placed and ``allow_unplaced`` is false (lists each school
        and why).
    ValueError
        When no year is given and the score file has no count date, the year is not in the
        pupil-count file, or the municipality list does not fit the indeling.
    """
    addresses = _loaded(addresses, duo.read_school_addresses)
    counts = _loaded(pupils, duo.read_pupil_counts)
    scores = _loaded(scores, cbs.read_school_scores)
    municipalities = _loaded(municipalities, cbs.read_municipalities)
    reorganisations = load_reorganisations() if reorganisations is None else reorganisations
    if indeling is None:
        indeling = indeling_year(municipalities, reorganisations,
                                 municipalities.attrs.get("source", {}).get("file", ""))
    check_indeling(municipalities, reorganisations, indeling)
    score_year = _score_year(scores)
    count_year = year if year is not None else score_year
    if count_year is None:
        raise ValueError("year: the score file has no count date in its title; pass the count "
                         "year of the pupil counts (e.g. year=2019)")
    report = ImportReport(year=count_year, indeling=indeling)
    year_counts = duo.regular_school_pupils(counts, count_year)
    current = counts.drop_duplicates("school_id").set_index("school_id")["municipality_code"]
    places = _Places(current, municipalities, reorganisations, indeling)
    schools, left_out = _schools(addresses, counts, year_counts, scores, places, year,
                                 score_year, report, allow_unplaced)
    tables = {"municipalities": _municipality_table(municipalities),
              "neighbourhoods": _empty_neighbourhoods(), "schools": schools,
              "interventions": load_menukaart(),
              "published_school_scores": _published_scores(scores, schools, count_year),
              "pupil_history": _pupil_history(counts, schools, places),
              "left_out_scores": left_out}
    frames = [addresses, counts, scores, municipalities]
    if end_scores is not None:
        frames.append(_loaded(end_scores, duo.read_end_scores))
        tables.update(_end_score_tables(frames[-1], schools, report))
    _record_reads(report, addresses, year_counts, scores, municipalities, counts)
    report.disagreements = compare_sources(
        implied_mapping(addresses.set_index("school_id")["municipality_code"], current),
        reorganisations, indeling).to_dict("records")
    report.written = {name: len(frame) for name, frame in tables.items()}
    info = _info(count_year, score_year, scores, frames)
    info.public = _public_metadata(indeling, scores, left_out, report)
    return Dataset(info=info, tables=tables), report


@dataclass(frozen=True)
class _Places:
    """What placing a school in the indeling needs."""

    current: pd.Series
    municipalities: pd.DataFrame
    reorganisations: pd.DataFrame
    indeling: int | None

    def place(self, frame: pd.DataFrame):
        return place_schools(frame[["school_id", "municipality_code"]], self.current,
                             self.municipalities, self.reorganisations, self.indeling)


def _loaded(source: Source, loader: Callable[[str | Path], pd.DataFrame]) -> pd.DataFrame:
    return source if isinstance(source, pd.DataFrame) else loader(source)


def _score_year(scores: pd.DataFrame) -> int | None:
    count_date = scores.attrs.get("count_date", "")
    return int(count_date[:4]) if count_date else None


# --- Schools -----------------------------------------------------------------------------------


def _schools(addresses, counts, year_counts, scores, places: _Places, year_arg, score_year,
             report: ImportReport, allow_unplaced: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``schools`` table (candidates placed, counted and filtered, every drop reported) and
    the ``left_out_scores`` table of the scored schools left out."""
    located = _candidates(addresses, counts, year_counts, scores, report)
    located = located.assign(pupils=_pupil_counts(located, year_counts, scores, year_arg,
                                                  score_year))
    placement = places.place(located)
    located = located.assign(file_code=located["municipality_code"].to_numpy(),
                             municipality_code=placement.schools["municipality_code"].to_numpy())
    report.mappings = placement.mappings.to_dict("records")
    reasons = {school: NOT_IN_FILES for school in report.excluded[NOT_IN_FILES]}
    unplaced = located["municipality_code"].isna().to_numpy()
    _stop_when_unplaced(located[unplaced], placement.unplaced, scores, reasons, report.indeling,
                        allow_unplaced)
    report.excluded[UNPLACED] = _labelled(located[unplaced], "file_code")
    reasons.update(dict.fromkeys(located.loc[unplaced, "school_id"], UNPLACED))
    located = located[~unplaced]
    suppressed = set(year_counts.loc[year_counts["suppressed"], "school_id"])
    missing = located["pupils"].isna().to_numpy()
    is_suppressed = located["school_id"].isin(suppressed).to_numpy()
    for reason, mask in (("pupil count suppressed (<5) for the year", missing & is_suppressed),
                         ("no pupil count for the year", missing & ~is_suppressed)):
        report.excluded[reason] = _ids(located[mask])
        reasons.update(dict.fromkeys(located.loc[mask, "school_id"], reason))
    located = located[~missing]
    closed = ((located["pupils"] == 0) & ~located["school_id"].isin(scores["school_id"]))
    report.excluded["0 pupils and no published score (not open in the year)"] = _ids(
        located[closed.to_numpy()])
    located = located[~closed.to_numpy()]
    schools = located.assign(
        neighbourhood_code=pd.Series(np.nan, index=located.index, dtype="str"),
        pupils=located["pupils"].astype("int64"))[
        ["school_id", "name", "municipality_code", "neighbourhood_code", "board_id",
         "denomination", "pupils"]].sort_values("school_id", kind="stable").reset_index(drop=True)
    return schools, _left_out_scores(scores, placement.schools, reasons)


def _stop_when_unplaced(unplaced: pd.DataFrame, placement: pd.DataFrame, scores: pd.DataFrame,
                        reasons: dict[str, str], indeling: int, allow_unplaced: bool) -> None:
    """Raise :class:`UnplacedSchoolsError` listing every scored school that cannot be placed."""
    why = placement.set_index("school_id")["reason"]
    scored = unplaced[unplaced["school_id"].isin(scores["school_id"]).to_numpy()]
    lines = [f"  {school} (municipality {code} in its file): {why.get(school, UNPLACED)}"
             for school, code in zip(scored["school_id"], scored["file_code"], strict=True)]
    lines += [f"  {school}: {reason}" for school, reason in sorted(reasons.items())]
    if lines and not allow_unplaced:
        raise UnplacedSchoolsError(
            f"{len(lines)} school(s) of the CBS score file cannot be placed in a municipality "
            f"of the {_indeling_name(indeling)}:\n" + "\n".join(sorted(lines)) + "\nPass a "
            "municipality list and --indeling that fit the address file, or --allow-unplaced "
            "to import without them (every report then says how many schools and how much "
            "score are left out).")


def _indeling_name(indeling: int | None) -> str:
    return f"{indeling} indeling" if indeling else "municipality list (indeling year unknown)"


def _left_out_scores(scores: pd.DataFrame, placement: pd.DataFrame,
                     reasons: dict[str, str]) -> pd.DataFrame:
    """The scored schools left out of ``schools``, with reason and published score."""
    left = scores[scores["school_id"].isin(list(reasons)).to_numpy()]
    placed = placement.drop_duplicates("school_id").set_index("school_id")
    return pd.DataFrame({
        "school_id": left["school_id"].astype("str"),
        "municipality_code": left["school_id"].map(placed["municipality_code"]).astype("str"),
        "file_code": left["school_id"].map(placed["file_code"]).astype("str"),
        "reason": left["school_id"].map(reasons).astype("str"),
        "pupils": left["pupils"].astype("int64"),
        "score_gross": left["score_gross"].astype("float64"),
        "score": left["score"].astype("float64"),
    }).sort_values("school_id", kind="stable").reset_index(drop=True)


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


def _labelled(frame: pd.DataFrame, column: str = "municipality_code") -> list[str]:
    return sorted(f"{school} ({code})" for school, code in
                  zip(frame["school_id"], frame[column], strict=True))


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


def _published_scores(scores: pd.DataFrame, schools: pd.DataFrame,
                      count_year: int) -> pd.DataFrame:
    """The scores of the placed schools, with their count date (the workbook's, else
    1 October of the count year)."""
    kept = scores[scores["school_id"].isin(schools["school_id"]).to_numpy()]
    kept = kept.assign(count_date=scores.attrs.get("count_date")
                       or f"{count_year}-{DUO_COUNT_MONTH_DAY}")
    return kept[[*PUBLISHED_SCORE_COLUMNS, "count_date"]].sort_values(
        "school_id", kind="stable").reset_index(drop=True)


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


def _pupil_history(counts: pd.DataFrame, schools: pd.DataFrame, places: _Places) -> pd.DataFrame:
    """Pupils per municipality, school type and year (:mod:`npo_analysis.data.pupil_trend`): a
    school of ``schools`` counts for its municipality there, any other school of the history
    file for its current municipality placed in the indeling."""
    locations = counts.drop_duplicates("school_id")
    locations = locations[locations["school_type"].isin(SCHOOL_TYPES).to_numpy()]
    others = places.place(locations).schools.set_index("school_id")["municipality_code"]
    municipality = schools.set_index("school_id")["municipality_code"].combine_first(others)
    return municipality_pupil_history(counts, municipality.dropna())


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


def _public_metadata(indeling: int | None, scores: pd.DataFrame, left_out: pd.DataFrame,
                     report: ImportReport) -> dict:
    """``dataset.json`` ``public``: the indeling, C - G of the whole score file, the published
    totals, what was left out and the mappings applied."""
    gross = float(scores["score_gross"].sum())
    pupils = int(scores["pupils"].sum())
    return {
        "indeling": indeling,
        "c_minus_g": estimate_c_minus_g(scores["score_gross"], scores["pupils"], TARGET_SHARE),
        "c_minus_g_target_share": TARGET_SHARE,
        "c_minus_g_schools": len(scores),
        "published": {"schools": len(scores), "pupils": pupils,
                      "score_gross": round(gross, 2),
                      "score": round(float(scores["score"].sum()), 2)},
        "left_out": {"schools": len(left_out), "pupils": int(left_out["pupils"].sum()),
                     "score_gross": round(float(left_out["score_gross"].sum()), 2),
                     "score": round(float(left_out["score"].sum()), 2)},
        "mappings": report.mappings,
    }


def _info(year: int, score_year: int | None, scores: pd.DataFrame,
          frames: list[pd.DataFrame]) -> DatasetInfo:
    same = score_year == year and scores.attrs.get("count_date")
    count_date = scores.attrs["count_date"] if same else f"{year}-{DUO_COUNT_MONTH_DAY}"
    sources = [frame.attrs.get("source", {"name": "a table given in memory (no file)"})
               for frame in frames]
    return DatasetInfo(name=f"public-{year}", synthetic=False, count_date=count_date,
                       years=[year], sources=sources)
