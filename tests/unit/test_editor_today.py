"""The editor writes how a moment goes today and how it feels, today and on the perfect day."""

from __future__ import annotations

from pathlib import Path

from ruamel.yaml import YAML

from visionkit.widgets import EngagementSession, PerfectDayEditor


def _moment(path: Path, index: int) -> dict[str, object]:
    return dict(YAML(typ="safe").load(path.read_text(encoding="utf-8"))["perfect_days"][0]["moments"][index])


def test_today_and_the_feelings_reach_the_file_and_leave_it_when_cleared(engagement_path: Path) -> None:
    path = engagement_path
    session = EngagementSession(path, debounce=0.0, watch=False)
    editor = PerfectDayEditor(session)
    try:
        first, second = editor.rows[0], editor.rows[1]
        # The demo's first moment has a feeling already: the dropdowns show it.
        assert (first.feeling["today"].value, first.feeling["perfect"].value) == (-1, 2)
        assert (second.feeling["today"].value, second.feeling["perfect"].value) == (None, None)

        second.fields["today"].value = "She reserves by phone and hopes."
        second.feeling["perfect"].value = 2
        session.flush()
        saved = _moment(path, 1)
        assert saved["today"] == "She reserves by phone and hopes." and saved["feeling"] == {"perfect": 2}
        second.feeling["today"].value = -1
        session.flush()
        assert _moment(path, 1)["feeling"] == {"today": -1, "perfect": 2}
        assert "<b>Today</b> She reserves by phone and hopes." in editor.preview.value

        for dropdown in second.feeling.values():
            dropdown.value = None
        second.fields["today"].value = ""
        session.flush()
        assert "feeling" not in _moment(path, 1) and "today" not in _moment(path, 1)
    finally:
        editor.close()
        session.close()
