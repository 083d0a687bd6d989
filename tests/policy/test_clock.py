"""The one clock (policy/clock.py): Beijing wall time whatever the machine's zone."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from xinao_xl.policy import clock

# 2026-12-01 16:30 UTC: the instant of the measurement (a close gave other scores
# under TZ=UTC than under TZ=Asia/Shanghai); in 聊城 it is already 12-02 00:30.
INSTANT = datetime(2026, 12, 1, 16, 30, tzinfo=UTC)


@pytest.fixture(params=["UTC", "Asia/Shanghai", "America/New_York", "Pacific/Kiritimati"])
def machine_zone(request, monkeypatch):
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


def test_now_is_beijing_wall_time_in_every_machine_zone(machine_zone):
    with clock.fixed(INSTANT):
        # 16:30 + 8 hours = 00:30 the next day
        assert clock.now() == datetime(2026, 12, 2, 0, 30)
        assert clock.today() == date(2026, 12, 2)
        assert clock.instant().utcoffset() == timedelta(hours=8)


def test_a_naive_fixed_time_is_beijing_wall_time(machine_zone):
    with clock.fixed(datetime(2026, 12, 3, 9, 0)):
        assert clock.now() == datetime(2026, 12, 3, 9, 0)
        assert clock.instant() == datetime(2026, 12, 3, 1, 0, tzinfo=UTC)


def test_stamp_carries_plus_08_00():
    assert clock.stamp(datetime(2026, 12, 3, 9, 0, 0, 123456)) == "2026-12-03T09:00:00+08:00"
    assert clock.stamp(INSTANT) == "2026-12-02T00:30:00+08:00"


def test_local_converts_aware_and_keeps_naive():
    assert clock.local(datetime(2026, 12, 1, 16, 30, tzinfo=UTC)) == datetime(2026, 12, 2, 0, 30)
    assert clock.local(datetime(2026, 12, 2, 0, 30, tzinfo=timezone(timedelta(hours=8)))) == datetime(2026, 12, 2, 0, 30)
    assert clock.local(datetime(2026, 12, 2, 0, 30)) == datetime(2026, 12, 2, 0, 30)


def test_file_times_are_beijing_wall_time(machine_zone):
    # a file saved at 2026-12-01 16:30 UTC shows as 12-02 00:30 in 历史版本 and in verify
    assert clock.from_timestamp(INSTANT.timestamp()) == datetime(2026, 12, 2, 0, 30)


def test_fixed_restores_the_system_clock():
    with clock.fixed(INSTANT):
        pass
    assert abs(clock.instant().timestamp() - time.time()) < 5


def test_the_zone_data_is_there():
    # Windows has no system zone database: the tzdata package supplies it (pyproject.toml)
    assert clock.ZONE.key == "Asia/Shanghai"
    assert clock.aware(datetime(2026, 7, 1, 12, 0)).utcoffset() == timedelta(hours=8)  # no daylight saving


def test_nothing_else_asks_the_machine_for_the_time():
    """Every "now", "today" and file time goes through policy/clock.py."""
    import re
    from pathlib import Path

    root = Path(clock.__file__).resolve().parents[1]
    pattern = re.compile(r"datetime\.now\(|date\.today\(|\.fromtimestamp\(|datetime\.utcnow\(|time\.localtime\(")
    offenders = []
    for path in sorted(root.rglob("*.py")):
        if path.name == "clock.py" and path.parent.name == "policy":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if pattern.search(line):
                offenders.append(f"{path.relative_to(root.parent)}:{n}: {line.strip()}")
    assert offenders == []
