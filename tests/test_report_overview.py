"""National overview, indicator view, peers, breaks and HTML tables on hand-made frames."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pandas as pd
import pytest

from npo_analysis.domain.peers import default_peers, resolve_peers
from npo_analysis.report import indicator_view, overview, trends
from npo_analysis.report.view import html_table


def profile() -> pd.DataFrame:
    return pd.DataFrame({
        "municipality_code": ["GM0001", "GM0002", "GM0003", "GM0004"],
        "name": ["Aa", "Bee", "Cee", "Dee"], "province": ["P", "P", "Q", "Q"],
        "urbanity": [1, 1, 5, 5], "low_income_share": [0.10, 0.11, 0.03, 0.04],
        "schools": [10, 9, 2, 3], "pupils": [4000, 3800, 300, 350],
        "toddlers": [700, 650, 50, 60], "children": [4700, 4450, 350, 410],
        "target_children": [900, 850, 8, 20], "target_share": [900 / 4700, 850 / 4450,
                                                               8 / 350, 20 / 410],
        "score_gross": [5000.0, 4700.0, 40.0, 90.0], "score": [2000.0, 1800.0, 0.0, 0.0],
        "goab_eur": [9_000_000.0, 8_000_000.0, 64_000.0, 64_000.0],
        "npo_grant_eur": [0.0] * 4, "npo_schools_eur": [2.5e6, 2.3e6, 1.5e5, 1.8e5],
    })


def test_default_peers_are_the_most_alike():
    frame = profile()
    assert default_peers(frame, "GM0001", k=1) == ["GM0002"]
    assert default_peers(frame, "GM0003", k=1) == ["GM0004"]
    assert sorted(default_peers(frame, "GM0003", k=10)) == ["GM0001", "GM0002", "GM0004"]
    assert resolve_peers(frame, "GM0001", ["GM0004"]) == (["GM0004"], True)
    assert resolve_peers(frame, "GM0001", [], k=1) == (["GM0002"], False)
    with pytest.raises(ValueError, match="k=0"):
        default_peers(frame, "GM0001", k=0)


def test_ranking_table_orders_and_formats():
    table = overview.ranking_table(profile(), "target_share", n=3)
    assert table["Gemeente"].tolist() == ["Aa", "Bee", "Dee"]
    first = table.iloc[0]
    assert first["Aandeel doelgroepkinderen"] == "19,1%"  # 900 / 4700 = 0.19149
    assert first["GOAB-budget"] == "€ 9.000.000"
    assert first["GOAB per doelgroepkind"] == "€ 10.000"
    small = overview.ranking_table(profile(), "pupils", n=4).set_index("Gemeente")
    assert small.loc["Cee", "Doelgroepkinderen"] == "<10"
    with pytest.raises(ValueError, match="by='nonsense'"):
        overview.ranking_table(profile(), "nonsense")


def test_scenario_changes_lists_gains_then_losses():
    comparison = pd.DataFrame({
        "municipality_code": ["GM0001", "GM0002", "GM0003", "GM0004"],
        "base_eur": [100.0, 200.0, 300.0, 400.0], "alternative_eur": [150.0, 180.0, 300.0, 470.0],
        "difference_eur": [50.0, -20.0, 0.0, 70.0], "difference_pct": [50.0, -10.0, 0.0, 17.5],
        "outcome": ["winner", "loser", "unchanged", "winner"]})
    changes = overview.scenario_changes(SimpleNamespace(goab_comparison=comparison), profile())
    assert changes["name"].tolist() == ["Dee", "Aa", "Bee"]
    shown = overview.scenario_changes_display(changes)
    assert shown.iloc[2].tolist() == ["Bee", "€ 200", "€ 180", "€ -20", "-10,0%"]


def test_coefficients_intervals_and_imputation_spread():
    model = {"coefficients": {
        "intercept": {"estimate": 530.0, "se": 1.0, "low": 528.04, "high": 531.96},
        "debt_restructuring": {"estimate": -2.0, "se": 0.5, "low": -2.98, "high": -1.02}}}
    table = indicator_view.coefficients(model)
    assert table["low"].tolist() == [528.04, -2.98]  # the stored (statsmodels) intervals
    assert indicator_view.coefficients_display(table).iloc[1, 3] == "-2,980 – -1,020"
    del model["coefficients"]["intercept"]["low"]
    with pytest.raises(ValueError, match="coefficient 'intercept': no 'low'/'high'"):
        indicator_view.coefficients(model)
    scores = pd.DataFrame({"school_id": ["A", "B"], "municipality_code": ["GM0001"] * 2,
                           "pupils": [100, 400], "score_gross_low": [10.0, 10.0],
                           "score_gross_high": [15.0, 30.0]})
    spread = indicator_view.imputation_spread(scores)
    assert spread["school_id"].tolist() == ["A", "B"]  # 5 per 100 pupils before 5 per 100
    assert spread["width_per_100_pupils"].tolist() == [5.0, 5.0]


def test_break_markers_follow_the_count_dates():
    dates = {2020: dt.date(2018, 10, 1), 2021: dt.date(2019, 10, 1),
             2022: dt.date(2020, 10, 1), 2023: dt.date(2021, 10, 1),
             2024: dt.date(2022, 2, 1)}
    markers = trends.break_markers(dates, "en")
    assert markers["year"].tolist() == [2021, 2023, 2024]
    assert markers["position"].tolist() == [2020.5, 2022.5, 2023.5]
    assert markers["text"].tolist() == ["break 2019", "break 2021", "break 2022"]
    assert markers["description"].tolist() == [  # the texts of npo_analysis.domain.peers
        "2019: CBS indicator replaces the weights scheme (gewichtenregeling)",
        "2021: recalibration of the CBS indicator",
        "2022: count date moves from 1 October to 1 February"]
    both = trends.break_markers({2020: dt.date(2018, 10, 1), 2024: dt.date(2022, 2, 1)})
    assert both["text"].tolist() == ["breuk 2019, 2021, 2022"]  # three breaks, one marker
    assert trends.break_markers({2024: dt.date(2022, 2, 1)}).empty  # nothing before it


def test_html_table_escapes_every_cell():
    page = html_table(pd.DataFrame({"<b>kop</b>": ["<script>x</script>", "A & B"]}),
                      caption="bron <i>")
    assert "<script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert "A &amp; B" in page and "&lt;b&gt;kop&lt;/b&gt;" in page
    assert "bron &lt;i&gt;" in page


@pytest.mark.parametrize("frame", [
    pd.DataFrame({"<b>kop</b>": ["<script>x</script>", "A & B"], "Aantal": ["1.234", "–"]}),
    pd.DataFrame({"Gemeente": pd.Series([], dtype=object)}),
    pd.DataFrame({"a": ["'s-Hertogenbosch", '"quoted"'], "b": ["Súdwest-Fryslân", "<10"]}),
    pd.DataFrame({"number": [1.5, 2.0], "text": ["x", "y"]}),  # not all text: pandas formats
])
def test_html_table_markup_is_what_pandas_writes(frame):
    expected = frame.to_html(index=False, escape=True, border=0, classes="report-table")
    assert html_table(frame) == f'<div class="table-wrapper">{expected}</div>'
