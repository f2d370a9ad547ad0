"""Safe HTML (issue 8.2): names from the data are shown as text, never run as markup.

Tiny Demoland is renamed: municipalities, schools, neighbourhoods and providers get a script tag,
an attribute break-out with an event handler, and real non-ASCII / apostrophe names. The report
and the index must show each name literally as text and contain no element or attribute the
names would inject.
"""

from __future__ import annotations

import pytest

from npo_analysis.batch.index import render_index
from npo_analysis.batch.runner import ReportResult
from tests.trust_support import PageElements, run_batch, write_demoland

SCRIPT = "<script>alert(1)</script>"
BREAKOUT = '"><img src=x onerror=alert(1)>'
FRISIAN = "Súdwest-Fryslân"
BRABANT = "'s-Hertogenbosch"
NAMES = (SCRIPT, BREAKOUT, FRISIAN, BRABANT)


def _assert_inert(page: str, where: str) -> PageElements:
    """No element or attribute that the hostile names would create."""
    elements = PageElements(page)
    handlers = [(tag, name) for tag, attrs in elements.tags for name in attrs
                if name.lower().startswith("on")]
    assert handlers == [], f"{where}: event-handler attributes {handlers}"
    assert not any(tag == "img" and attrs.get("src") == "x" for tag, attrs in elements.tags), \
        f"{where}: injected <img> element"
    assert not any("alert(1)" in script for script in elements.scripts), \
        f"{where}: injected <script> element"
    return elements


def _result(code: str, name: str) -> ReportResult:
    return ReportResult(code=code, name=name, kind="municipality", status="ok", error=None,
                        parameters={}, duration_s=1.0, notebook=f"notebooks/{code}.ipynb",
                        html=f"reports/{code}.html", html_sha256="0" * 64, html_bytes=1,
                        input_hash="0" * 64)


def test_index_escapes_names_and_errors():
    import pandas as pd

    codes = ["GM0001", "GM0002", "GM0003", "GM0004"]
    figures = pd.DataFrame({"municipality_code": codes, "name": list(NAMES),
                            "province": [BREAKOUT, SCRIPT, "Fryslân", "Noord-Brabant"],
                            "pupils": [100, 200, 300, 400], "target_share": [0.1] * 4,
                            "score": [1.0] * 4, "goab_eur": [64000.0] * 4,
                            "npo_schools_eur": [1000.0] * 4})
    results = [_result(c, n) for c, n in zip(codes[:3], NAMES[:3], strict=True)]
    failed = _result(codes[3], BRABANT)
    failed.status, failed.error, failed.html = "failed", f"ValueError: {SCRIPT}", None
    dataset = {"name": f"demo {BREAKOUT}", "synthetic": True, "count_date": "2025-02-01"}
    page = render_index(figures, [*results, failed], year=2024, dataset=dataset,
                        run_id="20260101T000000Z", created="1 januari 2026, 12:00",
                        version="0.1.0", language="nl")
    text = _assert_inert(page, "index").text
    for name in NAMES:
        assert name in text
    assert f"ValueError: {SCRIPT}" in text and f"demo {BREAKOUT}" in text


def _rename(tables) -> None:
    """Hostile and non-ASCII names for the first four municipalities and what lies in them."""
    municipalities = tables["municipalities"].sort_values("municipality_code")
    codes = municipalities["municipality_code"].tolist()[:4]
    tables["municipalities"] = tables["municipalities"].assign(
        name=tables["municipalities"]["municipality_code"].map(dict(zip(codes, NAMES, strict=True)))
        .fillna(tables["municipalities"]["name"]))
    town = tables["neighbourhoods"].set_index("neighbourhood_code")["municipality_code"]
    for table, column in (("schools", "name"), ("neighbourhoods", "name"),
                          ("vve_locations", "provider"), ("activities", "provider")):
        frame = tables[table]
        municipality = (frame["municipality_code"] if "municipality_code" in frame
                        else frame["neighbourhood_code"].map(town))
        hostile = municipality.isin(codes[:2])
        kind = {"schools": "School", "neighbourhoods": "Wijk"}.get(table, "Aanbieder")
        names = [f"{kind} {NAMES[i % 2]} {i}" for i in range(int(hostile.sum()))]
        renamed = frame[column].copy()
        renamed[hostile] = names
        tables[table] = frame.assign(**{column: renamed})


@pytest.fixture(scope="module")
def hostile_batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    data = write_demoland(root / "data", "tiny", rename=_rename)
    import pandas as pd

    municipalities = pd.read_parquet(data / "municipalities.parquet")
    codes = sorted(municipalities["municipality_code"])[:4]
    options = [arg for code in codes for arg in ("--municipality", code)]
    done = run_batch(data, root / "out", *options)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return {"run": (root / "out" / "latest").resolve(), "codes": codes, "data": data}


@pytest.mark.slow
def test_hostile_names_show_as_text_in_index(hostile_batch):
    page = (hostile_batch["run"] / "index.html").read_text(encoding="utf-8")
    text = _assert_inert(page, "index.html").text
    for name in NAMES:
        assert name in text


@pytest.mark.slow
@pytest.mark.parametrize("position", range(4))
def test_hostile_names_show_as_text_in_report(hostile_batch, position):
    import pandas as pd

    code = hostile_batch["codes"][position]
    page = (hostile_batch["run"] / "reports" / f"{code}.html").read_text(encoding="utf-8")
    text = _assert_inert(page, f"{code}.html").text
    assert NAMES[position] in text
    if position < 2:  # its schools and neighbourhoods carry hostile names too
        for table in ("schools", "neighbourhoods"):
            frame = pd.read_parquet(hostile_batch["data"] / f"{table}.parquet")
            shown = frame.loc[frame["municipality_code"] == code, "name"]
            assert any(name in text for name in shown), f"{code}: no {table} name shown"
