"""Shared test configuration: slow tests run only with RUN_SLOW=1 (as .ci/run does)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
#: Real DUO/CBS files; absent on a user's fresh checkout, so tests that need them skip.
REALDATA = PROJECT_ROOT.parent / "shared" / "realdata"


def pytest_collection_modifyitems(config, items):
    if os.environ.get("RUN_SLOW") == "1":
        return
    skip_slow = pytest.mark.skip(reason="slow test: set RUN_SLOW=1 (as .ci/run does)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip_slow)


@pytest.fixture
def realdata() -> Path:
    """The folder of real DUO/CBS files; skips the test when it is absent."""
    if not REALDATA.is_dir():
        pytest.skip(f"real data folder {REALDATA} is absent")
    return REALDATA
