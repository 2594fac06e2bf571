"""Medians, ratios and targets from one benchmark run, as JSON and as a Markdown report."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bench.ingest import PHASES

OURS = ("daemon refresh", "aggregator fetch")
PEERS = ("reader", "baseline")


@dataclass(frozen=True, slots=True)
class Summary:
    pipeline: str
    phase: str
    rounds: int
    seconds: float  # median
    seconds_min: float
    seconds_max: float
    new: int  # median entries stored
    feeds: int
    entries_per_second: float
    feeds_per_second: float
    main_rss_mb: float  # peak over the rounds
    tree_pss_mb: float
    errors: int


def summarize(results: Sequence[dict[str, Any]]) -> list[Summary]:
    out = []
    keys = sorted({(r["pipeline"], r["phase"]) for r in results}, key=lambda k: (k[0], PHASES.index(k[1])))
    for pipeline, phase in keys:
        rows = [r for r in results if r["pipeline"] == pipeline and r["phase"] == phase]
        seconds = statistics.median(r["seconds"] for r in rows)
        new = int(statistics.median(r["new"] for r in rows))
        feeds = int(statistics.median(r["feeds"] for r in rows))
        out.append(
            Summary(
                pipeline=pipeline,
                phase=phase,
                rounds=len(rows),
                seconds=round(seconds, 3),
                seconds_min=round(min(r["seconds"] for r in rows), 3),
                seconds_max=round(max(r["seconds"] for r in rows), 3),
                new=new,
                feeds=feeds,
                entries_per_second=round(new / seconds, 1) if seconds else 0.0,
                feeds_per_second=round(feeds / seconds, 1) if seconds else 0.0,
                main_rss_mb=max(r["memory"]["main_rss_mb"] for r in rows),
                tree_pss_mb=max(r["memory"]["tree_pss_mb"] for r in rows),
                errors=sum(r["errors"] for r in rows),
            )
        )
    return out


def _find(summaries: Sequence[Summary], pipeline: str, phase: str) -> Summary | None:
    return next((s for s in summaries if s.pipeline == pipeline and s.phase == phase), None)


def speed_ratio(summaries: Sequence[Summary], ours: str, theirs: str, phase: str) -> float | None:
    """How many times faster ``ours`` did the same work (their median time / ours)."""
    mine, other = _find(summaries, ours, phase), _find(summaries, theirs, phase)
    if mine is None or other is None or not mine.seconds:
        return None
    return round(other.seconds / mine.seconds, 2)


@dataclass(frozen=True, slots=True)
class Target:
    name: str
    subject: str  # which of our pipelines
    measured: float | None
    required: float
    comparison: str  # ">=" or "<="
    unit: str

    @property
    def holds(self) -> bool | None:
        if self.measured is None:
            return None
        return self.measured >= self.required if self.comparison == ">=" else self.measured <= self.required


def targets(data: dict[str, Any]) -> list[Target]:
    summaries = [Summary(**s) for s in data.get("summary", [])]
    out: list[Target] = []
    ratios = (
        ("cold: entries/s vs reader", "reader", "cold", 8.0),
        ("cold: entries/s vs baseline", "baseline", "cold", 0.6),
        ("all-304 re-poll vs reader", "reader", "warm", 10.0),
        ("incremental (5 new of 50) vs reader", "reader", "incremental", 15.0),
    )
    for ours in OURS:
        for name, peer, phase, required in ratios:
            out.append(Target(name, ours, speed_ratio(summaries, ours, peer, phase), required, ">=", "x"))
    fetch = [s for s in summaries if s.pipeline == "aggregator fetch"]
    peak = max((s.tree_pss_mb for s in fetch), default=None)
    feeds = data.get("corpus", {}).get("feeds", 500)
    out.append(Target(f"peak memory, {feeds:,} feeds (tree PSS)", "aggregator fetch", peak, 150, "<=", "MB"))
    scaling = [Summary(**s) for s in data.get("scaling_summary", [])]
    big = max((s.tree_pss_mb for s in scaling if s.pipeline == "aggregator fetch"), default=None)
    if big is not None and peak:
        out.append(
            Target(
                "peak memory, 2,000 feeds / 500 feeds",
                "aggregator fetch",
                round(big / peak, 2),
                1.5,
                "<=",
                "x",
            )
        )
    rendering = data.get("publishing", {}).get("1000000")
    if rendering:
        worst = max(fmt["median_ms"] for fmt in rendering.values())
        out.append(
            Target(
                "render 50 entries of 1 M (median, worst format)", "FeedService.render", worst, 20, "<=", "ms"
            )
        )
    serving = data.get("serving")
    if serving:
        out.append(
            Target(
                "serve 304 per core",
                "aggregator serve",
                serving["not_modified_304"]["requests_per_second"],
                3000,
                ">=",
                "req/s",
            )
        )
        out.append(
            Target(
                "serve 200 gzip per core",
                "aggregator serve",
                serving["ok_200_gzip"]["requests_per_second"],
                1000,
                ">=",
                "req/s",
            )
        )
    return out


def _fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    if unit == "x":
        return f"{value:.2f}x"
    return f"{value:,.1f}" if isinstance(value, float) else f"{value:,}"


def markdown(data: dict[str, Any]) -> str:
    machine = data["machine"]
    corpus = data["corpus"]
    lines = [
        f"# Benchmark results ({data['started']})",
        "",
        f"Command: `{data['command']}`",
        "",
        f"Machine: {machine['cpu']}, {machine['cores']} cores, {machine['memory_gb']} GB RAM, "
        f"{machine['os']}, Python {machine['python']}, SQLite {machine['sqlite']}.",
        "",
        f"Corpus: {corpus['feeds']} feeds x {corpus['entries']} entries (seed {corpus['seed']}), "
        f"{corpus['megabytes']} MB, half Chinese, half English; round 2 puts {corpus['new_per_round']} new "
        "entries on top of each feed. Served on 127.0.0.1 with ETag, Last-Modified, 304 and gzip.",
    ]
    summaries = [Summary(**s) for s in data.get("summary", [])]
    if summaries:
        lines += [
            "",
            f"## Ingestion (median of {max(s.rounds for s in summaries)} rounds, pipelines alternated)",
            "",
            "| pipeline | phase | median s (min-max) | entries/s | feeds/s | new entries | peak RSS main MB "
            "| peak PSS tree MB | vs reader | vs baseline |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for s in summaries:
            vs_reader = speed_ratio(summaries, s.pipeline, "reader", s.phase) if s.pipeline in OURS else None
            vs_base = speed_ratio(summaries, s.pipeline, "baseline", s.phase) if s.pipeline in OURS else None
            lines.append(
                f"| {s.pipeline} | {s.phase} | {s.seconds:.2f} ({s.seconds_min:.2f}-{s.seconds_max:.2f}) "
                f"| {s.entries_per_second:,.0f} | {s.feeds_per_second:,.0f} | {s.new:,} "
                f"| {s.main_rss_mb:.0f} | {s.tree_pss_mb:.0f} "
                f"| {_fmt(vs_reader, 'x')} | {_fmt(vs_base, 'x')} |"
            )
        errors = sum(s.errors for s in summaries)
        if errors:
            lines += ["", f"**{errors} fetch errors** in the runs above: see the JSON file."]
    scaling = [Summary(**s) for s in data.get("scaling_summary", [])]
    if scaling:
        lines += ["", f"## Scaling: {data['scaling_feeds']:,} feeds, cold", ""]
        lines += [
            "| pipeline | median s | entries/s | peak RSS main MB | peak PSS tree MB |",
            "|---|---|---|---|---|",
        ]
        for s in scaling:
            lines.append(
                f"| {s.pipeline} | {s.seconds:.2f} | {s.entries_per_second:,.0f} | {s.main_rss_mb:.0f} "
                f"| {s.tree_pss_mb:.0f} |"
            )
    publishing = data.get("publishing")
    if publishing:
        lines += ["", "## Rendering a 50-entry category feed (`FeedService.render`)", ""]
        lines += [
            "| entries in the database | format | median ms | p99 ms | first ms | bytes |",
            "|---|---|---|---|---|---|",
        ]
        for size, formats in publishing.items():
            for fmt, r in formats.items():
                lines.append(
                    f"| {int(size):,} | {fmt} | {r['median_ms']:.1f} | {r['p99_ms']:.1f} "
                    f"| {r['first_ms']:.1f} | {r['bytes']:,} |"
                )
    serving = data.get("serving")
    if serving:
        lines += [
            "",
            f"## Serving the published feed (`aggregator serve`, one process on one core; {serving['tool']}, "
            f"{serving['connections']} connections, {serving['seconds']:.0f} s each)",
            "",
            "| response | requests/s | p99 latency ms |",
            "|---|---|---|",
            f"| 200 gzip ({serving['gzip_bytes']:,} bytes) "
            f"| {serving['ok_200_gzip']['requests_per_second']:,.0f} "
            f"| {_fmt(serving['ok_200_gzip'].get('p99_ms'))} |",
            f"| 304 | {serving['not_modified_304']['requests_per_second']:,.0f} "
            f"| {_fmt(serving['not_modified_304'].get('p99_ms'))} |",
        ]
    checks = targets(data)
    if checks:
        lines += [
            "",
            "## Targets",
            "",
            "| target | ours | measured | required | holds |",
            "|---|---|---|---|---|",
        ]
        for t in checks:
            status = {True: "yes", False: "**no**", None: "-"}[t.holds]
            measured = _fmt(t.measured, t.unit) + ("" if t.unit == "x" else f" {t.unit}")
            lines.append(
                f"| {t.name} | {t.subject} | {measured} | {t.comparison} {t.required:g} {t.unit} | {status} |"
            )
    return "\n".join(lines) + "\n"
