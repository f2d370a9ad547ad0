"""The ``papermill.engine`` entry point of ``npo-warm``: a stand-in that loads the engine late.

Papermill loads every entry point of the group ``papermill.engine`` while ``papermill`` itself
is being imported. :mod:`npo_analysis.batch.engine` imports Papermill, so an entry point naming
it directly breaks a process that imports the engine module before Papermill (a circular
import: the module is only half loaded when Papermill asks it for ``WarmEngine``). This module
imports nothing of Papermill; every attribute Papermill asks :class:`WarmEngine` for
(``execute_notebook``, ``nb_kernel_name``, ``nb_language``) is the real engine's.
"""

from __future__ import annotations


class _Delegating(type):
    """Metaclass: a missing class attribute is looked up on the real engine."""

    def __getattr__(cls, name: str):
        from npo_analysis.batch.engine import WarmEngine as Engine

        return getattr(Engine, name)


class WarmEngine(metaclass=_Delegating):
    """Stand-in for :class:`npo_analysis.batch.engine.WarmEngine` (see the module docstring)."""
