"""What works and what it costs: the menukaart priced, the schools' plans valued, the best package.

One module per idea:

- :mod:`~.menu`: months of progress per EUR 1,000 per pupil with the cost band's range;
- :mod:`~.stacking`: the value of a package (months x pupils, diminishing returns when stacking);
- :mod:`~.plans`: the schools' plans valued with that model;
- :mod:`~.optimiser`: the best package per school for its own budget, solved exactly;
- :mod:`~.comparison`: plans against the optimum with the same money, per school and
  municipality;
- :mod:`~.reading`: short plain-language readings of the results (Dutch or English).
"""

from npo_analysis.domain.interventions.comparison import PlansVsOptimum, plans_vs_optimum
from npo_analysis.domain.interventions.menu import COST_POINTS, cost_effectiveness, cost_per_pupil
from npo_analysis.domain.interventions.optimiser import (
    eligible_items,
    optimal_packages,
    solve_per_pupil,
)
from npo_analysis.domain.interventions.plans import school_plan_values, value_plans
from npo_analysis.domain.interventions.reading import (
    describe_cost_effectiveness,
    describe_plans_vs_optimum,
)
from npo_analysis.domain.interventions.stacking import DEFAULT_DISCOUNT, package_value

__all__ = [
    "COST_POINTS", "DEFAULT_DISCOUNT", "PlansVsOptimum", "cost_effectiveness", "cost_per_pupil",
    "describe_cost_effectiveness", "describe_plans_vs_optimum", "eligible_items",
    "optimal_packages", "package_value", "plans_vs_optimum", "school_plan_values",
    "solve_per_pupil", "value_plans",
]
