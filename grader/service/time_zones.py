"""Time zones of exercise sets: IANA names (zoneinfo), and converting due dates in and out of them.

Due dates are stored in UTC.  An instructor enters one as a wall-clock time in the set's zone
(a teacher in Shanghai who types 23:59 means 23:59 in Shanghai, 15:59 UTC), and everyone reads it
back in that zone with the zone named; the student page adds the reader's own local time.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel.dates import get_timezone, get_timezone_location

DEFAULT = "UTC"
MAX_NAME = 64


@functools.cache
def names() -> tuple[str, ...]:
    """Every zone an instructor may choose: the IANA names of areas ("Asia/Shanghai"), and UTC."""
    found = {name for name in available_timezones() if "/" in name and not name.startswith(("Etc/", "SystemV/"))}
    return (DEFAULT, *sorted(found))


def is_zone(name: object) -> bool:
    """Whether ``name`` is a zone this service knows."""
    if not isinstance(name, str) or not name or len(name) > MAX_NAME:
        return False
    if name in names():
        return True
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def zone(name: str | None) -> ZoneInfo:
    """The zone of a stored name; UTC for None or a name this machine does not know."""
    return ZoneInfo(name) if name and is_zone(name) else ZoneInfo(DEFAULT)


def from_wall_clock(local: datetime, name: str) -> datetime:
    """A naive wall-clock time in zone ``name`` as aware UTC."""
    return local.replace(tzinfo=zone(name)).astimezone(UTC)


def to_wall_clock(moment: datetime, name: str) -> datetime:
    """An aware moment as the naive wall-clock time in zone ``name``."""
    return moment.astimezone(zone(name)).replace(tzinfo=None)


@functools.lru_cache(maxsize=2048)
def label(name: str, language: str = "en") -> str:
    """A zone as a reader names it: the IANA name in English ("Asia/Shanghai"); CLDR's name of the
    place in Chinese ("中国（上海）时间"), so a Chinese page carries no English place names."""
    if language != "zh" or name == DEFAULT:
        return name
    try:
        return get_timezone_location(get_timezone(name), locale="zh")
    except (LookupError, ValueError):
        return name
