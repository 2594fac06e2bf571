"""Durations (``15m``, ``2h``, ``1d``) and sizes (``15MB``) as written in the YAML configuration."""

from __future__ import annotations

import re
from datetime import timedelta

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)", re.IGNORECASE)
_DURATION_WHOLE = re.compile(r"\s*(?:\d+(?:\.\d+)?\s*(?:ms|s|m|h|d|w)\s*)+", re.IGNORECASE)
_DURATION_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}

_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(b|kb|kib|mb|mib|gb|gib)?\s*", re.IGNORECASE)
_SIZE_FACTOR = {
    "b": 1,
    "kb": 1000,
    "mb": 1000**2,
    "gb": 1000**3,
    "kib": 1024,
    "mib": 1024**2,
    "gib": 1024**3,
}


def parse_duration(value: object) -> timedelta:
    """Read ``90s``, ``15m``, ``2h``, ``1d``, ``1h30m``, or a bare number of seconds."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a duration (use 15m, 2h, 1d)")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError(f"{value!r} is not a duration: it must not be negative")
        return timedelta(seconds=value)
    if isinstance(value, str) and _DURATION_WHOLE.fullmatch(value):
        seconds = sum(float(n) * _DURATION_SECONDS[u.lower()] for n, u in _DURATION_PART.findall(value))
        return timedelta(seconds=seconds)
    raise ValueError(f"{value!r} is not a duration (use 15m, 2h, 1d)")


def format_duration(value: timedelta) -> str:
    """The shortest spelling that :func:`parse_duration` reads back to the same value."""
    total = value.total_seconds()
    if total != int(total):
        return f"{round(total * 1000)}ms"
    seconds = int(total)
    if seconds == 0:
        return "0s"
    out = ""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            count, seconds = divmod(seconds, size)
            out += f"{count}{unit}"
    return out


def parse_size(value: object) -> int:
    """Read ``15MB``, ``512KiB``, ``2000000`` (bytes) into a number of bytes."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a size (use 15MB, 512KB or a number of bytes)")
    if isinstance(value, int):
        if value <= 0:
            raise ValueError(f"{value!r} is not a size: it must be positive")
        return value
    if isinstance(value, str):
        match = _SIZE.fullmatch(value)
        if match:
            number, unit = match.groups()
            size = int(float(number) * _SIZE_FACTOR[(unit or "b").lower()])
            if size > 0:
                return size
    raise ValueError(f"{value!r} is not a size (use 15MB, 512KB or a number of bytes)")


def format_size(size: int) -> str:
    for unit, factor in (("GB", 1000**3), ("MB", 1000**2), ("KB", 1000)):
        if size >= factor and size % factor == 0:
            return f"{size // factor}{unit}"
    return str(size)
