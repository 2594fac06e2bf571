"""Configuration: the YAML schema, its loader with located errors, durations and sizes."""

from aggregator.config.loader import (
    DEFAULT_CONFIG_PATH,
    LoadedConfig,
    config_path_from,
    load_config,
    parse_config_text,
)
from aggregator.config.schema import (
    Config,
    Defaults,
    PublishConfig,
    SchedulerSettings,
    SourceConfig,
    config_json_schema,
)

__all__ = [
    "DEFAULT_CONFIG_PATH",
    "Config",
    "Defaults",
    "LoadedConfig",
    "PublishConfig",
    "SchedulerSettings",
    "SourceConfig",
    "config_json_schema",
    "config_path_from",
    "load_config",
    "parse_config_text",
]
