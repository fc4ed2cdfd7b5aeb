"""One typed settings object, read from MILEPOST_* environment variables.

This module is the only reader of the environment. Settings are built by the
entrypoint (CLI, tests), never at import time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
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
    public_url: str = Field(
        default="",
        max_length=500,
        description="Where users reach Milepost, like https://milepost.shop.example: links in the emails "
        "agents get about their alerts. Empty: those emails name the dashboard without a link.",
    )
    store: str = Field(
        default="",
        max_length=100,
        description="The CLI's store when a command is given no --store. Empty: the only store there is.",
    )
    batch_retries: int = Field(default=4, ge=0, description="Retries of a batch after a deadlock or lost race.")
    sqlite_busy_timeout_ms: int = 30_000
    sqlite_wal_pages: int = Field(
        default=50_000,
        ge=1_000,
        description="SQLite: the write-ahead log's pages (4 KiB each) before a commit checkpoints it itself. "
        "Fewer keep the log file smaller on disk; more keep a busy stream of events faster.",
    )
    max_request_bytes: int = Field(default=4 * 1024 * 1024, ge=1024, description="Largest request body on the wire.")
    max_inflated_bytes: int = Field(
        default=16 * 1024 * 1024, ge=1024, description="Largest gzip request body once decompressed."
    )
    log_level: str = Field(default="info", description="debug, info, warning or error.")
    webhooks_allow_private: bool = Field(
        default=False, description="Let webhooks go to loopback, private and link-local addresses."
    )

    # -- email ---------------------------------------------------------------------------
    smtp_host: str = Field(default="", description="SMTP server. Empty: emails are kept in the local mailbox.")
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_security: Literal["starttls", "tls", "none"] = Field(
        default="starttls", description="starttls (port 587), tls (implicit TLS, port 465) or none."
    )
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_timeout: float = Field(default=30.0, gt=0, description="Seconds to wait for the SMTP server.")
    email_from_name: str = Field(default="Milepost", description="Default From name; a store may set its own.")
    email_from_address: str = Field(
        default="milepost@localhost", description="Default From address; a store may set its own."
    )

    # -- SMS (Twilio's REST API) ---------------------------------------------------------------
    twilio_account_sid: str = Field(default="", description="Empty: text messages are kept in the local mailbox.")
    twilio_auth_token: str = ""
    twilio_from_number: str = Field(default="", description="The sending number, E.164.")
    twilio_base_url: str = Field(default="https://api.twilio.com", description="Twilio's API, or a compatible one.")

    # -- delivery --------------------------------------------------------------------------------
    delivery_schedule: list[float] = Field(
        default=[0, 5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400],
        min_length=1,
        description="Seconds before each attempt (the first is the delay before the first try): Standard "
        "Webhooks' schedule. After the last attempt a message is dead.",
    )
    delivery_jitter: float = Field(default=0.1, ge=0, le=1, description="Each retry delay varies by this share.")
    delivery_timeout: float = Field(default=15.0, gt=0, description="Seconds a webhook or SMS request may take.")
    delivery_lease: float = Field(
        default=60.0, gt=0, description="Seconds a worker holds a message; a dead worker's messages wait this long."
    )
    delivery_concurrency: int = Field(default=8, ge=1, le=256, description="Messages a worker sends at once.")
    delivery_poll: float = Field(default=1.0, gt=0, description="Seconds an idle worker waits before looking again.")
    embedded_worker: bool = Field(default=True, description="`milepost serve` delivers the outbox too.")
    embedded_scheduler: bool = Field(
        default=True, description="`milepost serve` runs the daily runs after each store's local midnight too."
    )

    # -- the admin UI ------------------------------------------------------------------------------
    admin_session_hours: float = Field(default=12, gt=0, le=24 * 30, description="How long a sign-in lasts.")
    secure_cookies: bool | None = Field(
        default=None,
        description="Mark the admin UI's cookies Secure (sent over HTTPS only). Unset: in production only.",
    )
    password_hash_cost: int = Field(
        default=2**14,
        ge=2,
        le=2**20,
        description="scrypt's N (a power of two) for new password hashes: about 16 MiB and a few tens of "
        "milliseconds at the default. A password hashed at another cost is hashed again at its next sign-in. "
        "Lower it only for tests.",
    )

    @field_validator("password_hash_cost")
    @classmethod
    def _power_of_two(cls, n: int) -> int:
        if n & (n - 1):
            raise ValueError("must be a power of two")
        return n

    @property
    def cookies_secure(self) -> bool:
        return self.secure_cookies if self.secure_cookies is not None else self.environment == "production"

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'milepost.db'}"
