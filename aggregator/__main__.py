"""``python -m aggregator`` is the same as the ``aggregator`` command."""

from aggregator.cli import main

if __name__ == "__main__":
    main()
