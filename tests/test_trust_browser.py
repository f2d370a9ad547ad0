"""Real browser (issue 8.6): the reports and ``index.html`` in headless Chromium, offline.

Debian's ``chromium`` is driven by Playwright for Python (``executable_path``; Playwright's own
browser download is never used). Every request that is not for a ``file:`` or ``data:`` URL is
aborted and counted. Checked: the page renders (title, headings, every image decoded), no
request leaves the file, no console error or uncaught exception, the section navigation jumps
to each section, and the index table sorts by a column (both directions). Screenshots are saved
to ``outputs/test-artifacts/browser/``. Skips when Chromium or Playwright is absent
(``.ci/browser.sh`` installs Chromium for CI).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from tests.trust_support import ROOT, shared_batch

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "outputs" / "test-artifacts" / "browser"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
#: URLs that stay on this machine; ``file://host/...`` (a protocol-relative ``//host`` seen from a
#: file page) names another host and counts as leaving.
LOCAL_PREFIXES = ("file:///", "data:", "about:", "blob:")

playwright_api = pytest.importorskip("playwright.sync_api",
                                     reason="Playwright for Python is not installed")
if not Path(CHROMIUM).is_file():
    pytest.skip(f"Chromium not found at {CHROMIUM} (install with .ci/browser.sh)",
                allow_module_level=True)


class OfflinePage:
    """A browser page that blocks and counts every non-local request and records errors."""

    def __init__(self, context):
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.page = context.new_page()
        self.page.route("**/*", self._route)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith(LOCAL_PREFIXES):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def _console(self, message) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text}")

    def open(self, path: Path) -> None:
        self.page.goto(path.as_uri(), wait_until="load")

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        target = ARTIFACTS / name
        self.page.screenshot(path=str(target), full_page=True)
        return target


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as playwright, \
            tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=FLAGS,
            chromium_sandbox=False, service_workers="block",
            viewport={"width": 1200, "height": 900})
        yield context
        context.close()


def test_the_harness_blocks_and_counts_outside_requests(browser, tmp_path):
    page = tmp_path / "leaky.html"
    page.write_text('<!DOCTYPE html><html><head><title>t</title>'
                    '<script src="https://cdn.example.org/require.js"></script></head>'
                    '<body><h1>t</h1><img src="//images.example.org/x.png">'
                    '<script>console.error("kapot")</script></body></html>', encoding="utf-8")
    view = OfflinePage(browser)
    view.open(page)
    assert sorted(view.blocked) == ["file://images.example.org/x.png",
                                    "https://cdn.example.org/require.js"]
    assert "console: kapot" in view.errors
    view.page.close()


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    return shared_batch(tmp_path_factory, "tiny")


def _assert_rendered(view: OfflinePage) -> None:
    page = view.page
    assert page.title().strip()
    assert page.locator("h1").count() >= 1 and page.locator("h1").first.is_visible()
    broken = page.evaluate("Array.from(document.images)"
                           ".filter(i => !(i.complete && i.naturalWidth > 0)).length")
    assert broken == 0, "images that did not load"


def _section_top(page, anchor: str) -> float:
    """Distance of a section's heading from the top of the viewport (below a sticky nav bar)."""
    return page.evaluate(f"document.getElementById({anchor!r}).getBoundingClientRect().top")


@pytest.mark.slow
def test_reports_render_offline_and_navigate(browser, run_dir):
    reports = sorted((run_dir / "reports").glob("*.html"))
    assert reports
    for path in reports:
        view = OfflinePage(browser)
        view.open(path)
        _assert_rendered(view)
        links = view.page.locator("nav a")
        anchors = [links.nth(i).get_attribute("href") for i in range(links.count())]
        if path.stem.startswith("GM"):
            assert anchors == ["#Data", "#Duiden", "#Doelen", "#Doen"]
        for i, anchor in enumerate(anchors):
            links.nth(i).click()
            view.page.wait_for_function(f"location.hash === {anchor!r}")
            top = _section_top(view.page, anchor[1:])
            height = view.page.evaluate("window.innerHeight")
            assert 0 <= top < height, f"{path.name}: {anchor} not scrolled into view ({top})"
        view.screenshot(f"{path.stem}.png")
        assert view.errors == [], f"{path.name}: {view.errors}"
        assert view.blocked == [], f"{path.name}: requests that left the file: {view.blocked}"
        view.page.close()


def _column_values(page, column: int) -> list[float]:
    return page.evaluate(
        "c => Array.from(document.querySelectorAll('table.sortable tbody tr'))"
        ".map(r => parseFloat(r.cells[c].getAttribute('data-sort')))", column)


@pytest.mark.slow
def test_index_renders_offline_and_sorts(browser, run_dir):
    view = OfflinePage(browser)
    view.open(run_dir / "index.html")
    _assert_rendered(view)
    headers = view.page.locator("table.sortable th")
    texts = [headers.nth(i).inner_text().strip() for i in range(headers.count())]
    column = texts.index("Leerlingen")
    original = _column_values(view.page, column)
    assert len(original) >= 2 and original != sorted(original, reverse=True)
    headers.nth(column).click()
    assert _column_values(view.page, column) == sorted(original)
    assert headers.nth(column).get_attribute("aria-sort") == "ascending"
    headers.nth(column).click()
    assert _column_values(view.page, column) == sorted(original, reverse=True)
    view.screenshot("index-sorted.png")
    links = view.page.locator("table.sortable a")
    assert links.count() >= 1
    links.first.click()
    view.page.wait_for_load_state("load")
    assert view.page.url.endswith(".html") and "/reports/" in view.page.url
    assert view.errors == [], view.errors
    assert view.blocked == [], f"requests that left the file: {view.blocked}"
