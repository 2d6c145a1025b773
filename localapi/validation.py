"""Request decoding and Telegram's limits: typed parameter access, reply markup validation,
image sniffing, and flood-control token buckets."""

from __future__ import annotations

import json
import math
import struct
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web

from localapi.errors import bad_request

__all__ = [
    "CALLBACK_ANSWER_MAX",
    "CALLBACK_DATA_MAX_BYTES",
    "CAPTION_MAX",
    "INLINE_BUTTONS_MAX",
    "TEXT_MAX",
    "Params",
    "RateLimiter",
    "SlidingWindow",
    "TokenBucket",
    "UploadedFile",
    "image_size",
    "read_params",
    "validate_reply_markup",
]

JSONDict = dict[str, Any]

TEXT_MAX = 4096
CAPTION_MAX = 1024
CALLBACK_DATA_MAX_BYTES = 64
INLINE_BUTTONS_MAX = 100
CALLBACK_ANSWER_MAX = 200

_INLINE_ACTIONS = (
    "callback_data",
    "url",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
    "web_app",
)


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    field_name: str
    filename: str | None
    content_type: str | None
    data: bytes


@dataclass
class Params:
    """Bot API parameters as received: strings (form), JSON values, and uploaded files."""

    values: dict[str, Any] = field(default_factory=dict)
    files: dict[str, UploadedFile] = field(default_factory=dict)

    def has(self, name: str) -> bool:
        return name in self.values or name in self.files

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def opt_str(self, name: str) -> str | None:
        value = self.values.get(name)
        if value is None:
            return None
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        return json.dumps(value)

    def opt_int(self, name: str) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                pass
        raise bad_request(f'field "{name}" must be of type Integer')

    def opt_float(self, name: str) -> float | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value.strip())
            except ValueError:
                pass
        raise bad_request(f'field "{name}" must be a Number')

    def flag(self, name: str) -> bool:
        value = self.values.get(name)
        if isinstance(value, bool):
            return value
        if isinstance(value, int):
            return value != 0
        if isinstance(value, str):
            return value.strip().lower() in ("true", "1", "yes")
        return False

    def opt_json(self, name: str) -> Any:
        """A complex value: JSON-decoded if it arrived as a string."""
        value = self.values.get(name)
        if isinstance(value, str):
            if value == "":
                return None
            try:
                return json.loads(value)
            except ValueError as exc:
                raise bad_request(f"can't parse {name} JSON object") from exc
        return value

    def file(self, name: str) -> UploadedFile | str | None:
        """An uploaded file (directly or via ``attach://``) or a string (file_id / URL)."""
        if name in self.files:
            return self.files[name]
        value = self.opt_str(name)
        if value is not None and value.startswith("attach://"):
            attached = self.files.get(value[len("attach://") :])
            if attached is None:
                raise bad_request(f"file {value} not found in the request")
            return attached
        return value

    def summary(self, limit: int = 120) -> dict[str, str]:
        """A short printable version for logs and violation reports."""
        result: dict[str, str] = {}
        for key, value in self.values.items():
            text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            result[key] = text if len(text) <= limit else text[:limit] + "…"
        for key, upload in self.files.items():
            result[key] = f"<file {upload.filename or '?'} {len(upload.data)} bytes>"
        return result


async def read_params(request: web.Request) -> Params:
    """Decode query string plus a form-urlencoded, multipart or JSON body."""
    params = Params(values=dict(request.query))
    if not request.body_exists:
        return params
    content_type = request.content_type
    if content_type == "application/json":
        try:
            body = await request.json()
        except ValueError as exc:
            raise bad_request("can't parse JSON object") from exc
        if isinstance(body, dict):
            params.values.update(body)
        return params
    if content_type.startswith("multipart/"):
        reader = await request.multipart()
        while True:
            part = await reader.next()
            if part is None:
                break
            if not isinstance(part, BodyPartReader) or part.name is None:
                continue
            data = await part.read()
            if part.filename is not None:
                params.files[part.name] = UploadedFile(
                    field_name=part.name,
                    filename=part.filename,
                    content_type=part.headers.get("Content-Type"),
                    data=bytes(data),
                )
            else:
                charset = part.get_charset(default="utf-8")
                params.values[part.name] = bytes(data).decode(charset)
        return params
    form = await request.post()
    for key, value in form.items():
        if isinstance(value, web.FileField):
            params.files[key] = UploadedFile(
                field_name=key,
                filename=value.filename,
                content_type=value.content_type,
                data=value.file.read(),
            )
        else:
            params.values[key] = value
    return params


# --------------------------------------------------------------------------------------------
# Reply markup


def _canonical_button(raw: object) -> JSONDict:
    if not isinstance(raw, dict):
        raise bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
        )
    text = raw.get("text")
    if not isinstance(text, str):
        raise bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    if not text.strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    actions = [key for key in _INLINE_ACTIONS if raw.get(key) is not None]
    if not actions:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if len(actions) > 1:
        raise bad_request(
            "can't parse inline keyboard button: exactly one of the optional fields must be used"
        )
    action = actions[0]
    value = raw[action]
    if action == "callback_data":
        if not isinstance(value, str):
            raise bad_request("BUTTON_DATA_INVALID")
        size = len(value.encode("utf-8"))
        if size < 1 or size > CALLBACK_DATA_MAX_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    elif action == "url" and (not isinstance(value, str) or not value.strip() or " " in value):
        raise bad_request("BUTTON_URL_INVALID")
    return {"text": text, action: value}


