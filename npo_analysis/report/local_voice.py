"""The local voice: the municipality's own commentary, LEA goals and agreements.

Read from the optional ``params/municipalities/<code>.yaml`` (format in
``params/municipalities/README.md``; validated by
:func:`npo_analysis.domain.params.load_municipality_file`). The report shows the commentary of each
section beside its figures, and the LEA goals and agreements under Doelen and Doen. The text is
the municipality's own: its Markdown is rendered and sanitised with an allow-list (emphasis,
lists and http(s)/mailto links keep working, tags and other links do not).
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from npo_analysis.domain.params import LeaItem, MunicipalityOverride, load_municipality_file
from npo_analysis.formatting import MISSING
from npo_analysis.report.text import label
from npo_analysis.safe_text import clean_text, markdown_to_safe_html

SECTIONS = ("data", "duiden", "doelen", "doen")


def load_local_voice(code: str, params_dir: str | Path = "params"
                     ) -> MunicipalityOverride | None:
    """The municipality's override file, or ``None`` when it has none.

    Parameters
    ----------
    code : str
        Municipality code.
    params_dir : path-like
        The parameter directory (the file is ``<params_dir>/municipalities/<code>.yaml``).

    Returns
    -------
    MunicipalityOverride or None

    Raises
    ------
    npo_analysis.domain.params.ParamsError
        When the file exists but is invalid (naming the file and key).
    """
    path = Path(params_dir) / "municipalities" / f"{code}.yaml"
    return load_municipality_file(path) if path.is_file() else None


def commentary_markdown(voice: MunicipalityOverride | None, section: str,
                        language: str = "nl") -> str:
    """The municipality's commentary on a section as a quote, or ``""`` when none.

    The commentary is the municipality's Markdown, rendered and sanitised
    (:func:`npo_analysis.safe_text.markdown_to_safe_html`): emphasis, lists and
    http(s)/mailto links work, raw HTML and other link schemes do not. The result is one line of
    HTML, which stays one raw block when it is shown as a Markdown cell.

    Parameters
    ----------
    voice : MunicipalityOverride or None
        :func:`load_local_voice`.
    section : {"data", "duiden", "doelen", "doen"}
        The report section.
    language : {"nl", "en"}
        Language of the lead-in.

    Returns
    -------
    str
        HTML (valid Markdown too), or ``""``.
    """
    if section not in SECTIONS:
        raise ValueError(f"section={section!r}: expected one of {list(SECTIONS)}")
    text = getattr(voice.commentary, section).strip() if voice is not None else ""
    if not text:
        return ""
    name = html.escape(clean_text(voice.name or voice.code))
    lead = (f"De gemeente {name} over deze cijfers:" if language == "nl"
            else f"The municipality of {name} on these figures:")
    quote = markdown_to_safe_html(text)
    return (f'<div class="local-voice"><p><strong>{lead}</strong></p>'
            f"<blockquote>{quote}</blockquote></div>\n")


def lea_table(items: list[LeaItem], language: str = "nl", kind: str = "agreement"
              ) -> pd.DataFrame:
    """LEA goals or agreements as a table: text, partners, when, measured by.

    Parameters
    ----------
    items : list of LeaItem
        ``voice.lea_goals`` or ``voice.agreements``.
    language : {"nl", "en"}
        Language of the headers.
    kind : {"agreement", "goal"}
        Header of the text column: *Afspraak* or *Doel*.

    Returns
    -------
    pandas.DataFrame
        One row per item (empty fields shown as ``–``).
    """
    headers = {"agreement": "col.text", "goal": "col.goal"}
    if kind not in headers:
        raise ValueError(f"kind={kind!r}: expected one of {sorted(headers)}")
    return pd.DataFrame({
        label(headers[kind], language): [i.text for i in items],
        label("col.partners", language): [", ".join(i.partners) or MISSING for i in items],
        label("col.deadline", language): [i.deadline or MISSING for i in items],
        label("col.indicator", language): [i.indicator or MISSING for i in items],
    })
