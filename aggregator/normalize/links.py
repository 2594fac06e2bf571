"""Absolute and canonical links.

An entry's link is what readers click and, without a GUID, what identifies the entry, so the same article
must give the same link whatever decoration the feed added: ``http``/``https`` flips, default ports, fragments
and tracking parameters (爱范儿's RSS appends ``?utm_source=rss&utm_medium=rss&utm_campaign=`` to every link).
Everything else is left exactly as written: percent-encoding is not re-encoded (Chinese paths stay
byte-identical), IDN hosts are only lower-cased, the order of the remaining query parameters is kept.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_plus, urljoin, urlsplit

from aggregator.normalize.text import strip_control_chars

# Query parameters that only say where a click came from. Compared case-insensitively; any ``utm_*``.
#  - Google/Urchin ``utm_*``, ``gclid``/``gclsrc``/``dclid``/``wbraid``/``gbraid`` (Google Ads), ``fbclid``
#    (Facebook), ``msclkid`` (Bing), ``twclid`` (X/Twitter), ``ttclid`` (TikTok), ``yclid`` (Yandex),
#    ``igshid`` (Instagram), ``mc_cid``/``mc_eid`` (Mailchimp), ``_hsenc``/``_hsmi`` (HubSpot), ``mkt_tok``
#    (Marketo), ``ref_src`` (Twitter embeds);
#  - Chinese platforms: ``spm``/``scm`` (Alibaba/Taobao/Youku), ``from``/``from_source`` (WeChat
#    ``from=timeline``, Baidu, Toutiao), ``wfr`` (Weibo ``wfr=spider``), ``share_source``/``share_medium``/
#    ``share_from``/``share_plat``/``vd_source`` (Bilibili share links).
# Deliberately kept: ``source`` (``source=rss`` is sometimes routing), ``ref``, ``timestamp``/``t`` (some CMS
# serve different content by them), anything that could select the article.
TRACKING_PARAMETERS: frozenset[str] = frozenset(
    {
        "spm",
        "scm",
        "from",
        "from_source",
        "wfr",
        "share_source",
        "share_medium",
        "share_from",
        "share_plat",
        "vd_source",
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "wbraid",
        "gbraid",
        "msclkid",
        "twclid",
        "ttclid",
        "yclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "ref_src",
    }
)
TRACKING_PREFIXES: tuple[str, ...] = ("utm_",)
_MORE_FRAGMENT_RE = re.compile(r"more-\d+")

# The commonest relative URL in portal HTML is a path from the site's root ("/tag/576.html"): against an
# http(s) base with a plain host it resolves to that origin followed by the path, which is what urljoin
# computes, without parsing both URLs (a tenth of the time). Anything else goes through urljoin.
_ROOT_PATH_RE = re.compile(r"/(?:[^/?#;\\\s\x00-\x1f\x7f][^?#;\\\s\x00-\x1f\x7f]*)?")
_PLAIN_ORIGIN_RE = re.compile(r"https?://[A-Za-z0-9._~%!$&'()*+,;=:-]+(?=[/?#]|\Z)")

_DEFAULT_PORTS = {"http": "80", "https": "443"}
_WEB_SCHEMES = frozenset({"http", "https"})


def resolve_url(url: str, base: str | None) -> str:
    """``url`` made absolute against ``base`` (RFC 3986 §5), surrounding whitespace removed.

    Without a base, a scheme-relative ``//host/path`` (common for portal image CDNs) is read as https; other
    relative URLs are returned as they are.
    """
    url = url.strip()
    if base:
        base = base.strip()
        if url[:1] == "/" and "/." not in url and _ROOT_PATH_RE.fullmatch(url):
            origin = _PLAIN_ORIGIN_RE.match(base)
            if origin is not None:
                return origin.group(0) + url
        try:
            return urljoin(base, url)
        except ValueError:  # a malformed base such as "http://[::1" cannot resolve anything
            return url
    if url.startswith("//"):
        return "https:" + url
    return url


def resolve_web_url(url: str, base: str | None) -> str | None:
    """``url`` made absolute against ``base``, or None unless that gives an http(s) URL with a host.

    Republished HTML and images must point at the web: a relative URL left without a base would point into
    our own server, a ``javascript:`` or ``data:`` one must not be served at all.
    """
    resolved = resolve_url(url, base)
    return resolved if is_web_url(resolved) else None


def is_web_url(url: str) -> bool:
    """True for an absolute http(s) URL with a host."""
    scheme, sep, rest = url.partition(":")
    return (
        bool(sep) and scheme.lower() in _WEB_SCHEMES and rest.startswith("//") and rest[2:3] not in ("", "/")
    )


def _is_tracking(parameter: str) -> bool:
    name = parameter.split("=", 1)[0]
    if "%" in name or "+" in name:
        name = unquote_plus(name)
    name = name.lower()
    return name in TRACKING_PARAMETERS or name.startswith(TRACKING_PREFIXES)


def strip_tracking(query: str) -> str:
    """The query string without tracking parameters (and empty ``&&`` pieces), order and encoding kept."""
    if not query:
        return ""
    return "&".join(p for p in query.split("&") if p and not _is_tracking(p))


def is_tracking_fragment(fragment: str) -> bool:
    """A fragment that says where a click came from, not where to land: ``#ref=rss``, ``#xtor=RSS-1``,
    Tynt's ``#tk.rss_all``, AddThis's ``#.VxYz1``, WordPress's ``#more-123`` and the like."""
    return (
        "=" in fragment
        or fragment.startswith(("tk.", "."))
        or _MORE_FRAGMENT_RE.fullmatch(fragment) is not None
    )


