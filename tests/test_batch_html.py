"""HTML export: self-contained, banner for synthetic data, footer, navigation, size."""

from __future__ import annotations

import base64
import datetime as dt
import difflib
import io
import re

import matplotlib
import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from npo_analysis import __version__
from npo_analysis.batch.html import (
    MAX_REPORT_BYTES,
    ReportContext,
    export_html,
    external_references,
    section_links,
)
from npo_analysis.report import plots

matplotlib.use("Agg")
WHEN = dt.datetime(2026, 1, 2, 3, 4)
FOREIGN_SVG = '<svg xmlns="http://www.w3.org/2000/svg"><rect width="4" height="4"/></svg>'


def _png() -> str:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([1, 2, 3], [3, 1, 2])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=50)
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


@pytest.fixture(scope="module")
def notebook():
    """An executed notebook as a report has it: headings, printed text, a table, a figure."""
    table = new_code_cell("frame", outputs=[new_output(
        "execute_result", data={"text/html": "<table><tr><th>Gemeente</th><td>€ 1.234</td>"
                                             "</tr></table>", "text/plain": "frame"},
        execution_count=3)])
    figure = new_code_cell("plot()", outputs=[new_output(
        "display_data", data={"image/png": _png(), "text/plain": "<Figure>"})])
    chart = plots.bar_chart(pd.DataFrame({"name": ["Demodorp <b>"], "share": [0.25]}),
                            "share", "name", value_format="pct", note="Bron: test",
                            title="Aandeel")
    charts = new_code_cell("display(chart)", outputs=[
        new_output("display_data", data={"image/svg+xml": plots.to_svg(chart),
                                         "text/plain": "chart"}),
        new_output("display_data", data={"image/svg+xml": FOREIGN_SVG, "text/plain": "svg"})])
    printed = new_code_cell("secret_code_line = 1", outputs=[
        new_output("stream", name="stdout", text="Leerlingen: 1.234\n"),
        new_output("stream", name="stderr", text="FutureWarning: not for readers\n")])
    injected = new_code_cell('municipality_code = "GM0001"')
    injected.metadata["tags"] = ["injected-parameters"]
    return new_notebook(cells=[
        new_markdown_cell("# Rapport Demodorp"), injected,
        new_markdown_cell("## Data\n\nTekst met <b>&</b>."), printed, table,
        new_markdown_cell("## Duiden"), figure, charts,
        new_markdown_cell("## Doelen"), new_markdown_cell("## Doen"),
    ])


def _context(**changes) -> ReportContext:
    values = dict(title="Rapport Demodorp", dataset_name="demoland-tiny", synthetic=True,
                  count_date="2025-02-01", generated_at=WHEN)
    return ReportContext(**{**values, **changes})


@pytest.fixture(scope="module")
def page(notebook) -> str:
    return export_html(notebook, _context())


def test_page_requests_nothing_from_another_host(page):
    assert external_references(page) == []
    assert "<script src" not in page and "mathjax" not in page.lower()
    assert "require.js" not in page and "@import" not in page


def test_reference_checker_finds_external_addresses():
    planted = ('<script src="https://cdn.example/r.js"></script><link href="//fonts.x/css">'
               '<img src="data:image/png;base64,AAA"><a href="#Data">x</a>'
               '<style>body{background:url("http://x.nl/a.png")}</style>')
    assert external_references(planted) == ["https://cdn.example/r.js", "//fonts.x/css",
                                            "http://x.nl/a.png"]


def test_banner_only_for_synthetic_data(notebook, page):
    banner = ("Let op: dit rapport is gemaakt met de synthetische demodataset Demoland; "
              "de cijfers zijn niet echt.")
    assert page.count(banner) == 1
    assert page.index("<body") < page.index(banner) < page.index('<h1 id="Rapport-Demodorp"')
    real = export_html(notebook, _context(synthetic=False, dataset_name="cbs-2025"))
    assert banner not in real and "class=\"npo-banner\"" not in real


