"""Which budget years have a parameter file: light enough for the batch's own process.

:mod:`npo_analysis.params` reads and validates the files (with pydantic and PyYAML); finding
them needs neither, so the batch command checks a year before it imports them.
"""

from __future__ import annotations

from pathlib import Path


def params_years(params_dir: str | Path = "params") -> list[int]:
    """Budget years that have a parameter file ``<params_dir>/<year>.yaml``.

    Parameters
    ----------
    params_dir : path-like
        The parameter directory.

    Returns
    -------
    list of int
        Sorted years.
    """
    return sorted(int(p.stem) for p in Path(params_dir).glob("[0-9][0-9][0-9][0-9].yaml"))
