"""The one settings object: where data lives, which database to use, and how the API authenticates.

Read from the environment once (``get_settings()``), validated at start:

=============================  ==========================================================  ==================
variable                       meaning                                                     default
=============================  ==========================================================  ==================
CRAMPCHECK_DATA_DIR            directory for the embedded database and generated files     platformdirs user data dir
CRAMPCHECK_DATABASE_URL        SQLAlchemy URL (``sqlite:///...`` or ``postgresql+psycopg://...``)
                                                                                           ``sqlite:///<data dir>/crampcheck.sqlite``
CRAMPCHECK_LOCAL_NO_TOKEN      ``1``: requests from loopback without a token act as the     ``1`` with the embedded default
                               single local user; ``0``: every request needs a bearer token database, else ``0``
CRAMPCHECK_LOCAL_USER          name of that local user (also the CLI's default user)        ``local``
CRAMPCHECK_SQLITE_SYNCHRONOUS  ``NORMAL`` (survives a crash of the program) or ``FULL``      ``NORMAL``
                               (also survives power loss, slower)
CRAMPCHECK_AUTO_MIGRATE        ``1``: upgrade the database schema when first opened         ``1``
CRAMPCHECK_ALLOWED_HOSTS       extra host names the server answers to (comma-separated;     loopback names
                               ``.example.org`` also allows its subdomains, ``*`` any);     only
                               other ``Host`` headers get 400 (DNS rebinding)
CRAMPCHECK_LISTEN_HOST         the address ``crampcheck serve`` listens on (set by it); the  unset
                               local user exists only when this is a loopback address
CRAMPCHECK_SECRET_KEY          key that signs the web forms' CSRF tokens (shared by all      a random key kept
                               servers of one deployment)                                   in the data dir
CRAMPCHECK_TRUSTED_PROXIES     with ``crampcheck serve --proxy-headers``: the peers whose    ``127.0.0.1,::1``
                               ``X-Forwarded-For``/``-Proto`` are believed (addresses or
                               networks, comma-separated; ``*`` any)
=============================  ==========================================================  ==================
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from crampcheck.errors import InputError

APP_NAME = "crampcheck"
DB_FILENAME = "crampcheck.sqlite"

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
DEFAULT_TRUSTED_PROXIES = "127.0.0.1,::1"


def is_loopback(host: str) -> bool:
    """True for a loopback address or name ('localhost', 127.0.0.0/8, ::1)."""
    import ipaddress

    host = host.strip().strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _hosts(raw: str) -> tuple[str, ...]:
    out: list[str] = []
    for part in raw.replace(";", ",").split(","):
        name = part.strip().strip("[]").lower().rstrip(".")
        if not name:
            continue
        if name != "*" and not all(c.isalnum() or c in ".-_:*" for c in name):
            raise InputError(f"CRAMPCHECK_ALLOWED_HOSTS: {part.strip()!r} is not a host name")
        if name not in out:
            out.append(name)
    return tuple(out)


def trusted_proxies(raw: str) -> str:
    """A validated, normalised trusted-proxy list ("127.0.0.1, 10.0.0.0/8" -> "127.0.0.1,10.0.0.0/8"); raise
    :class:`InputError` naming a bad entry."""
    import ipaddress

    out: list[str] = []
    for part in raw.replace(";", ",").split(","):
        item = part.strip()
        if not item:
            continue
        if item != "*":
            try:
                ipaddress.ip_network(item, strict=False) if "/" in item else ipaddress.ip_address(item)
            except ValueError:
                raise InputError(
                    f"trusted proxy {item!r} is not an IP address or network (e.g. 127.0.0.1, 10.0.0.0/8, *)"
                ) from None
        if item not in out:
            out.append(item)
    if not out:
        raise InputError("the trusted-proxy list is empty; give addresses like 127.0.0.1 or 10.0.0.0/8")
    return ",".join(out)


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise InputError(f"{name}={raw!r} is not a yes/no value; use 1 or 0")


class Settings(BaseModel):
    """Validated settings; build with :meth:`from_env` or directly in tests."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    data_dir: Path = Field(description="directory for the embedded database and generated files")
    database_url: str = Field(description="SQLAlchemy database URL")
    embedded_database: bool = Field(
        description="True when database_url is the default SQLite file in data_dir (not set by the user)"
    )
    local_no_token: bool = Field(
        description="requests from a loopback address without a token act as the local user"
    )
    local_user: str = Field(default="local", min_length=1, max_length=64)
    sqlite_synchronous: Literal["NORMAL", "FULL"] = "NORMAL"
    auto_migrate: bool = True
    allowed_hosts: tuple[str, ...] = Field(
        default=(), description="host names answered besides the loopback names ('*' any, '.x.org' subdomains)"
    )
    listen_host: str | None = Field(default=None, description="the address the server listens on, if known")
    secret_key: str | None = Field(default=None, min_length=16, description="key for the CSRF tokens")
    trusted_proxies: str = Field(
        default=DEFAULT_TRUSTED_PROXIES, description="peers whose X-Forwarded-For/-Proto headers are believed"
    )

    def host_allowed(self, host: str) -> bool:
        """Whether a request's ``Host`` name (without the port) is one this server answers to."""
        name = host.strip().strip("[]").lower().rstrip(".")
        if not name:
            return False
        if name in LOOPBACK_HOSTS or name in self.allowed_hosts or "*" in self.allowed_hosts:
            return True
        if self.listen_host and not is_loopback(self.listen_host) and name == self.listen_host.strip("[]").lower():
            return True  # the address it was told to listen on
        return any(a.startswith(".") and (name.endswith(a) or name == a[1:]) for a in self.allowed_hosts)

    @property
    def local_user_enabled(self) -> bool:
        """The tokenless local user exists only when configured and listening on loopback (or not told)."""
        return self.local_no_token and (self.listen_host is None or is_loopback(self.listen_host))

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read the ``CRAMPCHECK_*`` variables; raise :class:`InputError` naming a bad one."""
        env = os.environ if env is None else env
        data_dir = Path(env.get("CRAMPCHECK_DATA_DIR") or platformdirs.user_data_dir(APP_NAME)).expanduser()
        url = env.get("CRAMPCHECK_DATABASE_URL", "").strip()
        embedded = not url
        if embedded:
            url = f"sqlite:///{data_dir / DB_FILENAME}"
        sync = env.get("CRAMPCHECK_SQLITE_SYNCHRONOUS", "NORMAL").strip().upper()
        try:
            return cls(
                data_dir=data_dir,
                database_url=url,
                embedded_database=embedded,
                local_no_token=_flag(env, "CRAMPCHECK_LOCAL_NO_TOKEN", embedded),
                local_user=env.get("CRAMPCHECK_LOCAL_USER", "local"),
                sqlite_synchronous=sync,  # type: ignore[arg-type]
                auto_migrate=_flag(env, "CRAMPCHECK_AUTO_MIGRATE", True),
                allowed_hosts=_hosts(env.get("CRAMPCHECK_ALLOWED_HOSTS", "")),
                listen_host=(env.get("CRAMPCHECK_LISTEN_HOST") or "").strip() or None,
                secret_key=(env.get("CRAMPCHECK_SECRET_KEY") or "").strip() or None,
                trusted_proxies=trusted_proxies(env.get("CRAMPCHECK_TRUSTED_PROXIES") or DEFAULT_TRUSTED_PROXIES),
            )
        except ValidationError as exc:
            err = exc.errors()[0]
            field = ".".join(str(p) for p in err["loc"])
            raise InputError(f"setting {field}: {err['msg']}") from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    return Settings.from_env()
