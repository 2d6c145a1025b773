"""The Bot API methods: each handler validates like Telegram, mutates the simulated world and
returns the ``result`` object (or raises :class:`ApiError` with Telegram's description)."""

from __future__ import annotations

import mimetypes
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from localapi.errors import (
    CALLBACK_QUERY_INVALID,
    CHAT_NOT_FOUND,
    CONFLICT_GET_UPDATES,
    MESSAGE_NOT_MODIFIED,
    MESSAGE_TEXT_EMPTY,
    MESSAGE_TOO_LONG,
    ApiError,
    bad_request,
    forbidden,
    too_many_requests,
)
from localapi.formatting import FormattedText, format_text
from localapi.model import CallbackAnswer, SimMessage, StoredFile
from localapi.sim import SimChat, World
from localapi.validation import (
    CALLBACK_ANSWER_MAX,
    CAPTION_MAX,
    TEXT_MAX,
    Params,
    RateLimiter,
    UploadedFile,
    image_size,
    validate_reply_markup,
)

__all__ = ["BotApiMethods", "Handler"]

JSONDict = dict[str, Any]
Handler = Callable[[Params], Awaitable[Any]]

_PHOTO_MAX_BYTES = 10 * 1024 * 1024
_UPLOAD_MAX_BYTES = 50 * 1024 * 1024
_DOWNLOAD_MAX_BYTES = 20 * 1024 * 1024
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_LANGUAGE_RE = re.compile(r"^[a-z]{2}$")
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_FILE_KINDS = {"AgAC": "photo", "BQAC": "document"}
_SEND_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument"})


