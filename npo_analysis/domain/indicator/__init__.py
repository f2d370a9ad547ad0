"""The CBS education-disadvantage indicator (onderwijsachterstandenindicator, since 2019).

From pupil and toddler microdata: fit the end-score model (:mod:`.model`), impute missing parental
education (:mod:`.imputation`), compute every child's onderwijsscore, the national constants C and
G, the target group and the school scores (:mod:`.scores`) and municipal scores (:mod:`.municipal`).
Without microdata, :mod:`.published` works from published school scores. The method follows CBS,
*Achterstandsscores basisscholen 2019*, sheet "Toelichting" (see ``../shared/domain.md`` section 2).
"""

from npo_analysis.domain.indicator.pipeline import (
    IndicatorResult,
    compute_indicator,
    load_indicator_dataset,
    write_indicator,
)
from npo_analysis.domain.indicator.published import (
    apply_threshold,
    estimate_c_minus_g,
    read_cbs_school_scores,
)
from npo_analysis.domain.indicator.scores import (
    NationalTarget,
    national_target,
    school_scores_from_pupils,
)

__all__ = [
    "IndicatorResult",
    "NationalTarget",
    "apply_threshold",
    "compute_indicator",
    "estimate_c_minus_g",
    "load_indicator_dataset",
    "national_target",
    "read_cbs_school_scores",
    "school_scores_from_pupils",
    "write_indicator",
]
