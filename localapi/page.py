"""The web chat page of the local server: static files (``bot/localapi/web/``) at ``/``, and the
JSON it reads under ``/sim/web/`` (its people, chats as safe HTML, command menus). Everything
else the page does goes through the ``/sim/`` control API: send, press, the event long poll.

The page and the control API are for the person at this computer only: requests that name
another host (DNS rebinding) or come from another site's page are refused, and a POST must be
JSON, which a foreign page cannot send without the browser asking first.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from importlib import resources
from typing import TYPE_CHECKING, Any, Final

from aiohttp import web
from aiohttp.typedefs import Middleware

from localapi.sim import SimUser
from localapi.webview import Persona, chat_view, resolve_commands

if TYPE_CHECKING:
    from localapi.server import LocalBotApi

__all__ = ["add_page_routes", "local_only"]

JSONDict = dict[str, Any]
_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_FILES: Final = {
    "index.html": "text/html",
    "chat.css": "text/css",
    "chat.js": "text/javascript",
    "icon.svg": "image/svg+xml",
}
_LOCAL_NAMES: Final = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})
_HEADERS: Final = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


def _host_name(value: str) -> str:
    if value.startswith("["):
        return value.split("]", 1)[0] + "]"
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def local_only(bound_host: str) -> Middleware:
    """Middleware guarding every path, the Bot API's included: its token is a public constant
    in local mode, so the token alone keeps no web page out.

    Everywhere: the Host must name this computer (DNS rebinding), and a request carrying another
    site's Origin, or that the browser marks as sent from another site (Sec-Fetch-Site), is
    refused. The page and ``/sim/``: a POST must be JSON. The Bot API (``/bot…``): POST only,
    parameters in the body, never in a query string (an image tag or a link can send neither).
    """
    allowed = set(_LOCAL_NAMES) | {bound_host}

    @web.middleware
    async def guard(request: web.Request, handler: _Handler) -> web.StreamResponse:
        host = request.headers.get("Host", "")
        if _host_name(host) not in allowed:
            return web.json_response({"ok": False, "error": "unknown host"}, status=403)
        origin = request.headers.get("Origin")
        if origin is not None and origin != f"http://{host}":
            return web.json_response({"ok": False, "error": "cross-site request"}, status=403)
        if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
            return web.json_response({"ok": False, "error": "cross-site request"}, status=403)
        path = request.path
        if path.startswith("/file/bot"):
            return await handler(request)
        if path.startswith("/bot"):
            if request.method != "POST":
                return web.json_response(
                    {"ok": False, "error_code": 405, "description": "Method Not Allowed: POST"},
                    status=405,
                )
            if request.query_string:
                return web.json_response(
                    {"ok": False, "error_code": 400, "description": "Bad Request: query string"},
                    status=400,
                )
            return await handler(request)
        if (
            request.method == "POST"
            and request.body_exists
            and request.content_type != "application/json"
        ):
            return web.json_response({"ok": False, "error": "send JSON"}, status=415)
        return await handler(request)

    return guard


def _static(name: str) -> web.Response:
    data = (resources.files("localapi") / "web" / name).read_bytes()
    return web.Response(body=data, content_type=_FILES[name], charset="utf-8", headers=_HEADERS)


def add_page_routes(app: web.Application, api: LocalBotApi) -> None:
    """Register ``/``, ``/web/<file>`` and ``/sim/web/...`` on ``app``."""
    world = api.world

    def personas() -> list[Persona]:
        if api.page.personas:
            return api.page.personas
        return [
            Persona(key="user", user_id=user.id, name=user.first_name)
            for user in world.users.values()
        ]

    def bot_name() -> str:
        return str(world.bot_user["username"])

    async def index(request: web.Request) -> web.StreamResponse:
        return _static("index.html")

    async def static(request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if name not in _FILES:
            raise web.HTTPNotFound()
        return _static(name)

    async def config(request: web.Request) -> web.StreamResponse:
        people = []
        for persona in personas():
            user: SimUser | None = world.users.get(persona.user_id)
            people.append(
                {**persona.to_json(), "language_code": user.language_code if user else None}
            )
        return web.json_response(
            {
                "ok": True,
                "result": {
                    "bot": dict(world.bot_user),
                    "personas": people,
                    "language": api.page.language,
                    "demo": api.page.demo,
                    "last_seq": world.last_seq,
                    "instance": world.instance,
                    "descriptions": dict(world.descriptions),
                },
            }
        )

    async def chat(request: web.Request) -> web.StreamResponse:
        try:
            chat_id = int(request.match_info["chat_id"])
        except ValueError:
            raise web.HTTPNotFound() from None
        found = world.chats.get(chat_id)
        if found is None:
            return web.json_response({"ok": False, "error": "unknown chat"}, status=404)
        return web.json_response({"ok": True, "result": chat_view(found, bot_username=bot_name())})

    async def commands(request: web.Request) -> web.StreamResponse:
        try:
            chat_id = int(request.query.get("chat_id", ""))
        except ValueError:
            return web.json_response({"ok": False, "error": "chat_id is needed"}, status=400)
        found = world.chats.get(chat_id)
        if found is None:
            return web.json_response({"ok": False, "error": "unknown chat"}, status=404)
        language = request.query.get("language_code")
        user_id = request.query.get("user_id")
        listed = resolve_commands(
            world, found, language, int(user_id) if user_id and user_id.isdigit() else None
        )
        return web.json_response(
            {"ok": True, "result": [{"command": c, "description": d} for c, d in listed]}
        )

    app.router.add_get("/", index)
    app.router.add_get("/web/{name}", static)
    app.router.add_get("/sim/web/config", config)
    app.router.add_get("/sim/web/chats/{chat_id}", chat)
    app.router.add_get("/sim/web/commands", commands)
