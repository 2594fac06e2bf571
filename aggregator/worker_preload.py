"""Imported once by the process pool's fork server, before it forks the workers.

It imports the pipeline the workers run, then moves every object allocated so far out of the garbage
collector's generations (:func:`~aggregator.heap.freeze_long_lived_objects`): a collection in a worker would
otherwise write to the header of each of those objects and so copy, page by page, the memory the workers
share with the fork server.
"""

from __future__ import annotations

import aggregator.processing  # noqa: F401  (the import is the point)
from aggregator.heap import freeze_long_lived_objects

freeze_long_lived_objects()
