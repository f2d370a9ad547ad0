"""Exception types shared across the package, in a module that imports nothing heavy.

The command line names them when it turns bad input into one clear line
(:mod:`npo_analysis.cli.errors`); keeping them here lets ``npo-analysis`` start without loading
pandas first.
"""

from __future__ import annotations


class DatasetError(Exception):
    """A dataset directory cannot be read: missing directory, file or metadata."""
