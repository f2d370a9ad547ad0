"""``fetch``: downloads from a local HTTP server on 127.0.0.1 only; offline = a closed port."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import http.server
import json
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_sources_cbs import write_score_workbook

from npo_analysis.cli.fetch import command as fetch_command
from npo_analysis.data.sources.fetch import (
    FETCH_FILE,
    PUBLIC_FILES,
    FetchError,
    fetch_public_files,
)

FIXTURES = Path(__file__).parent / "fixtures" / "realformat"
FIXTURE_OF = {"addresses": "addresses_current.csv", "pupils": "pupil_counts.csv",
              "end_scores": "end_scores.csv", "municipalities": "municipalities.csv"}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - signature of the base class
        pass


@pytest.fixture
def served(tmp_path):
    """A local server on 127.0.0.1 serving every public file under its published name."""
    root = tmp_path / "server"
    root.mkdir()
    for item in PUBLIC_FILES:
        if item.key == "scores":
            write_score_workbook(root / item.file_name)
        else:
            shutil.copy(FIXTURES / FIXTURE_OF[item.key], root / item.file_name)
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def closed_port() -> int:
    """A port on 127.0.0.1 with nothing listening (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_fetch_downloads_and_records(served, tmp_path):
    root, base = served
    out = tmp_path / "download"
    results = fetch_public_files(out, base_url=base, today=dt.date(2026, 11, 27))
    assert [r.status for r in results] == ["downloaded"] * 5
    record = json.loads((out / FETCH_FILE).read_text(encoding="utf-8"))
    for item in PUBLIC_FILES:
        served_bytes = (root / item.file_name).read_bytes()
        assert (out / item.file_name).read_bytes() == served_bytes
        entry = record[item.key]
        assert entry["sha256"] == hashlib.sha256(served_bytes).hexdigest()
        assert entry["url"] == f"{base}/{item.file_name}"
        assert entry["downloaded"] == "2026-11-27"
        assert entry["bytes"] == len(served_bytes)


def test_fetch_uses_cache_then_refresh(served, tmp_path):
    _, base = served
    out = tmp_path / "download"
    fetch_public_files(out, base_url=base)
    again = fetch_public_files(out, base_url=base)
    assert [r.status for r in again] == ["cached"] * 5
    (out / PUBLIC_FILES[0].file_name).write_bytes(b"changed by hand")
    third = fetch_public_files(out, base_url=base)
    assert [r.status for r in third] == ["downloaded"] + ["cached"] * 4
    assert [r.status for r in fetch_public_files(out, base_url=base, refresh=True)] == [
        "downloaded"] * 5


def test_fetch_without_address_skips_the_score_workbook(served, tmp_path):
    _, base = served
    # Every file that has an official address gets a local one: no other host is contacted.
    urls = {item.key: f"{base}/{item.file_name}" for item in PUBLIC_FILES if item.url}
    results = fetch_public_files(tmp_path / "d", urls=urls)
    assert {r.key: r.status for r in results}["scores"] == "skipped"
    assert sorted(r.key for r in results if r.status == "downloaded") == sorted(urls)


def test_fetch_unknown_url_name(tmp_path):
    with pytest.raises(ValueError, match="unknown public file 'adresses'"):
        fetch_public_files(tmp_path, urls={"adresses": "http://127.0.0.1:1/x"})


def test_fetch_http_error_names_url(served, tmp_path):
    _, base = served
    with pytest.raises(FetchError, match=r"/missing/duo_02.*HTTP 404"):
        fetch_public_files(tmp_path / "d", base_url=f"{base}/missing")


def test_fetch_offline_fails_fast(tmp_path):
    base = f"http://127.0.0.1:{closed_port()}"
    start = time.perf_counter()
    with pytest.raises(FetchError, match="cannot connect.*are you offline"):
        fetch_public_files(tmp_path / "d", base_url=base, timeout=2)
    assert time.perf_counter() - start < 5


def test_fetch_timeout_when_server_does_not_answer(tmp_path):
    # A listening socket that never accepts: the request waits until the time-out.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(0)
        base = f"http://127.0.0.1:{silent.getsockname()[1]}"
        start = time.perf_counter()
        with pytest.raises(FetchError, match=r"no answer within 0\.5 s|cannot connect"):
            fetch_public_files(tmp_path / "d", base_url=base, timeout=0.5)
        assert time.perf_counter() - start < 5


def test_fetch_command_offline_exit_code(tmp_path):
    base = f"http://127.0.0.1:{closed_port()}"
    result = CliRunner().invoke(fetch_command, ["--out", str(tmp_path / "d"), "--base-url", base,
                                                "--timeout", "2"])
    assert result.exit_code == 1
    assert "Error: " in result.output and "are you offline?" in result.output
    assert "Traceback" not in result.output


def test_fetch_command_prints_each_file(served, tmp_path):
    _, base = served
    urls = [f"--url={item.key}={base}/{item.file_name}" for item in PUBLIC_FILES if item.url]
    result = CliRunner().invoke(fetch_command, ["--out", str(tmp_path / "d"), *urls,
                                                "--no-geometry"])
    assert result.exit_code == 0, result.output
    assert "addresses: downloaded" in result.output
    assert "scores: skipped, no direct download address" in result.output


def test_fetch_command_bad_url_option(tmp_path):
    result = CliRunner().invoke(fetch_command, ["--out", str(tmp_path), "--url", "scores"])
    assert result.exit_code == 1
    assert "--url 'scores': expected NAME=URL" in result.output
