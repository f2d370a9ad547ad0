"""The warm engine builds notebook outputs without per-output validation: the same nodes."""

from __future__ import annotations

import papermill  # noqa: F401  (first: papermill loads the engine's entry point when imported)
import pytest
from nbformat.v4 import output_from_msg

from npo_analysis.batch.engine import output_node

MESSAGES = [
    {"header": {"msg_type": "display_data"},
     "content": {"data": {"text/plain": "chart", "image/svg+xml": "<svg/>"},
                 "metadata": {"image/svg+xml": {"isolated": True}}, "transient": {}}},
    {"header": {"msg_type": "execute_result"},
     "content": {"data": {"text/plain": "1"}, "metadata": {}, "execution_count": 3}},
    {"header": {"msg_type": "stream"}, "content": {"name": "stderr", "text": "let op\n"}},
    {"header": {"msg_type": "error"},
     "content": {"ename": "ValueError", "evalue": "x", "traceback": ["a", "b"]}},
]


@pytest.mark.parametrize("message", MESSAGES, ids=lambda m: m["header"]["msg_type"])
def test_output_nodes_equal_nbformats(message):
    expected, got = output_from_msg(message), output_node(message)
    assert got == expected
    assert {key: type(value) for key, value in got.items()} == \
        {key: type(value) for key, value in expected.items()}


def test_other_messages_are_not_outputs():
    assert output_node({"header": {"msg_type": "status"}, "content": {"execution_state": "idle"}}) \
        is None


def test_the_engine_module_imports_before_papermill_and_the_entry_point_delegates():
    import subprocess
    import sys

    code = ("import npo_analysis.batch.engine as e, papermill.engines as p; "
            "print(p.papermill_engines.get_engine('npo-warm').__module__, e.WarmEngine.__name__)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.split() == ["npo_analysis.batch.engine_entry", "WarmEngine"]
