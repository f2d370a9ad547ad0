"""The engine's entry point: Papermill finds ``npo-warm`` through the ``papermill.engine``
entry point of the package, also when the engine module is imported before Papermill."""

from __future__ import annotations

import subprocess
import sys


def test_the_engine_module_imports_before_papermill_and_the_entry_point_delegates():
    code = ("import npo_analysis.batch.engine as e, papermill.engines as p; "
            "print(p.papermill_engines.get_engine('npo-warm').__module__, e.WarmEngine.__name__)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.split() == ["npo_analysis.batch.engine_entry", "WarmEngine"]
