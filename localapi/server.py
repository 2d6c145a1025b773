"""LocalBotApi: the aiohttp server speaking the Telegram Bot API over HTTP, with failure
injection, optional flood limits, call accounting and the violations list; it also exposes the
simulation (users, groups, replay) to in-process tests."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from localapi.control import add_control_routes
from localapi.errors import ApiError, default_description
from localapi.methods import BotApiMethods
from localapi.model import ApiCall, SimEvent, StoredFile, Violation
from localapi.page import add_page_routes, local_only
from localapi.sim import SimChat, SimUser, World
from localapi.validation import Params, RateLimiter, read_params
from localapi.webview import PageConfig

__all__ = ["LocalBotApi", "is_loopback"]

_LOGGER = logging.getLogger(__name__)

JSONDict = dict[str, Any]


@dataclass
class _Failure:
    status: int
    description: str
    retry_after: int | None
    remaining: int


def is_loopback(host: str) -> bool:
    """Whether binding `host` serves this computer only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _bot_id_from_token(token: str) -> int:
    prefix = token.split(":", 1)[0]
    return int(prefix) if prefix.isdigit() else 7_000_000_001


class LocalBotApi:
    """A local Telegram Bot API server plus the simulated people using it.

    Point an unmodified PTB application at :attr:`base_url` / :attr:`base_file_url`.
    """

    def __init__(
        self,
        *,
        token: str,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_username: str = "alsfrs_local_bot",
        bot_id: int | None = None,
        bot_first_name: str = "ALSFRS (local)",
        rate_limits: bool = False,
        strict_html: bool = True,
        callback_timeout: float = 15.0,
    ) -> None:
        if not is_loopback(host):
            raise ValueError(
                f"the local Bot API serves this computer only: {host!r} is not a loopback "
                "address (use 127.0.0.1, ::1 or localhost)"
            )
        self._token = token
        self._host = host
        self._requested_port = port
        self._port: int | None = None
        self.world = World(
            bot_id=bot_id if bot_id is not None else _bot_id_from_token(token),
            bot_username=bot_username,
            bot_first_name=bot_first_name,
            callback_timeout=callback_timeout,
        )
        self._methods = BotApiMethods(self.world, strict_html=strict_html)
        self.violations: list[Violation] = []
        self.calls: Counter[str] = Counter()
        self.call_log: list[ApiCall] = []
        self._failures: dict[str, deque[_Failure]] = {}
        self._delays: dict[str, float] = {}
        self._runner: web.AppRunner | None = None
        self.rate_limits = rate_limits
        # The web chat page at "/": whom it lets you act as (see localapi.page).
        self.page = PageConfig()

    # -- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> None:
        """Bind and start serving."""
        if self._runner is not None:
            return
        self.world.stopping = False
        app = web.Application(
            client_max_size=60 * 1024 * 1024, middlewares=[local_only(self._host)]
        )
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        add_control_routes(app, self)
        add_page_routes(app, self)
        runner = web.AppRunner(
            app, handler_cancellation=True, access_log=None, shutdown_timeout=2.0
        )
        await runner.setup()
        site = web.TCPSite(runner, self._host, self._requested_port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        address = runner.addresses[0]
        self._port = int(address[1])
        _LOGGER.info("local Bot API listening on %s", self.base_url)

    async def stop(self) -> None:
        """Release pending long polls and stop serving."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        self.world.stopping = True
        self.world.notifier.notify()
        await runner.cleanup()
        _LOGGER.info("local Bot API stopped")

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("LocalBotApi is not started")
        return self._port

    @property
    def url(self) -> str:
        """Root URL of the server, e.g. ``http://127.0.0.1:8081``."""
        return f"http://{self._host}:{self.port}"

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)``."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url(...)``."""
        return f"{self.url}/file/bot"

    @property
    def token(self) -> str:
        return self._token

    # -- configuration ------------------------------------------------------------------------

    @property
    def rate_limits(self) -> bool:
        """Whether Telegram's flood limits are enforced (switchable at runtime)."""
        return self._methods.rate_limiter is not None

    @rate_limits.setter
    def rate_limits(self, enabled: bool) -> None:
        if enabled and self._methods.rate_limiter is None:
            self._methods.rate_limiter = RateLimiter()
        elif not enabled:
            self._methods.rate_limiter = None

    @property
    def rate_limiter(self) -> RateLimiter | None:
        """The active limiter (tune its attributes before traffic), or None when off."""
        return self._methods.rate_limiter

    def fail_next(
        self,
        method: str,
        *,
        status: int,
        count: int = 1,
        retry_after: int | None = None,
        description: str | None = None,
    ) -> None:
        """Make the next ``count`` calls of ``method`` fail with ``status`` before processing."""
        if status == 429 and retry_after is None:
            retry_after = 1
        failure = _Failure(
            status=status,
            description=description or default_description(status, retry_after),
            retry_after=retry_after if status == 429 else None,
            remaining=count,
        )
        self._failures.setdefault(self._methods.canonical(method), deque()).append(failure)

    def delay(self, method: str, seconds: float) -> None:
        """Delay every following call of ``method`` by ``seconds`` (0 removes the delay)."""
        name = self._methods.canonical(method)
        if seconds > 0:
            self._delays[name] = seconds
        else:
            self._delays.pop(name, None)

    def reset_failures(self) -> None:
        """Forget pending injected failures and delays."""
        self._failures.clear()
        self._delays.clear()

    # -- simulation facade --------------------------------------------------------------------

    def user(
        self,
        user_id: int,
        *,
        first_name: str = "Test",
        last_name: str | None = None,
        language_code: str | None = "en",
        username: str | None = None,
    ) -> SimUser:
        """Get or create a simulated user (chat id == user id)."""
        return self.world.user(
            user_id,
            first_name=first_name,
            last_name=last_name,
            language_code=language_code,
            username=username,
        )

    def group(
        self,
        chat_id: int,
        title: str,
        members: list[SimUser] | tuple[SimUser, ...] = (),
        *,
        chat_type: str = "group",
    ) -> SimChat:
        """Get or create a group chat (negative id) with these members; the bot is in it."""
        return self.world.group(chat_id, title, members, chat_type=chat_type)

    def chat(self, chat_id: int) -> SimChat:
        return self.world.chat(chat_id)

    def replay(self, update: JSONDict) -> None:
        """Queue an exact earlier update again (duplicate delivery)."""
        self.world.replay(update)

    @property
    def updates_log(self) -> list[JSONDict]:
        """Every update ever queued, in order (replays included)."""
        return self.world.updates_log

    @property
    def events(self) -> list[SimEvent]:
        return self.world.events

    @property
    def files(self) -> dict[str, StoredFile]:
        return self.world.files

    def commands(self, scope: str = "default", language_code: str = "") -> list[tuple[str, str]]:
        """What setMyCommands stored for this scope key and language ("" = all languages).

        Scope keys: default, all_private_chats, all_group_chats, all_chat_administrators,
        ``chat:<id>``, ``chat_administrators:<id>``, ``chat_member:<chat>:<user>``.
        """
        return list(self.world.commands.get((scope, language_code), []))

    def description(self, language_code: str = "") -> str | None:
        return self.world.descriptions.get(language_code)

    def short_description(self, language_code: str = "") -> str | None:
        return self.world.short_descriptions.get(language_code)

    async def wait_until(
        self,
        condition: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109
        *,
        what: str = "condition",
    ) -> None:
        """Wait (without polling sleeps) until ``condition()`` holds after some world change."""
        deadline = time.monotonic() + timeout
        while not condition():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"{what} not met within {timeout}s")
            await self.world.notifier.wait(remaining)

    async def settle_all(
        self,
        quiet: float | None = None,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> None:
        await self.world.settle_all(quiet, timeout)

    # -- HTTP ---------------------------------------------------------------------------------

    def _take_failure(self, method: str) -> ApiError | None:
        queue = self._failures.get(method)
        if not queue:
            return None
        failure = queue[0]
        failure.remaining -= 1
        if failure.remaining <= 0:
            queue.popleft()
        return ApiError(
            failure.status,
            failure.description,
            retry_after=failure.retry_after,
            injected=True,
        )

    async def _dispatch(self, token: str, method: str, params: Params) -> Any:
        if token != self._token:
            raise ApiError(401, "Unauthorized")
        handler = self._methods.handlers.get(method)
        if handler is None:
            raise ApiError(404, "Not Found")
        failure = self._take_failure(method)
        if failure is not None:
            raise failure
        delay = self._delays.get(method)
        if delay:
            await asyncio.sleep(delay)
        return await handler(params)

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = self._methods.canonical(request.match_info["method"])
        record = ApiCall(method=method, started=time.monotonic())
        self.calls[method] += 1
        self.call_log.append(record)
        params = Params()
        chat: SimChat | None = None
        try:
            params = await read_params(request)
            chat = self._methods.chat_hint(method, params)
            if chat is not None:
                record.chat_id = chat.id
                chat.inflight += 1
            result = await self._dispatch(request.match_info["token"], method, params)
            status, body = 200, {"ok": True, "result": result}
        except ApiError as error:
            status, body = error.status, error.envelope()
            self._record_error(method, params, error)
        finally:
            record.finished = time.monotonic()
            if chat is not None:
                chat.inflight -= 1
                chat.last_touch = time.monotonic()
                self.world.notifier.notify()
        record.status = status
        return web.json_response(body, status=status)

    def _record_error(self, method: str, params: Params, error: ApiError) -> None:
        if error.injected:
            _LOGGER.info("%s: injected %s %s", method, error.status, error.description)
            return
        if error.status == 409 and method == "getUpdates":
            _LOGGER.info("getUpdates: %s", error.description)
            return
        if 400 <= error.status < 500:
            violation = Violation(method, error.status, error.description, params.summary())
            self.violations.append(violation)
            _LOGGER.warning("bot API violation: %s", violation)
        else:
            _LOGGER.warning("%s -> %s %s", method, error.status, error.description)

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self._token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        stored = self.world.files_by_path.get(request.match_info["path"])
        if stored is None:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
            )
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )
