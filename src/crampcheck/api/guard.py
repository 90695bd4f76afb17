"""Request guards against forged and rebound requests (OWASP CSRF cheat sheet):

* **Host allow-list** (DNS rebinding): a request whose ``Host`` is not one of the loopback names, the address
  ``crampcheck serve --host`` listens on, or a name allowed with ``--allowed-host`` / ``CRAMPCHECK_ALLOWED_HOSTS``
  gets 400 before any route runs.
* **Fetch metadata and origin check** on every state-changing method (POST, PUT, PATCH, DELETE): a browser says
  where a request comes from (``Sec-Fetch-Site``, else ``Origin``, else ``Referer``). Only ``same-origin`` (and
  ``none``: typed by the user) is accepted; ``same-site`` (another port of this host) and ``cross-site`` get 403.
  A request carrying none of these headers does not come from a browser's page (curl, the CLI, scripts with a
  bearer token) and is let through: a browser always sends them on a cross-origin write.
* **CSRF tokens in the web forms** (signed double submit): each browser gets a random session id in an
  HttpOnly, SameSite=Strict cookie; every form carries ``HMAC(key, session id | sign-in cookie)``, checked on
  submit. A page on another port of the same host can set a cookie for this host, but cannot compute the HMAC.

The key is ``CRAMPCHECK_SECRET_KEY`` or a random key kept in ``<data dir>/secret.key`` (mode 0600), so that
every worker of one server accepts the tokens of the others.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
from http import HTTPStatus
from pathlib import Path
from urllib.parse import urlsplit

from markupsafe import Markup
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crampcheck.settings import Settings, get_settings

log = logging.getLogger(__name__)

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_COOKIE = "crampcheck_csrf"
CSRF_FIELD = "csrf_token"
KEY_FILE = "secret.key"
_SID = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
_DEFAULT_PORTS = {"http": "80", "https": "443", "ws": "80", "wss": "443"}

T_HOST = "urn:crampcheck:problem:host-not-allowed"
T_CROSS_SITE = "urn:crampcheck:problem:cross-site-request"

# Shown to a person whose browser sent a refused form (both languages: the language is not known yet).
CROSS_SITE_TEXT = (
    "This request came from another web site or another program on this computer, so it was refused. "
    "Open crampcheck directly and try again. / 此请求来自其他网站或本机上的其他程序，已被拒绝。"
    "请直接打开 crampcheck 后重试。"
)
HOST_TEXT = (
    "This server does not answer to the address '{host}'. Open it as http://localhost, or start it with "
    "--allowed-host for this name. / 此服务器不响应地址“{host}”。请用 http://localhost 打开，"
    "或用 --allowed-host 启动服务器以允许此名称。"
)


# ---- proxy headers -----------------------------------------------------------------------------------------
_PROXY_EXACT = frozenset({"forwarded", "via", "x-real-ip", "x-proxyuser-ip", "x-remote-addr", "x-remote-ip"})


def is_proxy_header(name: str) -> bool:
    """A header that a proxy or forwarder adds (by family, not by a fixed list of three): ``Forwarded``,
    ``Via``, ``X-Forwarded-*``, ``X-Original-*``, ``*-Client-IP``, ``*-Connecting-IP``, ``X-Real-IP``, ..."""
    n = name.lower().replace("_", "-")
    return (
        n in _PROXY_EXACT
        or n.startswith(("x-forwarded", "x-original-forwarded", "x-original-host", "x-cluster-client"))
        or n.endswith(("-client-ip", "-connecting-ip", "-real-ip", "-forwarded-for"))
    )


def has_proxy_header(headers: list[tuple[bytes, bytes]] | object) -> bool:
    """Whether any header of the request looks like one a proxy adds."""
    if isinstance(headers, list):
        return any(is_proxy_header(k.decode("latin-1")) for k, _ in headers)
    return any(is_proxy_header(k) for k in headers)  # type: ignore[attr-defined]


# ---- host and origin ---------------------------------------------------------------------------------------
def _header(scope: Scope, name: bytes) -> str | None:
    for k, v in scope.get("headers", ()):
        if k == name:
            return str(v.decode("latin-1"))
    return None


def split_host(host: str) -> tuple[str, str]:
    """'Example.org:8000' -> ('example.org', '8000'); '[::1]:80' -> ('::1', '80'); no port -> ''."""
    host = host.strip().lower()
    if host.startswith("["):
        name, _, rest = host[1:].partition("]")
        return name, rest.lstrip(":")
    if host.count(":") == 1:
        name, _, port = host.partition(":")
        return name, port
    return host, ""


def _netloc(scheme: str, host: str) -> tuple[str, str]:
    name, port = split_host(host)
    return name, port or _DEFAULT_PORTS.get(scheme, "")


def same_origin(url: str, scope: Scope) -> bool:
    """Whether ``url`` (an Origin or a Referer) names this server: the same host and port as the request's
    ``Host`` header, with the request's scheme (or https, which is never a downgrade)."""
    host = _header(scope, b"host")
    if not host or not url or url == "null":
        return False
    try:
        u = urlsplit(url)
    except ValueError:
        return False
    scheme = scope.get("scheme", "http")
    if u.scheme not in (scheme, "https") or not u.netloc:
        return False
    if _netloc(u.scheme, u.netloc) == _netloc(scheme, host):
        return True
    # behind a proxy that ends TLS: the page is https://name, the request reaches us as http with Host: name
    (o_name, o_port), (h_name, h_port) = split_host(u.netloc), split_host(host)
    return u.scheme == "https" and o_name == h_name and not o_port and not h_port


