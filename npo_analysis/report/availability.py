"""Which report sections a dataset supports, and what a municipality must supply for the rest.

A dataset built from the public DUO and CBS files (``npo-analysis import-public``) holds schools
and their published scores, but no pupil microdata and no local data. Report sections that need
those tables cannot be computed; instead of failing or showing an empty chart, the report shows
a short notice in plain Dutch (or English) that names the table(s) the municipality must supply
and where their format is described (``docs/data-model.md``, ``docs/real-data.md``).

Each section needs every one of its *clauses*; a clause is met by any one of its alternatives
(a table with at least one row, or a column with at least one value):

========================  ==================================================================
section                   needs
========================  ==================================================================
``delays``                ``test_results``
``challenge``             ``test_results``
``white_spots``           ``activities``, ``neighbourhoods``, ``pupils`` or ``toddlers``
``vve``                   ``toddlers``, ``vve_locations``, ``neighbourhoods``
``plans``                 ``school_plans``
``plans_vs_optimum``      ``school_plans``
``neighbourhoods``        ``neighbourhoods``, ``schools.neighbourhood_code``
``uncertainty``           ``pupils`` (the band of the school scores over imputation rounds)
``indicator_model``       ``pupils`` (the end-score regression: coefficients, diagnostics)
``municipal_score``       ``toddlers`` (the municipal score counts the resident toddlers)
``peers``                 ``municipalities.urbanity``, ``municipalities.low_income_share``
========================  ==================================================================

Use :func:`missing_for` per section (``None`` when the section can be shown) or
:func:`notices` for all of them. The dataset is described once by :func:`dataset_contents`
(file metadata and a few small columns, no large reads), which every function also accepts.

Examples
--------
>>> notice = missing_for("delays", "outputs/data/public-2019")  # doctest: +SKIP
>>> notice.missing  # doctest: +SKIP
('test_results',)
>>> print(notice.markdown())  # doctest: +SKIP
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from npo_analysis import table_cache

#: Where the data model and the real-data guide live, relative to the project root.
DATA_MODEL_DOC = "docs/data-model.md"
REAL_DATA_DOC = "docs/real-data.md"
#: Anchor of the section of :data:`REAL_DATA_DOC` listing what a municipality supplies.
SUPPLY_ANCHOR = "what-a-municipality-supplies-itself"
#: Title of that section.
SUPPLY_SECTION = "What a municipality supplies itself"


@dataclass(frozen=True)
class Need:
    """One thing a section can use: a table with rows, or a column with values.

    Parameters
    ----------
    table : str
        Table name (``<table>.parquet`` in the dataset directory).
    column : str, optional
        A column of that table that must hold at least one value.
    """

    table: str
    column: str | None = None

    @property
    def name(self) -> str:
        """``table`` or ``table.column``."""
        return self.table if self.column is None else f"{self.table}.{self.column}"


def _one(table: str, column: str | None = None) -> tuple[Need, ...]:
    return (Need(table, column),)


#: Section -> clauses; every clause must be met by one of its alternatives.
SECTION_NEEDS: dict[str, tuple[tuple[Need, ...], ...]] = {
    "delays": (_one("test_results"),),
    "challenge": (_one("test_results"),),
    "white_spots": (_one("activities"), _one("neighbourhoods"),
                    (Need("pupils"), Need("toddlers"))),
    "vve": (_one("toddlers"), _one("vve_locations"), _one("neighbourhoods")),
    "plans": (_one("school_plans"),),
    "plans_vs_optimum": (_one("school_plans"),),
    "neighbourhoods": (_one("neighbourhoods"), _one("schools", "neighbourhood_code")),
    "uncertainty": (_one("pupils"),),
    "indicator_model": (_one("pupils"),),
    "municipal_score": (_one("toddlers"),),
    "peers": (_one("municipalities", "urbanity"), _one("municipalities", "low_income_share")),
}

#: What each section shows, (Dutch, English), named in the notice.
SECTION_PURPOSE: dict[str, tuple[str, str]] = {
    "delays": ("de leerachterstanden per domein en leerjaar",
               "the learning delays per domain and grade"),
    "challenge": ("de scholen met extra uitdagingen (achterstand ten opzichte van verwachting)",
                  "the schools with extra challenges (delay against expectation)"),
    "white_spots": ("de witte vlekken in het aanbod van activiteiten",
                    "the white spots in the supply of activities"),
    "vve": ("het bereik, de uren en de kwaliteit van de VVE",
            "the reach, hours and quality of early-childhood education"),
    "plans": ("de bestedingsplannen van de scholen", "the schools' spending plans"),
    "plans_vs_optimum": ("de vergelijking van de plannen met het beste pakket",
                         "the comparison of the plans with the best package"),
    "neighbourhoods": ("de cijfers per wijk", "the figures per neighbourhood"),
    "uncertainty": ("de onzekerheidsmarge van de schoolscores",
                    "the uncertainty band of the school scores"),
    "indicator_model": ("het regressiemodel van de indicator (coëfficiënten en diagnostiek)",
                        "the indicator's regression model (coefficients and diagnostics)"),
    "municipal_score": ("de gemeentelijke achterstandsscore met de peuters",
                        "the municipal disadvantage score with the toddlers"),
    "peers": ("de keuze van vergelijkbare gemeenten op alle vier kenmerken",
              "the choice of peer municipalities on all four characteristics"),
}

#: What a table or column holds, (Dutch, English), as the notice names it.
NEED_DESCRIPTION: dict[str, tuple[str, str]] = {
    "pupils": ("leerlinggegevens met achtergrondkenmerken (microdata)",
               "pupil microdata with background characteristics"),
    "toddlers": ("de peuters van 2,5 tot 4 jaar met hun VVE-indicatie",
                 "the toddlers aged 2.5 to 4 with their VE indication"),
    "test_results": ("toetsresultaten uit het leerlingvolgsysteem per school, leerjaar, domein "
                     "en moment", "pupil-monitoring test results per school, grade, domain "
                     "and moment"),
    "activities": ("het aanbod van activiteiten (aanbieder, domein, leeftijden, wijk, plaatsen)",
                   "the supply of activities (provider, domain, ages, neighbourhood, places)"),
    "vve_locations": ("de VVE-locaties met plaatsen, uren en kwaliteit",
                      "the VE locations with places, hours and quality"),
    "school_plans": ("de NPO-plannen van de scholen per interventie van de menukaart",
                     "the schools' NPO plans per menukaart intervention"),
    "neighbourhoods": ("de wijken (CBS-wijkcodes) met het aantal kinderen",
                       "the neighbourhoods (CBS codes) with their numbers of children"),
    "schools.neighbourhood_code": ("de wijk van elke school", "each school's neighbourhood"),
    "municipalities.urbanity": ("de stedelijkheid van elke gemeente (CBS)",
                                "each municipality's urbanity (CBS)"),
    "municipalities.low_income_share": (
        "het aandeel huishoudens met een laag inkomen per gemeente (CBS)",
        "each municipality's share of low-income households (CBS)"),
}


# --- What a dataset holds -----------------------------------------------------------------------


@dataclass(frozen=True)
class DatasetContents:
    """Which tables of a dataset have rows and which columns hold values.

    Attributes
    ----------
    rows : dict of str to int
        Rows per table present (``<table>.parquet``).
    filled_columns : frozenset of str
        ``table.column`` names of the columns asked about in :data:`SECTION_NEEDS` that hold at
        least one value.
    """

    rows: dict[str, int]
    filled_columns: frozenset[str]

    def has(self, need: Need) -> bool:
        """Whether the dataset meets ``need``."""
        if need.column is not None:
            return need.name in self.filled_columns
        return self.rows.get(need.table, 0) > 0


def _needed_columns() -> dict[str, list[str]]:
    """Table -> the columns :data:`SECTION_NEEDS` asks about, sorted."""
    columns: dict[str, set[str]] = {}
    for clauses in SECTION_NEEDS.values():
        for need in (n for clause in clauses for n in clause if n.column is not None):
            columns.setdefault(need.table, set()).add(need.column)
    return {table: sorted(names) for table, names in sorted(columns.items())}


def _filled_in_files(directory: Path) -> set[str]:
    filled = set()
    for table, columns in _needed_columns().items():
        path = directory / f"{table}.parquet"
        if not path.is_file():
            continue
        present = [c for c in columns if c in pq.read_schema(path).names]
        frame = table_cache.read_parquet(path, columns=present)
        filled |= {f"{table}.{c}" for c in present if frame[c].notna().any()}
    return filled


def _filled_in_frames(tables: dict[str, pd.DataFrame]) -> set[str]:
    return {f"{table}.{c}" for table, columns in _needed_columns().items() if table in tables
            for c in columns if c in tables[table] and tables[table][c].notna().any()}


def dataset_contents(dataset) -> DatasetContents:
    """Describe what a dataset holds (see :class:`DatasetContents`).

    Parameters
    ----------
    dataset : path-like, npo_analysis.data.dataset.Dataset or DatasetContents
        A dataset directory (row counts from the Parquet metadata; only the few columns of
        :data:`SECTION_NEEDS` are read), a dataset in memory, or an existing description
        (returned unchanged).

    Returns
    -------
    DatasetContents

    Raises
    ------
    FileNotFoundError
        When a path is not a directory.
    TypeError
        For any other kind of argument.
    """
    from npo_analysis.data.dataset import Dataset

    if isinstance(dataset, DatasetContents):
        return dataset
    if isinstance(dataset, Dataset):
        return DatasetContents({name: len(frame) for name, frame in dataset.tables.items()},
                               frozenset(_filled_in_frames(dataset.tables)))
    if not isinstance(dataset, str | Path):
        raise TypeError(f"dataset={dataset!r}: expected a dataset directory, a Dataset or "
                        "DatasetContents")
    directory = Path(dataset)
    if not directory.is_dir():
        raise FileNotFoundError(f"{directory}: data directory does not exist")
    rows = {p.stem: pq.read_metadata(p).num_rows for p in sorted(directory.glob("*.parquet"))}
    return DatasetContents(rows, frozenset(_filled_in_files(directory)))


# --- Notices ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Notice:
    """A report section the dataset cannot support, and what to supply for it.

    Attributes
    ----------
    section : str
        Key of :data:`SECTION_NEEDS`.
    missing : tuple of str
        Per unmet clause, its table or ``table.column``; alternatives joined by ``" | "``
        (e.g. ``"pupils | toddlers"``).
    text : str
        The notice in plain language, Markdown (table names as code, where the docs describe them).
    language : str
        ``"nl"`` or ``"en"``.
    """

    section: str
    missing: tuple[str, ...]
    text: str
    language: str = "nl"

    @property
    def tables(self) -> tuple[str, ...]:
        """The tables to supply (each alternative's table once, in order)."""
        names = [name.split(".")[0] for clause in self.missing for name in clause.split(" | ")]
        return tuple(dict.fromkeys(names))

    def markdown(self) -> str:
        """The notice as a Markdown block quote, for ``IPython.display.Markdown``."""
        return "> " + self.text.replace("\n", "\n> ")

    def html(self) -> str:
        """The notice as an HTML ``<div class="notice">`` (text escaped, links kept)."""
        return f'<div class="notice" role="note"><p>{_markdown_to_html(self.text)}</p></div>'


def _markdown_to_html(text: str) -> str:
    """The small Markdown of a notice (**bold**, ``code``, [links](url)) as HTML, escaped."""
    escaped = html.escape(text, quote=False)
    escaped = re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", escaped)
    escaped = re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped)
    return re.sub(r"\[([^\]]+)\]\(([^)\s]+)\)",
                  lambda m: f'<a href="{html.escape(m[2])}">{m[1]}</a>', escaped)


