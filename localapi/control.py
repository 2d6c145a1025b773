"""HTTP JSON control API under ``/sim/`` for out-of-process drivers (a browser chat page, tests
running the bot as a subprocess): act as users, read chats, long-poll the event log."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from localapi.server import LocalBotApi
    from localapi.sim import SimChat, SimUser

__all__ = ["add_control_routes"]

JSONDict = dict[str, Any]
_Route = Callable[[web.Request], Awaitable[web.StreamResponse]]


class _ControlError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _guard(route: _Route) -> _Route:
    async def wrapper(request: web.Request) -> web.StreamResponse:
        try:
            return await route(request)
        except _ControlError as error:
            return web.json_response({"ok": False, "error": str(error)}, status=error.status)
        except AssertionError as error:
            return web.json_response({"ok": False, "error": str(error)}, status=422)
        except (ValueError, TypeError, KeyError) as error:
            return web.json_response({"ok": False, "error": f"bad request: {error!r}"}, status=400)

    return wrapper


async def _body(request: web.Request) -> JSONDict:
    if not request.body_exists:
        return {}
    try:
        body = await request.json()
    except ValueError as exc:
        raise _ControlError(400, "body must be JSON") from exc
    if not isinstance(body, dict):
        raise _ControlError(400, "body must be a JSON object")
    return body


def _user_json(user: SimUser) -> JSONDict:
    return {**user.to_api(), "blocked": user.blocked}


def _chat_json(chat: SimChat) -> JSONDict:
    return {
        "chat": chat.to_api(),
        "members": [m.id for m in chat.members],
        "known_to_bot": chat.known_to_bot,
        "reply_keyboard": chat.reply_keyboard_labels(),
        "messages": [m.to_json() for m in chat.messages],
    }


def add_control_routes(app: web.Application, api: LocalBotApi) -> None:
    """Register the ``/sim/...`` routes on ``app``."""
    world = api.world

    def get_user(request: web.Request, body: JSONDict | None = None) -> SimUser:
        user_id = int(request.match_info["user_id"])
        if user_id in world.users:
            return world.users[user_id]
        if body is None:
            raise _ControlError(404, f"unknown user {user_id}")
        return api.user(
            user_id,
            first_name=str(body.get("first_name", "Test")),
            last_name=body.get("last_name"),
            username=body.get("username"),
            language_code=body.get("language_code", "en"),
        )

    def chat_from(body: JSONDict, user: SimUser) -> SimChat:
        chat_id = body.get("chat_id")
        if chat_id is None:
            return user.chat
        chat = world.chats.get(int(chat_id))
        if chat is None:
            raise _ControlError(404, f"unknown chat {chat_id}")
        return chat

    async def create_user(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        user = api.user(
            int(body["id"]),
            first_name=str(body.get("first_name", "Test")),
            last_name=body.get("last_name"),
            username=body.get("username"),
            language_code=body.get("language_code", "en"),
        )
        return _ok(_user_json(user))

    async def show_user(request: web.Request) -> web.StreamResponse:
        return _ok(_user_json(get_user(request)))

    async def send(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        user = get_user(request, body)
        message = await user.send(
            str(body["text"]),
            chat=chat_from(body, user),
            wait=bool(body.get("wait", True)),
            timeout=body.get("timeout"),
        )
        return _ok(message.to_json())

    async def press(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        user = get_user(request)
        message_id = body.get("message_id")
        answer = await user.press(
            str(body["label"]),
            message=int(message_id) if message_id is not None else None,
            chat=chat_from(body, user),
            wait=bool(body.get("wait", True)),
            timeout=body.get("timeout"),
        )
        return _ok({"text": answer.text, "show_alert": answer.show_alert, "url": answer.url})

    async def press_data(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        user = get_user(request)
        answer = await user.press_data(
            int(body["message_id"]),
            str(body["data"]),
            chat=chat_from(body, user),
            wait=bool(body.get("wait", True)),
            timeout=body.get("timeout"),
        )
        return _ok({"text": answer.text, "show_alert": answer.show_alert, "url": answer.url})

    async def language(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        user = get_user(request)
        code = body.get("language_code")
        if code is not None and not (isinstance(code, str) and 2 <= len(code) <= 10):
            raise _ControlError(400, "language_code must be a language code or null")
        user.language_code = code
        return _ok(_user_json(user))

    async def block(request: web.Request) -> web.StreamResponse:
        user = get_user(request)
        user.block()
        return _ok(_user_json(user))

    async def unblock(request: web.Request) -> web.StreamResponse:
        user = get_user(request)
        user.unblock()
        return _ok(_user_json(user))

    async def create_group(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        members = [world.users[int(member)] for member in body.get("members", [])]
        chat = api.group(int(body["id"]), str(body.get("title", "Group")), members)
        return _ok(_chat_json(chat))

    async def show_chat(request: web.Request) -> web.StreamResponse:
        chat_id = int(request.match_info["chat_id"])
        chat = world.chats.get(chat_id)
        if chat is None:
            raise _ControlError(404, f"unknown chat {chat_id}")
        return _ok(_chat_json(chat))

    async def settle(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        quiet, timeout = body.get("quiet"), body.get("timeout")
        if "chat_id" in body:
            await world.chat(int(body["chat_id"])).settle(quiet, timeout)
        else:
            await world.settle_all(quiet, timeout)
        return _ok(True)

    async def events(request: web.Request) -> web.StreamResponse:
        after = int(request.query.get("after", "0"))
        timeout = min(60.0, float(request.query.get("timeout", "0")))
        chat_filter = request.query.get("chat_id")
        wanted = int(chat_filter) if chat_filter else None
        deadline = time.monotonic() + timeout
        while True:
            found = [
                e.to_json()
                for e in world.events_after(after)
                if wanted is None or e.chat_id == wanted
            ]
            remaining = deadline - time.monotonic()
            if found or remaining <= 0 or world.stopping:
                return _ok(
                    {"events": found, "last_seq": world.last_seq, "instance": world.instance}
                )
            await world.notifier.wait(remaining)

    async def commands(request: web.Request) -> web.StreamResponse:
        scope = request.query.get("scope", "default")
        language = request.query.get("language_code", "")
        return _ok([{"command": c, "description": d} for c, d in api.commands(scope, language)])

    async def violations(request: web.Request) -> web.StreamResponse:
        return _ok(
            [
                {
                    "method": v.method,
                    "status": v.status,
                    "description": v.description,
                    "params": v.params,
                    "time": v.time,
                }
                for v in api.violations
            ]
        )

    async def calls(request: web.Request) -> web.StreamResponse:
        return _ok(dict(api.calls))

    async def file(request: web.Request) -> web.StreamResponse:
        stored = world.files.get(request.match_info["file_id"])
        if stored is None:
            raise _ControlError(404, "unknown file")
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )

    routes: list[tuple[str, str, _Route]] = [
        ("POST", "/sim/users", create_user),
        ("GET", "/sim/users/{user_id}", show_user),
        ("POST", "/sim/users/{user_id}/send", send),
        ("POST", "/sim/users/{user_id}/press", press),
        ("POST", "/sim/users/{user_id}/press_data", press_data),
        ("POST", "/sim/users/{user_id}/language", language),
        ("POST", "/sim/users/{user_id}/block", block),
        ("POST", "/sim/users/{user_id}/unblock", unblock),
        ("POST", "/sim/groups", create_group),
        ("GET", "/sim/chats/{chat_id}", show_chat),
        ("POST", "/sim/settle", settle),
        ("GET", "/sim/events", events),
        ("GET", "/sim/commands", commands),
        ("GET", "/sim/violations", violations),
        ("GET", "/sim/calls", calls),
        ("GET", "/sim/files/{file_id}", file),
    ]
    for http_method, path, handler in routes:
        app.router.add_route(http_method, path, _guard(handler))
