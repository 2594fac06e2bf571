"""Keeping the garbage collector off the objects a long-lived process makes once and keeps.

Imported modules, the configuration, SQLAlchemy's mappers and compiled statements, the HTTP session: about
90,000 objects that live as long as the daemon. CPython's full collections walk every tracked object: in the
daemon's refresh of 500 sources each one took 55-75 ms (half as long as the whole refresh when every source
answers 304), spent proving again that start-up objects are alive. Frozen, they are skipped.

The daemon freezes once started; the process pool's fork server freezes what it imported before forking
workers (:mod:`aggregator.worker_preload`), so that no worker's collection copies the pages they share.
"""

from __future__ import annotations

import gc


def freeze_long_lived_objects() -> None:
    """Collect what is garbage now, then exclude every surviving object from later collections.

    Collecting first keeps garbage from being frozen with the rest: frozen objects are never collected. Call
    it once, when start-up is done; objects made later (a reloaded configuration) are collected as usual.
    """
    gc.collect()
    gc.freeze()
