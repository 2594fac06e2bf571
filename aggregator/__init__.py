"""aggregator: pulls technology news feeds, normalizes them into a database, republishes category feeds."""

__version__ = "0.1.0"
PROJECT_URL = "https://github.com/aggregator-project/aggregator"
