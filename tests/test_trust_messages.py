"""The weaker messages and a full disk (issue 14.3 and 14.5): one clear line naming the file,
parameter or path, no traceback, no empty output folder, Ctrl-C exits 130."""

from __future__ import annotations

import errno
import signal
import time

import pytest

from npo_analysis.batch import runner
from npo_analysis.domain.params import ParamsError, load_municipality_file
from npo_analysis.errors import OutputWriteError
from tests.trust_support import PARAMS, npo, run_batch, start_npo, write_demoland


def _one_line_error(done, *parts):
    assert done.returncode != 0
    assert "Traceback" not in done.stderr + done.stdout
    lines = [line for line in done.stderr.splitlines() if line.startswith("Error")]
    assert len(lines) == 1, done.stderr
    for part in parts:
        assert part in lines[0], lines[0]
    return lines[0]


def test_non_utf8_municipality_yaml_names_the_file(tmp_path):
    path = tmp_path / "GM0001.yaml"
    path.write_bytes("code: GM0001\nname: Sn\xe9ek\n".encode("latin-1"))
    with pytest.raises(ParamsError, match=r"GM0001\.yaml: not UTF-8 text \(byte 21"):
        load_municipality_file(path)


def test_data_and_out_must_be_directories(tmp_path):
    a_file = tmp_path / "file.txt"
    a_file.write_text("x", encoding="utf-8")
    data = write_demoland(tmp_path / "data")
    _one_line_error(npo("reports", "--data", a_file, "--out", tmp_path / "o", "--params", PARAMS),
                    "--data", str(a_file), "is a file, not a directory")
    _one_line_error(npo("reports", "--data", data, "--out", a_file, "--params", PARAMS),
                    "--out", str(a_file), "is a file, not a directory")


def test_header_only_address_csv_is_an_error(tmp_path):
    header = tmp_path / "adressen.csv"
    header.write_text("VESTIGINGSNUMMER;GEMEENTENUMMER\n", encoding="utf-8")
    other = tmp_path / "x.csv"
    other.write_text("a\n1\n", encoding="utf-8")
    done = npo("import-public", "--addresses", header, "--pupils", other, "--scores", other,
               "--municipalities", other, "--out", tmp_path / "out")
    _one_line_error(done, "--addresses", str(header), "only a header row")
    assert not (tmp_path / "out").exists()


def test_reports_on_an_invalid_dataset_leave_no_out_folder(tmp_path):
    data = write_demoland(tmp_path / "data")
    (data / "schools.parquet").write_bytes(b"not parquet")
    done = run_batch(data, tmp_path / "new-out", "--all")
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert not (tmp_path / "new-out").exists()


def test_a_full_disk_gives_one_line_and_leaves_latest(tmp_path, monkeypatch):
    out = tmp_path / "out"
    (out / "20200101T000000Z").mkdir(parents=True)
    (out / "20200101T000000Z" / "index.html").write_text("old", encoding="utf-8")
    runner.point_latest(out, "20200101T000000Z")

    def full(*args, **kwargs):
        (out / "20991231T000000Z").mkdir(exist_ok=True)
        (out / "20991231T000000Z" / "part").write_bytes(b"x" * 1234)
        raise OSError(errno.ENOSPC, "No space left on device", str(out / "tables" / "t.parquet"))

    monkeypatch.setattr(runner, "_tables", full)
    data = write_demoland(tmp_path / "data")
    with pytest.raises(OutputWriteError) as caught:
        runner.run_reports(data, out, year=2024, params_dir=PARAMS, executor="serial",
                           verbose=False)
    message = str(caught.value)
    assert message.startswith(f"{out / 'tables' / 't.parquet'}: No space left on device")
    assert "1234 bytes" in message and "\n" not in message
    assert (out / "latest").resolve().name == "20200101T000000Z"
    assert (out / "latest" / "index.html").read_text(encoding="utf-8") == "old"


def test_ctrl_c_exits_130(tmp_path):
    data = write_demoland(tmp_path / "data")
    log = tmp_path / "log"
    process = start_npo("reports", "--data", data, "--out", tmp_path / "out", "--year", 2024,
                        "--params", PARAMS, "--workers", 1, "--quiet", log=log)
    time.sleep(4)
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=120) == 130, log.read_text(encoding="utf-8")[-2000:]
    assert "Traceback" not in log.read_text(encoding="utf-8")