def test_footer_names_dataset_count_date_version_and_time(page):
    footer = page[page.index('<footer class="npo-footer">'):]
    assert "Dataset: demoland-tiny (synthetisch); peildatum 1 februari 2025." in footer
    assert f"Gemaakt met npo-analysis versie {__version__}." in footer
    assert "Gemaakt op 2 januari 2026 om 03:04." in footer


def test_navigation_links_the_four_sections(page):
    assert section_links(page) == [("Data", "Data"), ("Duiden", "Duiden"),
                                   ("Doelen", "Doelen"), ("Doen", "Doen")]
    nav = page[page.index("<nav"):page.index("</nav>")]
    for anchor in ("Data", "Duiden", "Doelen", "Doen"):
        assert f'href="#{anchor}"' in nav and f'id="{anchor}"' in page


def test_content_without_code_prompts_or_warnings(page):
    assert '<html lang="nl">' in page
    assert "Leerlingen: 1.234" in page and "€ 1.234" in page
    assert "secret_code_line" not in page and "In&nbsp;[" not in page
    assert "injected-parameters" not in page  # papermill gives that cell a random id
    assert "FutureWarning" not in page
    assert 'src="data:image/png;base64,' in page
    assert "Tekst met <b>&amp;</b>." in page


def test_phone_and_print_css(page):
    assert 'name="viewport"' in page and "@media print" in page
    assert "max-width" in page and "overflow-x: auto" in page


def test_size_limit(page):
    assert len(page.encode("utf-8")) < MAX_REPORT_BYTES


def test_only_the_timestamp_line_differs_between_exports(notebook):
    first = export_html(notebook, _context()).splitlines()
    later = export_html(notebook, _context(generated_at=WHEN + dt.timedelta(days=40,
                                                                           minutes=7)))
    changed = [line for line in difflib.unified_diff(first, later.splitlines(), lineterm="",
                                                     n=0)
               if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert changed == ["-<p>Gemaakt op 2 januari 2026 om 03:04.</p>",
                       "+<p>Gemaakt op 11 februari 2026 om 03:11.</p>"]


def test_english_page(notebook):
    page = export_html(notebook, _context(language="en"))
    assert '<html lang="en">' in page
    assert "Note: this report was made with the synthetic demo dataset Demoland" in page
    assert "count date 1 February 2025" in page


def test_reads_a_notebook_file(notebook, tmp_path):
    path = tmp_path / "report.ipynb"
    nbformat.write(notebook, path)
    assert "Leerlingen: 1.234" in export_html(path, _context())


def test_unknown_language_is_refused(notebook):
    with pytest.raises(ValueError, match="language='fr'"):
        export_html(notebook, _context(language="fr"))


def test_our_charts_are_inline_svg_other_svg_an_image(page):
    # nbconvert's HTMLExporter re-serialises the page (BeautifulSoup): attributes sorted
    assert len(re.findall(r'<svg [^>]*class="npo-chart"', page)) == 1
    chart = page[page.index('class="npo-chart"'):page.index("</svg>")]
    assert "Demodorp &lt;b&gt;" in chart and "Bron: test" in chart  # text, escaped
    foreign = base64.b64encode(FOREIGN_SVG.encode()).decode()
    assert f'src="data:image/svg+xml;base64,{foreign}"' in page
    assert "<rect width=\"4\"" not in page


def test_images_have_alternative_text_and_outputs_are_focusable(page):
    assert page.count('<img alt="Figuur zonder beschrijving" ') == 2  # the PNG and foreign SVG
    areas = re.findall(r'<div [^>]*class="[^"]*\bjp-OutputArea-output\b[^>]*>', page)
    assert len(areas) == 5  # text, table, PNG, 2 SVG: each focusable (set by HTMLExporter)
    assert all(' tabindex="0"' in area for area in areas)
