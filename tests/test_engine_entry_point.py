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


def test_the_stand_in_hands_papermill_the_real_engine_methods():
    """``papermill --engine npo-warm`` asks the engine for the notebook's kernel name."""
    import nbformat
    from papermill.engines import papermill_engines

    from npo_analysis.batch.engine import WarmEngine

    stand_in = papermill_engines.get_engine("npo-warm")
    notebook = nbformat.v4.new_notebook(metadata={"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}})
    assert stand_in.nb_kernel_name(notebook) == "python3"
    assert stand_in.execute_notebook.__func__ is WarmEngine.execute_notebook.__func__
