"""The run's ``index.html``: every municipality with its key figures and a link to its report.

One sortable table (a few lines of inline JavaScript, nothing loaded from elsewhere): click a
column header to sort by it, click again to reverse. Numbers are shown the Dutch way
(``€ 1.234.567``, ``12,3%``) and sorted by their value (``data-sort``). Failed reports are listed
apart with their error line and a link to the executed notebook that failed. Every name and
message is HTML-escaped.

Key figures (:func:`key_figures`) come from :func:`npo_analysis.report.profile.
municipality_profile` for the run's budget year, the same definitions the reports use. They are
computed once per national tables and budget year and kept next to the tables
(:func:`cached_key_figures`), so a batch whose tables are ready makes its index without pandas.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from npo_analysis.atomic import write_text_atomic
from npo_analysis.formatting import (
    format_count,
    format_eur,
    format_number,
    format_pct,
    is_missing,
)

INDEX_FILE = "index.html"
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
_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:0 auto;
max-width:72rem;padding:0 1rem 2rem;color:#1d2430;line-height:1.45}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem}
.wrap{overflow-x:auto}table{border-collapse:collapse;font-variant-numeric:tabular-nums;
font-size:.9rem;width:100%}th,td{border-bottom:1px solid #d6dbe1;padding:.3rem .5rem;
text-align:right;white-space:nowrap}th{background:#f3f5f7;cursor:pointer;user-select:none}
th[aria-sort=ascending]::after{content:" \\25B2"}th[aria-sort=descending]::after{content:" \\25BC"}
td.t,th.t{text-align:left}.failed{color:#a40000;font-weight:600}
.banner{background:#fff3cd;border:2px solid #e0b400;padding:.5rem 1rem;font-weight:600}
footer{color:#5b6573;font-size:.85rem;margin-top:2rem}
@media print{th{cursor:auto}.hint{display:none}}
"""
_SORT_JS = """
document.querySelectorAll("table.sortable").forEach(function (table) {
  table.querySelectorAll("th").forEach(function (th, col) {
    th.addEventListener("click", function () {
      var asc = th.getAttribute("aria-sort") !== "ascending";
      table.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", asc ? "ascending" : "descending");
      var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[col].getAttribute("data-sort"), y = b.cells[col].getAttribute("data-sort");
        var nx = parseFloat(x), ny = parseFloat(y), c;
        if (!isNaN(nx) && !isNaN(ny)) { c = nx - ny; } else { c = x.localeCompare(y, "nl"); }
        return asc ? c : -c;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
});
"""


#: Folder of the national tables holding :func:`cached_key_figures` (one file per budget year).
FIGURES_DIR = "index"


def key_figures(data_dir: str | Path, tables, year: int):
    """One row per municipality with the figures of the index (the report's definitions).

    Parameters
    ----------
    data_dir : path-like
        The dataset (its ``municipalities`` table supplies names and provinces).
    tables : npo_analysis.national.NationalTables
        The national tables.
    year : int
        Budget year of the budgets shown.

    Returns
    -------
    pandas.DataFrame
        :func:`npo_analysis.report.profile.municipality_profile` (``municipality_code, name,
        province, pupils, target_share, score, goab_eur, npo_schools_eur`` ...).
    """
    from npo_analysis.dataset import read_raw_tables
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
        The national tables (:func:`npo_analysis.national.build_national_tables`).
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
    from npo_analysis.national import load_national_tables

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


def _class(css: str) -> str:
    return f' class="{css}"' if css else ""


def _cell(text: str, sort_value, css: str = "") -> str:
    klass = _class(css)
    sort = "" if is_missing(sort_value) else html.escape(str(sort_value), quote=True)
    return f'<td{klass} data-sort="{sort}">{text}</td>'


def _link(href: str, text: str, css: str = "") -> str:
    return f'<a{_class(css)} href="{html.escape(href, quote=True)}">{html.escape(text)}</a>'


def _report_cell(result, text: dict) -> str:
    if result is None:
        return _cell("", "")
    if result.status == "ok":
        return _cell(_link(result.html, text["open"]), "1", "t")
    return _cell(_link(result.notebook, text["failed_label"], "failed"), "0", "t")


