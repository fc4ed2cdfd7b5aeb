"""One typed settings object, read from MILEPOST_* environment variables.

This module is the only reader of the environment. Settings are built by the
entrypoint (CLI, tests), never at import time.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATA_DIR = Path.home() / ".local" / "share" / "milepost"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MILEPOST_", extra="ignore")

    database_url: str = Field(
        default="",
        description="SQLAlchemy URL. Empty means the embedded SQLite file in data_dir.",
    )
    data_dir: Path = Field(default=DEFAULT_DATA_DIR, description="Where the embedded database lives.")
    environment: str = Field(default="development", description="'development' or 'production'.")
    host: str = "127.0.0.1"
    port: int = 8000
    batch_retries: int = Field(default=4, ge=0, description="Retries of a batch after a deadlock or lost race.")
    sqlite_busy_timeout_ms: int = 30_000
    max_request_bytes: int = Field(default=4 * 1024 * 1024, ge=1024, description="Largest request body on the wire.")
    max_inflated_bytes: int = Field(
        default=16 * 1024 * 1024, ge=1024, description="Largest gzip request body once decompressed."
    )
    log_level: str = Field(default="info", description="debug, info, warning or error.")
    webhooks_allow_private: bool = Field(
        default=False, description="Let webhooks go to loopback, private and link-local addresses."
    )

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'milepost.db'}"
