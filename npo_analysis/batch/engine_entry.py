"""The ``papermill.engine`` entry point of ``npo-warm``: a stand-in that loads the engine late.

Papermill loads every entry point of the group ``papermill.engine`` while ``papermill`` itself
is being imported. :mod:`npo_analysis.batch.engine` imports Papermill, so an entry point naming
it directly breaks a process that imports the engine module before Papermill (a circular
import: the module is only half loaded when Papermill asks it for ``WarmEngine``). This module
imports nothing of Papermill; its :class:`WarmEngine` hands each call to the real engine.
"""

from __future__ import annotations


class WarmEngine:
    """Stand-in for :class:`npo_analysis.batch.engine.WarmEngine` (see the module docstring)."""

    @classmethod
    def execute_notebook(cls, *args, **kwargs):
        """:meth:`npo_analysis.batch.engine.WarmEngine.execute_notebook`."""
        from npo_analysis.batch.engine import WarmEngine as Engine

        return Engine.execute_notebook(*args, **kwargs)
