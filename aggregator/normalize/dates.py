"""Reading feed dates into timezone-aware UTC datetimes.

Feeds print dates in every format, so our own parsers for the common shapes run first and feedparser's
collection of date parsers handles the exotic rest. Ours must run first: feedparser reads
``2024年3月5日 10:30`` and ``2020/1/10 14:33:00`` (RSParser/kc0011.rss, a Dvbbs forum feed) as the 1st of
November, reads every naive time as UTC and the ``CST`` of Chinese portals as US Central time.

A date without a zone, and a date in ``CST``, is read in the source's configured zone: most Chinese portals
print Beijing time without saying so. A string that has the shape of a known format but impossible values
(``0000-00-00 00:00:00``, the MySQL zero date of many PHP CMS) is garbage and gives None; feedparser would
turn it into year -1.

Month names are English, or those of the Portuguese, Spanish, French, German, Italian and Dutch portals that
print RFC 822 dates in their own language (``Seg, 24 Set 2018``). A time on the 12-hour clock (``2:02 PM``,
``2:02 p.m.``) is read as such, or the date is refused: feedparser drops the PM.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from feedparser.datetimes import _parse_date as _feedparser_parse_date

# No real date string is longer; garbage can be (a whole paragraph in <pubDate>).
_MAX_DATE_CHARS = 200

_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}

# Month names of the languages whose portals print RFC 822 dates in their own words
# (rss-parser/uolNoticias.rss: "Seg, 24 Set 2018"): per language, the twelve months, each as its full name
# then the abbreviations seen in the wild (glibc's and .NET's %b among them). Only consulted when _MONTHS does
# not know the first three letters, so English dates pay nothing for them. English is listed so that a clash
# with it would show.
_MONTH_NAMES: dict[str, tuple[str, ...]] = {
    "en": (
        "january", "february", "march", "april", "may", "june",
        "july", "august", "september sept", "october", "november", "december",
    ),
    "pt": (
        "janeiro jan", "fevereiro fev", "março mar", "abril abr", "maio mai", "junho jun",
        "julho jul", "agosto ago", "setembro set", "outubro out", "novembro nov", "dezembro dez",
    ),
    "es": (
        "enero ene", "febrero feb", "marzo mar", "abril abr", "mayo may", "junio jun",
        "julio jul", "agosto ago", "septiembre setiembre sep sept set", "octubre oct", "noviembre nov",
        "diciembre dic",
    ),
    "fr": (
        "janvier janv jan", "février févr fév", "mars mar", "avril avr", "mai", "juin",
        "juillet juil", "août aoû", "septembre sept sep", "octobre oct", "novembre nov", "décembre déc",
    ),
    "de": (
        "januar jan jänner jän", "februar feb", "märz mär mrz", "april apr", "mai", "juni jun",
        "juli jul", "august aug", "september sept sep", "oktober okt", "november nov", "dezember dez",
    ),
    "it": (
        "gennaio gen", "febbraio feb", "marzo mar", "aprile apr", "maggio mag", "giugno giu",
        "luglio lug", "agosto ago", "settembre sett set", "ottobre ott", "novembre nov", "dicembre dic",
    ),
    "nl": (
        "januari jan", "februari feb", "maart mrt", "april apr", "mei", "juni jun",
        "juli jul", "augustus aug", "september sept sep", "oktober okt", "november nov", "december dec",
    ),
}  # fmt: skip

# Zone names with one meaning. CST is not here: US Central (-6) to feedparser, China Standard Time (+8) to
# the Chinese portals that print it (and Cuba's to Cubans); it is read in the source's zone instead.
_ZONE_OFFSETS_HOURS = {
    "Z": 0,
    "UT": 0,
    "UTC": 0,
    "GMT": 0,
    "EST": -5,
    "EDT": -4,
    "CDT": -5,
    "MST": -7,
    "MDT": -6,
    "PST": -8,
    "PDT": -7,
    "HKT": 8,
    "JST": 9,
    "KST": 9,
}

# "Z", "+0800", "+08:00", "+08", "+8", "GMT", "GMT+8", "UTC+08:00", "CST", "PST"...
_ZONE = r"(?P<zone>[A-Za-z]{1,5}(?:\s*[+-]\d{1,2}(?::?\d{2})?)?|[+-]\d{1,2}(?::?\d{2})?)"
_ZONE_RE = re.compile(r"(?P<name>[A-Za-z]*)\s*(?:(?P<sign>[+-])(?P<hh>\d{1,2})(?::?(?P<mm>\d{2}))?)?")
# Latin-1 letters: the accented ones of month and weekday names ("déc.", "Mär", "Sáb"). A class of code points
# below 256 is a bitmap to the regex engine, as fast as [A-Za-z] (a Unicode class like [^\W\d_] is not).
_LETTER = "[A-Za-zÀ-ÖØ-öø-ÿ]"
_TIME = r"(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<frac>\d+))?)?"

# ISO 8601 / RFC 3339 ("T" or space), and the numeric dates of Chinese CMS: 2020/1/10 14:33:00,
# 2020-1-10 14:33, 2024.03.05 10:30.
_NUMERIC_RE = re.compile(
    rf"(?P<y>\d{{4}})(?P<sep>[-/.])(?P<m>\d{{1,2}})(?P=sep)(?P<d>\d{{1,2}})(?:(?:T|\s+T?){_TIME})?\s*{_ZONE}?"
)
# 2024年3月5日 10:30, 2024年03月05日, 2024年3月5日 下午3:30, 2024年3月5日 10时30分
_CHINESE_RE = re.compile(
    r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]?"
    r"(?:\s*(?P<ampm>上午|下午|晚上)?\s*(?P<H>\d{1,2})\s*[:时点]\s*(?P<M>\d{1,2})\s*分?"
    r"(?:\s*[:]?\s*(?P<S>\d{1,2})\s*秒?)?)?"
    rf"\s*{_ZONE}?"
)
# RFC 822 / RFC 2822 §3.3: optional weekday (which is often wrong, and ignored), 2- or 4-digit year, any case;
# also "03 Apr 02 1500 GMT" (rss-parser/heraldsun.rss: no colon in the time) and a missing time.
# Month names may be foreign and accented; 10 letters for "septiembre".
_RFC822_RE = re.compile(
    rf"(?:{_LETTER}{{2,9}}\.?\s*,?\s*)?(?P<d>\d{{1,2}})[\s-]+(?P<mon>{_LETTER}{{3,10}})\.?[\s-]+(?P<y>\d{{4}}|\d{{2}})"
    r"(?:\s+(?P<H>\d{1,2}):?(?P<M>\d{2})(?::?(?P<S>\d{2}))?)?"
    rf"\s*{_ZONE}?(?:\s*\([^()]*\))?"  # RFC 2822 allows a comment: "+0000 (UTC)"
)
# ISO 8601 basic format: 20240305T103000Z (feedparser drops its time), 20240305.
_BASIC_RE = re.compile(
    r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?:T(?P<H>\d{2})(?P<M>\d{2})(?P<S>\d{2})?(?:[.,](?P<frac>\d+))?)?"
    rf"\s*{_ZONE}?"
)
_EPOCH_RE = re.compile(r"\d{9,10}|\d{12,13}")
# The US order, month first: "Sat, Dec 16 2023 02:02:33 PM" (feed-rs/rss_2.0_nbcny.xml, NBC New York),
# "Dec 16, 2023 2:02 PM", "Saturday, December 16, 2023 at 2:02 pm", and JavaScript's Date.toString(),
# "Tue Mar 05 2024 10:30:00 GMT+0800 (中国标准时间)". feedparser reads the first as 02:02:33 UTC. The weekday
# needs a separator after it, or "December" would split into a weekday "Decem" and a month "ber". Tried after
# all the others.
_MONTH_FIRST_RE = re.compile(
    rf"(?:{_LETTER}{{2,9}}\.?(?:\s*,\s*|\s+))?(?P<mon>{_LETTER}{{3,10}})\.?\s+(?P<d>\d{{1,2}}),?\s+(?P<y>\d{{4}})"
    rf"(?:,?\s+(?:at\s+)?{_TIME})?\s*{_ZONE}?(?:\s*\([^()]*\))?"
)
# A clock time followed by a 12-hour marker: "2:02 PM", "02:02:33 pm", "2:02 p.m.", "2:02 p. m." (Spanish).
_TWELVE_HOUR_RE = re.compile(
    r"(?<![\d:])(?P<H>\d{1,2})(?P<rest>:\d{2}(?::\d{2}(?:[.,]\d+)?)?)\s*(?P<ampm>[AaPp])\.?\s?[Mm]\.?(?![A-Za-z])"
)


class _InvalidDateError(Exception):
    """The string has the shape of a known format but impossible values."""


def _fold(name: str) -> str:
    """``name`` in lower case without its accents: "Févr", "fevr" and "FÉVR" are one key, "März" is "marz"."""
    return "".join(c for c in unicodedata.normalize("NFKD", name.casefold()) if not unicodedata.combining(c))


def _month_table(names: dict[str, tuple[str, ...]]) -> dict[str, int]:
    """Every spelling of ``names``, and the first three letters of every full name (as CMS that cut names
    print them), folded, with its month.

    A spelling that two names give different months is left out ("jui": French juin or juillet): a guess would
    store a date months off, while an unread date only falls back to the time the entry was first seen."""
    months: dict[str, int] = {}
    ambiguous: set[str] = set()
    for spellings in names.values():
        for month, words in enumerate(spellings, 1):
            full, *abbreviations = (_fold(word) for word in words.split())
            for key in (full, full[:3], *abbreviations):
                if months.setdefault(key, month) != month:
                    ambiguous.add(key)
    return {key: month for key, month in months.items() if key not in ambiguous}


_FOREIGN_MONTHS = _month_table(_MONTH_NAMES)


def _foreign_month(name: str) -> int | None:
    """The month of a name that is not English, or not in its first three letters ("Set", "févr", "Mär",
    "marco", "septiembre"); None when unknown or ambiguous."""
    return _FOREIGN_MONTHS.get(_fold(name))


def _hour_24(hour: int, marker: str) -> int:
    """The hour of ``hour`` ``marker`` ("AM", "p") on the 24-hour clock: 12 AM is midnight, 12 PM noon.

    Raises _InvalidDateError for an hour that is on no 12-hour clock ("13:00 PM"): which half is wrong is
    anyone's guess."""
    if hour > 12:
        raise _InvalidDateError(f"{hour} {marker}")
    return hour % 12 + (12 if marker[0] in "Pp" else 0)


