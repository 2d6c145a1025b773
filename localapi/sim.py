"""The simulated Telegram world: users and chats acting as humans (send text, press buttons by
label, read what the bot shows), the update queue getUpdates drains, and the event log tests
wait on."""

from __future__ import annotations

import mimetypes
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from localapi.formatting import utf16_len
from localapi.model import (
    CallbackAnswer,
    Notifier,
    SimEvent,
    SimMessage,
    StoredFile,
)

__all__ = ["MessageMatch", "QueuedUpdate", "SimChat", "SimQuery", "SimUser", "World"]

JSONDict = dict[str, Any]
MessageMatch = str | Callable[[SimMessage], bool] | None

_BUSY_POLL = 0.01  # seconds between looks at a busy client
_BOT_VISIBLE_KINDS = frozenset({"sent", "edited", "photo", "document"})


@dataclass(eq=False)
class QueuedUpdate:
    """An update waiting in (or delivered from) the getUpdates queue."""

    update: JSONDict
    chat: SimChat | None
    forced: bool = False
    delivered_at: float | None = None

    @property
    def update_id(self) -> int:
        return int(self.update["update_id"])

    @property
    def kind(self) -> str:
        return next(key for key in self.update if key != "update_id")


@dataclass(eq=False)
class SimQuery:
    """A pressed inline button waiting for answerCallbackQuery."""

    id: str
    chat: SimChat
    user: SimUser
    message_id: int | None
    data: str | None
    created: float
    queued: QueuedUpdate
    answer: CallbackAnswer | None = None


def _command_entities(text: str) -> list[JSONDict]:
    if not text.startswith("/") or len(text) < 2:
        return []
    command = text.split(maxsplit=1)[0]
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(command)}]


