"""The municipality report's content, section by section (the 4D cycle: Data, Duiden, Doelen,
Doen), for ``notebooks/municipality_report.ipynb``.

Start with :func:`validate_parameters` and :func:`load_report_data`; the section modules return
tidy DataFrames and small dataclasses, :mod:`.view` turns them into Markdown and HTML:

- :mod:`.parameters` – the report parameters, one clear error line;
- :mod:`.inputs` – everything a report reads, the municipality's slice only;
- :mod:`.profile`, :mod:`.peers` – headline figures per municipality, the peer group;
- :mod:`.key_figures` – Data: key figures beside province, peers and the Netherlands;
- :mod:`.spread`, :mod:`.trends` – Duiden: schools, neighbourhoods, distribution, peers, trends;
- :mod:`.goals` – Doelen: measurable goals from the gaps;
- :mod:`.money` – Doen: budgets over the years, the schools' plans, what-if scenarios;
- :mod:`.local_voice` – the municipality's own commentary, LEA goals and agreements;
- :mod:`.text`, :mod:`.view` – every word the reader sees, Dutch or English.
"""

from npo_analysis.report.inputs import ReportData, load_report_data
from npo_analysis.report.parameters import (
    ReportParameterError,
    ReportParameters,
    validate_parameters,
)

__all__ = [
    "ReportData",
    "ReportParameterError",
    "ReportParameters",
    "load_report_data",
    "validate_parameters",
]