def _unmet(section: str, contents: DatasetContents) -> tuple[tuple[Need, ...], ...]:
    if section not in SECTION_NEEDS:
        raise ValueError(f"section={section!r}: unknown; expected one of "
                         f"{', '.join(SECTION_NEEDS)}")
    return tuple(clause for clause in SECTION_NEEDS[section]
                 if not any(contents.has(need) for need in clause))


def _need_phrase(need: Need, language: str, docs_url: str | None) -> str:
    """``<description> (table `x`, format: <where the data model describes x>)``."""
    description = NEED_DESCRIPTION[need.name][0 if language == "nl" else 1]
    where = _doc_reference(DATA_MODEL_DOC, need.table, f"`{need.table}`", language, docs_url)
    if language == "nl":
        kind = "tabel" if need.column is None else "kolom"
        return f"{description} ({kind} `{need.name}`, formaat: {where})"
    kind = "table" if need.column is None else "column"
    return f"{description} ({kind} `{need.name}`, format: {where})"


def _doc_reference(document: str, anchor: str, section: str, language: str,
                   docs_url: str | None) -> str:
    """A link to ``<docs_url>/<file>#<anchor>``, or without ``docs_url`` the file and section
    in words (a relative link would break in a report opened elsewhere)."""
    if docs_url:
        return f"[{document}#{anchor}]({docs_url.rstrip('/')}/{Path(document).name}#{anchor})"
    part = "onderdeel" if language == "nl" else "section"
    return f"`{document}`, {part} {section}"


