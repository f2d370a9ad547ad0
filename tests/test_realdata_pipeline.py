"""The whole pipeline on the real public files: import-public -> national tables -> reports.

Skipped when ``../shared/realdata`` is absent. Expected figures are published or derived ones
from ``../shared/domain.md`` section 2 (2019 school scores), never the code's own output.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from npo_analysis.cli import main
from npo_analysis.domain.indicator.published import apply_threshold
from npo_analysis.national.tables import build_national_tables, load_national_tables
from npo_analysis.report import availability

pytestmark = pytest.mark.realdata

PROJECT_ROOT = Path(__file__).resolve().parents[1]
#: The folder of the ``realdata`` fixture in ``conftest.py`` (a module-scoped fixture needs it).
REALDATA = PROJECT_ROOT.parent / "shared" / "realdata"
FILES = {
    "--addresses": "duo_02-alle-schoolvestigingen-basisonderwijs_2026.csv",
    "--pupils": "duo_06-historisch-overzicht-aantal-leerlingen-per-schoolvestiging_1996-2025.csv",
    "--scores": "cbs_achterstandsscores-scholen-2019.xlsx",
    "--municipalities": "cbs_gemeenten-alfabetisch-2023.csv",
    "--end-scores": "duo_gemiddelde-eindscores-bo-sbo-2018-2019.csv",
}


def _invoke(args: list[str]) -> str:
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def public_data(tmp_path_factory) -> Path:
    """``npo-analysis import-public`` on the real files (2019 scores, 2023 municipalities)."""
    if not REALDATA.is_dir():
        pytest.skip(f"real data folder {REALDATA} is absent")
    out = tmp_path_factory.mktemp("real") / "public-2019"
    files = [part for option, name in FILES.items() for part in (option, str(REALDATA / name))]
    _invoke(["import-public", *files, "--out", str(out)])
    return out


@pytest.fixture(scope="module")
def tables(public_data, tmp_path_factory):
    out = tmp_path_factory.mktemp("real") / "tables"
    build_national_tables(public_data, out, params_dir=PROJECT_ROOT / "params")
    return load_national_tables(out)


def test_municipal_sums_of_the_2019_scores_add_up_to_the_national_total(tables):
    schools, municipalities = tables.school_scores, tables.municipality_scores
    assert len(municipalities) == 342 and len(schools) == 6295
    assert schools["municipality_code"].isin(municipalities["municipality_code"]).all()
    published = schools.groupby("municipality_code")["score_published"].sum()
    assert published.sum() == pytest.approx(561_736, abs=0.5)  # domain.md: sum of scores
    assert municipalities["score_gross"].sum() == pytest.approx(1_215_004, abs=0.5)  # sum A
    assert municipalities["pupils"].sum() == 1_396_457  # domain.md: pupils 2019
    # the recomputed scores differ by at most 0.01 per school from the published ones
    assert abs(municipalities["score_schools"].sum() - 561_736.12) <= 0.01 * len(schools)


def test_the_2019_thresholds_reproduce_within_a_cent(tables):
    assert round(tables.c_minus_g, 4) == 5.8004  # domain.md: sum A / (0.15 sum E)
    difference = (tables.school_scores["score"] - tables.school_scores["score_published"]).abs()
    assert (difference <= 0.01 + 1e-9).all()
    assert tables.model["reproduction"]["within_tolerance"] == 6295
    # domain.md: with the rounded C - G = 535.26 - 529.46 = 5.80, 552 schools are off, by <= 0.09
    schools = tables.school_scores
    rounded = np.abs(apply_threshold(schools["score_gross"], schools["pupils"], 5.80)
                     - schools["score_published"])
    assert (rounded > 0.01 + 1e-9).sum() == 552 and rounded.max() == pytest.approx(0.09)


def test_target_shares_of_the_municipalities_match_the_published_ranking(tables, public_data):
    names = pd.read_parquet(public_data / "municipalities.parquet").set_index(
        "municipality_code")["name"]
    scores = tables.municipality_scores.set_index("municipality_code")
    share = (scores["target_children"] / scores["pupils"]).rename(index=names)
    # domain.md section 2 (boundaries of these six unchanged since 2019)
    expected = {"Rotterdam": 0.332, "Schiedam": 0.327, "'s-Gravenhage": 0.302,
                "Heerlen": 0.276, "Kerkrade": 0.274, "Vlaardingen": 0.268}
    assert {name: round(share[name], 3) for name in expected} == expected
    assert share.idxmax() == "Rotterdam" and round(share.min(), 3) == 0.018


def test_budgets_of_every_year_for_all_342_municipalities(tables):
    assert tables.years == [2020, 2021, 2022, 2023, 2024, 2025]
    for year in tables.years:
        budgets = tables.budgets(year)
        assert len(budgets.municipalities) == 342 and len(budgets.schools) == 6295
        assert budgets.municipalities["goab_cents"].sum() == 486_000_000 * 100
        assert budgets.municipalities["goab_cents"].min() == 64_000 * 100
    schools = tables.budgets(2024).schools  # EUR 500 per pupil (params/2024.yaml)
    assert schools["per_pupil_cents"].sum() == 1_396_457 * 50_000


def test_the_public_dataset_supports_no_microdata_section(public_data):
    notices = availability.notices(public_data)
    assert [n.section for n in notices] == list(availability.SECTION_NEEDS)
    assert availability.missing_for("delays", public_data).tables == ("test_results",)


def _smallest(tables) -> str:
    pupils = tables.municipality_scores.set_index("municipality_code")["pupils"]
    return str(pupils.idxmin())


#: Tables a public import lacks that the report's notices must name (docs/real-data.md).
NAMED_TABLES = ("test_results", "activities", "neighbourhoods", "toddlers", "vve_locations",
                "school_plans", "pupils", "municipalities.urbanity")


@pytest.mark.slow
def test_reports_for_amsterdam_and_the_smallest_municipality(public_data, tables, tmp_path):
    smallest = _smallest(tables)
    assert smallest == "GM0088"  # Schiermonnikoog: 48 pupils on 1 October 2019
    out = tmp_path / "reports"
    _invoke(["reports", "--data", str(public_data), "--municipality", "GM0363",
             "--municipality", smallest, "--year", "2024", "--executor", "serial",
             "--out", str(out), "--params", str(PROJECT_ROOT / "params"),
             "--notebook", str(PROJECT_ROOT / "notebooks" / "municipality_report.ipynb"),
             "--quiet"])
    reports = out / "latest" / "reports"
    for code, name, pupils in (("GM0363", "Amsterdam", "63.512"),
                               (smallest, "Schiermonnikoog", "48")):
        page = (reports / f"{code}.html").read_text(encoding="utf-8")
        assert f"{name} telt {pupils} leerlingen" in page
        assert "het aantal peuters is onbekend" in page and "0 peuters" not in page
        assert "Niet beschikbaar" in page
        for table in NAMED_TABLES:
            assert f"<code>{table}</code>" in page, (code, table)
        assert "Onzekerheid (laag-hoog)" not in page  # no band without microdata
        assert "gepubliceerde CBS-scores (teldatum 1 oktober 2019)" in page
        assert "5,8004" in page  # C - G from the national totals (domain.md section 2)
        assert "in twee kenmerken" in page and "in vier kenmerken" not in page
    overview = (reports / "national_overview.html").read_text(encoding="utf-8")
    assert "Alle 342 gemeenten" in overview
    assert "<code>activities</code>" in overview and "<code>vve_locations</code>" in overview
    explore = (reports / "explore_indicator.html").read_text(encoding="utf-8")
    assert "<code>pupils</code>" in explore and "6.295 van 6.295" in explore
