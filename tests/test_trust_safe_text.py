"""Text from data is text (issue 14.1), at the library level: names put into Markdown and a
municipality's own Markdown, rendered by nbconvert's Markdown renderer (as the HTML report is),
never produce an element or attribute of their own.

Hypothesis builds hostile strings from script tags, event handlers, ``javascript:`` links,
Markdown link and emphasis syntax, entities, bidi overrides and control characters.
"""

from __future__ import annotations

import html

from hypothesis import given, settings
from hypothesis import strategies as st
from nbconvert.filters import markdown2html

from npo_analysis.safe_text import (
    ALLOWED_SCHEMES,
    ALLOWED_TAGS,
    clean_text,
    markdown_text,
    markdown_to_safe_html,
)
from tests.trust_support import PageElements

#: Fragments an attacker (or an unlucky data entry) puts into a name or a text.
HOSTILE = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "<svg onload=alert(2)>",
           "[click](javascript:alert(4))", "![x](javascript:alert(5))", "<a href=x>a</a>",
           "javascript:alert(6)", "https://evil.example/x", "<https://evil.example>", "**b**",
           "_i_", "`code`", "# heading", "- item", "1. item", "> quote", "| a | b |", "&lt;b&gt;",
           "&#60;script&#62;", "\\", "\u202e", "\u2066", "\u200f", "\x00", "\x1b[31m", "\n\n",
           "<!-- c -->", "<style>*{}</style>", "<iframe src=x>", "Súdwest-Fryslân",
           "'s-Hertogenbosch", "{{7*7}}", "$x$", "</div>", "<div onclick=alert(7)>")
hostile_text = st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=8)),
                        min_size=1, max_size=6).map("".join)


def _event_handlers(elements: PageElements) -> list:
    return [(tag, name) for tag, attrs in elements.tags for name in attrs
            if name.lower().startswith("on")]


@settings(max_examples=400, deadline=None)
@given(hostile_text)
def test_a_name_in_markdown_renders_as_its_own_text(name):
    rendered = markdown2html(f"Wijken onder 80%: {markdown_text(name)} (12%).")
    elements = PageElements(rendered)
    assert [tag for tag, _ in elements.tags] == ["p"]
    expected = " ".join(clean_text(name).split())
    assert elements.text.strip() == f"Wijken onder 80%: {expected} (12%).".strip()


@settings(max_examples=400, deadline=None)
@given(hostile_text)
def test_local_voice_markdown_is_sanitised(text):
    rendered = markdown2html(markdown_to_safe_html(text))
    elements = PageElements(rendered)
    assert {tag for tag, _ in elements.tags} <= ALLOWED_TAGS
    assert _event_handlers(elements) == []
    for tag, attrs in elements.tags:
        assert set(attrs) <= ({"href", "rel"} if tag == "a" else set()), (tag, attrs)
        if "href" in attrs:
            assert attrs["href"].split(":", 1)[0].lower() in ALLOWED_SCHEMES, attrs
    assert elements.scripts == []


def test_local_voice_keeps_emphasis_lists_and_safe_links():
    rendered = markdown_to_safe_html("**Let op**: zie [de site](https://gemeente.nl) of "
                                     "[mail](mailto:lea@gemeente.nl), niet "
                                     "[dit](javascript:alert(4)).\n\n- een\n- twee")
    elements = PageElements(markdown2html(rendered))
    links = [attrs.get("href") for tag, attrs in elements.tags if tag == "a"]
    assert links[:2] == ["https://gemeente.nl", "mailto:lea@gemeente.nl"]
    assert not any(str(link).startswith("javascript") for link in links)
    assert [tag for tag, _ in elements.tags].count("li") == 2
    assert "<strong>Let op</strong>" in rendered


def test_control_and_bidi_characters_are_removed():
    assert clean_text("Noord\u202eknil\u2066x\u2069\x00\x1f\x7f\tb\nc") == "Noordknilx\tb\nc"
    assert markdown_text("a\nb") == "a b"
    assert html.unescape(markdown2html(markdown_text("&amp;"))) .count("&amp;") == 1
