"""GOAB and NPO budgets on small hand-made score tables, checked against hand calculations."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from npo_analysis.domain.budgets import (
    allocate_year,
    goab_budgets,
    municipal_totals,
    npo_municipal_grants,
    npo_school_budgets,
)
from npo_analysis.domain.params import load_params

PARAMS_DIR = Path(__file__).resolve().parents[1] / "params"


def params_with(year: int = 2022, **sections):
    """The shipped parameters of ``year`` with some section values replaced."""
    params = load_params(year, PARAMS_DIR)
    updates = {name: getattr(params, name).model_copy(update=values)
               for name, values in sections.items()}
    return params.model_copy(update=updates)


def municipality_scores(scores, pupils=None, codes=None) -> pd.DataFrame:
    codes = codes or [f"GM{i + 1:04d}" for i in range(len(scores))]
    pupils = pupils or [100] * len(scores)
    return pd.DataFrame({"municipality_code": codes, "pupils": pupils, "score": scores})


SMALL_GOAB = {"total_eur": Decimal(1000), "minimum_eur": Decimal(300)}


# --- GOAB ---------------------------------------------------------------------------------------


def test_goab_minimum_then_proportional():
    # EUR 1000 by scores 10:10:80 with EUR 300 minimum -> 300, 300 and the remaining 400
    result = goab_budgets(municipality_scores([10.0, 10.0, 80.0]), params_with(goab=SMALL_GOAB))
    assert result["budget_cents"].tolist() == [30_000, 30_000, 40_000]
    assert result["budget_eur"].tolist() == [300.0, 300.0, 400.0]
    assert result["minimum_applied"].tolist() == [True, True, False]


def test_goab_is_sorted_by_code_and_independent_of_row_order():
    scores = municipality_scores([5.0, 30.0, 65.0], codes=["GM0003", "GM0001", "GM0002"])
    result = goab_budgets(scores, params_with(goab={"total_eur": Decimal(1000),
                                                    "minimum_eur": Decimal(0)}))
    assert result["municipality_code"].tolist() == ["GM0001", "GM0002", "GM0003"]
    assert result["budget_cents"].tolist() == [30_000, 65_000, 5_000]


def test_goab_national_total_with_shipped_parameters():
    rng = np.random.default_rng(11)
    scores = municipality_scores(list(rng.gamma(0.4, 3_000, 342)),
                                 codes=[f"GM{i:04d}" for i in range(342)])
    scores.loc[:22, "score"] = 0.0  # as in 2019, some municipalities score 0
    result = goab_budgets(scores, load_params(2024, PARAMS_DIR))
    assert int(result["budget_cents"].sum()) == 486_000_000_00
    assert (result.loc[result["score"] == 0, "budget_cents"] == 64_000_00).all()


def test_goab_phase_in_caps_the_change():
    # targets 300/300/400 (see above); previous 500/250/250 with a 20% cap:
    # A at most -20% -> 400; B +20% -> 300 (its target); C +20% -> 300; total 1000 kept
    params = params_with(goab={**SMALL_GOAB, "phase_in_max_change": 0.2})
    previous = pd.DataFrame({"municipality_code": ["GM0001", "GM0002", "GM0003"],
                             "budget_cents": [50_000, 25_000, 25_000]})
    result = goab_budgets(municipality_scores([10.0, 10.0, 80.0]), params, previous)
    assert result["target_cents"].tolist() == [30_000, 30_000, 40_000]
    assert result["budget_cents"].tolist() == [40_000, 30_000, 30_000]


def test_goab_previous_without_phase_in_parameter_is_an_error():
    previous = pd.DataFrame({"municipality_code": ["GM0001"], "budget_cents": [1]})
    with pytest.raises(ValueError, match="goab.phase_in_max_change is null"):
        goab_budgets(municipality_scores([1.0]), params_with(goab=SMALL_GOAB), previous)


@pytest.mark.parametrize(
    ("frame", "fragment"),
    [
        (pd.DataFrame({"municipality_code": ["GM0001"]}),
         "municipality_scores: missing column(s) ['score']"),
        (municipality_scores([1.0, 2.0], codes=["GM0001", "GM0001"]),
         "column 'municipality_code' must be unique and filled; bad values ['GM0001']"),
        (municipality_scores([1.0, -2.0]),
         "column 'score' must hold finite numbers >= 0; municipality_code 'GM0002' has -2.0"),
        (municipality_scores([1.0, np.nan]), "municipality_code 'GM0002' has nan"),
    ],
)
def test_goab_input_errors(frame, fragment):
    with pytest.raises(ValueError) as info:
        goab_budgets(frame, params_with(goab=SMALL_GOAB))
    assert fragment in str(info.value)


# --- NPO schools --------------------------------------------------------------------------------


def school_scores(pupils, scores, codes=None) -> pd.DataFrame:
    n = len(pupils)
    return pd.DataFrame({
        "school_id": [f"{i:02d}AA00" for i in range(n)],
        "municipality_code": codes or ["GM0001"] * n,
        "pupils": pupils,
        "score": scores,
    })


def test_npo_school_budget_2022_rates():
    # 200 pupils x EUR 500 + 10.5 score units x EUR 463.78 = 100,000 + 4,869.69 = 104,869.69
    result = npo_school_budgets(school_scores([200], [10.5]), load_params(2022, PARAMS_DIR))
    row = result.iloc[0]
    assert (row["per_pupil_cents"], row["per_score_cents"]) == (10_000_000, 486_969)
    assert row["budget_cents"] == 10_486_969
    assert row["budget_eur"] == pytest.approx(104_869.69)


def test_npo_school_budget_2021_is_per_pupil_only():
    # 2021-2022: EUR 701.16 per pupil; 123 pupils -> EUR 86,242.68
    result = npo_school_budgets(school_scores([123], [55.0]), load_params(2021, PARAMS_DIR))
    assert result["budget_cents"].tolist() == [8_624_268]
    assert result["per_score_cents"].tolist() == [0]


def test_npo_score_part_rounds_half_up():
    # EUR 0.01 per score unit: 0.5 -> 0.5 cent -> 1 (half up, not to even); 2.5 -> 3;
    # 1.005 x 100 cents is 100.5 in decimal, though 1.005 * 100 == 100.49999999999999 in floats
    params = params_with(npo_schools={"per_pupil_eur": Decimal(0),
                                      "per_score_unit_eur": Decimal("0.01")})
    result = npo_school_budgets(school_scores([10, 10, 10], [0.5, 2.5, 0.0]), params)
    assert result["per_score_cents"].tolist() == [1, 3, 0]
    params = params_with(npo_schools={"per_pupil_eur": Decimal(0),
                                      "per_score_unit_eur": Decimal(1)})
    assert npo_school_budgets(school_scores([1], [1.005]), params)["budget_cents"].tolist() == \
        [101]


def test_npo_school_pupils_must_be_whole():
    with pytest.raises(ValueError, match="column 'pupils' must hold whole numbers >= 0; "
                                         "school_id '00AA00' has"):
        npo_school_budgets(school_scores([10.5], [1.0]), load_params(2022, PARAMS_DIR))


def test_municipal_totals_by_hand():
    schools = npo_school_budgets(
        school_scores([100, 200, 50], [0.0, 10.0, 2.0], codes=["GM0002", "GM0001", "GM0002"]),
        load_params(2022, PARAMS_DIR),
    )
    totals = municipal_totals(schools).set_index("municipality_code")
    # GM0001: 200 x 500 + 10 x 463.78 = 104,637.80; GM0002: 150 x 500 + 2 x 463.78 = 75,927.56
    assert totals["budget_cents"].to_dict() == {"GM0001": 10_463_780, "GM0002": 7_592_756}
    assert totals["schools"].to_dict() == {"GM0001": 1, "GM0002": 2}
    assert totals["pupils"].to_dict() == {"GM0001": 200, "GM0002": 150}


# --- NPO municipalities -------------------------------------------------------------------------


def test_npo_municipal_grant_by_hand():
    # EUR 1000, half by pupils (100:300 -> 125, 375), half by the GOAB key (300:700 -> 150, 350)
    params = params_with(npo_municipalities={"total_eur": Decimal(1000), "share_by_pupils": 0.5})
    goab = pd.DataFrame({"municipality_code": ["GM0001", "GM0002"],
                         "budget_cents": [30_000, 70_000]})
    result = npo_municipal_grants(municipality_scores([1.0, 2.0], pupils=[100, 300]), params,
                                  goab)
    assert result["by_pupils_cents"].tolist() == [12_500, 37_500]
    assert result["by_goab_key_cents"].tolist() == [15_000, 35_000]
    assert result["grant_cents"].tolist() == [27_500, 72_500]


def test_npo_municipal_grant_total_is_exact_with_the_shipped_parameters():
    rng = np.random.default_rng(5)
    scores = municipality_scores(list(rng.gamma(0.4, 3_000, 342)),
                                 pupils=[int(p) for p in rng.integers(500, 60_000, 342)],
                                 codes=[f"GM{i:04d}" for i in range(342)])
    result = npo_municipal_grants(scores, load_params(2021, PARAMS_DIR))
    assert int(result["grant_cents"].sum()) == 300_000_000_00
    assert int(result["by_pupils_cents"].sum()) == 150_000_000_00


def test_no_npo_money_gives_zero_grants():
    result = npo_municipal_grants(municipality_scores([1.0, 2.0]), load_params(2025, PARAMS_DIR))
    assert result["grant_cents"].tolist() == [0, 0]


# --- A whole budget year ------------------------------------------------------------------------


def test_allocate_year_combines_the_parts():
    params = params_with(goab=SMALL_GOAB)
    result = allocate_year(
        school_scores([100, 200], [0.0, 10.0], codes=["GM0001", "GM0001"]),
        municipality_scores([10.0, 10.0, 80.0]),
        params,
    )
    table = result.municipalities.set_index("municipality_code")
    assert table["goab_cents"].tolist() == [30_000, 30_000, 40_000]
    assert table["schools"].tolist() == [2, 0, 0]
    # 300 pupils x EUR 500 + 10 x EUR 463.78
    assert table["npo_schools_cents"].tolist() == [15_463_780, 0, 0]
    assert len(result.schools) == 2


def test_allocate_year_rejects_schools_in_unknown_municipalities():
    with pytest.raises(ValueError, match=r"absent from municipality_scores: GM0009 \(2 schools\)"):
        allocate_year(school_scores([10, 20], [0.0, 0.0], codes=["GM0009", "GM0009"]),
                      municipality_scores([1.0]), params_with(goab=SMALL_GOAB))
