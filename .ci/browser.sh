#!/usr/bin/env bash
# Installs what the real-browser test (tests/test_trust_browser.py) needs, when missing:
# Debian's chromium (apt) and Playwright for Python in .venv (its pip package only: Playwright's
# own browser download, `playwright install`, is never run; the test uses /usr/bin/chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
if [ -x .venv/bin/python ] && ! .venv/bin/python -c "import playwright" 2>/dev/null; then
    .venv/bin/python -m pip install --quiet "playwright>=1.65"
fi
echo "browser test: $(chromium --version 2>/dev/null | head -1); playwright $(.venv/bin/python -c 'import importlib.metadata as m; print(m.version("playwright"))' 2>/dev/null || echo absent)"
