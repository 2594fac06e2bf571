"""Read the YAML configuration file into a validated :class:`Config`, with located errors.

Every problem names the file, line and column, the key path and what was expected::

    config/aggregator.yaml:42:7: sources[3].interval: '15 minutes' is not a duration (use 15m, 2h, 1d)

PyYAML's node tree keeps the position of every key and value; pydantic reports each error's location as a
key path; this module joins the two. Relative paths in the file are resolved against the file's folder, so
the daemon behaves the same whoever starts it and from wherever.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from aggregator.config.schema import Config
from aggregator.errors import ConfigError, ConfigProblem
from aggregator.filters import FilterSyntaxError, KnownNames

DEFAULT_CONFIG_PATH = Path("config/aggregator.yaml")
ENV_CONFIG = "AGGREGATOR_CONFIG"
ENV_DATABASE_URL = "AGGREGATOR_DATABASE_URL"

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class LoadedConfig:
    """A validated configuration and where it came from (to locate later errors, e.g. a bad database URL)."""

    path: Path
    config: Config
    marks: Mapping[Loc, tuple[int, int]] = field(default_factory=dict, repr=False)

    def problem(self, loc: Loc, message: str) -> ConfigProblem:
        return _problem(self.path, self.marks, loc, message)


def config_path_from(option: str | os.PathLike[str] | None) -> Path:
    """The file to read: ``--config``, else ``$AGGREGATOR_CONFIG``, else ``config/aggregator.yaml``."""
    if option:
        return Path(option)
    env = os.environ.get(ENV_CONFIG)
    return Path(env) if env else DEFAULT_CONFIG_PATH


def load_config(path: str | os.PathLike[str]) -> LoadedConfig:
    """Read, validate and resolve a configuration file; raise :class:`ConfigError` listing every problem."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            [_bare(file, "file not found (create one with 'aggregator init DIR', or pass --config FILE)")]
        ) from None
    except IsADirectoryError:
        raise ConfigError([_bare(file, "is a directory; pass the YAML file itself")]) from None
    except UnicodeDecodeError as e:
        raise ConfigError([_bare(file, f"is not UTF-8 text ({e.reason} at byte {e.start})")]) from None
    except OSError as e:
        raise ConfigError([_bare(file, f"cannot be read: {e.strerror}")]) from None
    return parse_config_text(text, file)


def parse_config_text(text: str, file: Path) -> LoadedConfig:
    data, marks = _load_yaml(text, file)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(
            [_problem(file, marks, (), "the top level must be a mapping of keys (database:, ...)")]
        )

    problems = _duplicate_names(file, data, marks)
    context = {"known_names": _known_names(data)}
    try:
        config = Config.model_validate(data, context=context)
    except ValidationError as e:
        problems.extend(_pydantic_problems(file, marks, e))
        config = None
    if problems or config is None:
        raise ConfigError(_sorted(problems))
    problems.extend(_alias_conflicts(file, marks, config))
    if problems:
        raise ConfigError(_sorted(problems))
    loaded = LoadedConfig(path=file, config=config, marks=marks)
    return LoadedConfig(path=file, config=_resolve(loaded), marks=marks)