def _keyboard_rows(raw: object, field_name: str) -> list[list[Any]]:
    if not isinstance(raw, list) or not all(isinstance(row, list) for row in raw):
        raise bad_request(f'field "{field_name}" must be an Array of Arrays')
    return raw


def validate_reply_markup(raw: object, *, inline_only: bool = False) -> JSONDict | None:
    """Validate a ``reply_markup`` value (already JSON-decoded) and return its canonical form."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in raw:
        rows = _keyboard_rows(raw["inline_keyboard"], "inline_keyboard")
        canonical = [[_canonical_button(button) for button in row] for row in rows]
        canonical = [row for row in canonical if row]
        if sum(len(row) for row in canonical) > INLINE_BUTTONS_MAX:
            raise bad_request("REPLY_MARKUP_TOO_LONG")
        return {"inline_keyboard": canonical}
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "keyboard" in raw:
        rows = _keyboard_rows(raw["keyboard"], "keyboard")
        for row in rows:
            for button in row:
                label = button.get("text") if isinstance(button, dict) else button
                if not isinstance(label, str) or not label.strip():
                    raise bad_request("BUTTON_TEXT_INVALID")
        return dict(raw)
    if raw.get("remove_keyboard") is True or raw.get("force_reply") is True:
        return dict(raw)
    raise bad_request("can't parse reply keyboard markup JSON object")


# --------------------------------------------------------------------------------------------
# Images


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG, GIF, JPEG or WebP image, or None if not recognised."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP" and len(data) >= 30:
        chunk = data[12:16]
        if chunk == b"VP8X":
            width = int.from_bytes(data[24:27], "little") + 1
            height = int.from_bytes(data[27:30], "little") + 1
            return width, height
        if chunk == b"VP8 ":
            width, height = struct.unpack("<HH", data[26:30])
            return int(width) & 0x3FFF, int(height) & 0x3FFF
        if chunk == b"VP8L" and len(data) >= 25:
            bits = int.from_bytes(data[21:25], "little")
            return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
        return None
    if data.startswith(b"\xff\xd8"):
        return _jpeg_size(data)
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    index = 2
    while index + 9 < len(data):
        if data[index] != 0xFF:
            index += 1
            continue
        marker = data[index + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7 or marker == 0xFF:
            index += 1 if marker == 0xFF else 2
            continue
        (length,) = struct.unpack(">H", data[index + 2 : index + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[index + 5 : index + 9])
            return int(width), int(height)
        index += 2 + int(length)
    return None


# --------------------------------------------------------------------------------------------
# Flood control


class TokenBucket:
    """Classic token bucket: ``capacity`` burst, refilled at ``rate`` tokens per second."""

    def __init__(self, capacity: float, rate: float) -> None:
        self.capacity = capacity
        self.rate = rate
        self.tokens = capacity
        self.updated = time.monotonic()

    def _refill(self, now: float) -> None:
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    def wait_time(self, now: float) -> float:
        """Seconds until one token is available (0 if available now)."""
        self._refill(now)
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self, now: float) -> None:
        self.tokens -= 1


class SlidingWindow:
    """At most ``limit`` events in any ``period`` seconds."""

    def __init__(self, limit: int, period: float) -> None:
        self.limit = limit
        self.period = period
        self.stamps: deque[float] = deque()

    def wait_time(self, now: float) -> float:
        while self.stamps and self.stamps[0] <= now - self.period:
            self.stamps.popleft()
        if len(self.stamps) < self.limit:
            return 0.0
        return self.stamps[0] + self.period - now

    def take(self, now: float) -> None:
        self.stamps.append(now)


class RateLimiter:
    """Telegram's documented sending limits: at most 30 messages in any second overall, about
    one message per second per chat (burst of 3), at most 20 messages a minute per group."""

    def __init__(
        self,
        *,
        global_per_second: int = 30,
        chat_per_second: float = 1.0,
        chat_burst: float = 3.0,
        group_per_minute: int = 20,
    ) -> None:
        self.global_per_second = global_per_second
        self.chat_per_second = chat_per_second
        self.chat_burst = chat_burst
        self.group_per_minute = group_per_minute
        self._global = SlidingWindow(global_per_second, 1.0)
        self._chats: dict[int, TokenBucket] = {}
        self._groups: dict[int, SlidingWindow] = {}

    def reset(self) -> None:
        self._global = SlidingWindow(self.global_per_second, 1.0)
        self._chats.clear()
        self._groups.clear()

    def acquire(self, chat_id: int, *, is_group: bool) -> int | None:
        """Take a slot for one message to ``chat_id``; return retry_after seconds if over."""
        now = time.monotonic()
        buckets: list[TokenBucket | SlidingWindow] = [self._global]
        buckets.append(
            self._chats.setdefault(chat_id, TokenBucket(self.chat_burst, self.chat_per_second))
        )
        if is_group:
            buckets.append(
                self._groups.setdefault(chat_id, SlidingWindow(self.group_per_minute, 60.0))
            )
        wait = max(bucket.wait_time(now) for bucket in buckets)
        if wait > 0:
            return max(1, math.ceil(wait))
        for bucket in buckets:
            bucket.take(now)
        return None
