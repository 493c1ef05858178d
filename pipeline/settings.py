"""One Settings object, resolved once: defaults < [tool.thidua] in a config file <
THIDUA_* environment < command-line flags."""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from pipeline.errors import ConfigError

REPO = Path(__file__).resolve().parent.parent


def model_file(path: Path) -> Path | None:
    """The .joblib file a relevance-model setting names: the file itself, or, for a folder,
    the one its CURRENT file names (None when it has none)."""
    if not path.is_dir():
        return path
    pointer = path / "CURRENT"
    return path / f"{pointer.read_text(encoding='utf-8').strip()}.joblib" if pointer.exists() else None


@dataclass(frozen=True, slots=True)
class Settings:
    db: Path = Path("data/thidua.duckdb")
    archive: Path = Path("data/archive")
    registry: Path = REPO / "data" / "registry" / "movements.toml"
    topics: Path = REPO / "data" / "registry" / "topics.toml"
    sample_site: Path = REPO / "data" / "sample_site"
    demo_db: Path = Path("data/demo.duckdb")
    jobs: Path = Path("data/jobs")  # Scrapy JOBDIRs of runs in progress
    reports: Path = Path("data/reports")
    token_cache: Path = Path("")  # sentence and token spans by text hash; "" = beside the database
    proxy: str = ""  # send every request through this HTTP proxy
    recheck_days: float = 14.0  # re-check a stored article (conditional request) after this long
    user_agent: str = ""
    download_delay: float = 1.0
    polite: bool = True  # False drops delays and throttling: only for servers you run yourself
    duckdb_memory_mb: int = 256  # DuckDB's memory limit in a job (its cache fills up to this, then it spills to disk)
    extract_chunk_pages: int = 5000  # a job extracts more pages than this in child processes of this many pages each
    relevance_model: Path = Path("")  # a .joblib model file, or a folder whose CURRENT names one; "" = the shipped model

    @property
    def token_cache_file(self) -> Path:
        """The token cache in use: the setting, else ``<db>.tokens.sqlite``."""
        return self.token_cache if str(self.token_cache) not in ("", ".") else self.db.with_name(self.db.name + ".tokens.sqlite")

    @property
    def relevance_model_path(self) -> Path:
        """The relevance model in use: the setting, else the shipped one (data/models/relevance)."""
        return self.relevance_model if str(self.relevance_model) not in ("", ".") else REPO / "data" / "models" / "relevance"

    @classmethod
    def load(cls, config: Path | None = None, env: dict[str, str] | None = None, **flags: Any) -> Settings:
        s = cls()
        path = config or next((p for p in (Path("thidua.toml"), Path("pyproject.toml")) if p.exists()), None)
        if path is not None:
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise ConfigError(f"cannot read config {path}: {exc}") from exc
            table = data.get("tool", {}).get("thidua", {}) if path.name == "pyproject.toml" else data.get("thidua", data)
            s = s._with(table, f"config {path}")
        env = dict(os.environ) if env is None else env
        from_env = {f.name: env[f"THIDUA_{f.name.upper()}"] for f in fields(cls) if f"THIDUA_{f.name.upper()}" in env}
        s = s._with(from_env, "environment")
        return s._with({k: v for k, v in flags.items() if v is not None}, "flags")

    def _with(self, values: dict[str, Any], where: str) -> Settings:
        types = {f.name: f.type for f in fields(self)}
        changes: dict[str, Any] = {}
        for key, value in values.items():
            if key not in types:
                raise ConfigError(f"unknown setting {key!r} in {where}; known: {', '.join(types)}")
            current = getattr(self, key)
            try:
                if isinstance(current, bool):
                    changes[key] = _boolean(value)
                    continue
                changes[key] = Path(value) if isinstance(current, Path) else type(current)(value)
            except (TypeError, ValueError) as exc:
                raise ConfigError(f"setting {key!r} in {where}: {exc}") from exc
            if key in _AT_LEAST and changes[key] < _AT_LEAST[key]:
                raise ConfigError(f"setting {key!r} in {where}: {changes[key]} is too small; it must be at least {_AT_LEAST[key]}")
        return replace(self, **changes)


_AT_LEAST = {"extract_chunk_pages": 1}


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{value!r} is not a yes/no value")
