"""``npo-analysis reports`` options: the default budget year, the timeout, the Dask options."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from click.testing import CliRunner

from npo_analysis.batch.runner import DEFAULT_TIMEOUT
from npo_analysis.cli import reports

PROJECT_PARAMS = Path(__file__).resolve().parents[1] / "params"


def _without_npo_money(params_dir: Path, year: int) -> None:
    path = params_dir / f"{year}.yaml"
    content = yaml.safe_load(path.read_text(encoding="utf-8"))
    content["npo_schools"].update(per_pupil_eur=0, per_score_unit_eur=0)
    path.write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")


def test_default_year_is_the_last_year_with_npo_money_for_schools():
    # params/2025.yaml: the NPO programme ended with school year 2024-2025 (EUR 0 per pupil)
    assert reports.default_year(PROJECT_PARAMS) == 2024


def test_default_year_skips_every_year_without_npo_money(tmp_path):
    params = Path(shutil.copytree(PROJECT_PARAMS, tmp_path / "params"))
    _without_npo_money(params, 2024)
    assert reports.default_year(params) == 2023
    for year in (2020, 2021, 2022, 2023):
        _without_npo_money(params, year)
    assert reports.default_year(params) == 2025  # no year has NPO money: the latest year


def test_cli_timeout_default_is_the_runner_default():
    assert reports.DEFAULT_TIMEOUT == DEFAULT_TIMEOUT
    timeout = next(p for p in reports.command.params if p.name == "timeout")
    assert timeout.default == DEFAULT_TIMEOUT


def test_help_names_the_executors_and_the_default_year():
    result = CliRunner().invoke(reports.command, ["--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "[local|serial|dask]" in text and "--scheduler ADDRESS" in text
    assert "NPO school amounts are not zero" in text and "--timeout" in text


def test_scheduler_needs_the_dask_executor(tmp_path):
    result = CliRunner().invoke(reports.command, [
        "--data", str(tmp_path), "--scheduler", "tcp://127.0.0.1:8786", "--year", "2024"])
    assert result.exit_code == 2 and "--scheduler needs --executor dask" in result.output


def test_no_overviews_runs_only_the_municipality_reports(tmp_path, monkeypatch):
    import npo_analysis.batch as batch

    seen = []

    def fake_run_reports(*args, **kwargs):
        seen.append(kwargs["overview_notebooks"])
        raise SystemExit(0)

    monkeypatch.setattr(batch, "run_reports", fake_run_reports, raising=False)
    for flags, expected in (([], None), (["--no-overviews"], [])):
        result = CliRunner().invoke(reports.command, ["--data", str(tmp_path), "--year", "2024",
                                                      *flags])
        assert result.exit_code == 0, result.output
        assert seen[-1] == expected