def canonical_link(url: str | None, base: str | None = None, *, anchor: bool = False) -> str | None:
    """The canonical absolute http(s) form of ``url``, or None when it is empty or not a web link.

    ``javascript:``, ``mailto:`` and ``data:`` links are not article links and give None, as do relative
    links without a base. The scheme and host are lower-cased, the default port, the fragment and tracking
    parameters are removed, an empty path becomes ``/`` (RFC 3986 §6.2.3). Hash-bang fragments (``#!/post/1``)
    are kept: on such sites the fragment is the article.

    ``anchor`` keeps a fragment that is not tracking: the link readers open. Scripting News gives each post
    of a day's page as ``26.html#a080605``; without its anchor the reader lands at the top of the day. An
    entry's key leaves every fragment out, so that a decorated link still names the same article.
    """
    if not url:
        return None
    url = strip_control_chars(url).strip()
    if not url:
        return None
    absolute = resolve_url(url, base)
    try:
        parts = urlsplit(absolute)
    except ValueError:  # invalid IPv6 literal and the like
        return None
    scheme = parts.scheme  # urlsplit lower-cases it
    if scheme not in _WEB_SCHEMES or not parts.netloc:
        return None
    userinfo, at, hostport = parts.netloc.rpartition("@")
    host, port = hostport, ""
    if not hostport.endswith("]"):  # "[::1]" has colons but no port
        head, colon, tail = hostport.rpartition(":")
        if colon and (tail.isdigit() or not tail):
            host, port = head, tail
    host = host.lower()
    if not host:
        return None
    netloc = f"{userinfo}{at}{host}"
    if port and port != _DEFAULT_PORTS[scheme]:
        netloc += f":{port}"
    out = f"{scheme}://{netloc}{parts.path or '/'}"
    query = strip_tracking(parts.query)
    if query:
        out += f"?{query}"
    fragment = parts.fragment
    if fragment.startswith("!") or (anchor and fragment and not is_tracking_fragment(fragment)):
        out += f"#{fragment}"
    # A literal space cannot be part of a URI (RFC 3986 §2); portals still print them in paths.
    return out.replace(" ", "%20") if " " in out else out


def link_key(link: str) -> str:
    """A canonical link without its scheme (``//host/path?query``): http and https give the same key."""
    return link[link.index(":") + 1 :]