def _to_24_hour(text: str) -> str | None:
    """``text`` with its time on the 12-hour clock ("2:02 p.m.", "02:02 PM EST") put on the 24-hour one; None
    when it has no such time.

    Our patterns take a bare "AM"/"PM" in place of a zone, but not "p.m." nor "PM" followed by a zone, and
    feedparser silently drops the marker (2 PM becomes 2 AM): such dates are read again in this form. Raises
    _InvalidDateError for "13:00 PM"."""
    match = _TWELVE_HOUR_RE.search(text)
    if match is None:
        return None
    hour = _hour_24(int(match["H"]), match["ampm"])
    return f"{text[: match.start()]}{hour:02d}{match['rest']}{text[match.end() :]}"


@lru_cache(maxsize=64)
def zone(name: str) -> tzinfo:
    """The IANA zone ``name`` (cached); ValueError when unknown."""
    if name.upper() in ("UTC", "Z", "GMT"):
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise ValueError(f"unknown time zone {name!r} (use an IANA name such as Asia/Shanghai)") from e


def _zone_of(text: str | None, tz: str) -> tzinfo:
    """The zone a date string names; the source's zone when it names none, or only the ambiguous CST."""
    if not text:
        return zone(tz)
    match = _ZONE_RE.fullmatch(text)
    if match is None:
        raise _InvalidDateError(text)
    name = match["name"].upper()
    if match["sign"]:
        if name not in ("", "Z", "UT", "UTC", "GMT"):
            raise _InvalidDateError(text)  # "CST+0800"-like mixtures: trust nothing
        hours, minutes = int(match["hh"]), int(match["mm"] or 0)
        if hours > 23 or minutes > 59:
            raise _InvalidDateError(text)
        offset = timedelta(hours=hours, minutes=minutes)
        return timezone(-offset if match["sign"] == "-" else offset)
    if name in _ZONE_OFFSETS_HOURS:
        hours = _ZONE_OFFSETS_HOURS[name]
        return UTC if hours == 0 else timezone(timedelta(hours=hours))
    # CST, AM/PM (handled by the caller), and names we do not know (IST is India, Ireland or Israel): the
    # source's zone is the best guess.
    return zone(tz)


