"""Every table of one municipality report, each computed once: :class:`ReportAnalyses`.

The notebook shows these tables and charts; :mod:`npo_analysis.report.workbook` writes the same tables to
the municipality's Excel workbook. Each attribute is computed on first use and then kept, so the
report and its export never compute an analysis twice. The national analyses (delays, school
delays, VE reach of every municipality) come from the national tables when the batch
precomputed them (:mod:`npo_analysis.national.analyses`).
"""

from __future__ import annotations

from functools import cached_property

import pandas as pd

from npo_analysis import table_cache
from npo_analysis.domain import vve
from npo_analysis.national.analyses import (
    ANALYSES_DIR,
    COVERAGE_FILE,
    TEST_RESULTS_FILE,
    NationalAnalyses,
    load_national_analyses,
)
from npo_analysis.report import (
    delays_view,
    goals,
    interventions_view,
    key_figures,
    money,
    peers_view,
    spread,
    supply_view,
    trends,
    vve_view,
)
from npo_analysis.report.inputs import ReportData, read_coerced, read_slice
from npo_analysis.report.suppression import NEIGHBOURHOOD_RULE, SCHOOL_RULE, with_hidden


class ReportAnalyses:
    """The analyses of one municipality report (see the module docstring).

    Parameters
    ----------
    data : ReportData
        :func:`npo_analysis.report.load_report_data`.

    Examples
    --------
    >>> results = ReportAnalyses(data)  # doctest: +SKIP
    >>> results.white_spots[["name", "domain", "coverage"]]  # doctest: +SKIP
    """

    def __init__(self, data: ReportData) -> None:
        self.data = data

    # --- Data and the spread (the sections that existed before the analyses) -------------------

    @cached_property
    def key_figures(self) -> pd.DataFrame:
        """:func:`npo_analysis.report.key_figures.key_figures`."""
        return key_figures.key_figures(self.data.profile, self.data.code, self.data.peers)

    @cached_property
    def schools(self) -> pd.DataFrame:
        """:func:`npo_analysis.report.spread.school_table` of the budget year, with its hidden
        cells (:func:`npo_analysis.report.suppression.with_hidden`)."""
        data = self.data
        table = spread.school_table(data.schools, data.national.school_scores,
                                    data.school_budgets, data.c_minus_g,
                                    data.year_params.indicator.school_threshold_fraction)
        return with_hidden(table, SCHOOL_RULE)

    @cached_property
    def neighbourhoods(self) -> pd.DataFrame:
        """:func:`npo_analysis.report.spread.neighbourhood_table`, with its hidden cells."""
        data = self.data
        table = spread.neighbourhood_table(data.neighbourhoods, data.schools,
                                           data.national.school_scores, data.children,
                                           data.toddlers, data.activities)
        return with_hidden(table, NEIGHBOURHOOD_RULE)

    @cached_property
    def distribution(self) -> pd.DataFrame:
        """:func:`npo_analysis.report.spread.share_distribution`."""
        data = self.data
        return spread.share_distribution(data.national.school_scores, data.code,
                                         str(data.municipality["name"]), data.language)

    @cached_property
    def count_dates(self) -> dict:
        """Budget year -> count date of its parameter file."""
        return {y: p.count_date for y, p in self.data.budget_params.items()}

    @cached_property
    def breaks(self) -> pd.DataFrame:
        """:func:`npo_analysis.report.trends.break_markers` on the budget years."""
        return trends.break_markers(self.count_dates, self.data.language)

    @cached_property
    def goab_trend(self) -> pd.DataFrame:
        """:func:`npo_analysis.report.trends.goab_share_trend`."""
        return trends.goab_share_trend(self.data.budgets, self.data.code)

    @cached_property
    def peer_position(self) -> pd.DataFrame:
        """:func:`npo_analysis.report.spread.peer_position`."""
        return spread.peer_position(self.data.profile, self.data.code, self.data.peers)

    # --- National analyses and learning delays ----------------------------------------------

    @cached_property
    def national(self) -> NationalAnalyses:
        """The national analyses (precomputed by the batch, else computed here)."""
        params = self.data.params
        return load_national_analyses(params.data_dir, params.results_dir,
                                      self.data.national.school_scores)

    @cached_property
    def test_results(self) -> pd.DataFrame | None:
        """The test results of the municipality's schools; ``None`` without the table.

        Read from the national analyses' copy by municipality when the batch wrote it (one row
        group), else from the dataset by school.
        """
        if self.national.national_delays is None:
            return None
        by_municipality = self.data.params.results_dir / ANALYSES_DIR / TEST_RESULTS_FILE
        if self.national.precomputed and by_municipality.is_file():
            rows = read_coerced("test_results", by_municipality,
                                where=("municipality_code", [self.data.code]))
            return rows.drop(columns="municipality_code")
        ids = self.data.schools["school_id"].tolist()
        return read_slice(self.data.params.data_dir, "test_results", "school_id", ids)

    @cached_property
    def delays(self) -> pd.DataFrame | None:
        """:func:`npo_analysis.report.delays_view.delay_comparison`; ``None`` without tests."""
        if self.test_results is None or self.test_results.empty:
            return None
        return delays_view.delay_comparison(self.test_results, self.data.schools, self.data.code,
                                            self.national.national_delays, self.national.growth)

    @cached_property
    def challenge_schools(self) -> pd.DataFrame | None:
        """:func:`npo_analysis.report.delays_view.challenge_schools`; ``None`` without tests."""
        if self.national.school_delays is None:
            return None
        table = delays_view.challenge_schools(self.national.school_delays, self.schools)
        hidden = self.schools.set_index("school_id")[["hidden_target_pupils",
                                                      "hidden_target_share"]]
        return table.join(hidden, on="school_id")  # the school table's decision

    # --- White spots --------------------------------------------------------------------------

    @cached_property
    def coverage(self) -> pd.DataFrame:
        """:func:`npo_analysis.report.supply_view.coverage`.

        The municipality's rows of the national analyses' :data:`COVERAGE_FILE` when the batch
        wrote it (the same rows), else computed here.
        """
        data = self.data
        national = data.params.results_dir / ANALYSES_DIR / COVERAGE_FILE
        if self.national.precomputed and national.is_file():
            return table_cache.read_parquet(national, where=("municipality_code", [data.code]))
        return supply_view.coverage(data.children, data.schools, data.activities,
                                    data.neighbourhoods)

    @cached_property
    def white_spots(self) -> pd.DataFrame:
        """:func:`npo_analysis.report.supply_view.white_spots`."""
        return supply_view.white_spots(self.coverage)

    @cached_property
    def heat_map(self) -> pd.DataFrame:
        """:func:`npo_analysis.report.supply_view.heat_map_data`."""
        return supply_view.heat_map_data(self.coverage, self.white_spots, self.data.language)

    # --- VVE ------------------------------------------------------------------------------------

    @cached_property
    def vve_reach(self) -> pd.DataFrame:
        """:func:`npo_analysis.report.vve_view.reach` per neighbourhood, with its hidden cells
        (the rule of the neighbourhood table); a neighbourhood whose reach is hidden counts as
        a small group (not named, not charted)."""
        data = self.data
        table = with_hidden(vve_view.reach(data.toddlers, data.neighbourhoods, data.children),
                            NEIGHBOURHOOD_RULE)
        return table.assign(small_group=table["small_group"] | table["hidden_ve_reach"])

    @cached_property
    def vve_hours(self) -> pd.DataFrame:
        """:func:`npo_analysis.domain.vve.hours_check` of the municipality's locations."""
        return vve.hours_check(self.data.vve_locations)

    @cached_property
    def vve_quality(self) -> pd.DataFrame:
        """:func:`npo_analysis.domain.vve.quality_scores` per location."""
        return vve.quality_scores(self.data.vve_locations, self.data.neighbourhoods, "location")

    @cached_property
    def vve_providers(self) -> pd.DataFrame:
        """:func:`npo_analysis.domain.vve.quality_scores` per provider (its locations here)."""
        return vve.quality_scores(self.data.vve_locations, self.data.neighbourhoods, "provider")

    # --- Peers ----------------------------------------------------------------------------------

    @cached_property
    def comparison(self) -> pd.DataFrame:
        """:func:`npo_analysis.report.peers_view.comparison` (with VE reach when known)."""
        profile = peers_view.with_vve_reach(self.data.profile, self.national.vve_reach)
        return peers_view.comparison(profile, self.data.code, self.data.peers)

    # --- Doelen ---------------------------------------------------------------------------------

    @cached_property
    def goals(self) -> list[goals.Goal]:
        """:func:`npo_analysis.report.goals.derive_goals` from every analysis."""
        return goals.derive_goals(self.schools, self.neighbourhoods, self.data.params.year,
                                  self.data.language, delays=self.delays,
                                  challenge=self.challenge_schools, spots=self.white_spots,
                                  reach=self.vve_reach)

    # --- Doen -----------------------------------------------------------------------------------

    @cached_property
    def budgets(self) -> pd.DataFrame:
        """:func:`npo_analysis.report.money.budgets_over_years`."""
        return money.budgets_over_years(self.data.budgets, self.data.code)

    @cached_property
    def plans(self) -> pd.DataFrame:
        """:func:`npo_analysis.report.money.plans_by_intervention`."""
        return money.plans_by_intervention(self.data.school_plans, self.data.interventions)

    @cached_property
    def cost_effectiveness(self) -> pd.DataFrame:
        """:func:`npo_analysis.report.interventions_view.cost_effectiveness`."""
        return interventions_view.cost_effectiveness(self.data.interventions)

    @cached_property
    def plans_vs_optimum(self):
        """:func:`npo_analysis.report.interventions_view.plans_vs_optimum` (``None``: no plans)."""
        data = self.data
        return interventions_view.plans_vs_optimum(data.school_plans, data.schools,
                                                   data.interventions)

    @cached_property
    def school_comparison(self) -> pd.DataFrame | None:
        """:func:`npo_analysis.report.interventions_view.school_comparison`."""
        if self.plans_vs_optimum is None:
            return None
        return interventions_view.school_comparison(self.plans_vs_optimum, self.data.schools)

    @cached_property
    def package_mix(self) -> pd.DataFrame | None:
        """:func:`npo_analysis.report.interventions_view.package_mix`."""
        if self.plans_vs_optimum is None:
            return None
        return interventions_view.package_mix(self.plans_vs_optimum, self.data.interventions,
                                              self.data.language)

    @cached_property
    def scenarios(self) -> list[money.ScenarioEffect]:
        """:func:`npo_analysis.report.money.scenario_effect` of every what-if scenario."""
        data = self.data
        return [money.scenario_effect(data.national.scenario(name, data.code), data.schools)
                for name in data.national.scenarios]
