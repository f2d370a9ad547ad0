"""Demoland: a synthetic country for demos, tests and checking the analyses against known truth.

``generate(profile, seed)`` returns a :class:`npo_analysis.data.dataset.Dataset` with every table of
:data:`npo_analysis.data.schema.TABLES` (canonical columns and dtypes, no extra columns), metadata and
``truth``: a JSON-serialisable dict of the true parameters and every planted effect. Same profile,
seed and package version give identical tables. Profiles: ``tiny`` (6 municipalities, about
7,000 pupils), ``small`` (40 municipalities) and ``national`` (342 municipalities, about 6,100
schools, 1.35 million pupils), calibrated to the real 2019 CBS figures (see
:mod:`npo_analysis.data.demoland.calibration`).

How it is built (one module per idea):

- :mod:`~.geography`: municipality and school sizes from quantile functions fitted to the real
  distributions; a disadvantage propensity per school, logit = municipality level (higher in the
  largest cities) + neighbourhood and school deviations (segregation, wider in big places).
- :mod:`~.families`: each child's family is disadvantaged with that propensity; education, origin,
  the mother's years in the Netherlands and debt restructuring depend on it. Education is masked
  as missing by origin only (about 10% of mothers, 12% of fathers; 30-40% for
  refugee_countries / other_non_western, 7-9% for netherlands).
- :mod:`~.end_scores`: the TRUE end-score model; the CBS indicator statistics (national C about
  535.3, C - G about 5.8, share of schools with score 0 about 0.6) come out of it.
- :mod:`~.pupils`, :mod:`~.toddlers`, :mod:`~.vve`, :mod:`~.test_results`, :mod:`~.activities`,
  :mod:`~.plans`, :mod:`~.places`: the tables.

Planted effects and their ``truth`` keys:

``end_score_model``
    Intercept and coefficients of the end-score model (reference categories 0), potential
    coefficient and noise sd; ``end_score`` = onderwijsscore + potential term + noise, rounded,
    grade 8 only. ``school_mean_mother_education`` is over the *observed* mothers of the school.
``indicator``, ``school_target_share``
    C, G, number of target pupils and, per school, the share of its pupils in the national
    target group, computed with the true coefficients from the observed data (imputation by
    origin mean; see :mod:`~.calibration`).
``disadvantage``, ``missing_education``
    The propensity model and the background and missingness distributions.
``ve_indication``
    The VE target-group definition each municipality uses (rules on TRUE parental education,
    origin and years in the Netherlands) plus 2% other referrals.
``vve``
    ``planted_reach`` per neighbourhood (the probability an indicated toddler takes a place; most
    0.78-0.95), ``low_reach_neighbourhoods`` (0.40-0.72), ``non_indicated_take_up``,
    ``short_hours_locations`` (10 or 12 hours a week instead of 16, below the 960 hours in 18
    months norm), ``weak_providers`` (quality scores mostly 1-2).
``test_results``
    Scale (10 points per school year, 1 point is about 1 month, eind = midden + 5), the delay in
    months per domain x school year x moment for a school with target share 0
    (``delay_months_at_target_share_0``; starts at 2019 eind, peaks at 2020 midden, partly
    recovered by 2023; technisch_lezen and rekenen largest), multiplied by
    ``1 + delay_target_share_slope * school_target_share``; a pre-existing gap of
    ``gap_points_per_target_share`` points per unit of target share.
``activities``, ``white_spots``
    Need per neighbourhood x development domain (from target-group pupils at its schools); the
    supply covers the need everywhere except the listed white spots (high need, no or little
    supply).
``school_plans``
    Budget rule (EUR 701.16 per pupil, amounts sum to it exactly), number of interventions and
    the popularity weights that favour teaching assistants, small-group tuition and smaller
    classes.
"""

from npo_analysis.data.demoland.generator import DEFAULT_SEED, STEPS, generate
from npo_analysis.data.demoland.profiles import PROFILES, Profile

__all__ = ["DEFAULT_SEED", "PROFILES", "STEPS", "Profile", "generate"]
