"""What the web chat page shows, computed on the server: each message as safe HTML (from the
entities the server parsed out of the bot's Telegram HTML: only Telegram's formatting becomes
markup, every character of text is escaped, links only with safe schemes), its buttons, photo or
document, and the command menu Telegram would show in a chat.

Links that open this bot with a start parameter (``https://t.me/<bot>?start=CODE``) are marked,
so that the page can open them as one of its people, as Telegram does with such a link.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any, Final

from localapi.formatting import entities_to_html, utf16_len
from localapi.model import SimMessage
from localapi.sim import SimChat, World

__all__ = [
    "PageConfig",
    "Persona",
    "chat_view",
    "message_html",
    "message_view",
    "resolve_commands",
]

JSONDict = dict[str, Any]

_SIMPLE: Final = {
    "bold": ("<b>", "</b>"),
    "italic": ("<i>", "</i>"),
    "underline": ("<u>", "</u>"),
    "strikethrough": ("<s>", "</s>"),
    "code": ("<code>", "</code>"),
    "pre": ("<pre>", "</pre>"),
    "blockquote": ("<blockquote>", "</blockquote>"),
    "expandable_blockquote": ("<blockquote>", "</blockquote>"),
    "spoiler": ('<span class="tg-spoiler">', "</span>"),
}
_SAFE_SCHEMES: Final = ("http://", "https://", "mailto:", "tel:")
_URL: Final = re.compile(r"https?://[^\s<>\"']+")
_TRAILING: Final = ".,;:!?)]}'\""
_START_CODE: Final = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_NO_LINKS_INSIDE: Final = frozenset({"text_link", "url", "code", "pre"})


@dataclass(frozen=True)
class Persona:
    """Someone the page can act as: a simulated user (their private chat has the same id)."""

    key: str  # "staff", "patient", ... (the page names the role in its language)
    user_id: int
    name: str
    subject: str | None = None  # the study ID they answer for, shown beside the name

    def to_json(self) -> JSONDict:
        return {
            "key": self.key,
            "user_id": self.user_id,
            "chat_id": self.user_id,
            "name": self.name,
            "subject": self.subject,
        }


@dataclass
class PageConfig:
    """What the page offers: its people (empty: every simulated user), and a demo notice."""

    personas: list[Persona] = field(default_factory=list)
    language: str = "en"
    demo: JSONDict | None = None


def _start_code(url: str, bot_username: str) -> str | None:
    for prefix in (f"https://t.me/{bot_username}?start=", f"http://t.me/{bot_username}?start="):
        if url.lower().startswith(prefix.lower()):
            code = url[len(prefix) :]
            return code if _START_CODE.match(code) else None
    return None


def _tags(bot_username: str) -> Any:
    def tag(entity: JSONDict) -> tuple[str, str]:
        kind = str(entity.get("type"))
        if kind in _SIMPLE:
            return _SIMPLE[kind]
        if kind in ("text_link", "url"):
            url = str(entity.get("url", ""))
            if not url.lower().startswith(_SAFE_SCHEMES):
                return "", ""
            href = html.escape(url, quote=True)
            code = _start_code(url, bot_username)
            if code is not None:
                return (f'<a class="start-link" href="{href}" data-start="{code}">', "</a>")
            return f'<a href="{href}" target="_blank" rel="noopener noreferrer">', "</a>"
        return "", ""  # custom emoji and anything unknown: the text alone

    return tag


def _url_entities(text: str, entities: tuple[JSONDict, ...]) -> list[JSONDict]:
    """Telegram detects links in text by itself; the local server does not, so do it here."""
    taken = [
        (int(e["offset"]), int(e["offset"]) + int(e["length"]))
        for e in entities
        if e.get("type") in _NO_LINKS_INSIDE
    ]
    found: list[JSONDict] = []
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(_TRAILING)
        start = utf16_len(text[: match.start()])
        end = start + utf16_len(url)
        if any(start < stop and begin < end for begin, stop in taken):
            continue
        found.append({"type": "url", "offset": start, "length": end - start, "url": url})
    return found


def message_html(text: str, entities: tuple[JSONDict, ...], *, bot_username: str) -> str:
    """A message's text as HTML a browser may insert as it is."""
    detected = _url_entities(text, entities)
    return entities_to_html(text, [*entities, *detected], tags=_tags(bot_username))


def _buttons(message: SimMessage) -> list[list[JSONDict]]:
    rows: list[list[JSONDict]] = []
    for row in (message.reply_markup or {}).get("inline_keyboard", []):
        out: list[JSONDict] = []
        for button in row:
            label = str(button["text"])
            url = button.get("url")
            if url is not None:
                safe = str(url).lower().startswith(_SAFE_SCHEMES)
                out.append({"label": label, "kind": "url", "url": url if safe else None})
            else:
                out.append({"label": label, "kind": "callback"})
        rows.append(out)
    return rows


def _snippet(message: SimMessage) -> str:
    text = message.content.replace("\n", " ")
    return text if len(text) <= 80 else text[:79] + "…"


def message_view(message: SimMessage, *, bot_username: str) -> JSONDict:
    """One visible message as the page draws it."""
    entities = message.entities if message.text is not None else message.caption_entities
    view: JSONDict = {
        "id": message.message_id,
        "from_bot": message.from_bot,
        "sender": message.sender.get("first_name"),
        "sender_id": message.sender.get("id"),
        "date": message.date,
        "edited": message.edited,
        "html": message_html(message.content, entities, bot_username=bot_username),
        "buttons": _buttons(message),
        "photo": None,
        "document": None,
        "reply_to": None,
    }
    if message.photo_file is not None:
        stored = message.photo_file
        view["photo"] = {
            "url": f"/sim/files/{stored.file_id}",
            "width": stored.width,
            "height": stored.height,
        }
    if message.document_file is not None:
        stored = message.document_file
        view["document"] = {
            "url": f"/sim/files/{stored.file_id}",
            "name": stored.file_name or "file",
            "mime_type": stored.mime_type,
            "size": stored.size,
        }
    if message.reply_to is not None and not message.reply_to.deleted:
        view["reply_to"] = {"id": message.reply_to.message_id, "text": _snippet(message.reply_to)}
    return view


def chat_view(chat: SimChat, *, bot_username: str) -> JSONDict:
    """A chat's visible messages, oldest first, and the reply keyboard under its input field."""
    return {
        "chat_id": chat.id,
        "type": chat.type,
        "title": chat.title,
        "messages": [
            message_view(m, bot_username=bot_username) for m in chat.messages if not m.deleted
        ],
        "reply_keyboard": chat.reply_keyboard_labels(),
    }


def resolve_commands(
    world: World, chat: SimChat, language_code: str | None, user_id: int | None = None
) -> list[tuple[str, str]]:
    """The command menu Telegram shows in ``chat`` to a user of ``language_code``: the first
    scope that has commands, narrowest first, each with the user's language before none."""
    language = (language_code or "").split("-")[0].lower()[:2]
    if chat.type == "private":
        scopes = [f"chat:{chat.id}", "all_private_chats", "default"]
    else:
        scopes = [f"chat:{chat.id}", "all_group_chats", "default"]
        if user_id is not None:
            scopes.insert(0, f"chat_member:{chat.id}:{user_id}")
    for scope in scopes:
        for lang in dict.fromkeys((language, "")):
            found = world.commands.get((scope, lang))
            if found:
                return list(found)
    return []
