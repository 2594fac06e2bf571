"""Reading feed dates (aggregator.normalize.dates). Every expected value is UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from aggregator.normalize.dates import parse_date

SH = "Asia/Shanghai"
NY = "America/New_York"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("raw", "tz", "expected"),
    [
        # RFC 822 / RFC 2822 (RSS 2.0 pubDate)
        ("Tue, 15 Jun 2021 03:58:00 GMT", SH, utc(2021, 6, 15, 3, 58)),  # the seed article's front matter
        ("Thu, 17 Jun 2021 11:42:35 +0800", "UTC", utc(2021, 6, 17, 3, 42, 35)),  # wechat-feeds
        ("Tue, 15 Jun 2021 03:58:00 +08:00", "UTC", utc(2021, 6, 14, 19, 58)),
        ("15 Jun 2021 03:58:00 -0300", "UTC", utc(2021, 6, 15, 6, 58)),  # no weekday
        (
            "tue, 15 jun 21 03:58 +0800",
            "UTC",
            utc(2021, 6, 14, 19, 58),
        ),  # lower case, 2-digit year, no seconds
        ("Mon, 01 Jan 99 00:00:00 GMT", "UTC", utc(1999, 1, 1)),  # RFC 2822 §4.3: 99 is 1999
        ("03 Apr 02 1500 GMT", "UTC", utc(2002, 4, 3, 15)),  # rss-parser/heraldsun.rss
        ("Tue, 15 June 2021 03:58:00 UT", "UTC", utc(2021, 6, 15, 3, 58)),
        ("Tue, 15 Jun 2021 03:58:00 +0000 (UTC)", SH, utc(2021, 6, 15, 3, 58)),
        ("Wed, 02 Oct 2002 13:00:00 Z", SH, utc(2002, 10, 2, 13)),
        ("Sun, 31 Dec 2023 23:59:60 +0000", "UTC", utc(2023, 12, 31, 23, 59, 59)),  # leap second
        # US zone names are unambiguous and honoured whatever the source zone
        ("Fri, 09 Feb 2024 10:00:00 EST", SH, utc(2024, 2, 9, 15)),
        ("Tue, 18 Jun 2024 10:00:00 EDT", SH, utc(2024, 6, 18, 14)),
        ("Tue, 15 Oct 2013 12:00:00 PST", SH, utc(2013, 10, 15, 20)),  # the Slashdot-era "PST" feeds
        ("Tue, 15 Oct 2013 12:00:00 PDT", SH, utc(2013, 10, 15, 19)),
        ("Tue, 15 Oct 2013 12:00:00 MST", SH, utc(2013, 10, 15, 19)),
        ("Tue, 15 Oct 2013 12:00:00 MDT", SH, utc(2013, 10, 15, 18)),
        # CST: China Standard Time for a Chinese portal, US Central for a source configured so
        ("Mon, 18 Mar 2024 16:20:00 CST", SH, utc(2024, 3, 18, 8, 20)),
        ("Mon, 18 Mar 2024 16:20:00 CST", "America/Chicago", utc(2024, 3, 18, 21, 20)),
        # naive times: the source's zone
        ("2024-03-20 14:05:00", SH, utc(2024, 3, 20, 6, 5)),
        ("2024-03-20 14:05:00", NY, utc(2024, 3, 20, 18, 5)),
        ("2024-03-20 14:05:00", "UTC", utc(2024, 3, 20, 14, 5)),
        ("Tue, 15 Jun 2021 03:58:00", SH, utc(2021, 6, 14, 19, 58)),
        ("2024-03-05", SH, utc(2024, 3, 4, 16)),
        # ISO 8601 / RFC 3339 (Atom)
        ("2024-03-20T14:05:00Z", SH, utc(2024, 3, 20, 14, 5)),
        ("2024-03-20T14:05:00+08:00", "UTC", utc(2024, 3, 20, 6, 5)),
        ("2024-03-20T14:05:00.123-07:00", "UTC", datetime(2024, 3, 20, 21, 5, 0, 123000, tzinfo=UTC)),
        ("2024-03-20T14:05:00.123456789Z", "UTC", datetime(2024, 3, 20, 14, 5, 0, 123456, tzinfo=UTC)),
        ("2024-03-20T14:05Z", "UTC", utc(2024, 3, 20, 14, 5)),
        ("2024-03-20 14:05:00+0800", "UTC", utc(2024, 3, 20, 6, 5)),
        ("2024-03-20T14:05:00", SH, utc(2024, 3, 20, 6, 5)),
        ("20240305T103000Z", SH, utc(2024, 3, 5, 10, 30)),  # basic format: feedparser drops the time
        ("2024-03-05 10:30 GMT+8", "UTC", utc(2024, 3, 5, 2, 30)),
        ("2024-03-05 10:30 PM", SH, utc(2024, 3, 5, 14, 30)),
        # Chinese CMS formats
        ("2024年3月5日 10:30", SH, utc(2024, 3, 5, 2, 30)),
        ("2024年03月05日", SH, utc(2024, 3, 4, 16)),
        ("2024年3月5日 下午3:30", SH, utc(2024, 3, 5, 7, 30)),
        ("2024年3月5日 10时30分", SH, utc(2024, 3, 5, 2, 30)),
        ("２０２４年３月５日　１０：３０", SH, utc(2024, 3, 5, 2, 30)),  # full-width input
        ("2020/1/10 14:33:00", SH, utc(2020, 1, 10, 6, 33)),  # RSParser/kc0011.rss (Dvbbs)
        ("2020-1-10 14:33", SH, utc(2020, 1, 10, 6, 33)),
        ("2024.03.05 10:30", SH, utc(2024, 3, 5, 2, 30)),
        # unix epoch
        ("1518478934", SH, utc(2018, 2, 12, 23, 42, 14)),
        ("1518478934123", SH, datetime(2018, 2, 12, 23, 42, 14, 123000, tzinfo=UTC)),
        # feedparser's parsers for the exotic rest
        ("Tue Mar 05 2024 10:30:00 GMT+0800 (中国标准时间)", SH, utc(2024, 3, 5, 2, 30)),  # JavaScript Date
        ("Sun Jan  4 16:29:06 2004", "UTC", utc(2004, 1, 4, 16, 29, 6)),  # asctime
        # garbage
        ("0000-00-00 00:00:00", SH, None),  # MySQL zero date: feedparser would say year -1
        ("2024-02-30", SH, None),
        ("2024-13-01 10:00", SH, None),
        ("Sat, 99 Jan 9999 99:99:99 GMT", SH, None),
        ("2024-03-05 25:00", SH, None),
        ("2024-03-05 10:00 +2500", SH, None),
        ("Seg, 24 Set 2018 19:42:40 -0300", SH, None),  # Portuguese (rss-parser/uolNoticias.rss): unread
        ("yesterday", SH, None),
        ("刚刚", SH, None),
        ("N/A", SH, None),
        ("x" * 500, SH, None),
        ("", SH, None),
        ("   ", SH, None),
        (None, SH, None),
    ],
)
def test_parse_date(raw: str | None, tz: str, expected: datetime | None) -> None:
    parsed = parse_date(raw, tz)
    assert parsed == expected
    if parsed is not None:
        assert parsed.utcoffset() == timedelta(0)
        assert parsed.tzinfo is UTC


def test_an_unknown_zone_is_an_error_when_a_naive_date_needs_it() -> None:
    with pytest.raises(ValueError, match="Asia/Beijing"):
        parse_date("2024-03-20 14:05:00", "Asia/Beijing")
