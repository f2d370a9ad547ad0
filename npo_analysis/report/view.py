"""What the notebook shows: Markdown sentences, HTML tables and captions built from ReportData.

The notebook holds no logic: each cell calls one function here (or in the section modules) and
displays the result with ``IPython.display.Markdown`` / ``HTML``. Tables are rendered by
:func:`html_table`, which escapes every value.
"""

from __future__ import annotations

import html
import urllib.parse

import pandas as pd

from npo_analysis import __version__
from npo_analysis.formatting import format_count, format_date, format_eur, format_pct, is_missing
from npo_analysis.report.availability import indicator_note
from npo_analysis.report.inputs import ReportData
from npo_analysis.report.key_figures import key_figures
from npo_analysis.report.spread import has_bands
from npo_analysis.report.text import label
from npo_analysis.safe_text import markdown_text


def html_table(frame: pd.DataFrame, caption: str = "") -> str:
    """An HTML table of text cells, every value and header escaped, no index.

    Parameters
    ----------
    frame : pandas.DataFrame
        Already formatted text (the ``*_display`` / ``*_table`` functions).
    caption : str
        Optional caption line under the table (escaped).

    Returns
    -------
    str
    """
    table = frame.to_html(index=False, escape=True, border=0, classes="report-table")
    note = f'<p class="caption"><small>{html.escape(caption)}</small></p>' if caption else ""
    return f'<div class="table-wrapper">{table}</div>{note}'


def source_note(data: ReportData, budgets: bool = False) -> str:
    """The source line of a figure: dataset, count date and (optionally) the budget year.

    Parameters
    ----------
    data : ReportData
        The report's inputs.
    budgets : bool
        Also name the budget year's parameter file and its count date.

    Returns
    -------
    str
        E.g. ``Bron: demoland-tiny (synthetisch), teldatum 1 februari 2025; berekening
        npo-analysis 0.1.0``.
    """
    lang = data.language
    kind = (" (synthetisch)" if lang == "nl" else " (synthetic)") if data.info.synthetic else ""
    date = format_date(data.info.count_date, lang)
    if lang == "nl":
        text = f"Bron: {data.info.name}{kind}, teldatum {date}"
    else:
        text = f"Source: {data.info.name}{kind}, count date {date}"
    if budgets:
        year = data.params.year
        text += (f"; budgetten {year}: params/{year}.yaml" if lang == "nl"
                 else f"; budgets {year}: params/{year}.yaml")
    calc = "berekening" if lang == "nl" else "computed with"
    return f"{text}; {calc} npo-analysis {__version__}"


def group_names(data: ReportData) -> dict[str, str]:
    """Column headers of the comparison groups of the key figures table."""
    lang = data.language
    return {"municipality": str(data.municipality["name"]),
            "province": label("group.province", lang, name=data.municipality["province"]),
            "peers": label("group.peers", lang, n=len(data.peers)),
            "netherlands": label("group.netherlands", lang)}


def title_markdown(data: ReportData) -> str:
    """The report's title and a short introduction to the 4D cycle."""
    name, year = markdown_text(data.municipality["name"]), data.params.year  # data: escape
    if data.language == "nl":
        return (f"# Onderwijsachterstanden in {name}: begrotingsjaar {year}\n\n"
                "Dit rapport volgt de cyclus van opbrengstgericht werken in 4D: **Data** (de "
                "cijfers), **Duiden** (wat ze betekenen, vergeleken met het land en vergelijkbare "
                "gemeenten), **Doelen** (meetbare doelen uit de verschillen) en **Doen** (het geld "
                "en wat ermee gebeurt).")
    return (f"# Education disadvantage in {name}: budget year {year}\n\n"
            "This report follows the 4D cycle: **Data** (the figures), **Duiden** (what they "
            "mean, compared with the country and similar municipalities), **Doelen** "
            "(measurable goals from the gaps) and **Doen** (the money and what it is spent on).")


