"""The loaders and the public dataset on the real DUO/CBS files (skipped when they are absent).

Expected figures are published ones (``../shared/domain.md`` sections 2 and 6, the CBS
"Toelichting") or invariants of the files (``../shared/realdata/README.md``).
"""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from npo_analysis.cli.import_public import command as import_public
from npo_analysis.data.sources import cbs, duo

pytestmark = pytest.mark.realdata

ADDRESSES = "duo_02-alle-schoolvestigingen-basisonderwijs_2026.csv"
PUPILS = "duo_06-historisch-overzicht-aantal-leerlingen-per-schoolvestiging_1996-2025.csv"
SCORES = "cbs_achterstandsscores-scholen-2019.xlsx"
MUNICIPALITIES = "cbs_gemeenten-alfabetisch-2023.csv"
END_SCORES = "duo_gemiddelde-eindscores-bo-sbo-2018-2019.csv"


def test_addresses(realdata):
    addresses = duo.read_school_addresses(realdata / ADDRESSES)
    assert len(addresses) == 6122
    assert addresses.attrs["source"]["layout"] == "current"
    assert addresses["school_id"].is_unique
    assert addresses["municipality_code"].nunique() == 342
    blank = addresses[addresses["municipality_name_duo"].isna()]
    assert len(blank) == 2 and blank["municipality_code"].str.fullmatch(r"GM\d{4}").all()
    assert "Friesland" not in set(addresses["province"])


def test_address_municipalities_all_in_municipality_list(realdata):
    addresses = duo.read_school_addresses(realdata / ADDRESSES)
    municipalities = cbs.read_municipalities(realdata / MUNICIPALITIES)
    assert len(municipalities) == 342
    assert set(addresses["municipality_code"]) == set(municipalities["municipality_code"])
    names = municipalities.set_index("municipality_code")["name"]
    assert names["GM0363"] == "Amsterdam" and names["GM0518"] == "'s-Gravenhage"
    # Every province of the address file, in CBS spelling, is a province of the list.
    assert set(addresses["province"]) == set(municipalities["province"])


def test_pupil_counts_match_published_national_totals(realdata):
    counts = duo.read_pupil_counts(realdata / PUPILS)
    assert len(counts.attrs["placeholder_rows"]) == 5
    # domain.md section 6: regular primary pupils 1,396,381 (2019), 1,354,181 (2024) and
    # 1,356,915 (2025). Each suppressed '<5' hides 1 to 4 pupils, so the published total lies
    # between known + 1 x suppressed and known + 4 x suppressed.
    for year, published in ((2019, 1_396_381), (2024, 1_354_181), (2025, 1_356_915)):
        one_year = duo.regular_school_pupils(counts, year)
        known = int(one_year["pupils"].sum())
        hidden = int(one_year["suppressed"].sum())
        assert hidden > 0
        assert known + hidden <= published <= known + 4 * hidden, year


def test_school_scores_match_published_totals(realdata):
    scores = cbs.read_school_scores(realdata / SCORES)
    assert len(scores) == 6295
    assert scores.attrs["count_date"] == "2019-10-01"
    # domain.md section 2: 1,396,457 pupils, sum A = 1,215,004, sum score = 561,736, max 2,895.
    assert int(scores["pupils"].sum()) == 1_396_457
    assert round(scores["score_gross"].sum()) == 1_215_004
    assert round(scores["score"].sum()) == 561_736
    assert round(scores["score"].max()) == 2_895
    # Flag a <=> 40 pupils or fewer (Toelichting, Betrouwbaarheid).
    assert ((scores["flag"] == "a") == (scores["pupils"] <= 40)).all()


def test_2019_thresholds_reproduce(realdata):
    scores = cbs.read_school_scores(realdata / SCORES)
    gross = scores["score_gross"].to_numpy()
    pupils = scores["pupils"].to_numpy()
    c_minus_g = gross.sum() / (0.15 * pupils.sum())
    assert c_minus_g == pytest.approx(5.8004, abs=5e-5)
    # Rounded to 2 decimals like the publication: every school within 0.01 (domain.md, sec. 2).
    recomputed = np.round(np.maximum(0.0, gross - 0.12 * pupils * c_minus_g), 2)
    assert np.abs(recomputed - scores["score"].to_numpy()).max() <= 0.01 + 1e-9


def test_end_scores_on_provider_scales(realdata):
    end_scores = duo.read_end_scores(realdata / END_SCORES)
    assert end_scores.attrs["source"]["rows"] == 6579
    assert set(end_scores["school_year"]) == {2018}
    # README: CET 501-550, IEP 50-100, ROUTE8 117-236, DIA 334-370, AMN 317-458 (whole
    # numbers, so a mean may pass an end by less than 1).
    scales = {"CET": (501, 550), "IEP": (50, 100), "ROUTE8": (117, 236), "DIA": (334, 370),
              "AMN": (317, 458)}
    for provider, (low, high) in scales.items():
        means = end_scores.loc[end_scores["provider"] == provider, "mean_score"].dropna()
        assert len(means) > 0 and means.between(low - 1, high + 1).all(), provider
    standardised = duo.standardise_end_scores(end_scores[end_scores["school_type"] == "BO"])
    assert standardised["school_id"].is_unique


def test_import_public_end_to_end(realdata, tmp_path):
    out = tmp_path / "public-2019"
    args = ["--addresses", realdata / ADDRESSES, "--pupils", realdata / PUPILS, "--scores",
            realdata / SCORES, "--municipalities", realdata / MUNICIPALITIES, "--end-scores",
            realdata / END_SCORES, "--out", out]
    result = CliRunner().invoke(import_public, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "import_report.json").read_text(encoding="utf-8"))
    rates = report["join_rates"]
    assert rates["address-file municipalities in municipality list"]["rate"] == 1.0
    assert rates["scored schools in pupil-count file (BO)"]["rate"] == 1.0
    assert report["excluded"]["municipality not in the indeling and no mapping into it"] == []
    assert report["excluded"]["scored school in neither the address nor the pupil-count "
                              "file"] == []

    schools = pd.read_parquet(out / "schools.parquet")
    published = pd.read_parquet(out / "published_school_scores.parquet")
    assert len(published) == 6295
    per_municipality = published.merge(schools[["school_id", "municipality_code"]]).groupby(
        "municipality_code")["score"].sum()
    # Every scored school is placed, so municipal sums add up to the national total.
    assert round(per_municipality.sum(), 2) == 561_736.12
    assert per_municipality.index.isin(
        pd.read_parquet(out / "municipalities.parquet")["municipality_code"]).all()
    info = json.loads((out / "dataset.json").read_text(encoding="utf-8"))
    assert info["synthetic"] is False and info["count_date"] == "2019-10-01"
    by_file = {source["file"]: source["sha256"] for source in info["sources"]}
    assert by_file[SCORES] == hashlib.sha256((realdata / SCORES).read_bytes()).hexdigest()
