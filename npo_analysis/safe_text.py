"""Text from data stays text: names and free texts made safe for Markdown and HTML.

Names of municipalities, schools, neighbourhoods and providers, and the municipality's own texts
(``params/municipalities/<code>.yaml``), end up in Markdown cells that nbconvert renders to HTML,
and that renderer passes raw HTML through. So every value from data is escaped before it enters
Markdown:

- :func:`clean_text` drops control characters (U+0000-U+001F except tab and newline, U+007F-U+009F)
  and the bidirectional overrides and isolates that make text read differently from how it is
  stored (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C);
- :func:`markdown_text` backslash-escapes every ASCII punctuation character (CommonMark allows
  that for all of them), so ``<``, ``[``, ``*`` or ``https://`` cannot become a tag, a link,
  emphasis or an autolink, and joins lines so that a name cannot start a heading or a list;
- :func:`markdown_names` does that for the name columns of a table before a sentence is built
  from it;
- :func:`markdown_to_safe_html` renders a municipality's Markdown (lists, emphasis, links) and
  sanitises the result with the allow-list sanitiser nh3: only a few text tags survive, and links
  only with ``http``, ``https`` or ``mailto``.
"""

from __future__ import annotations

import re
import string

import pandas as pd

#: Characters removed from names and texts: C0/C1 controls (tab and newline kept) and the
#: bidirectional embedding, override, isolate and mark characters.
UNSAFE_CHARACTERS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
#: Tags the municipality's Markdown may produce.
ALLOWED_TAGS = frozenset({"p", "br", "em", "strong", "ul", "ol", "li", "a", "blockquote", "code"})
#: Link schemes the municipality's Markdown may use.
ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})
_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")


def clean_text(value) -> str:
    """``value`` as text without control and bidirectional-override characters.

    Parameters
    ----------
    value : object
        A name or text (``None`` gives ``""``).

    Returns
    -------
    str

    Examples
    --------
    >>> clean_text("Noord\\u202eknil") == "Noordknil", clean_text("a\\x00b\\tc")
    (True, 'ab\\tc')
    """
    if value is None:
        return ""
    return UNSAFE_CHARACTERS.sub("", str(value))


def unsafe_characters(value) -> list[str]:
    """The characters :func:`clean_text` would remove, as ``U+XXXX`` codes (for a note)."""
    return [f"U+{ord(c):04X}" for c in UNSAFE_CHARACTERS.findall(str(value))]


def clean_table_text(table: str, frame: pd.DataFrame, columns) -> tuple[pd.DataFrame, list[str]]:
    """``frame`` with :func:`clean_text` applied to the text ``columns``, and one note per
    column that changed.

    Parameters
    ----------
    table : str
        Table name (for the notes).
    frame : pandas.DataFrame
        The table.
    columns : iterable of str
        Free-text columns (names); absent ones are skipped.

    Returns
    -------
    (pandas.DataFrame, list of str)
        The cleaned table (the same object when nothing changed) and notes such as
        ``"neighbourhoods.name: removed control or bidirectional-override characters
        (U+202E) from 1 value (row 3)"``.
    """
    notes, changed = [], {}
    for column in (c for c in columns if c in frame.columns):
        values = frame[column]
        text = values.map(lambda v: isinstance(v, str) and bool(UNSAFE_CHARACTERS.search(v)))
        if not text.any():
            continue
        rows = [i for i, bad in enumerate(text.to_numpy()) if bad]
        codes = sorted({c for v in values[text] for c in unsafe_characters(v)})
        shown = ", ".join(map(str, rows[:5])) + (", ..." if len(rows) > 5 else "")
        notes.append(f"{table}.{column}: removed control or bidirectional-override characters "
                     f"({', '.join(codes)}) from {len(rows)} value{'s' * (len(rows) > 1)} "
                     f"(row{'s' * (len(rows) > 1)} {shown})")
        changed[column] = values.where(~text, values[text].map(clean_text))
    return (frame.assign(**changed) if changed else frame), notes


def markdown_text(value) -> str:
    """``value`` as literal text inside Markdown: cleaned, on one line, punctuation escaped.

    Parameters
    ----------
    value : object
        A name or other text from data.

    Returns
    -------
    str
        Markdown that renders exactly as the cleaned text, never as a tag, link or emphasis.

    Examples
    --------
    >>> markdown_text("<b>[x](javascript:y)</b>")
    '\\\\<b\\\\>\\\\[x\\\\]\\\\(javascript\\\\:y\\\\)\\\\</b\\\\>'
    """
    one_line = " ".join(clean_text(value).split())
    return _PUNCTUATION.sub(r"\\\1", one_line)


def markdown_names(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """A copy of ``frame`` whose text ``columns`` are :func:`markdown_text` (for sentences).

    Parameters
    ----------
    frame : pandas.DataFrame
        A table with names.
    *columns : str
        The columns to escape (missing columns are skipped).

    Returns
    -------
    pandas.DataFrame
    """
    present = [c for c in columns if c in frame.columns]
    return frame.assign(**{c: frame[c].map(markdown_text) for c in present})


def markdown_to_safe_html(text: str) -> str:
    """A municipality's Markdown as sanitised HTML on one line.

    Parameters
    ----------
    text : str
        Markdown (emphasis, lists, links); raw HTML in it is shown as text.

    Returns
    -------
    str
        HTML with only :data:`ALLOWED_TAGS`, ``href`` only on links and only with
        :data:`ALLOWED_SCHEMES` (a relative link, e.g. the ``#harmful-link`` mistune puts for
        ``javascript:``, loses its ``href``); newlines replaced by spaces so that the HTML stays one
        block when it is put into a Markdown cell.
    """
    import mistune
    import nh3

    rendered = mistune.create_markdown(escape=True)(clean_text(text))
    safe = nh3.clean(rendered, tags=set(ALLOWED_TAGS), attributes={"a": {"href"}},
                     url_schemes=set(ALLOWED_SCHEMES), link_rel="noopener noreferrer nofollow",
                     strip_comments=True, attribute_filter=_absolute_links_only)
    return " ".join(safe.split("\n")).strip()


def _absolute_links_only(tag: str, attribute: str, value: str) -> str | None:
    """nh3's attribute filter: keep ``href`` only when it names an allowed scheme."""
    if attribute == "href" and value.split(":", 1)[0].strip().lower() not in ALLOWED_SCHEMES:
        return None
    return value
