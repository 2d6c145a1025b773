"""Plain records of the simulated Telegram world: messages, files, events, callback answers,
violations and call records, plus the change notifier everything waits on."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from typing import Any

from localapi.formatting import entities_to_html

__all__ = [
    "ApiCall",
    "CallbackAnswer",
    "Notifier",
    "SimEvent",
    "SimMessage",
    "StoredFile",
    "Violation",
]

JSONDict = dict[str, Any]


class Notifier:
    """Wakes every waiter whenever something in the world changed.

    Waiters check their condition, then call :meth:`wait`; there is no await between the check
    and grabbing the current event, so no wake-up is lost.
    """

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, seconds: float) -> None:
        """Wait for the next change, at most ``seconds``."""
        event = self._event
        if seconds <= 0:
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await event.wait()


@dataclass(eq=False)
class StoredFile:
    """An uploaded file, kept in memory and served at ``/file/bot<token>/<file_path>``."""

    file_id: str
    file_unique_id: str
    kind: str  # "photo" or "document"
    data: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None

    @property
    def size(self) -> int:
        return len(self.data)

    def to_api(self) -> JSONDict:
        """PhotoSize (photos) or Document object."""
        result: JSONDict = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
        }
        if self.kind == "photo":
            result["width"] = self.width or 0
            result["height"] = self.height or 0
        else:
            if self.file_name:
                result["file_name"] = self.file_name
            if self.mime_type:
                result["mime_type"] = self.mime_type
        return result

    def file_api(self) -> JSONDict:
        """The File object getFile returns."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
            "file_path": self.file_path,
        }


Button = tuple[str, str | None]


@dataclass(eq=False)
class SimMessage:
    """One message in a simulated chat, in its current state (after edits / deletion)."""

    message_id: int
    chat: JSONDict
    sender: JSONDict
    date: int
    from_bot: bool
    text: str | None = None
    entities: tuple[JSONDict, ...] = ()
    caption: str | None = None
    caption_entities: tuple[JSONDict, ...] = ()
    source: str | None = None
    parse_mode: str | None = None
    reply_markup: JSONDict | None = None
    reply_keyboard: JSONDict | None = None
    photo_file: StoredFile | None = None
    document_file: StoredFile | None = None
    reply_to: SimMessage | None = None
    edited: bool = False
    edit_date: int | None = None
    deleted: bool = False
    versions: list[str] = field(default_factory=list)

    @property
    def chat_id(self) -> int:
        return int(self.chat["id"])

    @property
    def reply_to_message_id(self) -> int | None:
        return self.reply_to.message_id if self.reply_to else None

    @property
    def content(self) -> str:
        """Text, or caption for media messages ("" if neither)."""
        return self.text if self.text is not None else (self.caption or "")

    @property
    def buttons(self) -> list[list[Button]]:
        """Inline keyboard rows as (label, callback_data or url or None)."""
        if not self.reply_markup:
            return []
        rows: list[list[Button]] = []
        for row in self.reply_markup.get("inline_keyboard", []):
            rows.append(
                [
                    (
                        str(button["text"]),
                        button.get("callback_data", button.get("url")),
                    )
                    for button in row
                ]
            )
        return rows

    @property
    def labels(self) -> list[str]:
        """Inline button labels, row by row."""
        return [label for row in self.buttons for label, _ in row]

    def button(self, label: str) -> JSONDict | None:
        """The inline button with exactly this label, if any."""
        if not self.reply_markup:
            return None
        for row in self.reply_markup.get("inline_keyboard", []):
            for button in row:
                if button.get("text") == label:
                    return dict(button)
        return None

    @property
    def html(self) -> str:
        """The message as Telegram HTML: the source if the bot sent HTML, else rendered."""
        if self.source is not None and (self.parse_mode or "").lower() == "html":
            return self.source
        if self.text is not None:
            return entities_to_html(self.text, self.entities)
        return entities_to_html(self.caption or "", self.caption_entities)

    @property
    def photo(self) -> bytes | None:
        return self.photo_file.data if self.photo_file else None

    @property
    def document(self) -> bytes | None:
        return self.document_file.data if self.document_file else None

    @property
    def document_name(self) -> str | None:
        return self.document_file.file_name if self.document_file else None

    def to_api(self, *, nested: bool = True) -> JSONDict:
        """The Bot API Message object (``reply_to_message`` one level deep, like Telegram)."""
        result: JSONDict = {
            "message_id": self.message_id,
            "date": self.date,
            "chat": dict(self.chat),
            "from": dict(self.sender),
        }
        if nested and self.reply_to is not None:
            result["reply_to_message"] = self.reply_to.to_api(nested=False)
        if self.edit_date is not None:
            result["edit_date"] = self.edit_date
        if self.text is not None:
            result["text"] = self.text
            if self.entities:
                result["entities"] = [dict(e) for e in self.entities]
        if self.photo_file is not None:
            result["photo"] = [self.photo_file.to_api()]
        if self.document_file is not None:
            result["document"] = self.document_file.to_api()
        if self.caption is not None:
            result["caption"] = self.caption
            if self.caption_entities:
                result["caption_entities"] = [dict(e) for e in self.caption_entities]
        if self.reply_markup is not None:
            result["reply_markup"] = self.reply_markup
        return result

    def to_json(self) -> JSONDict:
        """A simulation view for the HTTP control API."""
        result: JSONDict = {
            "message_id": self.message_id,
            "chat_id": self.chat_id,
            "from_bot": self.from_bot,
            "date": self.date,
            "text": self.text,
            "caption": self.caption,
            "html": self.html,
            "entities": [dict(e) for e in (self.entities or self.caption_entities)],
            "buttons": [[list(button) for button in row] for row in self.buttons],
            "reply_keyboard": self.reply_keyboard,
            "edited": self.edited,
            "deleted": self.deleted,
            "reply_to_message_id": self.reply_to_message_id,
        }
        for name, stored in (("photo", self.photo_file), ("document", self.document_file)):
            if stored is not None:
                result[name] = {
                    "file_id": stored.file_id,
                    "file_name": stored.file_name,
                    "mime_type": stored.mime_type,
                    "size": stored.size,
                    "url": f"/sim/files/{stored.file_id}",
                }
        return result


@dataclass(frozen=True)
class SimEvent:
    """One entry of the world's ordered event log."""

    seq: int
    time: float
    kind: str
    chat_id: int | None
    message_id: int | None = None
    data: JSONDict = field(default_factory=dict)

    def to_json(self) -> JSONDict:
        return {
            "seq": self.seq,
            "time": self.time,
            "kind": self.kind,
            "chat_id": self.chat_id,
            "message_id": self.message_id,
            "data": self.data,
        }


@dataclass(frozen=True)
class CallbackAnswer:
    """What the bot passed to answerCallbackQuery."""

    query_id: str
    text: str | None = None
    show_alert: bool = False
    url: str | None = None
    cache_time: int | None = None


@dataclass(frozen=True)
class Violation:
    """A 4xx reply the bot provoked (a broken Telegram limit or a misuse of the API)."""

    method: str
    status: int
    description: str
    params: dict[str, str]
    time: float = field(default_factory=time.time)

    def __str__(self) -> str:
        return f"{self.method} -> {self.status} {self.description} {self.params}"


@dataclass
class ApiCall:
    """One Bot API request, for counting and benchmarks (monotonic timestamps)."""

    method: str
    started: float
    finished: float | None = None
    status: int | None = None
    chat_id: int | None = None

    @property
    def duration(self) -> float | None:
        return None if self.finished is None else self.finished - self.started
