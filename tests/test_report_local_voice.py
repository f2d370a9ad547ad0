"""The local voice: the override file's commentary, LEA goals and agreements."""

from __future__ import annotations

import pytest
from report_support import PARAMS_DIR

from npo_analysis.domain.params import ParamsError, load_municipality_file
from npo_analysis.report.local_voice import commentary_markdown, lea_table, load_local_voice

VOICE = '''code: "GM0001"
name: Testdorp
commentary:
  data: "Klopt met wat scholen zeggen <script>alert(1)</script>"
  doen: ""
lea_goals:
  - text: "Bereik VVE 90%"
    partners: ["Kinderopvang", "JGZ"]
    deadline: "2025"
agreements:
  - text: "Warme overdracht"
'''


@pytest.fixture
def params_dir(tmp_path):
    (tmp_path / "municipalities").mkdir()
    (tmp_path / "municipalities" / "GM0001.yaml").write_text(VOICE, encoding="utf-8")
    return tmp_path


def test_the_shipped_example_loads():
    voice = load_municipality_file(PARAMS_DIR / "municipalities" / "GM0032.yaml")
    assert voice.name == "Uizelwijk" and len(voice.peers) == 5
    assert all(getattr(voice.commentary, s).strip() for s in ("data", "duiden", "doelen", "doen"))
    assert voice.lea_goals and voice.agreements


def test_commentary_is_quoted_and_escaped(params_dir):
    voice = load_local_voice("GM0001", params_dir)
    text = commentary_markdown(voice, "data")
    assert text.startswith('<div class="local-voice"><p><strong>De gemeente Testdorp over deze '
                           'cijfers:</strong></p><blockquote>')
    assert "<p>Klopt met wat scholen zeggen &lt;script&gt;alert(1)&lt;/script&gt;</p>" in text
    assert "<script>" not in text
    assert commentary_markdown(voice, "doen") == ""
    assert commentary_markdown(None, "data") == ""
    with pytest.raises(ValueError, match="section='foo'"):
        commentary_markdown(voice, "foo")


def test_lea_table_fills_missing_fields_with_a_dash(params_dir):
    voice = load_local_voice("GM0001", params_dir)
    goals = lea_table(voice.lea_goals, kind="goal")
    assert list(goals.columns)[0] == "Doel"
    assert goals.iloc[0].tolist() == ["Bereik VVE 90%", "Kinderopvang, JGZ", "2025", "–"]
    agreements = lea_table(voice.agreements, "en")
    assert list(agreements.columns) == ["Agreement", "Partners", "When", "Measured by"]
    assert agreements.iloc[0].tolist() == ["Warme overdracht", "–", "–", "–"]


def test_no_file_means_no_voice(tmp_path):
    assert load_local_voice("GM0002", tmp_path) is None


def test_bad_local_voice_names_the_key(tmp_path):
    path = tmp_path / "GM0001.yaml"
    path.write_text('code: "GM0001"\nlea_goals:\n  - partners: ["x"]\n'
                    'commentary:\n  dataa: "typo"\n', encoding="utf-8")
    with pytest.raises(ParamsError) as info:
        load_municipality_file(path)
    problems = info.value.problems
    assert f"{path}: lea_goals.0.text: missing key" in problems
    assert any(p.startswith(f"{path}: commentary.dataa: unknown key (allowed here: data, "
                            "doelen, doen, duiden)") for p in problems)
