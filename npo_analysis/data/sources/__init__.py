"""Public DUO and CBS source files: loaders, downloading, and building a school-level dataset.

- :mod:`npo_analysis.data.sources.duo`: school addresses, pupil counts per school, end scores;
- :mod:`npo_analysis.data.sources.cbs`: school disadvantage scores (workbook), municipality list;
- :mod:`npo_analysis.data.sources.public_dataset`: joins them into a dataset plus an import report;
- :mod:`npo_analysis.data.sources.fetch`: downloads the current files (addresses documented there);
- :mod:`npo_analysis.data.sources.common`: encoding/separator sniffing, code clean-up, layout errors.

Every loader raises :class:`SourceFormatError` (a ``ValueError``) naming the file, the expected
layout and the columns found when a file is not what it expects.
"""

from npo_analysis.data.sources.common import SourceFormatError

__all__ = ["SourceFormatError"]