def browser_verdict(scope: Scope) -> str | None:
    """None when a state-changing request may go on; otherwise why it is refused."""
    site = _header(scope, b"sec-fetch-site")
    if site is not None:
        return None if site.strip().lower() in ("same-origin", "none") else f"Sec-Fetch-Site: {site}"
    origin = _header(scope, b"origin")
    if origin is not None:
        return None if same_origin(origin.strip(), scope) else f"Origin: {origin}"
    referer = _header(scope, b"referer")
    if referer is not None:
        return None if same_origin(referer.strip(), scope) else "Referer of another origin"
    return None  # not sent by a browser's page


def _wants_html(scope: Scope) -> bool:
    path = scope.get("path", "")
    if path.startswith("/v1/"):
        return False
    accept = _header(scope, b"accept") or ""
    return "text/html" in accept or not accept


async def _refuse(send: Send, scope: Scope, status: int, detail: str, type_: str) -> None:
    if _wants_html(scope):
        from html import escape

        title = HTTPStatus(status).phrase
        body = (
            f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>'
            f"<body><h1>{title}</h1><p>{escape(detail)}</p></body></html>"
        ).encode()
        ctype = b"text/html; charset=utf-8"
    else:
        body = json.dumps(
            {
                "type": type_,
                "title": HTTPStatus(status).phrase,
                "status": status,
                "detail": detail,
                "instance": scope.get("path", ""),
            },
            ensure_ascii=False,
        ).encode()
        ctype = b"application/problem+json"
    headers = [
        (b"content-type", ctype),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
        (b"vary", b"Origin, Sec-Fetch-Site"),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class RequestGuardMiddleware:
    """Host allow-list, cross-site refusal for writes, and the CSRF session cookie (see the module text)."""

    def __init__(self, app: ASGIApp, settings: Settings | None = None) -> None:
        self.app = app
        self._settings = settings

    @property
    def settings(self) -> Settings:
        return self._settings or get_settings()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        host = _header(scope, b"host") or ""
        name = split_host(host)[0]
        if not self.settings.host_allowed(name):
            log.warning("refused Host %r on %s", host[:100], scope.get("path"))
            shown = "".join(c for c in host[:80] if c.isprintable())
            await _refuse(send, scope, 400, HOST_TEXT.format(host=shown), T_HOST)
            return
        if scope["type"] == "http" and scope["method"] in UNSAFE_METHODS:
            why = browser_verdict(scope)
            if why is not None:
                log.warning("refused cross-site %s %s (%s)", scope["method"], scope.get("path"), why[:100])
                await _refuse(send, scope, 403, CROSS_SITE_TEXT, T_CROSS_SITE)
                return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        cookie = _cookie(scope, CSRF_COOKIE)
        fresh = cookie is None or not _SID.match(cookie)
        state["csrf_sid"] = secrets.token_urlsafe(32) if fresh else cookie
        state["csrf_from_cookie"] = not fresh
        if not fresh:
            await self.app(scope, receive, send)
            return
        secure = scope.get("scheme") == "https"

        async def send_cookie(msg: Message) -> None:
            if msg["type"] == "http.response.start" and state.get("csrf_used"):
                value = f"{CSRF_COOKIE}={state['csrf_sid']}; HttpOnly; Path=/; SameSite=Strict"
                if secure:
                    value += "; Secure"
                msg["headers"] = [*msg.get("headers", ()), (b"set-cookie", value.encode())]
            await send(msg)

        await self.app(scope, receive, send_cookie)


def _cookie(scope: Scope, name: str) -> str | None:
    raw = _header(scope, b"cookie")
    if not raw:
        return None
    for part in raw.split(";"):
        k, _, v = part.strip().partition("=")
        if k == name:
            return v.strip().strip('"')
    return None


# ---- CSRF tokens -------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=8)
def _key(secret: str | None, data_dir: Path) -> bytes:
    if secret:
        return hashlib.sha256(secret.encode()).digest()
    path = data_dir / KEY_FILE
    try:
        return bytes.fromhex(path.read_text().strip())
    except (OSError, ValueError):
        pass
    key = secrets.token_bytes(32)
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(key.hex())
        return key
    except FileExistsError:  # written by another worker meanwhile
        return bytes.fromhex(path.read_text().strip())
    except OSError as exc:
        log.warning("no CSRF key file in %s (%s): form tokens last as long as this process", data_dir, exc)
        return key


def signing_key(settings: Settings | None = None) -> bytes:
    s = settings or get_settings()
    return _key(s.secret_key, s.data_dir)


def _binding(request: Request, session_cookie: str) -> str:
    signed_in = request.cookies.get(session_cookie, "")
    return hashlib.sha256(signed_in.encode()).hexdigest()


def csrf_token(request: Request, session_cookie: str = "crampcheck_diary") -> str:
    """The form token of this browser session (and sign-in); marks the session cookie to be set."""
    state = request.scope.setdefault("state", {})
    sid = state.get("csrf_sid")
    if not sid:  # the guard is not installed (a bare test app): a one-off session
        sid = state["csrf_sid"] = secrets.token_urlsafe(32)
    state["csrf_used"] = True
    msg = f"{sid}|{_binding(request, session_cookie)}".encode()
    return hmac.new(signing_key(), msg, hashlib.sha256).hexdigest()


def csrf_valid(request: Request, submitted: str | None, session_cookie: str = "crampcheck_diary") -> bool:
    """Whether ``submitted`` is this session's token (the cookie must have come back with the form)."""
    state = request.scope.get("state", {})
    sid = state.get("csrf_sid") if state.get("csrf_from_cookie") else request.cookies.get(CSRF_COOKIE)
    if not submitted or not sid or not _SID.match(sid) or len(submitted) != 64:
        return False
    msg = f"{sid}|{_binding(request, session_cookie)}".encode()
    expected = hmac.new(signing_key(), msg, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, submitted)


def csrf_input(request: Request) -> Markup:
    """The hidden form field that carries the token (a Jinja global: ``{{ csrf_field() }}``)."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(CSRF_FIELD, csrf_token(request))