def _clause_phrase(clause: tuple[Need, ...], language: str, docs_url: str | None) -> str:
    joiner = " of " if language == "nl" else " or "
    return joiner.join(_need_phrase(need, language, docs_url) for need in clause)


def _notice_text(section: str, unmet: tuple[tuple[Need, ...], ...], language: str,
                 docs_url: str | None) -> str:
    purpose = SECTION_PURPOSE[section][0 if language == "nl" else 1]
    needs = "; ".join(_clause_phrase(clause, language, docs_url) for clause in unmet)
    guide = _doc_reference(REAL_DATA_DOC, SUPPLY_ANCHOR, f'"{SUPPLY_SECTION}"', language,
                           docs_url)
    if language == "nl":
        return (f"**Niet beschikbaar: {purpose}.** Daarvoor ontbreekt in deze dataset: {needs}. "
                "De openbare bestanden van DUO en CBS bevatten deze gegevens niet; de gemeente "
                "kan ze zelf aanleveren als Parquet-bestand in de datamap (`<tabel>.parquet`), "
                f"zie {guide}.")
    return (f"**Not available: {purpose}.** This dataset lacks: {needs}. The public DUO and "
            "CBS files do not hold these data; the municipality can supply them as a Parquet "
            f"file in the data directory (`<table>.parquet`), see {guide}.")


