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


# Month first, US style (feed-rs/rss_2.0_nbcny.xml, NBC New York): feedparser read the PM as AM and the naive
# time as UTC, or nothing at all.
@pytest.mark.parametrize(
    ("raw", "tz", "expected"),
    [
        ("Sat, Dec 16 2023 02:02:33 PM", NY, utc(2023, 12, 16, 19, 2, 33)),  # the corpus string
        ("Sat, Dec 16 2023 02:02:33 PM", SH, utc(2023, 12, 16, 6, 2, 33)),
        ("Dec 16, 2023 2:02 PM", NY, utc(2023, 12, 16, 19, 2)),
        ("Saturday, December 16, 2023 2:02 pm", NY, utc(2023, 12, 16, 19, 2)),
        ("Saturday, December 16, 2023 at 2:02 pm", NY, utc(2023, 12, 16, 19, 2)),
        ("Dec 16 2023 02:02:33 am", NY, utc(2023, 12, 16, 7, 2, 33)),
        ("Dec 16, 2023 2:02 p.m.", NY, utc(2023, 12, 16, 19, 2)),
        ("Dec 16, 2023 2:02 P.M. EST", SH, utc(2023, 12, 16, 19, 2)),
        ("Sat, Dec 16 2023 02:02:33 PM -0500", SH, utc(2023, 12, 16, 19, 2, 33)),
        ("Dec 16, 2023 12:15 AM", NY, utc(2023, 12, 16, 5, 15)),  # 12 AM is midnight
        ("Dec 16, 2023 12:15 PM", NY, utc(2023, 12, 16, 17, 15)),  # 12 PM is noon
        ("Dec 16, 2023 14:02", NY, utc(2023, 12, 16, 19, 2)),  # 24-hour clock, naive: the source's zone
        ("Dec 16, 2023", NY, utc(2023, 12, 16, 5)),
        ("Set 24, 2018 19:42", "America/Sao_Paulo", utc(2018, 9, 24, 22, 42)),
    ],
)
def test_month_first_dates(raw: str, tz: str, expected: datetime) -> None:
    assert parse_date(raw, tz) == expected


# The 12-hour clock in the other shapes. A bare "AM"/"PM" after the time was already read (the first two: kept
# as guards); "p.m." and "PM" followed by a zone were read by feedparser, which drops the PM, or by nobody.
@pytest.mark.parametrize(
    ("raw", "tz", "expected"),
    [
        ("Sat, 16 Dec 2023 02:02:33 PM", SH, utc(2023, 12, 16, 6, 2, 33)),
        ("2023-12-16 02:02 PM", SH, utc(2023, 12, 16, 6, 2)),
        ("Sat, 16 Dec 2023 02:02:33 PM EST", SH, utc(2023, 12, 16, 19, 2, 33)),
        ("16 Dec 2023 2:02 p.m.", SH, utc(2023, 12, 16, 6, 2)),
        ("16 Dec 2023 2:02 p. m.", SH, utc(2023, 12, 16, 6, 2)),  # Spanish spacing
        ("2023-12-16 02:02 p.m.", SH, utc(2023, 12, 16, 6, 2)),
        ("2023-12-16 02:02 PM +0800", "UTC", utc(2023, 12, 16, 6, 2)),
        ("2023-12-16 12:30 a.m.", SH, utc(2023, 12, 15, 16, 30)),
        ("Sun Jan 4 4:29:06 PM 2004", "UTC", utc(2004, 1, 4, 16, 29, 6)),  # asctime order, read by feedparser
    ],
)
def test_twelve_hour_clock(raw: str, tz: str, expected: datetime) -> None:
    assert parse_date(raw, tz) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "Sat, Dec 16 2023 13:02:33 PM",  # feedparser said 13:02:33 UTC
        "16 Dec 2023 13:00 p.m.",  # feedparser said 13:00 UTC
        "Dec 16, 2023 13:00 PM",
        "2023-12-16 13:00 PM",
    ],
)
def test_an_hour_past_12_with_am_or_pm_is_refused(raw: str) -> None:
    """Is it 13:00 or 1 PM? Nobody knows: no date beats a wrong one."""
    assert parse_date(raw, SH) is None