def key_figures_markdown(data: ReportData) -> str:
    """Two sentences summarising the key figures against the Netherlands.

    Without toddlers (a public dataset) the first sentence says their number is unknown and the
    target share is that of the pupils.
    """
    figures = key_figures(data.profile, data.code, data.peers).set_index("figure")
    lang, own = data.language, figures["municipality"]
    name = markdown_text(data.municipality["name"])  # names come from data: escape
    share, national = (format_pct(figures.loc["target_share", g], 1, lang)
                       for g in ("municipality", "netherlands"))
    pupils, schools = format_count(own["pupils"], lang), format_count(own["schools"], lang)
    toddlers, goab = format_count(own["toddlers"], lang), format_eur(own["goab_eur"], 0, lang)
    unknown = is_missing(own["toddlers"])
    one = own["schools"] == 1
    if lang == "nl":
        schools += " school" if one else " scholen"
        counts = (f"{name} telt {pupils} leerlingen op {schools}; het aantal peuters is "
                  "onbekend (het staat niet in de openbare bestanden). Van de leerlingen"
                  if unknown else
                  f"{name} telt {pupils} leerlingen op {schools} en {toddlers} peuters. "
                  "Van deze kinderen")
        return (f"{counts} hoort {share} bij de doelgroep (Nederland: {national}). "
                f"Het GOAB-budget voor {data.params.year} is {goab}.")
    schools += " school" if one else " schools"
    counts = (f"{name} has {pupils} pupils at {schools}; the number of toddlers is "
              f"unknown (it is not in the public files). {share} of the pupils"
              if unknown else
              f"{name} has {pupils} pupils at {schools} and {toddlers} toddlers. "
              f"{share} of these children")
    return (f"{counts} are in the target group (the Netherlands: {national}). "
            f"The GOAB budget for {data.params.year} is {goab}.")


def definitions_markdown(data: ReportData) -> str:
    """How the key figures are defined (a small print paragraph)."""
    if not data.national.has_microdata:
        return _published_definitions(data.language)
    if data.language == "nl":
        return ("<small>Aandeel doelgroepkinderen = doelgroepkinderen / (leerlingen + peuters). "
                "Doelgroep: de 15% leerlingen met de laagste onderwijsscore in het land; peuters "
                "onder dezelfde grens tellen mee. Provincie en Nederland tellen de gemeente "
                "mee; vergelijkbare gemeenten niet. Aandelen en bedragen per kind zijn berekend "
                "uit de totalen van de groep.</small>")
    return ("<small>Share of target-group children = target-group children / (pupils + "
            "toddlers). Target group: the 15% of pupils nationally with the lowest onderwijsscore; "
            "toddlers below the same boundary count. Province and the Netherlands include the "
            "municipality; peers do not. Shares and amounts per child are computed from the "
            "group's totals.</small>")


def _published_definitions(language: str) -> str:
    """:func:`definitions_markdown` for published scores (no toddlers, estimated target)."""
    if language == "nl":
        return ("<small>Zonder peuters: aandeel doelgroepkinderen = doelgroepleerlingen / "
                "leerlingen, en de achterstandsscores van de gemeenten tellen alleen de "
                "leerlingen van hun scholen. Doelgroep: de 15% leerlingen met de laagste "
                "onderwijsscore in het land; het aantal doelgroepleerlingen per school is "
                "geschat uit de gepubliceerde score (A / (C − G)). Provincie en Nederland tellen "
                "de gemeente mee; vergelijkbare gemeenten niet. Aandelen en bedragen per kind "
                "zijn berekend uit de totalen van de groep.</small>")
    return ("<small>Without toddlers: share of target-group children = target-group pupils / "
            "pupils, and the municipalities' disadvantage scores count only the pupils of their "
            "schools. Target group: the 15% of pupils nationally with the lowest onderwijsscore; "
            "the number of target-group pupils per school is estimated from the published score "
            "(A / (C − G)). Province and the Netherlands include the municipality; peers do "
            "not. Shares and amounts per child are computed from the group's totals.</small>")


def public_data_markdown(data: ReportData) -> str:
    """How the scores were obtained without microdata, and what to add for the full municipal
    score (:func:`npo_analysis.report.availability.indicator_note` and the ``municipal_score``
    notice); ``""`` for a dataset with microdata.

    Parameters
    ----------
    data : ReportData
        The report's inputs.

    Returns
    -------
    str
        Markdown.
    """
    note = indicator_note(data.national, data.language)
    if note is None:
        return ""
    notice = data.notice("municipal_score")
    return note if notice is None else f"{note}\n\n{notice.markdown()}"


def school_notes_markdown(data: ReportData, table: pd.DataFrame) -> str:
    """The notes under the school table: CBS flags, the uncertainty band (when shown) or the
    notice naming what it needs, and the suppression of small counts.

    Parameters
    ----------
    data : ReportData
        The report's inputs.
    table : pandas.DataFrame
        :func:`npo_analysis.report.spread.school_table`.

    Returns
    -------
    str
        Markdown.
    """
    lang = data.language
    keys = ("flag.note", "band.note", "suppression.note") if has_bands(table) \
        else ("flag.note", "suppression.note")
    notes = " ".join(label(k, lang) for k in keys)
    notice = data.notice("uncertainty")
    return notes if notice is None or has_bands(table) else f"{notes}\n\n{notice.markdown()}"


def peers_markdown(data: ReportData) -> str:
    """Which municipalities are the peers and why (:func:`npo_analysis.domain.peers.peer_rule`)."""
    from npo_analysis.domain.peers import peer_characteristics
    from npo_analysis.report.peers_view import peer_rule_markdown

    names = data.profile.set_index("municipality_code").loc[data.peers, "name"].tolist()
    return peer_rule_markdown(names, data.peers_chosen, data.language,
                              peer_characteristics(data.profile))