# ------------------------------------------------------------------------------------------ YAML marks


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader; keys and their positions are handled by :func:`_load_yaml`."""


# libyaml's parser where PyYAML was built with it (its wheels are): composing a 500-source file took 0.2 s
# with the pure-Python one, a fifth of a warm ``aggregator fetch``. Both give the same nodes and marks, but
# the pure-Python one explains errors better ("found character '\t' that cannot start any token", the line
# of an unclosed "[" rather than the end of the file), so a file libyaml refuses is parsed again with it.
_FAST_LOADER: Any = getattr(yaml, "CSafeLoader", None)


def _compose(text: str) -> yaml.Node | None:
    if _FAST_LOADER is not None:
        try:
            return yaml.compose(text, Loader=_FAST_LOADER)
        except yaml.YAMLError:
            pass
    return yaml.compose(text, Loader=_UniqueKeyLoader)


# What the parser's wording usually means in a hand-edited file; said beside the parser's own message.
_YAML_HINTS = (
    ("found character '\\t'", "YAML indents with spaces, never tabs"),
    ("mapping values are not allowed here", "quote a value holding ': ', or add the ':' a key above lacks"),
    ("expected <block end>", "this line is not indented like the lines it belongs with"),
)
_UNCLOSED_HINT = "a quote or bracket opened here is never closed"


def _load_yaml(text: str, file: Path) -> tuple[Any, dict[Loc, tuple[int, int]]]:
    try:
        root = _compose(text)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        what = e.problem or "invalid YAML"
        if e.context:
            what = f"{e.context}, {what}"
        unclosed = "end of stream" in what or "<stream end>" in what
        if unclosed and e.context_mark is not None:
            mark = e.context_mark  # where the quote or bracket that the file never closes was opened
        hint = _UNCLOSED_HINT if unclosed else next((h for found, h in _YAML_HINTS if found in what), None)
        if not hint and (e.context or "").startswith("while parsing a flow") and e.context_mark is not None:
            opened = e.context_mark
            hint = f"is the bracket opened at line {opened.line + 1}, column {opened.column + 1} closed?"
        if hint:
            what = f"{what} ({hint})"
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise ConfigError([ConfigProblem(str(file), line, col, "", f"YAML syntax error: {what}")]) from None
    except yaml.YAMLError as e:
        raise ConfigError([_bare(file, f"YAML error: {e}")]) from None
    if root is None:
        return None, {}
    marks: dict[Loc, tuple[int, int]] = {}
    constructor = yaml.SafeLoader("")
    problems: list[ConfigProblem] = []
    data = _construct(root, (), marks, constructor, problems, file)
    if problems:
        raise ConfigError(problems)
    return data, marks


_MERGE_TAG = "tag:yaml.org,2002:merge"


def _construct(
    node: yaml.Node,
    loc: Loc,
    marks: dict[Loc, tuple[int, int]],
    constructor: yaml.SafeLoader,
    problems: list[ConfigProblem],
    file: Path,
    ancestors: frozenset[int] = frozenset(),
) -> Any:
    """Plain data from a node, recording where each location was written.

    Merge keys (``<<: *anchor``, ``<<: [*a, *b]``) follow the YAML merge rule: keys written in the mapping
    override merged ones, and of several merged mappings the first wins. PyYAML's ``flatten_mapping`` (6.0)
    lets the last one win when the key strings are not interned, so merges are resolved here.

    ``ancestors``: the collections being built around this one. An alias to one of them (``&a {x: *a}``)
    would be infinite data, and is refused.
    """
    if isinstance(node, yaml.MappingNode | yaml.SequenceNode):
        if id(node) in ancestors:
            problems.append(_at(file, node, _loc_text(loc), "an alias to a mapping or list that contains it"))
            return None
        ancestors = ancestors | {id(node)}
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        merged = [value for key, value in node.value if key.tag == _MERGE_TAG]
        for value_node in reversed(merged):  # the first merge is applied last: it wins
            parts = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
            for part in reversed(parts):
                if not isinstance(part, yaml.MappingNode):
                    message = "'<<' must name a mapping, or a list of mappings, to merge"
                    problems.append(_at(file, part, _loc_text(loc), message))
                else:
                    data = _construct(part, loc, marks, constructor, problems, file, ancestors)
                    out.update(data if isinstance(data, dict) else {})
        marks[loc] = (node.start_mark.line + 1, node.start_mark.column + 1)
        written: set[str] = set()
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                continue
            key = constructor.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool) or key is None:
                problems.append(_at(file, key_node, _loc_text(loc), "keys must be plain strings"))
                continue
            key = str(key) if not isinstance(key, str) else key
            if key in written:
                message = f"duplicate key '{key}' (it appears twice)"
                problems.append(_at(file, key_node, _loc_text((*loc, key)), message))
                continue
            written.add(key)
            marks[(*loc, key, "__key__")] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            out[key] = _construct(value_node, (*loc, key), marks, constructor, problems, file, ancestors)
        return out
    marks[loc] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.SequenceNode):
        return [
            _construct(item, (*loc, i), marks, constructor, problems, file, ancestors)
            for i, item in enumerate(node.value)
        ]
    value = constructor.construct_object(node, deep=True)
    if isinstance(value, str) and "${" in value:
        try:
            expanded = expand_env(value, os.environ)
        except ValueError as e:
            problems.append(_at(file, node, _loc_text(loc), str(e)))
        else:
            if expanded != value.replace("$${", "${"):
                marks[(*loc, _FROM_ENV)] = marks[loc]  # holds a secret, maybe: see _resolve
            return expanded
    return value


# Marks the location of a value that took text from the environment.
_FROM_ENV = "__env__"
# ${NAME}, ${NAME:-default}, and $${ for a literal "${"; anything else between "${" and "}" is an error.
_ENV_REFERENCE = re.compile(r"\$\$\{|\$\{([^}]*)\}")
_ENV_NAME = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?", re.DOTALL)


def expand_env(value: str, env: Mapping[str, str]) -> str:
    """``value`` with its ``${NAME}`` references replaced from ``env``: secrets (tokens in headers or URLs)
    stay out of the file, as with docker compose. ``${NAME:-default}`` when NAME is unset or empty.

    ValueError names an unset variable, or a reference that is not one.
    """
    out: list[str] = []
    done = 0
    for match in _ENV_REFERENCE.finditer(value):
        out.append(_literal(value[done : match.start()]))
        done = match.end()
        if match.group(0) == "$${":
            out.append("${")
            continue
        reference = _ENV_NAME.fullmatch(match.group(1))
        if reference is None:
            raise ValueError(
                f"'{match.group(0)}' is not an environment variable reference "
                "(write ${NAME} or ${NAME:-default}, and $${ for a literal '${')"
            )
        name, default = reference.groups()
        found = env.get(name)
        if not found and default is not None:
            found = default
        if found is None:
            raise ValueError(
                f"environment variable {name} is not set (set it, or write ${{{name}:-default}})"
            )
        out.append(found)
    out.append(_literal(value[done:]))
    return "".join(out)


def _literal(text: str) -> str:
    if "${" in text:
        raise ValueError("'${' without its closing '}' (write $${ for a literal '${')")
    return text


def _at(file: Path, node: yaml.Node, path: str, message: str) -> ConfigProblem:
    return ConfigProblem(str(file), node.start_mark.line + 1, node.start_mark.column + 1, path, message)


# ------------------------------------------------------------------------------------------- problems


def _bare(file: Path, message: str) -> ConfigProblem:
    return ConfigProblem(str(file), None, None, "", message)


def _loc_text(loc: Loc) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _problem(file: Path, marks: Mapping[Loc, tuple[int, int]], loc: Loc, message: str) -> ConfigProblem:
    probe = loc
    while probe not in marks and probe:
        probe = probe[:-1]
    line, col = marks.get(probe, (None, None))
    return ConfigProblem(str(file), line, col, _loc_text(loc), message)


def _sorted(problems: list[ConfigProblem]) -> list[ConfigProblem]:
    return sorted(problems, key=lambda p: (p.line or 0, p.column or 0, p.path))


def _pydantic_problems(
    file: Path, marks: Mapping[Loc, tuple[int, int]], error: ValidationError
) -> list[ConfigProblem]:
    problems: list[ConfigProblem] = []
    for item in error.errors(include_url=False):
        loc: Loc = tuple(p for p in item["loc"] if not (isinstance(p, str) and "[" in p))
        kind = item["type"]
        ctx = item.get("ctx") or {}
        cause = ctx.get("error")
        if isinstance(cause, FilterSyntaxError):
            loc = (*loc, *cause.path)
            problem = _problem(file, marks, (*loc, "__key__") if cause.on_key else loc, cause.message)
            problems.append(
                ConfigProblem(problem.file, problem.line, problem.column, _loc_text(loc), cause.message)
            )
            continue
        if kind == "extra_forbidden":
            key = str(loc[-1])
            allowed = _allowed_keys(loc[:-1])
            hint = difflib.get_close_matches(key, allowed, n=1)
            suggestion = f"did you mean '{hint[0]}'? " if hint else ""
            message = f"unknown key '{key}' ({suggestion}expected one of: {', '.join(allowed)})"
            key_loc = (*loc, "__key__")
            problem = _problem(file, marks, key_loc if key_loc in marks else loc, message)
            problems.append(
                ConfigProblem(problem.file, problem.line, problem.column, _loc_text(loc), message)
            )
            continue
        if kind == "missing":
            problems.append(_problem(file, marks, loc, "required key is missing"))
            continue
        message = str(item["msg"])
        if kind == "value_error" and message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        elif kind != "value_error" and "input" in item and not isinstance(item["input"], dict | list):
            message = f"{message}, got {item['input']!r}"
        problems.append(_problem(file, marks, loc, message))
    return problems


def _allowed_keys(loc: Loc) -> list[str]:
    """The keys the model at ``loc`` accepts, to suggest a fix for a misspelt key."""
    model: Any = Config
    for part in loc:
        if isinstance(part, int):
            continue
        info = getattr(model, "model_fields", {}).get(part)
        if info is None:
            return []
        annotation = info.annotation
        for candidate in (annotation, *getattr(annotation, "__args__", ())):
            inner = getattr(candidate, "__args__", ())
            found = next((c for c in (candidate, *inner) if hasattr(c, "model_fields")), None)
            if found is not None:
                model = found
                break
        else:
            return []
    return list(getattr(model, "model_fields", {}))


def _duplicate_names(
    file: Path, data: dict[str, Any], marks: Mapping[Loc, tuple[int, int]]
) -> list[ConfigProblem]:
    problems: list[ConfigProblem] = []
    for section, what in (("sources", "source"), ("publish", "published feed")):
        items = data.get(section)
        if not isinstance(items, list):
            continue
        seen: dict[str, int] = {}
        for i, item in enumerate(items):
            name = item.get("name") if isinstance(item, dict) else None
            if not isinstance(name, str):
                continue
            if name in seen:
                problems.append(
                    _problem(
                        file,
                        marks,
                        (section, i, "name"),
                        f"duplicate {what} name '{name}' (already used by {section}[{seen[name]}])",
                    )
                )
            else:
                seen[name] = i
    return problems


def _known_names(data: dict[str, Any]) -> KnownNames:
    """Names that filters may refer to, read leniently from the raw data (validation reports the rest)."""
    categories: set[str] = set()
    raw_categories = data.get("categories")
    if isinstance(raw_categories, dict):
        for name, value in raw_categories.items():
            categories.add(str(name).casefold())
            aliases = value.get("aliases") if isinstance(value, dict) else value
            for alias in aliases if isinstance(aliases, list) else [aliases]:
                if isinstance(alias, str):
                    categories.add(alias.casefold())
    sources: set[str] = set()
    raw_sources = data.get("sources")
    for source in raw_sources if isinstance(raw_sources, list) else []:
        if not isinstance(source, dict):
            continue
        if isinstance(source.get("name"), str):
            sources.add(source["name"])
        cats = source.get("categories")
        for cat in cats if isinstance(cats, list) else [cats]:
            if isinstance(cat, str):
                categories.add(cat.casefold())
    return KnownNames(categories=frozenset(categories), sources=frozenset(sources))


def _alias_conflicts(file: Path, marks: Mapping[Loc, tuple[int, int]], config: Config) -> list[ConfigProblem]:
    """An alias may map to one canonical category only; otherwise entries would land at random."""
    owner: dict[str, str] = {}
    problems: list[ConfigProblem] = []
    for name in config.categories:
        owner.setdefault(name.casefold(), name)
    for name, settings in config.categories.items():
        for i, alias in enumerate(settings.aliases):
            folded = alias.casefold()
            if folded in owner and owner[folded] != name:
                problems.append(
                    _problem(
                        file,
                        marks,
                        ("categories", name, "aliases", i),
                        f"alias '{alias}' already belongs to category '{owner[folded]}'",
                    )
                )
            owner.setdefault(folded, name)
    return problems


# ----------------------------------------------------------------------------------------- resolution


def _resolve(loaded: LoadedConfig) -> Config:
    """Absolute paths and a definite database URL, relative to the configuration file's folder."""
    config = loaded.config
    base = loaded.path.resolve().parent
    database = os.environ.get(ENV_DATABASE_URL) or config.database or "sqlite:///data/aggregator.db"
    database = resolve_database_url(database, base, loaded)
    sources = [
        s.model_copy(update={"path": (base / s.path).resolve()}) if s.path is not None else s
        for s in config.sources
    ]
    # A URL built from the environment holds a token, most likely: not published unless said otherwise.
    sources = [
        s.model_copy(update={"private": ("sources", i, "url", _FROM_ENV) in loaded.marks})
        if s.private is None
        else s
        for i, s in enumerate(sources)
    ]
    return config.model_copy(
        update={"database": database, "output_dir": (base / config.output_dir).resolve(), "sources": sources}
    )


def resolve_database_url(url: str, base: Path, loaded: LoadedConfig | None = None) -> str:
    """Make a relative SQLite path absolute against ``base``; check that the URL is well-formed."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        message = (
            f"'{url}' is not a database URL (use sqlite:///path.db or postgresql+psycopg://user@host/db)"
        )
        if loaded is not None and not os.environ.get(ENV_DATABASE_URL):
            raise ConfigError([loaded.problem(("database",), message)]) from None
        raise ConfigError(f"{ENV_DATABASE_URL}: {message}") from None
    database = parsed.database or ""
    relative_file = database not in ("", ":memory:") and not database.startswith("file:")
    if parsed.get_backend_name() == "sqlite" and relative_file and not Path(database).is_absolute():
        parsed = parsed.set(database=str((base / database).resolve()))
    return parsed.render_as_string(hide_password=False)
