"""Tests of npo_analysis.domain.interventions: prices, plan values, the exact optimiser, the comparison."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from npo_analysis.data.demoland import generate
from npo_analysis.data.menukaart import load_menukaart
from npo_analysis.domain.interventions import (
    cost_effectiveness,
    describe_cost_effectiveness,
    describe_plans_vs_optimum,
    optimal_packages,
    package_value,
    plans_vs_optimum,
    solve_per_pupil,
    value_plans,
)
from npo_analysis.domain.interventions.optimiser import MenuItems, eligible_items


def hand_menu(strands=("A", "B", "C"), evidence=(4, 4, 2)) -> pd.DataFrame:
    """Three interventions priced exactly (cost_min = cost_max): A 8 months EUR 100, B 6
    months EUR 200, C 4 months EUR 100."""
    return pd.DataFrame({
        "intervention_id": ["a", "b", "c"], "name_nl": ["A", "B", "C"],
        "eef_strand": list(strands), "months": [8.0, 6.0, 4.0],
        "months_confirmed": [True] * 3, "cost_band": ["Laag", "Gemiddeld", "Laag"],
        "cost_min_eur": [100, 200, 100], "cost_max_eur": [100, 200, 100],
        "evidence": pd.array(list(evidence), dtype="Int64"),
    })


def one_school(budget: float, pupils: int = 10) -> pd.DataFrame:
    return pd.DataFrame({"school_id": ["00AA00"], "budget_eur": [budget], "pupils": [pupils]})


@pytest.fixture(scope="module")
def tiny():
    return generate("tiny", 3)


# --- Prices -------------------------------------------------------------------------------------


def test_cost_effectiveness_by_hand():
    table = cost_effectiveness().set_index("intervention_id")
    # Feedback: 8 months, band Laag EUR 20-230 (middle 125).
    assert table.loc["feedback", "months_per_1000_eur"] == pytest.approx(8 / 125 * 1000)
    assert table.loc["feedback", "months_per_1000_eur_low"] == pytest.approx(8 / 230 * 1000)
    assert table.loc["feedback", "months_per_1000_eur_high"] == pytest.approx(8 / 20 * 1000)
    # Teaching assistants: 1 month, band Hoog EUR 800-1380 (middle 1090).
    assert table.loc["teaching_assistants", "months_per_1000_eur"] == pytest.approx(1000 / 1090)
    assert np.isnan(table.loc["wellbeing", "months_per_1000_eur"])  # no months figure
    ordered = cost_effectiveness()
    assert ordered["intervention_id"].iloc[0] == "feedback"
    assert ordered["intervention_id"].iloc[-1] == "wellbeing"


def test_cost_point_min_uses_lower_end():
    table = cost_effectiveness(cost_point="min").set_index("intervention_id")
    assert table.loc["metacognition", "cost_per_pupil_eur"] == 230  # Gemiddeld EUR 230-800


def test_bad_cost_point_named():
    with pytest.raises(ValueError, match="cost_point='cheap'"):
        cost_effectiveness(cost_point="cheap")


def test_reading_names_best_and_worst():
    text = describe_cost_effectiveness(cost_effectiveness())
    assert text.startswith("Per € 1.000 per leerling leveren Feedback (64; 35–400)")
    assert "Onderwijsassistenten" in text
    assert "Feedback (64; 35–400)" in describe_cost_effectiveness(cost_effectiveness(),
                                                                  language="en")


# --- Value model and plans ----------------------------------------------------------------------


def test_package_value_discounts_by_rank():
    assert package_value([40.0, 80.0, 20.0], 0.5) == pytest.approx(80 + 20 + 5)
    assert package_value([40.0, 80.0, 20.0], 1.0) == pytest.approx(140)


def test_value_plans_by_hand():
    plans = pd.DataFrame({"school_id": ["00AA00", "00AA00"],
                          "intervention_id": ["feedback", "teaching_assistants"],
                          "amount_eur": [5000, 10900], "target_pupils": [100, 20]})
    valued = value_plans(plans).set_index("intervention_id")
    # EUR 5,000 / 125 = 40 pupils x 8 months = 320, rank 1.
    assert valued.loc["feedback", "funded_pupils"] == pytest.approx(40)
    assert valued.loc["feedback", "pupil_months"] == pytest.approx(320)
    # EUR 10,900 / 1,090 = 10 pupils x 1 month = 10, rank 2 counts half.
    assert valued.loc["teaching_assistants", "pupil_months"] == pytest.approx(5)
    assert valued["pupil_months_nominal"].sum() == pytest.approx(8 * 100 + 1 * 20)


def test_value_plans_rejects_unknown_intervention():
    plans = pd.DataFrame({"school_id": ["00AA00"], "intervention_id": ["magic"],
                          "amount_eur": [1], "target_pupils": [1]})
    with pytest.raises(ValueError, match="'magic', which is not on the menukaart"):
        value_plans(plans)


def test_value_plans_rejects_negative_amount():
    plans = pd.DataFrame({"school_id": ["00AA00"], "intervention_id": ["feedback"],
                          "amount_eur": [-5], "target_pupils": [1]})
    with pytest.raises(ValueError, match="amount_eur=-5"):
        value_plans(plans)


# --- The optimiser on a hand-solvable instance ---------------------------------------------------


def test_hand_instance_optimum():
    # EUR 250 per pupil: A and C in full (EUR 200), EUR 50 left buys B for a quarter of the
    # pupils. Per pupil 8 + 4/2 + (6/4)/4 = 10.375; beats A + 3/4 B = 8 + 4.5/2 = 10.25.
    best = optimal_packages(one_school(2500), hand_menu()).set_index("intervention_id")
    assert best["pupil_months"].sum() == pytest.approx(103.75)
    assert best.loc["b", "reach_pupils"] == pytest.approx(2.5)
    assert best["cost_eur"].sum() == pytest.approx(2500)
    assert best["rank"].to_dict() == {"a": 1, "c": 2, "b": 3}


def test_hand_instance_without_discount():
    best = optimal_packages(one_school(2500), hand_menu(), stacking_discount=1.0)
    assert best["pupil_months"].sum() == pytest.approx(10 * (8 + 4 + 1.5))


def test_hand_instance_large_budget_buys_everything():
    best = optimal_packages(one_school(4000), hand_menu())
    assert best["pupil_months"].sum() == pytest.approx(10 * (8 + 6 / 2 + 4 / 4))


def test_evidence_floor_excludes_weak_intervention():
    best = optimal_packages(one_school(2500), hand_menu(), min_evidence=3)
    assert "c" not in set(best["intervention_id"])
    assert best["pupil_months"].sum() == pytest.approx(10 * (8 + 4.5 / 2))


def test_one_per_strand():
    menu = hand_menu(strands=("X", "B", "X"))  # A and C share a strand
    best = optimal_packages(one_school(2500), menu)
    assert set(best["intervention_id"]) == {"a", "b"}
    assert best["pupil_months"].sum() == pytest.approx(10 * (8 + 4.5 / 2))


def test_bad_parameters_named():
    with pytest.raises(ValueError, match="stacking_discount=0"):
        optimal_packages(one_school(100), stacking_discount=0)
    with pytest.raises(ValueError, match="min_evidence=7"):
        optimal_packages(one_school(100), min_evidence=7)
    with pytest.raises(ValueError, match="school '00AA00' has -1"):
        optimal_packages(one_school(-1))


# --- Exactness against brute force ------------------------------------------------------------


def fractional_knapsack(value_rate: np.ndarray, cost: np.ndarray, budget: float) -> float:
    """Best value of reach fractions in [0, 1] with value_rate per unit reach."""
    total, left = 0.0, budget
    for i in np.argsort(-(value_rate / cost), kind="stable"):
        take = min(1.0, left / cost[i])
        total += take * value_rate[i]
        left -= take * cost[i]
        if left <= 0:
            break
    return total


def brute_force(m, c, strand, beta, d) -> float:
    """Maximum over every strand-respecting subset and every order of the subset."""
    best = 0.0
    n = len(m)
    for size in range(1, n + 1):
        for subset in itertools.combinations(range(n), size):
            if len({strand[i] for i in subset}) < size:
                continue
            for order in itertools.permutations(subset):
                idx = np.array(order)
                rate = d ** np.arange(size) * m[idx]
                best = max(best, fractional_knapsack(rate, c[idx], beta))
    return best


def random_items(rng, n) -> MenuItems:
    return MenuItems(ids=np.array([f"i{j}" for j in range(n)], dtype=object),
                     months=rng.integers(1, 10, n).astype(float),
                     cost=rng.choice([50.0, 120.0, 300.0, 700.0, 1100.0], n),
                     strand=rng.integers(0, n - 1, n))


@pytest.mark.parametrize("method", ["enumerate", "milp"])
def test_exact_against_brute_force(method):
    rng = np.random.default_rng(20240)
    for _ in range(25):
        n = int(rng.integers(2, 6))
        items = random_items(rng, n)
        beta = float(rng.uniform(30, 2500))
        d = float(rng.choice([0.3, 0.5, 0.8, 1.0]))
        idx, reach = solve_per_pupil(items, beta, d, method=method)
        got = package_value(items.months[idx] * reach, d)
        expected = brute_force(items.months, items.cost, items.strand, beta, d)
        assert got == pytest.approx(expected, rel=1e-9, abs=1e-9), (items, beta, d)
        assert (items.cost[idx] * reach).sum() <= beta + 1e-9
        assert len(set(items.strand[idx])) == len(idx)


# --- Constraints and the comparison on Demoland ------------------------------------------------


def test_packages_respect_constraints(tiny):
    schools = tiny.tables["schools"].assign(budget_eur=lambda f: f["pupils"] * 701.16)
    menu = load_menukaart()
    best = optimal_packages(schools, menu, min_evidence=3)
    evidence = menu.set_index("intervention_id")["evidence"]
    assert (evidence.reindex(best["intervention_id"]).to_numpy() >= 3).all()
    assert not best.duplicated(["school_id", "intervention_id"]).any()
    spent = best.groupby("school_id")["cost_eur"].sum()
    budget = schools.set_index("school_id")["budget_eur"].reindex(spent.index)
    assert (spent <= budget + 1e-6).all()
    reach = schools.set_index("school_id")["pupils"].reindex(best["school_id"]).to_numpy()
    assert (best["reach_pupils"].to_numpy() <= reach + 1e-9).all()


def test_optimum_beats_plans_with_same_money(tiny):
    result = plans_vs_optimum(tiny.tables["school_plans"], tiny.tables["schools"])
    schools = result.schools
    assert (schools["extra_pupil_months"] >= -1e-9).all()
    planned = tiny.tables["school_plans"].groupby("school_id")["amount_eur"].sum()
    assert np.allclose(schools.set_index("school_id")["budget_eur"],
                       planned.reindex(schools["school_id"]))
    spent = result.optimum.groupby("school_id")["cost_eur"].sum()
    assert (spent <= schools.set_index("school_id")["budget_eur"].reindex(spent.index)
            + 1e-6).all()
    # Municipality rows are sums of their schools.
    by_hand = schools.groupby("municipality_code")["extra_pupil_months"].sum()
    got = result.municipalities.set_index("municipality_code")["extra_pupil_months"]
    assert np.allclose(got, by_hand.reindex(got.index))


def test_planted_popular_choices_are_inefficient(tiny):
    # Demoland plants a preference for teaching assistants, small-group tuition and smaller
    # classes; each gives fewer months per EUR 1,000 than anything the optimum chooses.
    table = cost_effectiveness().set_index("intervention_id")["months_per_1000_eur"]
    weights = tiny.truth["school_plans"]["choice_weights"]
    popular = [i for i in ("teaching_assistants", "small_group_tuition", "reducing_class_size")
               if weights[i] > 5]
    result = plans_vs_optimum(tiny.tables["school_plans"], tiny.tables["schools"])
    chosen = set(result.optimum["intervention_id"])
    assert len(popular) == 3 and not chosen & set(popular)
    assert table[popular].max() < table[sorted(chosen)].min()


def test_reading_quotes_totals(tiny):
    result = plans_vs_optimum(tiny.tables["school_plans"], tiny.tables["schools"])
    code = result.schools["municipality_code"].iloc[0]
    text = describe_plans_vs_optimum(result, code)
    n = int((result.schools["municipality_code"] == code).sum())
    assert text.startswith(f"De {n} scholen zetten samen € ")
    assert "de tweede interventie van een school telt voor 0,50 mee" in text
    assert describe_plans_vs_optimum(result, language="en").startswith("The ")


def test_comparison_rejects_plan_beyond_school_size(tiny):
    plans = tiny.tables["school_plans"].copy()
    school = plans["school_id"].iloc[0]
    size = int(tiny.tables["schools"].set_index("school_id").loc[school, "pupils"])
    plans.loc[plans.index[0], "target_pupils"] = size + 1
    with pytest.raises(ValueError, match=f"school '{school}' targets {size + 1} pupils"):
        plans_vs_optimum(plans, tiny.tables["schools"])


@pytest.mark.parametrize("cost_point", ["min", "mid", "max"])
def test_methods_agree_on_the_menukaart(cost_point):
    items = eligible_items(cost_point=cost_point)
    for beta in (150.0, 701.16, 1500.0):
        values = [package_value(items.months[i] * r, 0.5) for i, r in
                  (solve_per_pupil(items, beta, method=m) for m in ("enumerate", "milp"))]
        assert values[0] == pytest.approx(values[1], rel=1e-9)


def test_eligible_items_skip_unknown_months():
    items = eligible_items()
    assert "wellbeing" not in set(items.ids)
    assert len(items.ids) == len(load_menukaart()) - 1