class BotApiMethods:
    """Handlers for the supported Bot API methods, keyed by canonical method name."""

    def __init__(self, world: World, *, strict_html: bool = True) -> None:
        self.world = world
        self.strict_html = strict_html
        self.rate_limiter: RateLimiter | None = None
        self.handlers: dict[str, Handler] = {
            "getMe": self.get_me,
            "logOut": self.ok,
            "close": self.ok,
            "getUpdates": self.get_updates,
            "setWebhook": self.set_webhook,
            "deleteWebhook": self.delete_webhook,
            "getWebhookInfo": self.get_webhook_info,
            "setMyCommands": self.set_my_commands,
            "getMyCommands": self.get_my_commands,
            "deleteMyCommands": self.delete_my_commands,
            "setMyDescription": self.set_my_description,
            "getMyDescription": self.get_my_description,
            "setMyShortDescription": self.set_my_short_description,
            "getMyShortDescription": self.get_my_short_description,
            "setMyName": self.set_my_name,
            "getMyName": self.get_my_name,
            "setChatMenuButton": self.set_chat_menu_button,
            "getChatMenuButton": self.get_chat_menu_button,
            "sendMessage": self.send_message,
            "editMessageText": self.edit_message_text,
            "editMessageCaption": self.edit_message_caption,
            "editMessageReplyMarkup": self.edit_message_reply_markup,
            "deleteMessage": self.delete_message,
            "deleteMessages": self.delete_messages,
            "answerCallbackQuery": self.answer_callback_query,
            "sendChatAction": self.send_chat_action,
            "sendPhoto": self.send_photo,
            "sendDocument": self.send_document,
            "getFile": self.get_file,
            "getChat": self.get_chat,
            "getChatMember": self.get_chat_member,
        }
        self._canonical = {name.lower(): name for name in self.handlers}

    def canonical(self, method: str) -> str:
        """Telegram method names are case-insensitive."""
        return self._canonical.get(method.lower(), method)

    # -- helpers ------------------------------------------------------------------------------

    def chat_hint(self, method: str, params: Params) -> SimChat | None:
        """The chat a request concerns, if any (for settle bookkeeping)."""
        if method == "answerCallbackQuery":
            query = self.world.queries.get(params.opt_str("callback_query_id") or "")
            return query.chat if query else None
        raw = params.opt_str("chat_id")
        if raw is None:
            return None
        try:
            return self.world.chats.get(int(raw))
        except ValueError:
            return None

    def _lookup_chat(self, params: Params) -> SimChat:
        raw = params.opt_str("chat_id")
        if raw is None or raw.strip() == "":
            raise bad_request("chat_id is empty")
        chat: SimChat | None = None
        if raw.startswith("@"):
            chat = next(
                (c for c in self.world.chats.values() if c.is_group and c.username == raw[1:]),
                None,
            )
        else:
            try:
                chat = self.world.chats.get(int(raw))
            except ValueError:
                chat = None
        if chat is None or not chat.known_to_bot:
            raise ApiError(400, CHAT_NOT_FOUND)
        return chat

    def _target_chat(self, params: Params) -> SimChat:
        """Resolve ``chat_id`` for an action in the chat (403 if blocked / kicked)."""
        chat = self._lookup_chat(params)
        if chat.type == "private":
            user = self.world.users.get(chat.id)
            if user is not None and user.blocked:
                raise forbidden("bot was blocked by the user")
        elif chat.bot_removed:
            raise forbidden("bot was kicked from the group chat")
        return chat

    def _flood(self, chat: SimChat) -> None:
        if self.rate_limiter is None:
            return
        retry_after = self.rate_limiter.acquire(chat.id, is_group=chat.is_group)
        if retry_after is not None:
            raise too_many_requests(retry_after)

    def _format(self, text: str, params: Params, entities_field: str) -> FormattedText:
        return format_text(
            text,
            params.opt_str("parse_mode"),
            params.opt_json(entities_field),
            strict_html=self.strict_html,
        )

    def _message_text(self, params: Params) -> FormattedText:
        text = params.opt_str("text")
        if text is None:
            raise ApiError(400, MESSAGE_TEXT_EMPTY)
        formatted = self._format(text, params, "entities")
        if not formatted.text:
            raise ApiError(400, MESSAGE_TEXT_EMPTY)
        if len(formatted.text) > TEXT_MAX:
            raise ApiError(400, MESSAGE_TOO_LONG)
        return formatted

    def _caption(self, params: Params) -> FormattedText | None:
        caption = params.opt_str("caption")
        if caption is None:
            return None
        formatted = self._format(caption, params, "caption_entities")
        if len(formatted.text) > CAPTION_MAX:
            raise bad_request("message caption is too long")
        return formatted if formatted.text else None

    def _reply_to(self, chat: SimChat, params: Params) -> SimMessage | None:
        reply = params.opt_json("reply_parameters")
        allow_missing = params.flag("allow_sending_without_reply")
        message_id: int | None = None
        if isinstance(reply, dict):
            raw_id = reply.get("message_id")
            message_id = int(raw_id) if isinstance(raw_id, int | str) else None
            allow_missing = bool(reply.get("allow_sending_without_reply", allow_missing))
        else:
            message_id = params.opt_int("reply_to_message_id")
        if message_id is None:
            return None
        target = chat.get_message(message_id)
        if target is None or target.deleted:
            if allow_missing:
                return None
            raise bad_request("message to be replied not found")
        return target

    def _markups(self, params: Params) -> tuple[JSONDict | None, JSONDict | None]:
        """(inline markup stored on the message, reply keyboard shown in the chat)."""
        markup = validate_reply_markup(params.opt_json("reply_markup"))
        if markup is None:
            return None, None
        if "inline_keyboard" in markup:
            return markup, None
        return None, markup

    def _new_bot_message(self, chat: SimChat, params: Params) -> SimMessage:
        inline, keyboard = self._markups(params)
        reply_to = self._reply_to(chat, params)
        return SimMessage(
            message_id=0,
            chat=chat.to_api(),
            sender=dict(self.world.bot_user),
            date=int(time.time()),
            from_bot=True,
            reply_markup=inline,
            reply_keyboard=keyboard,
            reply_to=reply_to,
            parse_mode=params.opt_str("parse_mode"),
        )

    def _commit(self, chat: SimChat, message: SimMessage, kind: str, **data: Any) -> JSONDict:
        self._flood(chat)
        message.message_id = chat.new_message_id()
        chat.add_message(message)
        if message.reply_keyboard is not None:
            chat.reply_keyboard = (
                None if message.reply_keyboard.get("remove_keyboard") else message.reply_keyboard
            )
        self.world.add_event(kind, chat, message.message_id, **data)
        return message.to_api()

    def _edit_target(self, params: Params) -> tuple[SimChat, SimMessage | None]:
        if params.opt_str("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")
        chat = self._target_chat(params)
        message_id = params.opt_int("message_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        return chat, chat.get_message(message_id)

    def _edited(self, chat: SimChat, message: SimMessage) -> JSONDict:
        message.edited = True
        message.edit_date = int(time.time())
        self.world.add_event("edited", chat, message.message_id, text=message.content)
        return message.to_api()

    # -- bot & updates ------------------------------------------------------------------------

    async def ok(self, params: Params) -> bool:
        return True

    async def get_me(self, params: Params) -> JSONDict:
        return {
            **self.world.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def get_updates(self, params: Params) -> list[JSONDict]:
        world = self.world
        if world.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = params.opt_int("offset")
        limit = min(100, max(1, params.opt_int("limit") or 100))
        timeout = max(0.0, min(50.0, params.opt_float("timeout") or 0.0))
        allowed = params.opt_json("allowed_updates")
        if isinstance(allowed, list):
            world.allowed_updates = [str(kind) for kind in allowed] or None
        world.poll_generation += 1
        generation = world.poll_generation
        world.notifier.notify()  # terminates an older long poll with 409
        deadline = time.monotonic() + timeout
        while True:
            if generation != world.poll_generation:
                raise ApiError(409, CONFLICT_GET_UPDATES)
            updates = world.take_updates(offset, limit)
            if updates or world.stopping:
                return updates
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return []
            await world.notifier.wait(remaining)

    async def set_webhook(self, params: Params) -> bool:
        url = params.opt_str("url") or ""
        self.world.webhook_url = url
        if params.flag("drop_pending_updates"):
            self.world.drop_pending()
        return True

    async def delete_webhook(self, params: Params) -> bool:
        self.world.webhook_url = ""
        if params.flag("drop_pending_updates"):
            self.world.drop_pending()
        return True

    async def get_webhook_info(self, params: Params) -> JSONDict:
        return {
            "url": self.world.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self.world.pending),
        }

    # -- commands, descriptions, menu ---------------------------------------------------------

    def _language(self, params: Params) -> str:
        language = params.opt_str("language_code") or ""
        if language and not _LANGUAGE_RE.match(language):
            raise bad_request("LANG_CODE_INVALID")
        return language

    def _scope_key(self, params: Params) -> str:
        scope = params.opt_json("scope")
        if scope is None:
            return "default"
        if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
            raise bad_request("can't parse BotCommandScope JSON object")
        kind = scope["type"]
        if kind in ("default", "all_private_chats", "all_group_chats", "all_chat_administrators"):
            return str(kind)
        if kind in ("chat", "chat_administrators", "chat_member"):
            chat_id = scope.get("chat_id")
            chat = None
            if isinstance(chat_id, int | str) and str(chat_id).lstrip("-").isdigit():
                chat = self.world.chats.get(int(chat_id))
            if chat is None or not chat.known_to_bot:
                raise ApiError(400, CHAT_NOT_FOUND)
            if kind == "chat_member":
                return f"chat_member:{chat.id}:{scope.get('user_id')}"
            return f"{kind}:{chat.id}"
        raise bad_request("unsupported bot command scope type")

    async def set_my_commands(self, params: Params) -> bool:
        raw = params.opt_json("commands")
        if not isinstance(raw, list):
            raise bad_request("can't parse commands JSON object")
        if len(raw) > 100:
            raise bad_request("BOT_COMMANDS_TOO_MUCH")
        commands: list[tuple[str, str]] = []
        for item in raw:
            if not isinstance(item, dict):
                raise bad_request("can't parse BotCommand JSON object")
            command = item.get("command")
            description = item.get("description")
            if not isinstance(command, str) or not _COMMAND_RE.match(command):
                raise bad_request("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            commands.append((command, description))
        key = (self._scope_key(params), self._language(params))
        if commands:
            self.world.commands[key] = commands
        else:
            self.world.commands.pop(key, None)
        return True

    async def get_my_commands(self, params: Params) -> list[JSONDict]:
        key = (self._scope_key(params), self._language(params))
        return [
            {"command": command, "description": description}
            for command, description in self.world.commands.get(key, [])
        ]

    async def delete_my_commands(self, params: Params) -> bool:
        self.world.commands.pop((self._scope_key(params), self._language(params)), None)
        return True

    def _store_text(
        self, params: Params, field_name: str, limit: int, store: dict[str, str]
    ) -> bool:
        value = params.opt_str(field_name) or ""
        if len(value) > limit:
            raise bad_request(f"{field_name} is too long")
        language = self._language(params)
        if value:
            store[language] = value
        else:
            store.pop(language, None)
        return True

    async def set_my_description(self, params: Params) -> bool:
        return self._store_text(params, "description", 512, self.world.descriptions)

    async def get_my_description(self, params: Params) -> JSONDict:
        language = self._language(params)
        return {"description": self.world.descriptions.get(language, "")}

    async def set_my_short_description(self, params: Params) -> bool:
        return self._store_text(params, "short_description", 120, self.world.short_descriptions)

    async def get_my_short_description(self, params: Params) -> JSONDict:
        language = self._language(params)
        return {"short_description": self.world.short_descriptions.get(language, "")}

    async def set_my_name(self, params: Params) -> bool:
        return self._store_text(params, "name", 64, self.world.names)

    async def get_my_name(self, params: Params) -> JSONDict:
        language = self._language(params)
        default = str(self.world.bot_user["first_name"])
        return {"name": self.world.names.get(language, default)}

    async def set_chat_menu_button(self, params: Params) -> bool:
        chat_id = self._lookup_chat(params).id if params.has("chat_id") else None
        button = params.opt_json("menu_button")
        if button is None:
            self.world.menu_buttons.pop(chat_id, None)
        elif not isinstance(button, dict) or "type" not in button:
            raise bad_request("can't parse menu button JSON object")
        else:
            self.world.menu_buttons[chat_id] = button
        return True

    async def get_chat_menu_button(self, params: Params) -> JSONDict:
        chat_id = self._lookup_chat(params).id if params.has("chat_id") else None
        return self.world.menu_buttons.get(
            chat_id, self.world.menu_buttons.get(None, {"type": "commands"})
        )

    # -- messages -----------------------------------------------------------------------------

    async def send_message(self, params: Params) -> JSONDict:
        chat = self._target_chat(params)
        formatted = self._message_text(params)
        message = self._new_bot_message(chat, params)
        message.text = formatted.text
        message.entities = formatted.entities
        message.source = params.opt_str("text")
        return self._commit(chat, message, "sent", text=message.text)

    async def edit_message_text(self, params: Params) -> JSONDict:
        chat, message = self._edit_target(params)
        if message is None or message.deleted:
            raise bad_request("message to edit not found")
        if not message.from_bot:
            raise bad_request("message can't be edited")
        if message.text is None:
            raise bad_request("there is no text in the message to edit")
        formatted = self._message_text(params)
        markup = validate_reply_markup(params.opt_json("reply_markup"), inline_only=True)
        if (
            formatted.text == message.text
            and list(formatted.entities) == list(message.entities)
            and markup == message.reply_markup
        ):
            raise ApiError(400, MESSAGE_NOT_MODIFIED)
        message.versions.append(message.text)
        message.text = formatted.text
        message.entities = formatted.entities
        message.source = params.opt_str("text")
        message.parse_mode = params.opt_str("parse_mode")
        message.reply_markup = markup
        return self._edited(chat, message)

    async def edit_message_caption(self, params: Params) -> JSONDict:
        chat, message = self._edit_target(params)
        if message is None or message.deleted:
            raise bad_request("message to edit not found")
        if not message.from_bot:
            raise bad_request("message can't be edited")
        if message.photo_file is None and message.document_file is None:
            raise bad_request("there is no caption in the message to edit")
        formatted = self._caption(params)
        markup = validate_reply_markup(params.opt_json("reply_markup"), inline_only=True)
        caption = formatted.text if formatted else None
        entities = formatted.entities if formatted else ()
        if (
            caption == message.caption
            and list(entities) == list(message.caption_entities)
            and markup == message.reply_markup
        ):
            raise ApiError(400, MESSAGE_NOT_MODIFIED)
        message.versions.append(message.caption or "")
        message.caption = caption
        message.caption_entities = entities
        message.source = params.opt_str("caption")
        message.parse_mode = params.opt_str("parse_mode")
        message.reply_markup = markup
        return self._edited(chat, message)

    async def edit_message_reply_markup(self, params: Params) -> JSONDict:
        chat, message = self._edit_target(params)
        if message is None or message.deleted:
            raise bad_request("message to edit not found")
        if not message.from_bot:
            raise bad_request("message can't be edited")
        markup = validate_reply_markup(params.opt_json("reply_markup"), inline_only=True)
        if markup == message.reply_markup:
            raise ApiError(400, MESSAGE_NOT_MODIFIED)
        message.reply_markup = markup
        return self._edited(chat, message)

    async def delete_message(self, params: Params) -> bool:
        chat = self._target_chat(params)
        message_id = params.opt_int("message_id")
        message = chat.get_message(message_id) if message_id is not None else None
        if message is None or message.deleted:
            raise bad_request("message to delete not found")
        message.deleted = True
        self.world.add_event("deleted", chat, message.message_id)
        return True

    async def delete_messages(self, params: Params) -> bool:
        chat = self._target_chat(params)
        ids = params.opt_json("message_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise bad_request("message_ids must be a non-empty Array of at most 100 Integers")
        for raw in ids:
            message = chat.get_message(int(raw))
            if message is not None and not message.deleted:
                message.deleted = True
                self.world.add_event("deleted", chat, message.message_id)
        return True

    async def answer_callback_query(self, params: Params) -> bool:
        query_id = params.opt_str("callback_query_id") or ""
        query = self.world.queries.get(query_id)
        if (
            query is None
            or query.answer is not None
            or time.monotonic() - query.created > self.world.callback_timeout
        ):
            raise ApiError(400, CALLBACK_QUERY_INVALID)
        text = params.opt_str("text")
        if text is not None and len(text) > CALLBACK_ANSWER_MAX:
            raise bad_request("MESSAGE_TOO_LONG")
        answer = CallbackAnswer(
            query_id=query_id,
            text=text or None,
            show_alert=params.flag("show_alert"),
            url=params.opt_str("url"),
            cache_time=params.opt_int("cache_time"),
        )
        query.answer = answer
        query.user.callback_answers.append(answer)
        self.world.add_event(
            "callback_answered",
            query.chat,
            query.message_id,
            text=answer.text,
            show_alert=answer.show_alert,
        )
        return True

    async def send_chat_action(self, params: Params) -> bool:
        chat = self._target_chat(params)
        action = params.opt_str("action")
        if action not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        chat.chat_actions.append(action)
        self.world.add_event("chat_action", chat, action=action)
        return True

    # -- files --------------------------------------------------------------------------------

    def _existing_file(self, value: str, kind: str) -> StoredFile:
        stored = self.world.files.get(value)
        if stored is None:
            if value.startswith(("http://", "https://")):
                raise bad_request("failed to get HTTP URL content")
            if _FILE_KINDS.get(value[:4], kind) != kind:
                raise bad_request("type of file mismatch")
            raise bad_request("wrong file identifier/HTTP URL specified")
        if stored.kind != kind:
            raise bad_request("type of file mismatch")
        return stored

    def _upload(self, params: Params, field_name: str) -> StoredFile:
        value = params.file(field_name)
        if value is None or value == "":
            raise bad_request(f"there is no {field_name} in the request")
        if isinstance(value, str):
            return self._existing_file(value, field_name)
        return self._store_upload(value, field_name)

    def _store_upload(self, upload: UploadedFile, kind: str) -> StoredFile:
        data = upload.data
        if not data:
            raise bad_request("file must be non-empty")
        if len(data) > _UPLOAD_MAX_BYTES:
            raise ApiError(413, "Request Entity Too Large")
        if kind == "photo":
            if len(data) > _PHOTO_MAX_BYTES:
                raise bad_request("PHOTO_SAVE_FILE_INVALID")
            size = image_size(data)
            if size is None:
                raise bad_request("IMAGE_PROCESS_FAILED")
            width, height = size
            if (
                width <= 0
                or height <= 0
                or width + height > 10000
                or max(width, height) > 20 * min(width, height)
            ):
                raise bad_request("PHOTO_INVALID_DIMENSIONS")
            extension = {b"\x89P": ".png", b"GI": ".gif", b"RI": ".webp"}.get(data[:2], ".jpg")
            return self.world.store_file(
                "photo", data, width=width, height=height, extension=extension
            )
        mime_type = upload.content_type
        if not mime_type or mime_type == "application/octet-stream":
            guessed = mimetypes.guess_type(upload.filename or "")[0]
            mime_type = guessed or mime_type
        return self.world.store_file(
            "document", data, file_name=upload.filename, mime_type=mime_type
        )

    async def _send_media(self, params: Params, kind: str) -> JSONDict:
        chat = self._target_chat(params)
        caption = self._caption(params)
        message = self._new_bot_message(chat, params)
        stored = self._upload(params, kind)
        if kind == "photo":
            message.photo_file = stored
        else:
            message.document_file = stored
        if caption is not None:
            message.caption = caption.text
            message.caption_entities = caption.entities
            message.source = params.opt_str("caption")
        return self._commit(
            chat,
            message,
            kind,
            file_id=stored.file_id,
            size=stored.size,
            file_name=stored.file_name,
            caption=message.caption,
        )

    async def send_photo(self, params: Params) -> JSONDict:
        return await self._send_media(params, "photo")

    async def send_document(self, params: Params) -> JSONDict:
        return await self._send_media(params, "document")

    async def get_file(self, params: Params) -> JSONDict:
        file_id = params.opt_str("file_id") or ""
        stored = self.world.files.get(file_id)
        if stored is None:
            raise bad_request("invalid file_id")
        if stored.size > _DOWNLOAD_MAX_BYTES:
            raise bad_request("file is too big")
        return stored.file_api()

    # -- chats --------------------------------------------------------------------------------

    async def get_chat(self, params: Params) -> JSONDict:
        return self._lookup_chat(params).to_full_info()

    async def get_chat_member(self, params: Params) -> JSONDict:
        chat = self._lookup_chat(params)
        user_id = params.opt_int("user_id")
        if user_id == self.world.bot_user["id"]:
            return {"status": "member", "user": dict(self.world.bot_user)}
        user = self.world.users.get(user_id or 0)
        member_ids = {m.id for m in chat.members} if chat.is_group else {chat.id}
        if user is None or user.id not in member_ids:
            raise bad_request("user not found")
        return {"status": "member", "user": user.to_api()}

    @staticmethod
    def is_send_method(method: str) -> bool:
        return method in _SEND_METHODS
