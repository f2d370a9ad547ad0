"""Hostile data in a real browser (issue 14.1): every text column of every table and the local
voice carry hostile strings, every conditional sentence is forced (VE reach below the norm in
every neighbourhood, white spots everywhere, extra challenges and goals follow from the data),
and the rendered reports are opened in headless Chromium: no script runs, and no element or
attribute comes from the data.

Hypothesis draws the hostile names (a few examples: each is a batch of reports); the
library-level property tests with many examples are in ``tests/test_trust_safe_text.py``.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_trust_browser import CHROMIUM, FLAGS, OfflinePage  # noqa: F401 (skips)
from tests.test_trust_safe_text import HOSTILE
from tests.trust_support import NOTEBOOK, PageElements, npo, write_demoland

playwright_api = pytest.importorskip("playwright.sync_api")
#: Counts every call of alert/confirm/prompt/print and every script that reports itself.
PROBE = ("window.__ran = 0; for (const f of ['alert', 'confirm', 'prompt', 'print']) "
         "{ window[f] = () => { window.__ran += 1; }; }")
TEXT_COLUMNS = {"municipalities": ("name", "province"), "schools": ("name", "denomination"),
                "neighbourhoods": ("name",), "vve_locations": ("provider",),
                "activities": ("provider",)}
hostile_names = st.lists(st.sampled_from(HOSTILE), min_size=2, max_size=4).map(" ".join)


def _hostile(tables, names: list[str], codes: list[str]) -> None:
    """Hostile names in every text column of the municipalities ``codes``; no VE place and no
    activity there (VE reach 0% and white spots everywhere)."""
    town = tables["neighbourhoods"].set_index("neighbourhood_code")["municipality_code"]
    for table, columns in TEXT_COLUMNS.items():
        frame = tables[table]
        where = (frame["municipality_code"] if "municipality_code" in frame
                 else frame["neighbourhood_code"].map(town)).isin(codes)
        for column in columns:
            values = frame[column].astype(object).copy()
            values[where] = [f"{names[i % len(names)]} {i}" for i in range(int(where.sum()))]
            frame = frame.assign(**{column: values})
        tables[table] = frame
    toddlers = tables["toddlers"]
    inside = toddlers["neighbourhood_code"].map(town).isin(codes)
    tables["toddlers"] = toddlers.assign(
        ve_location_id=toddlers["ve_location_id"].where(~inside, None))
    activities = tables["activities"]
    tables["activities"] = activities[~activities["neighbourhood_code"].map(town).isin(codes)]


def _params_with_voice(target: Path, codes: list[str], text: str) -> Path:
    shutil.copytree(Path(__file__).resolve().parents[1] / "params", target)
    voice = "\\n".join(["[click](javascript:alert(4))", text, "<img src=x onerror=alert(3)>"])
    escaped = voice.replace('"', '\\"')
    scenario = target / "scenarios" / "drempel_10.yaml"
    scenario.write_text(scenario.read_text(encoding="utf-8").replace(
        'description: "Drempel 10% in plaats van 12% voor scholen en gemeenten"',
        f'description: "{escaped}"'), encoding="utf-8")
    for code in codes:
        (target / "municipalities" / f"{code}.yaml").write_text(
            f'code: "{code}"\ncommentary:\n  data: "{escaped}"\n  duiden: "{escaped}"\n'
            f'lea_goals:\n  - text: "{escaped}"\n', encoding="utf-8")
    return target


def _probe_counts(context, page_path: Path) -> int:
    page = OfflinePage(context)
    page.page.add_init_script(PROBE)
    page.open(page_path)
    ran = page.page.evaluate("window.__ran")
    page.page.close()
    return ran


def _check_in_browser(context, page_path: Path) -> None:
    page = OfflinePage(context)
    page.page.add_init_script(PROBE)
    page.open(page_path)
    assert page.page.evaluate("window.__ran") == 0, f"{page_path.name}: a script ran"
    injected = page.page.evaluate(
        "Array.from(document.querySelectorAll('*')).flatMap(e => Array.from(e.attributes)"
        ".filter(a => a.name.startsWith('on') || /^\\s*javascript:/i.test(a.value))"
        ".map(a => e.tagName + ' ' + a.name))")
    assert injected == [], f"{page_path.name}: {injected}"
    page.page.close()


@pytest.mark.slow
@settings(max_examples=2, deadline=None, suppress_health_check=list(HealthCheck))
@given(names=st.lists(hostile_names, min_size=2, max_size=3))
def test_hostile_data_runs_no_script_in_chromium(names):
    with tempfile.TemporaryDirectory() as tmp, playwright_api.sync_playwright() as playwright:
        root = Path(tmp)
        codes = []

        def rename(tables):
            codes.extend(sorted(tables["municipalities"]["municipality_code"])[:2])
            _hostile(tables, names, codes)

        data = write_demoland(root / "data", "tiny", rename=rename)
        params = _params_with_voice(root / "params", codes, names[0])
        done = npo("reports", "--data", data, "--out", root / "out", "--year", 2024,
                   "--params", params, "--notebook", NOTEBOOK, "--workers", 2, "--quiet",
                   "--no-overviews", *[a for c in codes for a in ("--municipality", c)])
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        reports = root / "out" / "latest" / "reports"
        pages = {c: (reports / f"{c}.html").read_text(encoding="utf-8") for c in codes}
        for code, page in pages.items():
            text = PageElements(page).text
            assert "Wijken onder 80%" in text and "witte vlek" in text, code  # forced
            assert "Scenario drempel_10" in text and "href=\"javascript" not in page.lower()
            neighbourhoods = pd.read_parquet(data / "neighbourhoods.parquet")
            shown = neighbourhoods.loc[neighbourhoods["municipality_code"] == code, "name"]
            assert any(" ".join(n.split()) in text for n in shown), code
        context = playwright.chromium.launch_persistent_context(
            str(root / "profile"), executable_path=CHROMIUM, headless=True, args=FLAGS,
            chromium_sandbox=False, service_workers="block")
        try:
            control = root / "control.html"  # the probe sees a script that does run
            control.write_text("<p><img src=x onerror=alert(1)></p>", encoding="utf-8")
            assert _probe_counts(context, control) == 1
            for code in codes:
                _check_in_browser(context, reports / f"{code}.html")
            _check_in_browser(context, root / "out" / "latest" / "index.html")
        finally:
            context.close()