def _build(
    m: re.Match[str], tz: str, *, year: int | None = None, month: int | None = None, hour: int | None = None
) -> datetime:
    """The UTC moment of a match of one of our patterns (groups y, m, d, H, M, S, frac, zone)."""
    groups = m.groupdict()
    year = int(groups["y"]) if year is None else year
    month = int(groups["m"]) if month is None else month
    hour = _int(groups["H"]) if hour is None else hour
    tzname = groups["zone"]
    if tzname is not None and tzname.upper() in ("AM", "PM"):  # "2024-03-05 10:30 PM"
        hour = _hour_24(hour, tzname)
    microsecond = int((groups.get("frac") or "0")[:6].ljust(6, "0"))
    second = min(_int(groups["S"]), 59)  # a leap second (":60") is the last second of its minute
    zone_info = _zone_of(tzname, tz)  # outside the try: an unknown configured zone is not a bad date
    try:
        local = datetime(
            year,
            month,
            int(groups["d"]),
            hour,
            _int(groups["M"]),
            second,
            microsecond,
            tzinfo=zone_info,
        )
    except ValueError as e:
        raise _InvalidDateError(str(e)) from e
    return local.astimezone(UTC)


def _int(value: str | None) -> int:
    return int(value) if value else 0


def _parse_known(text: str, tz: str) -> datetime | None:
    """Our own formats; None when none has this shape. Raises _InvalidDateError for impossible values."""
    if _EPOCH_RE.fullmatch(text):
        seconds = int(text) / 1000 if len(text) > 11 else int(text)  # 13 digits: milliseconds (JavaScript)
        return datetime.fromtimestamp(seconds, UTC)
    if (m := _NUMERIC_RE.fullmatch(text) or _BASIC_RE.fullmatch(text)) is not None:
        return _build(m, tz)
    if (m := _RFC822_RE.fullmatch(text)) is not None:
        # "Seg, 24 Set 2018" (Portuguese): the foreign table only when the English one fails
        month = _MONTHS.get(m["mon"][:3].lower()) or _foreign_month(m["mon"])
        if month is None:
            return None  # unknown or ambiguous ("jui"): let feedparser try
        year = int(m["y"])
        if len(m["y"]) == 2:  # RFC 2822 §4.3
            year += 2000 if year < 50 else 1900
        return _build(m, tz, year=year, month=month)
    if (m := _CHINESE_RE.fullmatch(text)) is not None:
        hour = _int(m["H"])
        if m["ampm"] in ("下午", "晚上") and hour < 12:
            hour += 12
        return _build(m, tz, hour=hour)
    if (m := _MONTH_FIRST_RE.fullmatch(text)) is not None:
        month = _MONTHS.get(m["mon"][:3].lower()) or _foreign_month(m["mon"])
        return None if month is None else _build(m, tz, month=month)
    return None


