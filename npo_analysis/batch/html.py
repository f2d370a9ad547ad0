"""Export an executed report notebook to one self-contained HTML page with nbconvert.

The page is made by :class:`nbconvert.HTMLExporter` with the package's own template, found
through nbconvert's template mechanism (``template_name="npo_report"``, extending nbconvert's
``lab`` template, in the ``extra_template_basedirs`` directory ``npo_analysis/templates``), with
the code hidden (``exclude_input``). The page shows no code and no prompts, embeds its
charts as inline SVG (and images, such as a Matplotlib figure of one's own, as base64 PNG),
and loads nothing from another host: no require.js, MathJax, mermaid,
widgets, web fonts or external stylesheets. It adds a banner when the dataset is synthetic, a
navigation bar over the notebook's level-2 headings (``## Data``, ``## Duiden``, ``## Doelen``,
``## Doen``: nbconvert gives them the ids ``Data``, ``Duiden`` ...), a footer naming the dataset,
its count date and the package version, and one line ``Gemaakt op ...``: the only line that
differs between two exports of the same notebook. Output on stderr (warnings) and Papermill's
injected-parameters cell are left out.
"""

from __future__ import annotations

import datetime as dt
import functools
import html as html_lib
import re
from dataclasses import dataclass, field
from importlib.resources import files

from npo_analysis import __version__

TEMPLATE_NAME = "npo_report"
#: Size a report should stay under (bytes).
MAX_REPORT_BYTES = 1_500_000
NAV_PLACEHOLDER = "<!--npo-nav-->"

_MONTHS = {
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
           "september", "oktober", "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
}
_TEXT = {
    "nl": {
        "banner": "Let op: dit rapport is gemaakt met de synthetische demodataset Demoland; "
                  "de cijfers zijn niet echt.",
        "nav": "Secties",
        "dataset": "Dataset: {name}{kind}; peildatum {date}.",
        "synthetic": " (synthetisch)",
        "version": "Gemaakt met npo-analysis versie {version}.",
        "created": "Gemaakt op {date} om {time}.",
        "image": "Figuur zonder beschrijving",
    },
    "en": {
        "banner": "Note: this report was made with the synthetic demo dataset Demoland; "
                  "the figures are not real.",
        "nav": "Sections",
        "dataset": "Dataset: {name}{kind}; count date {date}.",
        "synthetic": " (synthetic)",
        "version": "Made with npo-analysis version {version}.",
        "created": "Made on {date} at {time}.",
        "image": "Figure without a description",
    },
}
_H2 = re.compile(r'<h2 id="([^"]+)"[^>]*>(.*?)</h2>', re.S)
_TAG = re.compile(r"<[^>]+>")
_EXTERNAL = re.compile(r"""\b(?:src|href|srcset|action|poster|data)\s*=\s*["']?\s*"""
                       r"""((?:https?:)?//[^"'\s>]*)""", re.I)
_CSS_URL = re.compile(r"""(?:url\(|@import)\s*["']?\s*((?:https?:)?//[^"')\s]*)""", re.I)


@dataclass(frozen=True)
class ReportContext:
    """What the page says around the notebook's content.

    Parameters
    ----------
    title : str
        Page title (``<title>``).
    dataset_name : str
        The dataset's name (``dataset.json`` ``name``).
    synthetic : bool
        Whether the dataset is synthetic (adds the banner).
    count_date : str
        The dataset's count date, ISO ``YYYY-MM-DD``.
    generated_at : datetime.datetime
        When the report was made (the ``Gemaakt op`` line).
    language : {"nl", "en"}
        Language of the page's own texts and of ``<html lang>``.
    package_version : str
        npo-analysis version named in the footer.
    """

    title: str
    dataset_name: str
    synthetic: bool
    count_date: str
    generated_at: dt.datetime
    language: str = "nl"
    package_version: str = field(default=__version__)

    @classmethod
    def from_dataset_info(cls, info: dict, title: str, generated_at: dt.datetime,
                          language: str = "nl") -> ReportContext:
        """Build a context from a ``dataset.json`` mapping (``name``, ``synthetic``,
        ``count_date``)."""
        return cls(title=title, dataset_name=info["name"], synthetic=bool(info["synthetic"]),
                   count_date=info["count_date"], generated_at=generated_at, language=language)


def long_date(value: dt.date, language: str = "nl") -> str:
    """A date written out, e.g. ``1 februari 2025`` (``nl``) or ``1 February 2025`` (``en``)."""
    return f"{value.day} {_MONTHS[language][value.month - 1]} {value.year}"


