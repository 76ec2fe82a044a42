"""The site's guards: security headers (CSP with no inline script, `Cache-Control: no-store`
on API and signed-in responses), a request-body limit, per-client token buckets (one for
asking, one for reading) and the client key they are spent from. Plain ASGI middleware, so
they also cover error pages."""

from __future__ import annotations

import ipaddress
import json
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# No inline script or style anywhere: every script is a file under /static (htmx included).
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


NO_STORE = (b"cache-control", b"no-store")
# Responses that may carry what one person may see and a shared cache must not keep.
PRIVATE_PATHS = ("/api/", "/review", "/login", "/logout")
SESSION_COOKIE = b"curbside_session="


def private(scope: Scope) -> bool:
    """Whether a response must not be stored: API, sign-in and review, or a signed-in user."""
    if str(scope.get("path", "")).startswith(PRIVATE_PATHS):
        return True
    cookies = b";".join(v for k, v in scope.get("headers") or [] if k == b"cookie")
    return SESSION_COOKIE in cookies


class SecurityHeaders:
    """Adds the security headers to every HTTP response (and no-store where private)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        no_store = private(scope)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if no_store:
                    headers = [(k, v) for k, v in headers if k.lower() != b"cache-control"]
                    headers.append(NO_STORE)
                names = {k.lower() for k, _ in headers}
                message["headers"] = headers + [
                    (k, v) for k, v in SECURITY_HEADERS if k not in names]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimit:
    """Refuses request bodies over `max_bytes` with 413 before the app parses them.

    A declared Content-Length is checked at once; a chunked body is read up to the limit
    and then replayed to the app.
    """

    def __init__(self, app: ASGIApp, max_bytes: int = 64 * 1024):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > self.max_bytes
            except ValueError:
                too_big = True
            if too_big:
                await self._refuse(scope, send)
                return
            await self.app(scope, receive, send)
            return
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(scope, send)
                return
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        body, sent = b"".join(chunks), False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        detail = f"the request body is larger than {self.max_bytes} bytes"
        if scope["path"].startswith("/api/"):
            body = json.dumps({"status": 413, "error": "payload_too_large",
                               "detail": detail}).encode()
            ctype = b"application/json"
        else:
            body = (f"<!doctype html><html lang=en><title>Request too large · Curbside</title>"
                    f"<link rel=stylesheet href=/static/site.css><main class=error-page>"
                    f"<h1>Request too large</h1><p>{detail}.</p><p><a href=/>Home</a></p>"
                    f"</main></html>").encode()
            ctype = b"text/html; charset=utf-8"
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", ctype),
                                (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


class TokenBucket:
    """Per-client token buckets: `burst` asks at once, refilled at `per_minute` a minute."""

    def __init__(self, per_minute: float = 30.0, burst: int = 10, max_clients: int = 10000,
                 clock: Callable[[], float] = time.monotonic):
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.max_clients = max_clients
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, client: str) -> float | None:
        """Spend a token for `client`; None if allowed, else seconds until one is free."""
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.get(client, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens < 1.0:
                self._buckets[client] = (tokens, now)
                return (1.0 - tokens) / self.rate if self.rate > 0 else 3600.0
            self._buckets[client] = (tokens - 1.0, now)
            if len(self._buckets) > self.max_clients:
                self._prune(now)
            return None

    def _prune(self, now: float) -> None:
        """Forget clients whose bucket has refilled (they are as if new)."""
        full = [k for k, (t, last) in self._buckets.items()
                if t + (now - last) * self.rate >= self.burst]
        for k in full:
            del self._buckets[k]


# -- who is asking: the rate-limit key ------------------------------------------------------

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_proxies(text: str) -> list[Network]:
    """The trusted_proxies setting ("10.0.0.1, 192.168.0.0/16") as networks."""
    out: list[Network] = []
    for part in text.split(","):
        if part.strip():
            out.append(ipaddress.ip_network(part.strip(), strict=False))
    return out


def _address(text: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        addr = ipaddress.ip_address((text or "").strip().strip("[]"))
    except ValueError:
        return None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
        return addr.ipv4_mapped
    return addr


def rate_key(peer: str | None, forwarded_for: str | None = None,
             proxies: list[Network] | None = None) -> str:
    """The bucket a request spends from: one per host, however many addresses it has.

    All loopback addresses (127.0.0.0/8, ::1) are one client; an IPv6 address counts by its
    /64 (one host or one home network gets a /64 and can pick any address in it); an
    IPv4-mapped IPv6 address counts as the IPv4 one. `X-Forwarded-For` is read only when
    the peer is a trusted proxy, and then the right-most address that is not one of the
    proxies is the client (left-most entries are whatever the client chose to send).
    """
    addr = _address(peer)
    trusted = proxies or []
    if addr is not None and forwarded_for and any(addr in net for net in trusted):
        for hop in reversed(forwarded_for.split(",")):
            hop_addr = _address(hop)
            if hop_addr is None:
                break
            addr = hop_addr
            if not any(hop_addr in net for net in trusted):
                break
    if addr is None:
        return "unknown"
    if addr.is_loopback:
        return "loopback"
    if isinstance(addr, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{addr}/64", strict=False))
    return str(addr)
