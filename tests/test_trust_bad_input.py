"""Bad input (issue 8.3): each broken input gives one clear message naming what and where, a
non-zero exit, no traceback, and leaves earlier outputs untouched.

Every case runs the real command line in a subprocess. Before it runs, its output folder holds a
good earlier output (a finished report run that ``latest`` points at, or a complete table
folder); afterwards every earlier file must be byte-identical and ``latest`` unchanged.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from npo_analysis.cli.errors import user_message
from tests.trust_support import NOTEBOOK, PARAMS, ROOT, YEAR, cli_env, npo, write_demoland

EARLIER_RUN = "20200101T000000Z"


@dataclass(frozen=True)
class Case:
    """One broken input: how to make it, the command, and the message expected on stderr."""

    name: str
    make: str          # name of the function below that breaks a copy of the inputs
    command: tuple     # arguments; {data}, {out}, {params}, {file} are filled in
    message: str       # regular expression the stderr message must match
    exit_code: int = 1
    slow: bool = False  # builds the national tables first (> 5 s)


def _truncate_parquet(data: Path, params: Path) -> None:
    path = data / "schools.parquet"
    path.write_bytes(path.read_bytes()[:500])


def _utf16_csv(data: Path, params: Path) -> None:
    text = ("INSTELLINGSCODE;VESTIGINGSCODE;PROVINCIE;BEVOEGD GEZAG NUMMER;VESTIGINGSNAAM;"
            "POSTCODE;PLAATSNAAM;GEMEENTENUMMER;GEMEENTENAAM;DENOMINATIE;VAKANTIEREGIO\n"
            "00AP;00AP00;Fryslân;1;De Wâlden;8401AB;Gorredijk;1940;De Fryske Marren;"
            "Openbaar;Noord\n")
    (data / "vestigingen.csv").write_bytes(text.encode("utf-16"))  # Excel's "Unicode text"


def _edit_schools(data: Path, change) -> None:
    path = data / "schools.parquet"
    change(pd.read_parquet(path)).to_parquet(path, index=False)


def _missing_column(data: Path, params: Path) -> None:
    _edit_schools(data, lambda t: t.drop(columns=["pupils"]))


def _duplicate_key(data: Path, params: Path) -> None:
    _edit_schools(data, lambda t: pd.concat([t, t.iloc[[0]]], ignore_index=True))


def _negative_pupils(data: Path, params: Path) -> None:
    _edit_schools(data, lambda t: t.assign(pupils=t["pupils"].where(t.index != 3, -5)))


def _unknown_yaml_key(data: Path, params: Path) -> None:
    with open(params / f"{YEAR}.yaml", "a", encoding="utf-8") as handle:
        handle.write("goab_totaal: 486000000\n")


def _octal_code(data: Path, params: Path) -> None:
    (params / "municipalities" / f"{_first_code(data)}.yaml").write_text(
        f"code: {_first_code(data)[2:]}\npeers: []\n", encoding="utf-8")


def _nothing(data: Path, params: Path) -> None:
    return None


def _first_code(data: Path) -> str:
    return sorted(pd.read_parquet(data / "municipalities.parquet")["municipality_code"])[0]


REPORTS = ("reports", "--data", "{data}", "--out", "{out}", "--params", "{params}",
           "--notebook", str(NOTEBOOK), "--year", str(YEAR), "--quiet", "--workers", "1")
INDICATOR = ("indicator", "--data", "{data}", "--out", "{out}/tables", "--rounds", "2")
CASES = [
    Case("truncated Parquet", "_truncate_parquet", INDICATOR,
         r"^Error: \S+/schools\.parquet: not a readable Parquet file"),
    Case("CSV in the wrong encoding", "_utf16_csv",
         ("import-public", "--addresses", "{data}/vestigingen.csv", "--pupils",
          "{data}/vestigingen.csv", "--scores", "{data}/vestigingen.csv", "--municipalities",
          "{data}/vestigingen.csv", "--out", "{out}/tables"),
         r"^Error: \S+/vestigingen\.csv: .*(?i:UTF-16|encoding)"),
    Case("missing column", "_missing_column", INDICATOR,
         r"^schools\.pupils: required column is missing; expected an int column"),
    Case("duplicate key", "_duplicate_key", INDICATOR,
         r"^schools\.school_id: duplicate key in 2 rows \(rows 0, \d+: '(\w+)', '\1'\); "
         r"expected each school_id only once"),
    Case("negative pupil count", "_negative_pupils", INDICATOR,
         r"^schools\.pupils: negative count in 1 row \(row 3: -5\); expected >= 0"),
    Case("unknown municipality code", "_nothing", (*REPORTS, "--municipality", "GM9999"),
         r"^Error: municipalities: GM9999 not in the dataset; known codes: GM\d{4}"),
    Case("YAML with an unknown key", "_unknown_yaml_key", (*REPORTS, "--municipality", "{code}"),
         rf"^Error: \S+/{YEAR}\.yaml: goab_totaal: unknown key \(allowed here: .*goab",
         slow=True),
    Case("YAML with an octal-looking code", "_octal_code", (*REPORTS, "--municipality", "{code}"),
         r"^Error: \S+/municipalities/(GM\d{4})\.yaml: code: a municipality code was read as "
         r"the number \d+: .*quote it", slow=True),
    Case("data directory that does not exist", "_nothing",
         (*REPORTS[:2], "{data}/missing", *REPORTS[3:], "--all"),
         r"^Error: \S+/missing: data directory does not exist"),
    Case("notebook parameter of the wrong type (CLI)", "_nothing",
         ("reports", "--data", "{data}", "--out", "{out}", "--year", "twenty"),
         r"^Error: Invalid value for '--year': 'twenty' is not a valid integer", exit_code=2),
]


@pytest.fixture(scope="module")
def good_data(tmp_path_factory) -> Path:
    return write_demoland(tmp_path_factory.mktemp("good") / "data", "tiny")


def _earlier_outputs(out: Path) -> None:
    """A finished earlier run that ``latest`` points at, and a complete table folder."""
    run = out / EARLIER_RUN
    (run / "reports").mkdir(parents=True)
    (run / "reports" / "GM0001.html").write_text("<html><p>goed rapport</p></html>\n")
    (run / "index.html").write_text("<html><p>index</p></html>\n")
    (run / "manifest.json").write_text(f'{{"run_id": "{EARLIER_RUN}"}}\n')
    (out / "latest").symlink_to(EARLIER_RUN, target_is_directory=True)
    (out / "tables").mkdir()
    (out / "tables" / "school_scores.parquet").write_bytes(b"PAR1 good table PAR1")


def _snapshot(*folders: Path) -> dict:
    files = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_symlink():
                files[path] = ("link", os.readlink(path))
            elif path.is_file():
                files[path] = path.read_bytes()
    return files


def _fill(args: tuple, **values) -> list[str]:
    return [a.format(**values) for a in args]


def _error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip()]


@pytest.mark.parametrize("case", [
    pytest.param(c, id=c.name, marks=[pytest.mark.slow] if c.slow else []) for c in CASES])
def test_broken_input_gives_one_clear_message(case, good_data, tmp_path):
    data, params, out = tmp_path / "data", tmp_path / "params", tmp_path / "out"
    shutil.copytree(good_data, data)
    shutil.copytree(PARAMS, params)
    globals()[case.make](data, params)
    _earlier_outputs(out)
    before = _snapshot(out, data, params)
    done = npo(*_fill(case.command, data=data, out=out, params=params,
                      code=_first_code(good_data)))
    assert done.returncode == case.exit_code, done.stderr
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout
    lines = _error_lines(done.stderr)
    assert any(re.search(case.message, line) for line in lines), done.stderr
    after = _snapshot(out, data, params)  # new files (a table cache) may appear
    assert {path: after.get(path) for path in before} == before, "earlier outputs changed"
    assert os.readlink(out / "latest") == EARLIER_RUN


@pytest.mark.slow
def test_report_parameter_of_wrong_type_in_plain_papermill(good_data, tmp_path):
    """Papermill prints its own traceback; the notebook's error is the library's one line."""
    import subprocess

    import nbformat

    out = tmp_path / "out.ipynb"
    command = [str(Path(sys.executable).with_name("papermill")), str(NOTEBOOK), str(out),
               "-p", "municipality_code", _first_code(good_data), "-p", "year", "twenty",
               "-p", "data_dir", str(good_data), "-p", "results_dir", str(tmp_path / "tables"),
               "-p", "params_dir", str(PARAMS), "--cwd", str(NOTEBOOK.parent)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, env=cli_env(),
                          cwd=ROOT, stdin=subprocess.DEVNULL)
    assert done.returncode != 0
    expected = "ReportParameterError: year 'twenty' is not a whole number"
    assert expected in done.stderr
    assert "site-packages/pandas" not in done.stderr and "site-packages/numpy" not in done.stderr
    errors = [o for c in nbformat.read(out, as_version=4).cells if c.cell_type == "code"
              for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert [f"{e['ename']}: {e['evalue']}" for e in errors] == [
        f"{expected} (expected e.g. 2024)"]
    assert not (tmp_path / "tables").exists(), "nothing computed for a bad parameter"


def test_user_message_names_path_of_os_errors():
    assert user_message(PermissionError(13, "Permission denied", "out/x.html")) == \
        "out/x.html: Permission denied"
    assert user_message(IsADirectoryError(21, "Is a directory", "params/2024.yaml")) == \
        "params/2024.yaml: Is a directory"
    assert user_message(FileNotFoundError("data: missing")) == "data: missing"