def _parse_fallback(text: str) -> datetime | None:
    """feedparser's parsers (W3CDTF variants, asctime, Korean, Greek, Hungarian...); they return UTC."""
    parsed = _feedparser_parse_date(text)
    if parsed is None:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), UTC)
    except (ValueError, OverflowError, OSError):
        return None


def _parse_unknown(text: str, tz: str, *, refused: bool) -> datetime | None:
    """A date our patterns did not read (``refused``: read as impossible): its 12-hour time put on the 24-hour
    clock and read again, by us or by feedparser; else feedparser's reading, unless we refused it.

    Only dates that fail come here, so the 12-hour search costs the common formats nothing."""
    try:
        twenty_four = _to_24_hour(text)
        if twenty_four is None:
            return None if refused else _parse_fallback(text)
        known = _parse_known(twenty_four, tz)
    except (_InvalidDateError, OverflowError, OSError):
        return None
    return known if known is not None else _parse_fallback(twenty_four)


def parse_date(raw: str | None, tz: str) -> datetime | None:
    """The moment ``raw`` names, as an aware UTC datetime; None when it names none.

    ``tz`` (an IANA name) is the zone of dates printed without one and of ``CST``. Explicit offsets and
    unambiguous zone names win. ValueError only for an unknown ``tz`` that a date needed.
    """
    if not raw:
        return None
    text = raw.strip()
    if not text or len(text) > _MAX_DATE_CHARS:
        return None
    if not text.isascii():
        # Full-width digits and colons ("２０２４年３月５日　１０：３０") from CJK input methods.
        text = unicodedata.normalize("NFKC", text)
    try:
        known = _parse_known(text, tz)
    except _InvalidDateError:
        # Impossible values, or a 12-hour time our patterns misread: "02:02 PM +0800" has a zone "PM +0800".
        return _parse_unknown(text, tz, refused=True)
    except (OverflowError, OSError):
        return None
    if known is not None:
        return known
    return _parse_unknown(text, tz, refused=False)
