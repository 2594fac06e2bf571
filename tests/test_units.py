from datetime import timedelta

import pytest

from aggregator.units import format_duration, format_size, parse_duration, parse_size


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("15m", 900),
        ("2h", 7200),
        ("1d", 86400),
        ("1h30m", 5400),
        ("90s", 90),
        ("500ms", 0.5),
        (45, 45),
        ("1w", 604800),
    ],
)
def test_parse_duration(text: object, seconds: float) -> None:
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("bad", ["15 minutes", "", "m", "-5m", True, None, [1], -3])
def test_parse_duration_rejects(bad: object) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(bad)


@pytest.mark.parametrize("seconds", [0, 1, 59, 60, 900, 5400, 86400, 90061, 0.25])
def test_format_duration_round_trips(seconds: float) -> None:
    value = timedelta(seconds=seconds)
    assert parse_duration(format_duration(value)) == value


@pytest.mark.parametrize(
    ("text", "size"), [("15MB", 15_000_000), ("512KiB", 524288), (2000, 2000), ("1.5kb", 1500)]
)
def test_parse_size(text: object, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize("bad", ["big", "0", 0, -1, "15 parsecs", False])
def test_parse_size_rejects(bad: object) -> None:
    with pytest.raises(ValueError, match="size"):
        parse_size(bad)


def test_format_size() -> None:
    assert format_size(15_000_000) == "15MB"
    assert format_size(1234) == "1234"
