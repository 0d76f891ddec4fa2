"""Balcão Virtual offices in offers.toml: read into calendars, and lint in plain Portuguese."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from knowledge_base.calendar import Window
from knowledge_base.loader import read_knowledge_base

from .kb_files import append_to, assert_reported, line_of, problems_of

OFFICE = """
[[offers.offices]]
id = "cartorio-x"
name = "Cartório X"
aliases = ["vara x"]
hours = {{ seg = [{seg}], sab = ["09:00-12:00"] }}
closures = [{closures}]
meeting_url = "{url}"
agent_chat_id = -1009
"""


def _office(root: Path, seg: str = '"08:00-12:00", "13:00-18:00"', **more: str) -> Path:
    values = {"closures": '"2026-12-24"', "url": "https://teams.example/x", **more}
    return append_to(root / "offers.toml", OFFICE.format(seg=seg, **values))


def test_an_office_reads_into_its_windows_closures_link_and_group(kb_root: Path) -> None:
    _office(kb_root)
    kb, problems = read_knowledge_base(kb_root)
    assert problems == []
    (office,) = kb.offers["sei"].offices
    assert office.windows == (
        Window(0, time(8), time(12)),
        Window(0, time(13), time(18)),
        Window(5, time(9), time(12)),
    )
    assert office.closures == frozenset({date(2026, 12, 24)})
    assert (office.meeting_url, office.agent_chat_id, office.aliases) == (
        "https://teams.example/x",
        -1009,
        ("vara x",),
    )
    assert (office.weekdays, office.start, office.end) == ((0, 5), "08:00", "18:00")
    # Monday 2026-12-07 12:30 in Brasília (15:30 UTC) is lunch.
    assert not office.calendar.is_open(datetime(2026, 12, 7, 15, 30, tzinfo=UTC))


@pytest.mark.parametrize(
    ("change", "code", "text"),
    [
        (
            {"seg": '"08:00-25:00"'},
            "hour_invalid",
            "hora inválida '25:00' (oferta 'sei', cartório 'cartorio-x'): use HH:MM",
        ),
        ({"seg": '"8h-12:00"'}, "hour_invalid", "hora inválida '8h'"),
        ({"seg": '"12:00-08:00"'}, "office_hours_order", "termina antes de começar, 12:00 a 08:00"),
        (
            {"seg": '"08:00-12:00", "11:00-13:00"'},
            "office_windows_overlap",
            "as janelas '08:00-12:00' e '11:00-13:00' se sobrepõem na seg",
        ),
        ({"closures": '"2026-02-30"'}, "office_closure_invalid", "'2026-02-30' inválida"),
        (
            {"url": "http://teams.example/x"},
            "office_link_not_https",
            "meeting_url 'http://teams.example/x' (oferta 'sei', cartório 'cartorio-x') deve",
        ),
    ],
)
def test_bad_office_values_are_reported_on_the_office_s_line(
    kb_root: Path, change: dict[str, str], code: str, text: str
) -> None:
    path = _office(kb_root, **change)
    found = assert_reported(problems_of(kb_root), path, line_of(path, 'id = "cartorio-x"'), code)
    assert text in found.text()


def test_a_repeated_office_is_reported(kb_root: Path) -> None:
    path = _office(kb_root)
    append_to(path, OFFICE.format(seg='"08:00-12:00"', closures="", url=""))
    problems = problems_of(kb_root)
    assert any(p.code == "office_duplicate" for p in problems), problems


def test_an_office_without_hours_is_reported(kb_root: Path) -> None:
    path = append_to(kb_root / "offers.toml", '\n[[offers.offices]]\nid = "y"\nname = "Y"\n')
    assert_reported(problems_of(kb_root), path, line_of(path, 'id = "y"'), "office_no_hours")


def test_an_unknown_day_name_is_reported(kb_root: Path) -> None:
    path = append_to(
        kb_root / "offers.toml",
        '\n[[offers.offices]]\nid = "z"\nname = "Z"\nhours = { segunda = ["08:00-12:00"] }\n',
    )
    found = assert_reported(
        problems_of(kb_root), path, line_of(path, 'id = "z"'), "office_day_unknown"
    )
    assert "dia 'segunda' desconhecido" in found.text() and "seg, ter" in found.text()