class SimChat:
    """A chat as a human sees it: its messages (current state) and its event log."""

    def __init__(
        self,
        world: World,
        chat_id: int,
        chat_type: str,
        *,
        title: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        username: str | None = None,
    ) -> None:
        self.world = world
        self.id = chat_id
        self.type = chat_type
        self.title = title
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.members: list[SimUser] = []
        self.known_to_bot = chat_type != "private"
        self.bot_removed = False
        self.reply_keyboard: JSONDict | None = None
        self.chat_actions: list[str] = []
        self.undelivered = 0
        self.inflight = 0
        self.last_delivery = 0.0
        self.last_touch = 0.0
        self.mark = 0
        self._messages: dict[int, SimMessage] = {}
        self._next_message_id = 1

    def __repr__(self) -> str:
        return f"SimChat(id={self.id}, type={self.type!r})"

    @property
    def is_group(self) -> bool:
        return self.type in ("group", "supergroup")

    def to_api(self) -> JSONDict:
        """The Bot API Chat object."""
        result: JSONDict = {"id": self.id, "type": self.type}
        for key in ("title", "first_name", "last_name", "username"):
            value = getattr(self, key)
            if value is not None:
                result[key] = value
        return result

    def to_full_info(self) -> JSONDict:
        """The Bot API ChatFullInfo object (getChat)."""
        return {
            **self.to_api(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    # -- storage ------------------------------------------------------------------------------

    def new_message_id(self) -> int:
        message_id = self._next_message_id
        self._next_message_id += 1
        return message_id

    def add_message(self, message: SimMessage) -> None:
        self._messages[message.message_id] = message

    def get_message(self, message_id: int) -> SimMessage | None:
        return self._messages.get(message_id)

    # -- reading ------------------------------------------------------------------------------

    @property
    def messages(self) -> list[SimMessage]:
        """Every message in the chat (user's and bot's, deleted ones flagged), oldest first."""
        return list(self._messages.values())

    @property
    def bot_messages(self) -> list[SimMessage]:
        """The bot's messages that are still visible, oldest first."""
        return [m for m in self._messages.values() if m.from_bot and not m.deleted]

    @property
    def events(self) -> list[SimEvent]:
        return [event for event in self.world.events if event.chat_id == self.id]

    @property
    def files(self) -> list[StoredFile]:
        """Photos and documents the bot sent here (visible messages)."""
        result: list[StoredFile] = []
        for message in self.bot_messages:
            for stored in (message.photo_file, message.document_file):
                if stored is not None:
                    result.append(stored)
        return result

    def last_message(self) -> SimMessage:
        """The bot's most recent visible message (AssertionError if there is none)."""
        visible = self.bot_messages
        if not visible:
            raise AssertionError(f"the bot has not sent any (visible) message to chat {self.id}")
        return visible[-1]

    def keyboard_message(self) -> SimMessage | None:
        """The bot's most recent visible message with an inline keyboard."""
        for message in reversed(self.bot_messages):
            if message.labels:
                return message
        return None

    def buttons(self) -> list[str]:
        """Labels of the most recent bot message that has an inline keyboard."""
        message = self.keyboard_message()
        return message.labels if message else []

    def reply_keyboard_labels(self) -> list[list[str]]:
        """The reply keyboard currently shown under the input field (rows of labels)."""
        if not self.reply_keyboard:
            return []
        return [
            [b["text"] if isinstance(b, dict) else str(b) for b in row]
            for row in self.reply_keyboard.get("keyboard", [])
        ]

    def find_button(
        self, label: str, message: SimMessage | int | None = None
    ) -> tuple[SimMessage, JSONDict]:
        """Locate an inline button by label (in ``message``, else the newest message having it)."""
        if message is not None:
            found = self.get_message(message) if isinstance(message, int) else message
            if found is None or found.deleted:
                raise AssertionError(f"message {message!r} is not visible in chat {self.id}")
            button = found.button(label)
            if button is None:
                raise AssertionError(
                    f"message {found.message_id} has no button {label!r}; "
                    f"its buttons: {found.labels}"
                )
            return found, button
        for candidate in reversed(self.bot_messages):
            button = candidate.button(label)
            if button is not None:
                return candidate, button
        latest = self.keyboard_message()
        available = (
            f"buttons of message {latest.message_id}: {latest.labels}"
            if latest
            else "no message has an inline keyboard"
        )
        raise AssertionError(f"no button {label!r} in chat {self.id}; {available}")

    # -- waiting ------------------------------------------------------------------------------

    def _matches(self, message: SimMessage, match: MessageMatch) -> bool:
        if match is None:
            return True
        if isinstance(match, str):
            return match in message.content
        return bool(match(message))

    async def wait_for(
        self,
        match: MessageMatch = None,
        *,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> SimMessage:
        """Wait until a bot message that is new or edited since the last action matches.

        ``match`` is a substring of the text/caption or a predicate; None accepts any.
        """
        timeout = self.world.default_timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        while True:
            for event in self.world.events_after(self.mark):
                if event.chat_id != self.id or event.kind not in _BOT_VISIBLE_KINDS:
                    continue
                message = self.get_message(event.message_id or 0)
                if message is None or message.deleted:
                    continue
                if self._matches(message, match):
                    self.mark = event.seq
                    return message
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                recent = [m.content[:80] for m in self.bot_messages[-3:]]
                raise AssertionError(
                    f"no bot message matching {match!r} in chat {self.id} within {timeout}s; "
                    f"latest bot messages: {recent}"
                )
            await self.world.notifier.wait(remaining)

    async def settle(
        self,
        quiet: float | None = None,
        timeout: float | None = None,  # noqa: ASYNC109
        *,
        grace: float | None = None,
    ) -> None:
        """Wait until everything queued for this chat was fetched by the bot and then no bot
        request touched the chat for ``quiet`` seconds.

        If the bot has not touched the chat at all since the last delivery, wait at least
        ``grace`` seconds from that delivery (so a slow first reply is not missed).
        """
        quiet = self.world.default_quiet if quiet is None else quiet
        grace = self.world.response_grace if grace is None else grace
        timeout = self.world.default_timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        while True:
            now = time.monotonic()
            if self.world.client_busy():
                # The bot says it is still handling updates: not quiet, whatever the clock says.
                if now >= deadline:
                    raise AssertionError(f"the bot was still busy after {timeout}s")
                await self.world.notifier.wait(min(_BUSY_POLL, deadline - now))
                continue
            if self.undelivered == 0 and self.inflight == 0:
                if self.last_touch >= self.last_delivery:
                    ready_at = self.last_touch + quiet
                else:
                    ready_at = self.last_delivery + max(quiet, grace)
                if now >= ready_at:
                    return
                wait = ready_at - now
            else:
                wait = deadline - now
            if now >= deadline:
                if self.undelivered:
                    raise AssertionError(
                        f"{self.undelivered} update(s) for chat {self.id} not fetched by the bot "
                        f"within {timeout}s (is it polling getUpdates?)"
                    )
                raise AssertionError(
                    f"chat {self.id} did not go quiet for {quiet}s within {timeout}s"
                )
            await self.world.notifier.wait(min(wait, deadline - now))


class SimUser:
    """A human Telegram user talking to the bot."""

    def __init__(
        self,
        world: World,
        user_id: int,
        *,
        first_name: str = "Test",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> None:
        self.world = world
        self.id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code
        self.blocked = False
        self.callback_answers: list[CallbackAnswer] = []
        self.chat = SimChat(
            world,
            user_id,
            "private",
            first_name=first_name,
            last_name=last_name,
            username=username,
        )

    def __repr__(self) -> str:
        return f"SimUser(id={self.id}, first_name={self.first_name!r})"

    def to_api(self) -> JSONDict:
        """The Bot API User object."""
        result: JSONDict = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name is not None:
            result["last_name"] = self.last_name
        if self.username is not None:
            result["username"] = self.username
        if self.language_code is not None:
            result["language_code"] = self.language_code
        return result

    # -- acting -------------------------------------------------------------------------------

    async def send(
        self,
        text: str,
        *,
        chat: SimChat | None = None,
        reply_to: SimMessage | int | None = None,
        wait: bool = True,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> SimMessage:
        """Type ``text`` into the chat (private by default). Commands get a bot_command entity.

        With ``wait`` (default) returns once the bot has handled it (see :meth:`settle`).
        """
        target = chat or self.chat
        if target.is_group and self not in target.members:
            raise AssertionError(f"{self!r} is not a member of {target!r}")
        if self.blocked and target is self.chat:
            self.unblock()
        message = SimMessage(
            message_id=target.new_message_id(),
            chat=target.to_api(),
            sender=self.to_api(),
            date=int(time.time()),
            from_bot=False,
            text=text,
            entities=tuple(_command_entities(text)),
        )
        if reply_to is not None:
            replied = target.get_message(reply_to) if isinstance(reply_to, int) else reply_to
            if replied is None:
                raise AssertionError(f"no message {reply_to!r} to reply to in {target!r}")
            message.reply_to = replied
        target.add_message(message)
        target.known_to_bot = True
        target.mark = self.world.last_seq
        self.world.add_event("user_message", target, message.message_id, user_id=self.id, text=text)
        self.world.push_update("message", message.to_api(), target)
        if wait:
            await target.settle(timeout=timeout)
        return message

    async def press(
        self,
        label: str,
        *,
        message: SimMessage | int | None = None,
        chat: SimChat | None = None,
        wait: bool = True,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> CallbackAnswer:
        """Press the inline button labelled exactly ``label`` and wait for the bot's answer."""
        target = chat or self.chat
        found, button = target.find_button(label, message)
        if "callback_data" not in button:
            kinds = [key for key in button if key != "text"]
            raise AssertionError(f"button {label!r} is a {kinds} button, not a callback button")
        return await self._press(
            target,
            found,
            found.message_id,
            str(button["callback_data"]),
            wait=wait,
            limit=timeout,
        )

    async def press_data(
        self,
        message_id: int,
        data: str,
        *,
        chat: SimChat | None = None,
        wait: bool = True,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> CallbackAnswer:
        """Send a callback query with arbitrary (possibly forged) data for ``message_id``."""
        target = chat or self.chat
        return await self._press(
            target, target.get_message(message_id), message_id, data, wait=wait, limit=timeout
        )

    async def _press(
        self,
        chat: SimChat,
        message: SimMessage | None,
        message_id: int,
        data: str,
        *,
        wait: bool,
        limit: float | None,
    ) -> CallbackAnswer:
        seconds = self.world.default_timeout if limit is None else limit
        chat.mark = self.world.last_seq
        query = self.world.press(self, chat, message, message_id, data)
        await self.world.wait_answer(query, seconds)
        if wait:
            await chat.settle(timeout=seconds)
        assert query.answer is not None
        return query.answer

    def block(self, *, notify: bool = True) -> None:
        """Block the bot: it gets 403 "bot was blocked by the user" (and a my_chat_member)."""
        if self.blocked:
            return
        self.blocked = True
        if notify and self.chat.known_to_bot:
            self.world.push_member_update(self, "member", "kicked")

    def unblock(self, *, notify: bool = True) -> None:
        """Unblock the bot again."""
        if not self.blocked:
            return
        self.blocked = False
        if notify and self.chat.known_to_bot:
            self.world.push_member_update(self, "kicked", "member")

    # -- reading (private chat) ---------------------------------------------------------------

    @property
    def messages(self) -> list[SimMessage]:
        return self.chat.messages

    @property
    def bot_messages(self) -> list[SimMessage]:
        return self.chat.bot_messages

    @property
    def events(self) -> list[SimEvent]:
        return self.chat.events

    def last_message(self) -> SimMessage:
        return self.chat.last_message()

    def buttons(self) -> list[str]:
        return self.chat.buttons()

    async def wait_for(
        self,
        match: MessageMatch = None,
        *,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> SimMessage:
        return await self.chat.wait_for(match, timeout=timeout)

    async def settle(
        self,
        quiet: float | None = None,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> None:
        await self.chat.settle(quiet, timeout)


class World:
    """All simulated state shared by the Bot API handlers and the simulated people."""

    def __init__(
        self,
        *,
        bot_id: int,
        bot_username: str,
        bot_first_name: str,
        callback_timeout: float = 15.0,
    ) -> None:
        self.bot_user: JSONDict = {
            "id": bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }
        self.users: dict[int, SimUser] = {}
        self.chats: dict[int, SimChat] = {}
        self.events: list[SimEvent] = []
        self.notifier = Notifier()
        self.updates_log: list[JSONDict] = []
        self.pending: list[QueuedUpdate] = []
        self.queries: dict[str, SimQuery] = {}
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        self.commands: dict[tuple[str, str], list[tuple[str, str]]] = {}
        self.descriptions: dict[str, str] = {}
        self.short_descriptions: dict[str, str] = {}
        self.names: dict[str, str] = {}
        self.menu_buttons: dict[int | None, JSONDict] = {}
        self.webhook_url = ""
        self.allowed_updates: list[str] | None = None
        self.default_timeout = 5.0
        self.default_quiet = 0.05
        # An optional probe of the client under test ("am I still handling updates?"), so that
        # waiting for a chat to go quiet does not depend on how fast a loaded machine is.
        self.client_busy: Callable[[], bool] = lambda: False
        self.response_grace = 0.25
        self.callback_timeout = callback_timeout
        self.poll_generation = 0
        self.stopping = False
        # Tells a client of the control API that it now talks to another server (a restart).
        self.instance = secrets.token_hex(8)
        self._next_update_id = 1
        self._next_file = 1
        self._next_query = secrets.randbelow(10**15) + 10**17

    # -- people -------------------------------------------------------------------------------

    def user(
        self,
        user_id: int,
        *,
        first_name: str = "Test",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> SimUser:
        """Get or create a user (and their private chat)."""
        existing = self.users.get(user_id)
        if existing is not None:
            return existing
        if user_id <= 0:
            raise ValueError("user ids are positive")
        user = SimUser(
            self,
            user_id,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )
        self.users[user_id] = user
        self.chats[user_id] = user.chat
        return user

    def group(
        self,
        chat_id: int,
        title: str,
        members: Iterable[SimUser] = (),
        *,
        chat_type: str = "group",
        username: str | None = None,
    ) -> SimChat:
        """Get or create a group the bot is a member of."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        chat = self.chats.get(chat_id)
        if chat is None:
            chat = SimChat(self, chat_id, chat_type, title=title, username=username)
            self.chats[chat_id] = chat
        for member in members:
            if member not in chat.members:
                chat.members.append(member)
        return chat

    def chat(self, chat_id: int) -> SimChat:
        chat = self.chats.get(chat_id)
        if chat is None:
            raise AssertionError(f"unknown chat {chat_id}")
        return chat

    # -- event log ----------------------------------------------------------------------------

    @property
    def last_seq(self) -> int:
        return self.events[-1].seq if self.events else 0

    def events_after(self, seq: int) -> list[SimEvent]:
        # seq numbers are 1-based list positions
        return self.events[seq:]

    def add_event(
        self, kind: str, chat: SimChat | None, message_id: int | None = None, **data: Any
    ) -> SimEvent:
        event = SimEvent(
            seq=len(self.events) + 1,
            time=time.time(),
            kind=kind,
            chat_id=chat.id if chat else None,
            message_id=message_id,
            data=data,
        )
        self.events.append(event)
        self.notifier.notify()
        return event

    # -- updates ------------------------------------------------------------------------------

    def push_update(self, kind: str, payload: JSONDict, chat: SimChat | None) -> QueuedUpdate:
        """Queue a new update for getUpdates."""
        update: JSONDict = {"update_id": self._next_update_id, kind: payload}
        self._next_update_id += 1
        queued = QueuedUpdate(update, chat)
        self._enqueue(queued)
        return queued

    def _enqueue(self, queued: QueuedUpdate) -> None:
        self.pending.append(queued)
        self.updates_log.append(queued.update)
        if queued.chat is not None:
            queued.chat.undelivered += 1
        self.notifier.notify()

    def replay(self, update: JSONDict) -> None:
        """Deliver an exact earlier update again (duplicate delivery), even if confirmed."""
        chat_id: int | None = None
        for key in ("message", "edited_message", "my_chat_member"):
            if key in update:
                chat_id = int(update[key]["chat"]["id"])
        if "callback_query" in update:
            message = update["callback_query"].get("message")
            if message:
                chat_id = int(message["chat"]["id"])
        chat = self.chats.get(chat_id) if chat_id is not None else None
        self._enqueue(QueuedUpdate(dict(update), chat, forced=True))

    def _drop(self, queued: QueuedUpdate) -> None:
        if queued.delivered_at is None and queued.chat is not None:
            queued.chat.undelivered -= 1
            queued.delivered_at = time.monotonic()

    def take_updates(self, offset: int | None, limit: int) -> list[JSONDict]:
        """getUpdates without waiting: confirm by ``offset``, return up to ``limit`` updates."""
        if offset:
            if offset < 0:
                keep = self.pending[offset:]
            else:
                keep = [
                    q
                    for q in self.pending
                    if (q.forced and q.delivered_at is None)
                    or (not q.forced and q.update_id >= offset)
                ]
            kept = {id(q) for q in keep}
            for queued in self.pending:
                if id(queued) not in kept:
                    self._drop(queued)
            self.pending = keep
        result: list[JSONDict] = []
        now = time.monotonic()
        for queued in list(self.pending):
            if len(result) >= limit:
                break
            if self.allowed_updates and queued.kind not in self.allowed_updates:
                self._drop(queued)
                self.pending.remove(queued)
                continue
            result.append(queued.update)
            if queued.delivered_at is None:
                queued.delivered_at = now
                if queued.chat is not None:
                    queued.chat.undelivered -= 1
                    queued.chat.last_delivery = now
        if result:
            self.notifier.notify()
        return result

    def drop_pending(self) -> None:
        for queued in self.pending:
            self._drop(queued)
        self.pending = []
        self.notifier.notify()

    def push_member_update(self, user: SimUser, old: str, new: str) -> None:
        def member(status: str) -> JSONDict:
            result: JSONDict = {"status": status, "user": dict(self.bot_user)}
            if status == "kicked":
                result["until_date"] = 0
            return result

        payload = {
            "chat": user.chat.to_api(),
            "from": user.to_api(),
            "date": int(time.time()),
            "old_chat_member": member(old),
            "new_chat_member": member(new),
        }
        self.push_update("my_chat_member", payload, user.chat)
        self.add_event("blocked" if new == "kicked" else "unblocked", user.chat, user_id=user.id)

    # -- callback queries ---------------------------------------------------------------------

    def press(
        self,
        user: SimUser,
        chat: SimChat,
        message: SimMessage | None,
        message_id: int,
        data: str,
    ) -> SimQuery:
        """Queue a callback_query update for a press on ``message_id``."""
        query_id = str(self._next_query)
        self._next_query += 1
        payload: JSONDict = {
            "id": query_id,
            "from": user.to_api(),
            "chat_instance": str((chat.id * 7919 + int(self.bot_user["id"])) % 2**62),
            "data": data,
        }
        if message is not None and not message.deleted:
            payload["message"] = message.to_api()
        queued = self.push_update("callback_query", payload, chat)
        query = SimQuery(
            id=query_id,
            chat=chat,
            user=user,
            message_id=message_id,
            data=data,
            created=time.monotonic(),
            queued=queued,
        )
        self.queries[query_id] = query
        self.add_event("callback_query", chat, message_id, user_id=user.id, data=data)
        return query

    async def wait_answer(self, query: SimQuery, seconds: float) -> CallbackAnswer:
        deadline = time.monotonic() + seconds
        while query.answer is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                if query.queued.delivered_at is None:
                    reason = "the update was never fetched (is the bot polling getUpdates?)"
                else:
                    reason = "the bot fetched it but never called answerCallbackQuery"
                raise AssertionError(
                    f"callback query {query.data!r} on message {query.message_id} in chat "
                    f"{query.chat.id} not answered within {seconds}s: {reason}"
                )
            await self.notifier.wait(remaining)
        return query.answer

    # -- files --------------------------------------------------------------------------------

    def store_file(
        self,
        kind: str,
        data: bytes,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
        width: int | None = None,
        height: int | None = None,
        extension: str = "",
    ) -> StoredFile:
        number = self._next_file
        self._next_file += 1
        prefix = "AgAC" if kind == "photo" else "BQAC"
        if not extension and file_name and "." in file_name:
            extension = "." + file_name.rsplit(".", 1)[1]
        if not extension and mime_type:
            extension = mimetypes.guess_extension(mime_type) or ""
        folder = "photos" if kind == "photo" else "documents"
        stored = StoredFile(
            file_id=f"{prefix}{number:06d}{secrets.token_urlsafe(18)}",
            file_unique_id=f"AQAD{number:06d}{secrets.token_urlsafe(6)}",
            kind=kind,
            data=data,
            file_path=f"{folder}/file_{number}{extension}",
            file_name=file_name,
            mime_type=mime_type,
            width=width,
            height=height,
        )
        self.files[stored.file_id] = stored
        self.files_by_path[stored.file_path] = stored
        return stored

    # -- waiting on everything ----------------------------------------------------------------

    async def settle_all(
        self,
        quiet: float | None = None,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> None:
        """Settle every chat (e.g. after many users acted concurrently)."""
        for chat in list(self.chats.values()):
            await chat.settle(quiet, timeout)
