"""WebSub (W3C Recommendation, §7): tell the hub a topic changed, so subscribers get it pushed.

Called only for feeds whose bytes actually changed; a hub that is down is logged, never fatal: readers
still poll.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import aiohttp

from aggregator.sources.http import DEFAULT_USER_AGENT

log = logging.getLogger(__name__)


async def ping_hub(hub: str, topics: Sequence[str], *, timeout_seconds: float = 10.0) -> list[str]:
    """POST ``hub.mode=publish`` for each topic URL; returns the problems met (empty when all went well)."""
    problems: list[str] = []
    if not topics:
        return problems
    async with aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=timeout_seconds), headers={"User-Agent": DEFAULT_USER_AGENT}
    ) as client:
        for topic in topics:
            try:
                form = {"hub.mode": "publish", "hub.url": topic}
                async with client.post(hub, data=form, allow_redirects=False) as response:
                    status = response.status
            except (TimeoutError, aiohttp.ClientError, ValueError) as e:
                problems.append(f"{topic}: hub {hub} unreachable: {str(e) or type(e).__name__}")
                continue
            if status >= 300:
                problems.append(f"{topic}: hub {hub} answered HTTP {status}")
            else:
                log.info("websub hub=%s notified topic=%s", hub, topic)
    for problem in problems:
        log.warning("websub %s", problem)
    return problems