def _municipality_row(row: dict, result, text: dict, language: str) -> str:
    cells = [_cell(html.escape(row["municipality_code"]), row["municipality_code"], "t"),
             _cell(html.escape(str(row["name"])), row["name"], "t"),
             _cell(html.escape(str(row["province"])), row["province"], "t")]
    cells += [_cell(html.escape(_formatted(row[col], kind, language)), row[col])
              for col, kind in COLUMNS]
    return "<tr>" + "".join(cells) + _report_cell(result, text) + "</tr>"


def _municipality_table(figures: list[dict], results: dict, text: dict, language: str,
                        year: int) -> str:
    heads = [("code", "t"), ("municipality", "t"), ("province", "t")]
    heads += [(col, "") for col, _ in COLUMNS] + [("report", "t")]
    header = "".join(
        f'<th scope="col"{_class(css)}>{html.escape(text[key].format(year=year))}</th>'
        for key, css in heads)
    rows = "\n".join(_municipality_row(row, results.get(row["municipality_code"]), text, language)
                     for row in figures if row["municipality_code"] in results)
    return (f'<div class="wrap"><table class="sortable"><thead><tr>{header}</tr></thead>'
            f"<tbody>\n{rows}\n</tbody></table></div>")


def _failure_list(failed: list, text: dict) -> str:
    if not failed:
        return ""
    items = "\n".join(
        f"<li><strong>{html.escape(r.name or r.code)}</strong> ({html.escape(r.code)}): "
        f"<code>{html.escape(r.error or '')}</code> – {_link(r.notebook, text['notebook'])}</li>"
        for r in failed)
    return f"<h2>{html.escape(text['failures'])}</h2>\n<ul>\n{items}\n</ul>"


def _overview_list(overviews: list, text: dict) -> str:
    if not overviews:
        return ""
    items = "\n".join(
        f"<li>{_link(r.html, r.name or r.code)}</li>" if r.status == "ok" else
        f"<li>{html.escape(r.name or r.code)}: <span class=\"failed\">"
        f"{html.escape(text['failed_label'])}</span></li>" for r in overviews)
    return f"<h2>{html.escape(text['overviews'])}</h2>\n<ul>\n{items}\n</ul>"


def _left_out_paragraph(dataset: dict, language: str) -> str:
    """The sentence on scored schools a public import left out (none: empty)."""
    from npo_analysis.left_out import dataset_left_out_sentence

    sentence = dataset_left_out_sentence(dataset, language)
    return f'<p class="banner">{html.escape(sentence)}</p>' if sentence else ""


def render_index(figures, results: list, *, year: int, dataset: dict,
                 run_id: str, created: str, version: str, language: str = "nl") -> str:
    """The index page as HTML text.

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
    failed = [r for r in results if r.status == "failed"]
    overviews = [r for r in results if r.kind == "overview"]
    banner = (f'<p class="banner">{html.escape(text["banner"])}</p>'
              if dataset.get("synthetic") else "")
    dataset_line = text["dataset"].format(
        name=dataset["name"], date=format_date(dataset["count_date"], language), year=year,
        kind=text["synthetic"] if dataset.get("synthetic") else "")
    summary = text["summary"].format(ok=sum(r.status == "ok" for r in municipal.values()),
                                     total=len(municipal),
                                     failed=sum(r.status == "failed" for r in municipal.values()))
    footer = text["created"].format(created=created, version=version, run=run_id)
    return f"""<!DOCTYPE html>
<html lang="{language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(text["title"])}</title>
<style>{_CSS}</style>
</head>
<body>
{banner}
<h1>{html.escape(text["title"])}</h1>
<p>{html.escape(dataset_line)} {html.escape(summary)}</p>
{_left_out_paragraph(dataset, language)}
<p class="hint">{html.escape(text["sort_hint"])}</p>
{_municipality_table(figures, municipal, text, language, year)}
{_failure_list(failed, text)}
{_overview_list(overviews, text)}
<footer><p>{html.escape(footer)}</p></footer>
<script>{_SORT_JS}</script>
</body>
</html>
"""


def write_index(run_dir: str | Path, page: str) -> Path:
    """Write ``index.html`` into the run directory atomically and return its path."""
    path = Path(run_dir) / INDEX_FILE
    write_text_atomic(path, page)
    return path
