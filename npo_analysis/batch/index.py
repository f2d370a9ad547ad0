"""The run's ``index.html``: every municipality with its key figures and a link to its report.

The page is the Jinja template ``npo_analysis/templates/run_index.html.j2``, rendered with
autoescaping on. One sortable table (a few lines of inline JavaScript, nothing loaded from
elsewhere): click a column header to sort by it, click again to reverse. Numbers are shown the
Dutch way (``€ 1.234.567``, ``12,3%``) and sorted by their value (``data-sort``). Failed
reports are listed apart with their error line and a link to the executed notebook that failed.
Every name and message is HTML-escaped (by Jinja).

Key figures (:func:`key_figures`) come from :func:`npo_analysis.report.profile.
municipality_profile` for the run's budget year, the same definitions the reports use. They are
computed once per national tables and budget year and kept next to the tables
(:func:`cached_key_figures`), so a batch whose tables are ready makes its index without pandas.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

from npo_analysis.atomic import write_text_atomic
from npo_analysis.formatting import format_count, format_eur, format_number, format_pct, is_missing

INDEX_FILE = "index.html"
#: The page's Jinja template, in ``npo_analysis/templates/``.
TEMPLATE = "run_index.html.j2"
#: (profile column, kind) of the table's figure columns, in order.
COLUMNS = (("pupils", "count"), ("target_share", "pct"), ("score", "score"),
           ("goab_eur", "eur"), ("npo_schools_eur", "eur"))
_TEXT = {
    "nl": {
        "title": "Rapporten per gemeente", "code": "Code", "municipality": "Gemeente",
        "province": "Provincie", "pupils": "Leerlingen", "target_share": "Aandeel doelgroep",
        "score": "Achterstandsscore", "goab_eur": "GOAB-budget {year}",
        "npo_schools_eur": "NPO-budget scholen {year}", "report": "Rapport",
        "open": "rapport", "failed_label": "mislukt", "failures": "Mislukte rapporten",
        "error": "Fout", "notebook": "notebook", "overviews": "Landelijke rapporten",
        "sort_hint": "Klik op een kolomkop om te sorteren.",
        "summary": "{ok} van {total} rapporten gemaakt, {failed} mislukt.",
        "dataset": "Dataset: {name}{kind}; peildatum {date}; begrotingsjaar {year}.",
        "synthetic": " (synthetisch)",
        "banner": "Let op: deze rapporten zijn gemaakt met de synthetische demodataset Demoland; "
                  "de cijfers zijn niet echt.",
        "created": "Gemaakt op {created} met npo-analysis {version}; run {run}.",
    },
    "en": {
        "title": "Reports per municipality", "code": "Code", "municipality": "Municipality",
        "province": "Province", "pupils": "Pupils", "target_share": "Target share",
        "score": "Disadvantage score", "goab_eur": "GOAB budget {year}",
        "npo_schools_eur": "NPO budget of schools {year}", "report": "Report",
        "open": "report", "failed_label": "failed", "failures": "Failed reports",
        "error": "Error", "notebook": "notebook", "overviews": "National reports",
        "sort_hint": "Click a column header to sort.",
        "summary": "{ok} of {total} reports made, {failed} failed.",
        "dataset": "Dataset: {name}{kind}; count date {date}; budget year {year}.",
        "synthetic": " (synthetic)",
        "banner": "Note: these reports were made with the synthetic demo dataset Demoland; "
                  "the figures are not real.",
        "created": "Made on {created} with npo-analysis {version}; run {run}.",
    },
}

#: Folder of the national tables holding :func:`cached_key_figures` (one file per budget year).
FIGURES_DIR = "index"


def key_figures(data_dir: str | Path, tables, year: int):
    """One row per municipality with the figures of the index (the report's definitions).

    Parameters
    ----------
    data_dir : path-like
        The dataset (its ``municipalities`` table supplies names and provinces).
    tables : npo_analysis.national.tables.NationalTables
        The national tables.
    year : int
        Budget year of the budgets shown.

    Returns
    -------
    pandas.DataFrame
        :func:`npo_analysis.report.profile.municipality_profile` (``municipality_code, name,
        province, pupils, target_share, score, goab_eur, npo_schools_eur`` ...).
    """
    from npo_analysis.data.dataset import read_raw_tables
    from npo_analysis.report.profile import municipality_profile

    municipalities = read_raw_tables(data_dir, ["municipalities"])["municipalities"]
    return municipality_profile(municipalities, tables.municipality_scores,
                                tables.budgets(year).municipalities)


def cached_key_figures(data_dir: str | Path, tables_dir: str | Path, year: int) -> list[dict]:
    """:func:`key_figures` as records (missing values ``None``), computed once per tables.

    The first call for a budget year computes them (pandas) and writes
    ``<tables_dir>/index/key_figures_<year>.json`` atomically; later calls read that file. The
    tables directory is named by the hash of everything the tables depend on (the dataset among
    it), so the file cannot outlive its inputs.

    Parameters
    ----------
    data_dir : path-like
        The dataset.
    tables_dir : path-like
        The national tables (:func:`npo_analysis.national.tables.build_national_tables`).
    year : int
        Budget year of the budgets shown.

    Returns
    -------
    list of dict
        One record per municipality with the columns of :func:`key_figures`.
    """
    path = Path(tables_dir) / FIGURES_DIR / f"key_figures_{int(year)}.json"
    if path.is_file():
        return json.loads(path.read_text(encoding="utf-8"))
    from npo_analysis.national.tables import load_national_tables

    records = figure_records(key_figures(data_dir, load_national_tables(tables_dir), year))
    write_text_atomic(path, json.dumps(records, ensure_ascii=False, indent=0) + "\n")
    return records


def figure_records(figures) -> list[dict]:
    """The rows of a key-figures DataFrame as dicts of Python values (missing: ``None``)."""
    columns = list(figures.columns)
    rows = zip(*(figures[c].tolist() for c in columns), strict=True)
    return [{c: None if is_missing(v) else v for c, v in zip(columns, row, strict=True)}
            for row in rows]


def _formatted(value, kind: str, language: str) -> str:
    if kind == "count":
        return format_count(value, language)
    if kind == "pct":
        return format_pct(value, 1, language)
    if kind == "eur":
        return format_eur(value, 0, language)
    return format_number(value, 2, language)


def _cell(text: str, sort_value, css: str = "", href: str | None = None,
          link_css: str = "") -> dict:
    """One table cell for the template: its text, ``data-sort`` value, class and link."""
    sort = "" if is_missing(sort_value) else str(sort_value)
    return {"text": text, "sort": sort, "css": css, "href": href, "link_css": link_css}


def _report_cell(result, text: dict) -> dict:
    if result is None:
        return _cell("", "")
    if result.status == "ok":
        return _cell(text["open"], "1", "t", href=result.html)
    return _cell(text["failed_label"], "0", "t", href=result.notebook, link_css="failed")


def _municipality_row(row: dict, result, text: dict, language: str) -> list[dict]:
    cells = [_cell(row["municipality_code"], row["municipality_code"], "t"),
             _cell(str(row["name"]), row["name"], "t"),
             _cell(str(row["province"]), row["province"], "t")]
    cells += [_cell(_formatted(row[col], kind, language), row[col]) for col, kind in COLUMNS]
    return cells + [_report_cell(result, text)]


def _heads(text: dict, year: int) -> list[dict]:
    heads = [("code", "t"), ("municipality", "t"), ("province", "t")]
    heads += [(col, "") for col, _ in COLUMNS] + [("report", "t")]
    return [{"text": text[key].format(year=year), "css": css} for key, css in heads]


@functools.cache
def _template():
    """The page's Jinja template (``npo_analysis/templates/run_index.html.j2``), autoescaped."""
    from jinja2 import Environment, PackageLoader

    environment = Environment(loader=PackageLoader("npo_analysis", "templates"),
                              autoescape=True, keep_trailing_newline=True)
    return environment.get_template(TEMPLATE)


def _left_out_sentence(dataset: dict, language: str) -> str:
    """The sentence on scored schools a public import left out (none: empty)."""
    from npo_analysis.data.left_out import dataset_left_out_sentence

    return dataset_left_out_sentence(dataset, language) or ""


def render_index(figures, results: list, *, year: int, dataset: dict,
                 run_id: str, created: str, version: str, language: str = "nl") -> str:
    """The index page as HTML text (the Jinja template :data:`TEMPLATE`, every value escaped).

    Parameters
    ----------
    figures : list of dict or pandas.DataFrame
        :func:`cached_key_figures`, or :func:`key_figures`.
    results : list of ReportResult
        Every report of the run (``kind`` ``"municipality"`` or ``"overview"``).
    year : int
        The budget year.
    dataset : dict
        The dataset's ``dataset.json`` (``name``, ``synthetic``, ``count_date``).
    run_id, created, version : str
        Run id, human-readable creation time and package version for the footer.
    language : {"nl", "en"}
        Language of the page.

    Returns
    -------
    str
    """
    from npo_analysis.formatting import format_date

    text = _TEXT[language]
    if hasattr(figures, "columns"):  # a DataFrame of key_figures
        figures = figure_records(figures)
    municipal = {r.code: r for r in results if r.kind == "municipality"}
    dataset_line = text["dataset"].format(
        name=dataset["name"], date=format_date(dataset["count_date"], language), year=year,
        kind=text["synthetic"] if dataset.get("synthetic") else "")
    summary = text["summary"].format(ok=sum(r.status == "ok" for r in municipal.values()),
                                     total=len(municipal),
                                     failed=sum(r.status == "failed" for r in municipal.values()))
    return _template().render(
        language=language, text=text, heads=_heads(text, year),
        banner=text["banner"] if dataset.get("synthetic") else "",
        dataset_line=dataset_line, summary=summary,
        left_out=_left_out_sentence(dataset, language),
        rows=[_municipality_row(row, municipal.get(row["municipality_code"]), text, language)
              for row in figures if row["municipality_code"] in municipal],
        failed=[r for r in results if r.status == "failed"],
        overviews=[r for r in results if r.kind == "overview"],
        footer=text["created"].format(created=created, version=version, run=run_id))


def write_index(run_dir: str | Path, page: str) -> Path:
    """Write ``index.html`` into the run directory atomically and return its path."""
    path = Path(run_dir) / INDEX_FILE
    write_text_atomic(path, page)
    return path