def _texts(context: ReportContext) -> dict:
    if context.language not in _TEXT:
        raise ValueError(f"language={context.language!r}: expected one of {sorted(_TEXT)}")
    text = _TEXT[context.language]
    count_date = long_date(dt.date.fromisoformat(context.count_date), context.language)
    footer = [
        text["dataset"].format(name=context.dataset_name, date=count_date,
                               kind=text["synthetic"] if context.synthetic else ""),
        text["version"].format(version=context.package_version),
        text["created"].format(date=long_date(context.generated_at.date(), context.language),
                               time=context.generated_at.strftime("%H:%M")),
    ]
    return {"banner": text["banner"] if context.synthetic else "", "nav_label": text["nav"],
            "image_alt": text["image"], "footer": footer}


def _for_readers(notebook):
    """A copy without stderr outputs (warnings are not for readers) and without Papermill's
    injected-parameters cell (no output; its random cell id would make every export differ)."""
    import nbformat

    notebook = nbformat.from_dict(notebook)
    notebook.cells = [c for c in notebook.cells
                      if "injected-parameters" not in c.get("metadata", {}).get("tags", [])]
    for cell in notebook.cells:
        if cell.get("cell_type") == "code":
            cell.outputs = [o for o in cell.outputs
                            if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
    return notebook


@functools.cache
def _exporter(language: str):
    """One configured :class:`nbconvert.HTMLExporter` per language and process: building one
    (templates, Jinja environment, filters) costs more than exporting a report, so workers
    reuse it."""
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    # Inputs are hidden (no code CSS, no magics to highlight), no cell is removed by tag or
    # pattern (_for_readers drops what readers should not see); nbconvert validates the whole
    # notebook after every preprocessor unless validation is "optimistic" (once, at the end):
    # the validations were half the export's time.
    unused = ("CSSHTMLHeaderPreprocessor", "TagRemovePreprocessor", "RegexRemovePreprocessor",
              "HighlightMagicsPreprocessor")
    return HTMLExporter(
        config=Config({name: {"enabled": False} for name in unused}),
        optimistic_validation=True,
        extra_template_basedirs=[str(files("npo_analysis") / "templates")],
        template_name=TEMPLATE_NAME,
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        language_code=language,
    )


def section_links(page: str) -> list[tuple[str, str]]:
    """``(id, text)`` of every level-2 heading of a rendered page, in order."""
    links = []
    for anchor, inner in _H2.findall(page):
        text = html_lib.unescape(_TAG.sub("", inner)).replace("¶", "").strip()
        links.append((html_lib.unescape(anchor), text))
    return links


def _with_navigation(page: str) -> str:
    items = "".join(
        f'<li><a href="#{html_lib.escape(anchor)}">{html_lib.escape(text)}</a></li>'
        for anchor, text in section_links(page)
    )
    return page.replace(NAV_PLACEHOLDER, f"<ul>{items}</ul>" if items else "", 1)


def export_html(notebook, context: ReportContext) -> str:
    """Render an executed notebook as a self-contained HTML page.

    Parameters
    ----------
    notebook : nbformat.NotebookNode or path-like
        The executed notebook, or the path of its ``.ipynb`` file.
    context : ReportContext
        Title, dataset, language and timestamp of the page.

    Returns
    -------
    str
        The page (UTF-8 text), ``<html lang="nl">`` (or ``en``).
    """
    import nbformat

    if not isinstance(notebook, nbformat.NotebookNode):
        notebook = nbformat.read(str(notebook), as_version=4)
    resources = {"npo": _texts(context), "metadata": {"name": context.title}}
    page, _ = _exporter(context.language).from_notebook_node(_for_readers(notebook),
                                                             resources=resources)
    return _with_navigation(page)


def external_references(page: str) -> list[str]:
    """URLs on another host that the page would load or link to.

    Looks at ``src``, ``href``, ``srcset``, ``action``, ``poster`` and ``data`` attributes and at
    CSS ``url(...)`` / ``@import`` for ``http://``, ``https://`` and protocol-relative ``//``
    addresses. An empty list means the page makes no request to another host.

    Parameters
    ----------
    page : str
        An HTML page.

    Returns
    -------
    list of str
        The addresses found, in order.
    """
    return _EXTERNAL.findall(page) + _CSS_URL.findall(page)