def trend_markdown(data: ReportData) -> str:
    """What the trend chart shows and where its limits are (method breaks, one count date)."""
    from npo_analysis.domain.peers import method_breaks

    breaks = "; ".join(f"{y}: {t}" for y, t in zip(*(method_breaks(data.language)[c]
                                                    for c in ("count_year", "text")),
                                                  strict=True))
    if data.language == "nl":
        return (f"De stippellijnen markeren methodebreuken ({breaks}): cijfers aan weerszijden "
                "zijn niet zonder meer vergelijkbaar. Alle begrotingsjaren gebruiken de scores "
                "van de ene teldatum van deze dataset.")
    return (f"Dotted lines mark method breaks ({breaks}): figures on either side are not "
            "directly comparable. Every budget year uses the scores of this dataset's one "
            "count date.")


def scenario_markdown(effect, language: str = "nl") -> str:
    """One paragraph on what a what-if scenario changes for the municipality and its schools.

    Parameters
    ----------
    effect : npo_analysis.report.money.ScenarioEffect
        The scenario's effect on the municipality.
    language : {"nl", "en"}
        Language.

    Returns
    -------
    str
    """
    goab_now = format_eur(effect.goab_base_eur, 0, language)
    goab_alt = format_eur(effect.goab_alternative_eur, 0, language)
    goab_diff = format_eur(effect.goab_difference_eur, 0, language)
    schools = format_eur(effect.schools_difference_eur, 0, language)
    description = markdown_text(effect.description)
    if language == "nl":
        return (f"**Scenario {markdown_text(effect.name)}** – {description} (vergeleken met "
                f"{effect.base_year}). Het GOAB-budget gaat van {goab_now} naar {goab_alt} "
                f"(verschil {goab_diff}); de NPO-budgetten van de scholen samen veranderen met "
                f"{schools}.")
    return (f"**Scenario {markdown_text(effect.name)}** – {description} (compared with "
            f"{effect.base_year}). The GOAB budget goes from {goab_now} to {goab_alt} "
            f"(difference {goab_diff}); the schools' NPO budgets together change by {schools}.")


def national_title_markdown(data: ReportData) -> str:
    """Title and introduction of the national overview."""
    count = format_count(len(data.profile), data.language)
    if data.language == "nl":
        return (f"# Landelijk overzicht: begrotingsjaar {data.params.year}\n\n"
                f"Alle {count} gemeenten van {markdown_text(data.info.name)}: hoe de behoefte "
                "(doelgroepkinderen) en het geld (GOAB en NPO) over het land verdeeld zijn, en "
                "wat de wat-als-scenario's zouden veranderen.")
    return (f"# National overview: budget year {data.params.year}\n\n"
            f"All {count} municipalities of {markdown_text(data.info.name)}: how need "
            "(target-group children) and money (GOAB and NPO) are spread over the country, and "
            "what the what-if scenarios would change.")


def indicator_title_markdown(data: ReportData) -> str:
    """Title and introduction of the indicator notebook for researchers (what it can show
    depends on whether the indicator was computed from microdata or published scores)."""
    nl = data.language == "nl"
    title = ("# De achterstandsindicator onder de loep" if nl
             else "# The disadvantage indicator up close")
    if not data.national.has_microdata:
        return title + ("\n\nVoor onderzoekers: hoe de gepubliceerde CBS-schoolscores zijn "
                        "gebruikt (de schatting van C − G en hoeveel scores daarmee "
                        "terugkomen), en wat er zonder leerlinggegevens ontbreekt." if nl else
                        "\n\nFor researchers: how the published CBS school scores were used "
                        "(the estimate of C − G and how many scores it reproduces), and what "
                        "is missing without pupil data.")
    if nl:
        return (title + "\n\nVoor onderzoekers: het model van de eindtoetsscore (coëfficiënten "
                "met standaardfouten), de diagnostiek en de spreiding die de imputatie van het "
                "ontbrekende opleidingsniveau van de ouders geeft.")
    return (title + "\n\nFor researchers: the end-score model (coefficients with standard "
            "errors), its diagnostics and the spread the imputation of missing parental "
            "education gives.")


def export_markdown(workbook, language: str = "nl") -> str:
    """The link to the municipality's Excel workbook, relative (it sits next to the report).

    Parameters
    ----------
    workbook : pathlib.Path
        The written workbook (:func:`npo_analysis.report.workbook.write_report_workbook`).
    language : {"nl", "en"}
        Language.

    Returns
    -------
    str
    """
    return label("export.link", language, file=markdown_text(workbook.name),
                 href=urllib.parse.quote(workbook.name))