# Month and weekday names of the portals that print RFC 822 dates in their own language.
@pytest.mark.parametrize(
    ("raw", "tz", "expected"),
    [
        ("Seg, 24 Set 2018 19:42:40 -0300", SH, utc(2018, 9, 24, 22, 42, 40)),  # rss-parser/uolNoticias.rss
        ("Sáb, 22 Set 2018 08:00:00 -0300", SH, utc(2018, 9, 22, 11)),  # Portuguese
        ("Qua, 14 Fev 2018 10:00:00 -0200", SH, utc(2018, 2, 14, 12)),
        ("Dom, 02 Dez 2018 10:00:00 -0200", SH, utc(2018, 12, 2, 12)),
        ("Mié, 05 Dic 2018 10:00:00 +0100", SH, utc(2018, 12, 5, 9)),  # Spanish
        ("Lun, 01 Ene 2018 00:00:00 +0100", SH, utc(2017, 12, 31, 23)),
        ("mer. 05 déc. 2018 10:00:00 +0100", SH, utc(2018, 12, 5, 9)),  # French
        ("mar. 05 févr. 2019 10:00:00 +0100", SH, utc(2019, 2, 5, 9)),
        ("jeu. 01 août 2019 10:00:00 +0200", SH, utc(2019, 8, 1, 8)),
        ("Mo, 04 Mär 2019 10:00:00 +0100", SH, utc(2019, 3, 4, 9)),  # German
        ("Mo, 04 Mrz 2019 10:00:00 +0100", SH, utc(2019, 3, 4, 9)),
        ("Do, 03 Okt 2019 10:00:00 +0200", SH, utc(2019, 10, 3, 8)),
        ("gio, 09 Mag 2019 10:00:00 +0200", SH, utc(2019, 5, 9, 8)),  # Italian
        ("lun, 15 Lug 2019 10:00:00 +0200", SH, utc(2019, 7, 15, 8)),
        ("di, 12 mrt 2019 10:00:00 +0100", SH, utc(2019, 3, 12, 9)),  # Dutch
        ("do, 09 mei 2019 10:00:00 +0200", SH, utc(2019, 5, 9, 8)),
        ("24 SET 2018 19:42:40 -0300", SH, utc(2018, 9, 24, 22, 42, 40)),  # any case
        ("24 Set. 2018 19:42:40 -0300", SH, utc(2018, 9, 24, 22, 42, 40)),  # trailing dot
        ("15 março 2019 10:00:00", SH, utc(2019, 3, 15, 2)),  # full names; feedparser read this one as UTC
        ("25 décembre 2019 10:00:00 +0100", SH, utc(2019, 12, 25, 9)),
        ("05 fevrier 2019 10:00:00 +0100", SH, utc(2019, 2, 5, 9)),  # accents optional
        ("01 aout 2019 10:00:00 +0200", SH, utc(2019, 8, 1, 8)),
        ("14 fevereiro 2019 10:00:00 -0200", SH, utc(2019, 2, 14, 12)),
        ("24 septiembre 2018", SH, utc(2018, 9, 23, 16)),  # naive: the source's zone (feedparser said UTC)
        ("24 Set 2018 19:42:40", "America/Sao_Paulo", utc(2018, 9, 24, 22, 42, 40)),
    ],
)
def test_european_month_names(raw: str, tz: str, expected: datetime) -> None:
    assert parse_date(raw, tz) == expected


@pytest.mark.parametrize(
    "months",
    [
        ("janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro",
         "novembro", "dezembro"),
        ("jan", "fev", "mar", "abr", "mai", "jun", "jul", "ago", "set", "out", "nov", "dez"),
        ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
         "noviembre", "diciembre"),
        ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"),
        ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
         "novembre", "décembre"),
        ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."),
        ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
         "November", "Dezember"),
        ("Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez"),
        ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre",
         "ottobre", "novembre", "dicembre"),
        ("gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic"),
        ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
         "november", "december"),
        ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
    ],
    ids=[f"{language}{kind}" for language in ("pt", "es", "fr", "de", "it", "nl") for kind in ("", "-abbr")],
)  # fmt: skip
def test_every_month_of_a_language(months: tuple[str, ...]) -> None:
    parsed = [parse_date(f"15 {name} 2020 12:00:00 +0000", SH) for name in months]
    assert parsed == [utc(2020, month, 15, 12) for month in range(1, 13)]


def test_an_ambiguous_abbreviation_is_not_guessed() -> None:
    """French "jui" is juin or juillet: a month off is worse than no date (the entry's first-seen time)."""
    assert parse_date("15 juin 2020 12:00:00 +0000", SH) == utc(2020, 6, 15, 12)
    assert parse_date("15 juil. 2020 12:00:00 +0000", SH) == utc(2020, 7, 15, 12)
    assert parse_date("15 jui 2020 12:00:00 +0000", SH) is None
    assert parse_date("Jui 15, 2020 12:00", SH) is None


# The old code read none of these shapes; these guard the new paths against reading too much.
@pytest.mark.parametrize(
    "raw",
    [
        "Seg, 31 Set 2018 19:42:40 -0300",  # 31 September
        "Dec 32, 2023 2:02 PM",
        "Feb 30, 2023",
        "Dec 16, 2023 25:02",
        "Sáb, 22 Xyz 2018 08:00:00 -0300",
        "December 2023",
        "Sat, Dec 16 2023 02:02:33 PM CST+0800",
    ],
)
def test_impossible_values_in_the_new_shapes_are_none(raw: str) -> None:
    assert parse_date(raw, SH) is None
