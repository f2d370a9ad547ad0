"""The ``school_plans`` table: how each school spends its NPO money on menukaart interventions.

Each school's budget is EUR 701.16 per pupil (2021-22), in whole euros, spread over 1-5
interventions. Choices favour popular but not always efficient interventions (teaching
assistants, small-group tuition, smaller classes) by the weights in :data:`CHOICE_WEIGHTS`, so an
optimiser has something to improve.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from npo_analysis.data.demoland.frames import typed_frame
from npo_analysis.data.demoland.geography import Geography
from npo_analysis.data.demoland.sampling import split_integer, stream

#: NPO money per pupil in school year 2021-22, in euro cents.
BUDGET_CENTS_PER_PUPIL = 70116
#: P(a school plans 1, 2, 3, 4 or 5 interventions).
N_INTERVENTION_PROBS = (0.15, 0.3, 0.3, 0.15, 0.1)
#: Relative popularity of interventions (those not listed have weight 1).
CHOICE_WEIGHTS = {"teaching_assistants": 10.0, "small_group_tuition": 8.0,
                  "reducing_class_size": 6.0, "extending_school_time": 4.0,
                  "one_to_one_tuition": 4.0, "social_emotional_learning": 4.0,
                  "individualised_instruction": 3.0, "wellbeing": 2.0, "feedback": 2.0,
                  "metacognition": 2.0}
#: Interventions for a selected group of pupils (5-35% of the school); the rest reach 50-100%.
TARGETED = ("small_group_tuition", "one_to_one_tuition", "individualised_instruction",
            "summer_schools", "mentoring", "oral_language", "phonics", "reading_comprehension",
            "extending_school_time")


def school_budgets(pupils: np.ndarray) -> np.ndarray:
    """NPO budget per school in whole euros (701.16 per pupil, rounded half up)."""
    return (pupils.astype(np.int64) * BUDGET_CENTS_PER_PUPIL + 50) // 100


def build_school_plans(geo: Geography, intervention_ids: list[str], seed: int
                       ) -> tuple[pd.DataFrame, dict]:
    """Return the ``school_plans`` table and its truth.

    Parameters
    ----------
    geo : Geography
    intervention_ids : list of str
        Menukaart ids (``load_menukaart()["intervention_id"]``).
    seed : int
    """
    rng = stream(seed, "school_plans")
    n_s, n_i = len(geo.school_id), len(intervention_ids)
    k = rng.choice(np.arange(1, 6), size=n_s, p=N_INTERVENTION_PROBS)
    weights = np.array([CHOICE_WEIGHTS.get(i, 1.0) for i in intervention_ids])
    keys = np.log(weights)[None, :] + rng.gumbel(size=(n_s, n_i))
    order = np.argsort(-keys, axis=1, kind="stable")[:, :5]
    shares = np.where(np.arange(5)[None, :] < k[:, None], rng.gamma(2.0, 1.0, (n_s, 5)), 0.0)
    amounts = split_integer(school_budgets(geo.school_pupils), shares)
    used = np.arange(5)[None, :] < k[:, None]
    school = np.repeat(np.arange(n_s), k)
    chosen = np.array(intervention_ids, dtype=object)[order[used]]
    targeted = np.isin(chosen, TARGETED)
    reach = np.where(targeted, rng.uniform(0.05, 0.35, len(chosen)),
                     rng.uniform(0.5, 1.0, len(chosen)))
    pupils = geo.school_pupils[school]
    frame = typed_frame("school_plans", {
        "school_id": geo.school_id[school],
        "intervention_id": chosen,
        "amount_eur": amounts[used],
        "target_pupils": np.clip(np.floor(reach * pupils), 1, pupils),
    })
    truth = {"budget_eur_per_pupil": BUDGET_CENTS_PER_PUPIL / 100,
             "budget_rule": "round_half_up(701.16 * pupils) euros per school; plan amounts sum "
                            "to it exactly",
             "n_interventions_probs": list(N_INTERVENTION_PROBS),
             "choice_weights": {i: float(w) for i, w in zip(intervention_ids, weights,
                                                            strict=True)},
             "targeted_interventions": list(TARGETED)}
    return frame, truth