def _checked_language(language: str) -> str:
    if language not in ("nl", "en"):
        raise ValueError(f"language={language!r}: expected 'nl' or 'en'")
    return language


def missing_for(section: str, dataset, language: str = "nl",
                docs_url: str | None = None) -> Notice | None:
    """The notice for a section the dataset cannot support, or ``None`` when it can.

    Parameters
    ----------
    section : str
        A key of :data:`SECTION_NEEDS` (``"delays"``, ``"white_spots"``, ``"vve"``, ...).
    dataset : path-like, npo_analysis.data.dataset.Dataset or DatasetContents
        The dataset (see :func:`dataset_contents`; pass a :class:`DatasetContents` to avoid
        reading the metadata again per section).
    language : {"nl", "en"}
        Language of the notice.
    docs_url : str, optional
        Address of the folder holding ``data-model.md`` and ``real-data.md`` (e.g.
        ``https://example.org/npo-analysis/docs``): the notice then links to the table's
        format there. Without it (the default) the notice names the file and section in words,
        e.g. ``docs/data-model.md``, section ``toddlers``: a relative link would break once a
        report is opened outside the project (``<run>/reports/<code>.html``, a copy sent by mail).

    Returns
    -------
    Notice or None

    Raises
    ------
    ValueError
        For an unknown section or language (naming the valid ones).

    Examples
    --------
    >>> contents = DatasetContents({"schools": 3}, frozenset())
    >>> missing_for("plans", contents).missing
    ('school_plans',)
    >>> missing_for("plans", DatasetContents({"school_plans": 5}, frozenset())) is None
    True
    """
    language = _checked_language(language)
    contents = dataset_contents(dataset)
    unmet = _unmet(section, contents)
    if not unmet:
        return None
    missing = tuple(" | ".join(need.name for need in clause) for clause in unmet)
    return Notice(section, missing, _notice_text(section, unmet, language, docs_url), language)


def notices(dataset, language: str = "nl", docs_url: str | None = None) -> list[Notice]:
    """The notices of every section the dataset cannot support, in :data:`SECTION_NEEDS` order.

    Parameters
    ----------
    dataset : path-like, npo_analysis.data.dataset.Dataset or DatasetContents
        The dataset.
    language : {"nl", "en"}
        Language of the notices.
    docs_url : str, optional
        See :func:`missing_for`.

    Returns
    -------
    list of Notice
        Empty for a complete dataset such as Demoland.
    """
    contents = dataset_contents(dataset)
    found = (missing_for(section, contents, language, docs_url) for section in SECTION_NEEDS)
    return [notice for notice in found if notice is not None]


def supported_sections(dataset) -> list[str]:
    """The sections of :data:`SECTION_NEEDS` the dataset supports, in order.

    Parameters
    ----------
    dataset : path-like, npo_analysis.data.dataset.Dataset or DatasetContents
        The dataset.

    Returns
    -------
    list of str
    """
    contents = dataset_contents(dataset)
    return [section for section in SECTION_NEEDS if not _unmet(section, contents)]


# --- The indicator of a public dataset ------------------------------------------------------


def indicator_note(national, language: str = "nl") -> str | None:
    """How the scores of a public dataset were made, for the report (``None`` for microdata).

    Parameters
    ----------
    national : npo_analysis.national.tables.NationalTables
        The national tables (:func:`npo_analysis.national.tables.load_national_tables`).
    language : {"nl", "en"}
        Language.

    Returns
    -------
    str or None
        Markdown: the school scores are the published CBS scores, C - G is estimated from the
        national totals (with how many published scores it reproduces), target pupils are
        estimates, and the municipal score is approximated without the toddlers.
    """
    from npo_analysis.formatting import format_count, format_date, format_number

    language = _checked_language(language)
    if national.has_microdata:
        return None
    model, count_date = national.model, national.info["dataset"]["count_date"]
    reproduced = model["reproduction"]
    date = format_date(count_date, language)
    c_minus_g = format_number(model["c_minus_g"], 4, language)
    within = format_count(reproduced["within_tolerance"], language)
    schools = format_count(reproduced["schools"], language)
    whole = format_count(model.get("c_minus_g_schools", reproduced["schools"]), language)
    tolerance = format_number(reproduced["tolerance"], 2, language)
    municipal = format_number(float(national.municipality_scores["score"].sum()), 2, language)
    if language == "nl":
        return (f"De achterstandsscores van de scholen zijn de gepubliceerde CBS-scores (teldatum "
                f"{date}). Zonder leerlinggegevens is C − G geschat uit de landelijke totalen "
                f"van het hele gepubliceerde bestand ({c_minus_g}, uit {whole} scholen); "
                f"daarmee komen {within} van de {schools} herberekende schoolscores na de "
                f"drempel tot op {tolerance} overeen met de publicatie. Het aantal "
                "doelgroepleerlingen is een schatting (A / (C − G)). De gemeentelijke score is "
                "benaderd uit de scores van de scholen in de gemeente: de echte gemeentelijke "
                "score telt ook de peuters van 2,5 tot 4 jaar mee, en die staan niet in de "
                "openbare bestanden. Bij de score met drempel is Nederland de som van deze "
                f"benaderde gemeentelijke scores ({municipal}), niet de som van de gepubliceerde "
                "schoolscores.")
    return (f"The schools' disadvantage scores are the published CBS scores (count date {date}). "
            f"Without pupil data, C − G is estimated from the national totals of the whole "
            f"published file ({c_minus_g}, from {whole} schools); with it {within} of the "
            f"{schools} recomputed thresholded school scores match the publication to within "
            f"{tolerance}. The number of target-group pupils is an estimate (A / (C − G)). The "
            "municipal score is approximated from the scores of the schools in the "
            "municipality: the real municipal score also counts the toddlers aged 2.5 to 4, who "
            "are not in the public files. For the score with threshold, the Netherlands is the "
            f"sum of these approximated municipal scores ({municipal}), not the sum of the "
            "published school scores.")
