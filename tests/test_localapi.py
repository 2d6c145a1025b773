"""Tests for the local Bot API server: a real PTB Application polls it over HTTP while simulated
users act; a plain ``telegram.Bot`` breaks each Telegram limit and must get the real error."""

from __future__ import annotations

import asyncio
import os
import signal
import struct
import subprocess
import sys
import time
import zlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from telegram import (
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    ReplyParameters,
    Update,
)
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    ExtBot,
    MessageHandler,
    filters,
)

from localapi import LocalBotApi, SimMessage, entities_to_html, format_text, parse_html
from localapi.errors import ApiError
from localapi.formatting import parse_markdown_v2

TOKEN = "123456789:TEST-local-api-token"
BOT_NAME = "alsfrs_local_bot"
SCORE_LABEL = "4 · Normal speech"

App = Application[Any, Any, Any, Any, Any, Any]

# PTB 22 itself warns inside RetryAfter.__init__ that retry_after will become a timedelta.
_IGNORE_PTB_RETRY_AFTER_DEPRECATION = pytest.mark.filterwarnings(
    "ignore::telegram.warnings.PTBDeprecationWarning"
)


def png_bytes(width: int, height: int) -> bytes:
    """A valid (tiny, grey) PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


# -- the tiny bot under test --------------------------------------------------------------------


def keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(SCORE_LABEL, callback_data="score:4")],
            [
                InlineKeyboardButton("Help", callback_data="help"),
                InlineKeyboardButton("Site", url="https://example.org"),
            ],
        ]
    )


async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message
    assert update.effective_user
    context.bot_data.setdefault("starts", []).append(update.update_id)
    code = " ".join(context.args or []) or "-"
    await update.effective_message.reply_html(
        f"<b>Welcome</b>, {update.effective_user.first_name}! code=<code>{code}</code>",
        reply_markup=keyboard(),
    )


async def on_later(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_chat
    chat_id = update.effective_chat.id
    await context.bot.send_message(chat_id, "working…")

    async def later() -> None:
        await asyncio.sleep(0.2)
        await context.bot.send_message(chat_id, "done later")

    context.application.create_task(later())


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message
    assert update.effective_message.text
    await update.effective_message.reply_text(f"echo: {update.effective_message.text}")


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    if query.data == "score:4":
        await query.answer("Saved")
        await query.edit_message_text("Saved score <b>4</b>", parse_mode="HTML")
    elif query.data == "help":
        await query.answer("Tap a score", show_alert=True)
    else:
        await query.answer("Unknown button")


async def on_member(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.my_chat_member
    context.bot_data.setdefault("member", []).append(update.my_chat_member.new_chat_member.status)


@pytest.fixture
async def api() -> AsyncIterator[LocalBotApi]:
    async with LocalBotApi(token=TOKEN, bot_username=BOT_NAME) as server:
        yield server


@pytest.fixture
async def app(api: LocalBotApi) -> AsyncIterator[App]:
    application: App = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(api.base_url)
        .base_file_url(api.base_file_url)
        .build()
    )
    application.add_handler(CommandHandler("start", on_start))
    application.add_handler(CommandHandler("later", on_later))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, on_text))
    application.add_handler(CallbackQueryHandler(on_button))
    application.add_handler(ChatMemberHandler(on_member, ChatMemberHandler.MY_CHAT_MEMBER))
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(timeout=5, poll_interval=0)
    yield application
    await application.updater.stop()
    await application.stop()
    await application.shutdown()


@pytest.fixture
async def bot(api: LocalBotApi) -> AsyncIterator[ExtBot[None]]:
    async with ExtBot(TOKEN, base_url=api.base_url, base_file_url=api.base_file_url) as plain:
        yield plain


# -- end to end with a polling Application ----------------------------------------------------


async def test_start_and_press_by_label(api: LocalBotApi, app: App) -> None:
    alice = api.user(101, first_name="Alice")
    await alice.send("/start CODE42")
    message = alice.last_message()
    assert message.text == "Welcome, Alice! code=CODE42"
    assert message.html == "<b>Welcome</b>, Alice! code=<code>CODE42</code>"
    assert message.buttons == [
        [(SCORE_LABEL, "score:4")],
        [("Help", "help"), ("Site", "https://example.org")],
    ]
    assert alice.buttons() == [SCORE_LABEL, "Help", "Site"]

    answer = await alice.press("Help")
    assert (answer.text, answer.show_alert) == ("Tap a score", True)
    assert not alice.last_message().edited
    with pytest.raises(AssertionError, match="not a callback button"):
        await alice.press("Site")

    answer = await alice.press(SCORE_LABEL)
    assert answer.text == "Saved"
    edited = alice.last_message()
    assert edited.message_id == message.message_id
    assert edited.edited
    assert edited.text == "Saved score 4"
    assert edited.versions == ["Welcome, Alice! code=CODE42"]
    assert edited.buttons == []  # editMessageText without reply_markup drops the keyboard
    assert [a.text for a in alice.callback_answers] == ["Tap a score", "Saved"]

    with pytest.raises(AssertionError, match="no button 'Nope'"):
        await alice.press("Nope")
    with pytest.raises(AssertionError, match="has no button 'Help'"):
        await alice.press("Help", message=message)  # the edit removed the keyboard
    kinds = [e.kind for e in alice.events]
    assert kinds[:3] == ["user_message", "sent", "callback_query"]
    assert "callback_answered" in kinds
    assert "edited" in kinds
    assert api.violations == []


async def test_text_forged_data_wait_for_and_replay(api: LocalBotApi, app: App) -> None:
    bob = api.user(202, first_name="Bob", language_code="cs")
    await bob.send("hello there")
    assert bob.last_message().text == "echo: hello there"
    assert bob.messages[0].from_bot is False

    answer = await bob.press_data(bob.last_message().message_id, "forged:data")
    assert answer.text == "Unknown button"

    await bob.send("/later")
    assert bob.last_message().text in ("working…", "done later")
    late = await bob.wait_for("done later", timeout=3)
    assert late.text == "done later"
    with pytest.raises(AssertionError, match="no bot message matching"):
        await bob.wait_for(lambda m: "never" in m.content, timeout=0.1)

    await bob.send("/start")
    starts: list[int] = app.bot_data["starts"]
    assert len(starts) == 1
    first = next(u for u in api.updates_log if u.get("message", {}).get("text") == "/start")
    api.replay(first)
    await bob.settle()
    assert starts == [first["update_id"], first["update_id"]]
    assert len([m for m in bob.bot_messages if m.text and m.text.startswith("Welcome")]) == 2
    assert api.violations == []


async def test_group_chat_and_blocking(api: LocalBotApi, app: App, bot: ExtBot[None]) -> None:
    alice = api.user(301, first_name="Alice")
    carol = api.user(302, first_name="Carol")
    group = api.group(-1001, "Trial site", [alice, carol])
    await carol.send(f"/start@{BOT_NAME} G1", chat=group)
    reply = group.last_message()
    assert reply.text == "Welcome, Carol! code=G1"
    assert reply.chat["type"] == "group"
    await alice.press(SCORE_LABEL, chat=group)
    assert group.last_message().text == "Saved score 4"

    await alice.send("/start")
    alice.block()
    await alice.settle()
    assert app.bot_data["member"] == ["kicked"]
    with pytest.raises(Forbidden, match="blocked by the user"):
        await bot.send_message(alice.id, "are you there?")
    assert api.violations[-1].status == 403
    api.violations.clear()
    alice.unblock()
    await alice.settle()
    assert app.bot_data["member"] == ["kicked", "member"]
    await bot.send_message(alice.id, "welcome back")
    assert alice.last_message().text == "welcome back"


async def test_polling_survives_injected_failures(api: LocalBotApi, app: App) -> None:
    dave = api.user(401, first_name="Dave")
    await dave.send("one")
    api.fail_next("getUpdates", status=502)
    await dave.send("two")  # fetched by the pending long poll; the next poll gets the 502
    await dave.send("three")  # PTB retries after its back-off and still gets it
    assert [m.text for m in dave.bot_messages] == ["echo: one", "echo: two", "echo: three"]
    assert api.violations == []


# -- the real Telegram limits with a plain Bot --------------------------------------------------


async def test_long_poll_returns_when_update_arrives(api: LocalBotApi, bot: ExtBot[None]) -> None:
    erin = api.user(501)
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await asyncio.sleep(0)
    await erin.send("ping", wait=False)
    updates = await asyncio.wait_for(poll, 3)
    assert time.monotonic() - started < 2
    assert [u.message.text for u in updates if u.message] == ["ping"]
    again = await bot.get_updates(timeout=0)  # no offset: not confirmed yet
    assert [u.update_id for u in again] == [updates[0].update_id]
    assert await bot.get_updates(offset=updates[0].update_id + 1, timeout=0) == ()
    await erin.settle(timeout=1)


async def test_concurrent_get_updates_conflict(api: LocalBotApi, bot: ExtBot[None]) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await api.wait_until(lambda: api.world.poll_generation > 0, what="first long poll")
    async with ExtBot(TOKEN, base_url=api.base_url) as other_instance:
        assert await other_instance.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates"):
        await first
    assert api.violations == []


LIMIT_CASES: list[tuple[str, dict[str, Any], str]] = [
    ("too long", {"text": "x" * 4097}, "message is too long"),
    ("empty", {"text": ""}, "message text is empty"),
    ("blank", {"text": " \n "}, "message text is empty"),
    ("html empty", {"text": "<b></b>", "parse_mode": "HTML"}, "message text is empty"),
    (
        "unsupported tag",
        {"text": "<div>x</div>", "parse_mode": "HTML"},
        'unsupported start tag "div" at byte offset 0',
    ),
    (
        "unclosed",
        {"text": "<b>bold", "parse_mode": "HTML"},
        'can\'t find end tag corresponding to start tag "b"',
    ),
    (
        "mismatched",
        {"text": "<b>x</i>", "parse_mode": "HTML"},
        'unmatched end tag at byte offset 4, expected "</b>", found "</i>"',
    ),
    ("stray <", {"text": "1 < 2", "parse_mode": "HTML"}, 'unsupported start tag ""'),
    ("stray &", {"text": "AT&T", "parse_mode": "HTML"}, 'character "&" at byte offset 2'),
    (
        "markdown v2",
        {"text": "Hello.", "parse_mode": "MarkdownV2"},
        "character '.' is reserved",
    ),
    (
        "callback data",
        {"text": "x", "reply_markup": {"cb": "y" * 65}},
        "button_data_invalid",
    ),
    (
        "callback data bytes",
        {"text": "x", "reply_markup": {"cb": "é" * 33}},
        "button_data_invalid",
    ),
    ("too many buttons", {"text": "x", "reply_markup": {"many": 101}}, "reply_markup_too_long"),
]


def _markup(spec: dict[str, Any]) -> InlineKeyboardMarkup:
    if "cb" in spec:
        return InlineKeyboardMarkup([[InlineKeyboardButton("B", callback_data=spec["cb"])]])
    buttons = [InlineKeyboardButton(str(i), callback_data=str(i)) for i in range(spec["many"])]
    return InlineKeyboardMarkup([buttons[i : i + 8] for i in range(0, len(buttons), 8)])


@pytest.mark.parametrize(
    ("case", "kwargs", "expected"), LIMIT_CASES, ids=[c[0] for c in LIMIT_CASES]
)
async def test_send_message_limits(
    api: LocalBotApi, bot: ExtBot[None], case: str, kwargs: dict[str, Any], expected: str
) -> None:
    user = api.user(600)
    await user.send("/start", wait=False)
    args = dict(kwargs)
    if "reply_markup" in args:
        args["reply_markup"] = _markup(args["reply_markup"])
    with pytest.raises(BadRequest) as caught:
        await bot.send_message(user.id, **args)
    assert expected.lower() in str(caught.value).lower()
    assert len(api.violations) == 1
    assert api.violations[0].method == "sendMessage"
    assert api.violations[0].status == 400
    assert user.bot_messages == []


async def test_text_limit_counts_visible_characters(api: LocalBotApi, bot: ExtBot[None]) -> None:
    user = api.user(601)
    await user.send("/start", wait=False)
    await bot.send_message(user.id, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
    await bot.send_message(user.id, "&lt;" * 4096, parse_mode="HTML")
    await bot.send_message(user.id, "😀" * 4096)  # 4096 characters, 8192 UTF-16 units
    assert [len(m.text or "") for m in user.bot_messages] == [4096, 4096, 4096]
    await bot.send_message(user.id, "ok", reply_markup=_markup({"cb": "é" * 32}))
    assert api.violations == []


async def test_replies_and_reply_keyboards(api: LocalBotApi, bot: ExtBot[None]) -> None:
    user = api.user(650)
    first = await user.send("/start", wait=False)
    await user.send("about that", reply_to=first, wait=False)
    updates = await bot.get_updates(timeout=0)
    replied = updates[-1].message
    assert replied is not None
    assert replied.reply_to_message is not None
    assert replied.reply_to_message.text == "/start"

    await bot.send_message(
        user.id,
        "How are you?",
        reply_markup=ReplyKeyboardMarkup([["Fine", "Tired"]], one_time_keyboard=True),
        reply_parameters=ReplyParameters(first.message_id),
    )
    shown = user.last_message()
    assert shown.reply_to_message_id == first.message_id
    assert shown.buttons == []
    assert user.chat.reply_keyboard_labels() == [["Fine", "Tired"]]
    await bot.send_message(user.id, "Thanks", reply_markup=ReplyKeyboardRemove())
    assert user.chat.reply_keyboard_labels() == []
    assert api.violations == []
    with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
        await bot.send_message(user.id, "x", reply_parameters=ReplyParameters(999))
    assert len(api.violations) == 1


async def test_edit_delete_and_callback_errors(api: LocalBotApi, bot: ExtBot[None]) -> None:
    user = api.user(700)
    await user.send("/start", wait=False)
    sent = await bot.send_message(user.id, "<b>hi</b>", parse_mode="HTML", reply_markup=keyboard())

    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text(
            "<b>hi</b>", user.id, sent.message_id, parse_mode="HTML", reply_markup=keyboard()
        )
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_reply_markup(user.id, sent.message_id, reply_markup=keyboard())
    # Same text but different entities is a modification.
    await bot.edit_message_text("hi", user.id, sent.message_id, reply_markup=keyboard())
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", user.id, 9999)
    with pytest.raises(BadRequest, match=r"(?i)message can't be edited"):
        await bot.edit_message_text("x", user.id, user.messages[0].message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(user.id, 9999)
    assert await bot.delete_message(user.id, sent.message_id)
    deleted = user.chat.get_message(sent.message_id)
    assert deleted is not None
    assert deleted.deleted
    assert deleted not in user.bot_messages
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(user.id, sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(424242, "hello?")
    api.user(424243)  # exists but never talked to the bot
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(424243, "hello?")

    second = await bot.send_message(user.id, "pick", reply_markup=keyboard())
    press = asyncio.create_task(user.press("Help", message=second.message_id, wait=False))
    updates = await bot.get_updates(timeout=2, allowed_updates=["callback_query"])
    query = updates[-1].callback_query
    assert query is not None
    assert query.data == "help"
    assert query.message is not None
    assert query.message.message_id == second.message_id
    with pytest.raises(BadRequest, match=r"(?i)message_too_long"):
        await query.answer("x" * 201)
    assert await query.answer("ok")
    assert (await press).text == "ok"
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await query.answer("again")
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query("123")

    expected = [
        "message is not modified",
        "message is not modified",
        "message to edit not found",
        "message can't be edited",
        "message to delete not found",
        "message to delete not found",
        "chat not found",
        "chat not found",
        "MESSAGE_TOO_LONG",
        "query is too old",
        "query is too old",
    ]
    assert len(api.violations) == len(expected)
    for violation, text in zip(api.violations, expected, strict=True):
        assert text in violation.description


@_IGNORE_PTB_RETRY_AFTER_DEPRECATION
async def test_failure_injection_delay_and_calls(api: LocalBotApi, bot: ExtBot[None]) -> None:
    user = api.user(800)
    await user.send("/start", wait=False)
    api.fail_next("sendMessage", status=500)
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.send_message(user.id, "a")
    api.fail_next("sendMessage", status=429, retry_after=3)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(user.id, "b")
    assert "Retry in 3 seconds" in str(caught.value)
    api.fail_next("sendmessage", status=502, count=2)
    for _ in range(2):
        with pytest.raises(NetworkError):
            await bot.send_message(user.id, "c")
    api.fail_next("sendMessage", status=400, description="Bad Request: injected")
    with pytest.raises(BadRequest, match=r"(?i)injected"):
        await bot.send_message(user.id, "d")
    await bot.send_message(user.id, "e")
    assert [m.text for m in user.bot_messages] == ["e"]
    assert api.violations == []  # injected failures are not the bot's fault

    api.delay("sendChatAction", 0.2)
    started = time.monotonic()
    await bot.send_chat_action(user.id, "typing")
    assert time.monotonic() - started >= 0.2
    api.delay("sendChatAction", 0)
    assert api.calls["sendMessage"] == 6
    assert api.calls["sendChatAction"] == 1
    durations = [c.duration for c in api.call_log if c.method == "sendChatAction"]
    assert durations[0] is not None
    assert durations[0] >= 0.2
    assert user.chat.chat_actions == ["typing"]


@_IGNORE_PTB_RETRY_AFTER_DEPRECATION
async def test_rate_limits(api: LocalBotApi, bot: ExtBot[None]) -> None:
    users = [api.user(900 + i) for i in range(32)]
    for user in users:
        await user.send("/start", wait=False)
    api.rate_limits = True
    for _ in range(3):  # the per-chat burst
        await bot.send_message(users[0].id, "burst")
    with pytest.raises(RetryAfter):
        await bot.send_message(users[0].id, "one too many")
    assert api.violations[-1].status == 429
    assert api.violations[-1].description == "Too Many Requests: retry after 1"

    api.rate_limits = False
    api.rate_limits = True  # fresh buckets
    # The global window with a smaller count, so that a loaded machine sends them all within
    # its second (30 sends in a row can take longer than that there).
    limiter = api.rate_limiter
    assert limiter is not None
    limiter.global_per_second = 5
    limiter.reset()
    for user in users[:5]:
        await bot.send_message(user.id, "broadcast")
    with pytest.raises(RetryAfter):
        await bot.send_message(users[31].id, "over the global limit in one second")
    api.rate_limits = False
    await bot.send_message(users[31].id, "fine again")
    assert len(api.violations) == 2


async def test_photo_and_document_roundtrip(
    api: LocalBotApi, bot: ExtBot[None], tmp_path: Path
) -> None:
    user = api.user(1000)
    await user.send("/start", wait=False)
    image = png_bytes(40, 30)
    sent = await bot.send_photo(user.id, image, caption="<i>chart</i>", parse_mode="HTML")
    assert sent.photo[-1].width == 40
    assert sent.photo[-1].height == 30
    photo_message = user.last_message()
    assert photo_message.photo == image
    assert photo_message.caption == "chart"
    assert photo_message.html == "<i>chart</i>"
    file = await bot.get_file(sent.photo[-1].file_id)
    assert file.file_path is not None
    assert file.file_path.startswith(api.base_file_url)
    assert bytes(await file.download_as_bytearray()) == image

    data = b"date,score\n2024-01-01,40\n"
    doc = await bot.send_document(user.id, data, filename="scores.csv")
    assert doc.document is not None
    assert doc.document.file_name == "scores.csv"
    assert user.last_message().document == data
    assert user.last_message().document_name == "scores.csv"
    target = tmp_path / "copy.csv"
    await (await bot.get_file(doc.document.file_id)).download_to_drive(target)
    assert target.read_bytes() == data

    again = await bot.send_photo(user.id, sent.photo[-1].file_id)  # resend by file_id
    assert again.photo[-1].file_id == sent.photo[-1].file_id
    assert [f.kind for f in user.chat.files] == ["photo", "document", "photo"]
    assert [e.kind for e in user.events if e.kind in ("photo", "document")] == [
        "photo",
        "document",
        "photo",
    ]
    assert api.violations == []

    with pytest.raises(BadRequest, match=r"(?i)image_process_failed"):
        await bot.send_photo(user.id, b"not an image at all")
    with pytest.raises(BadRequest, match=r"(?i)caption is too long"):
        await bot.send_document(user.id, data, filename="a.csv", caption="c" * 1025)
    with pytest.raises(BadRequest, match=r"(?i)type of file mismatch"):
        await bot.send_photo(user.id, doc.document.file_id)
    with pytest.raises(BadRequest, match=r"(?i)there is no text in the message to edit"):
        await bot.edit_message_text("x", user.id, sent.message_id)
    await bot.edit_message_caption(user.id, sent.message_id, caption="new caption")
    assert user.chat.get_message(sent.message_id) is not None
    assert len(api.violations) == 4


async def test_commands_descriptions_and_tokens(api: LocalBotApi, bot: ExtBot[None]) -> None:
    await bot.set_my_commands([BotCommand("start", "Start"), BotCommand("assess", "Assess")])
    await bot.set_my_commands(
        [BotCommand("start", "Začít"), BotCommand("assess", "Hodnocení")], language_code="cs"
    )
    group = api.group(-2002, "Site")
    await bot.set_my_commands([BotCommand("stats", "Stats")], scope=BotCommandScopeChat(group.id))
    assert api.commands() == [("start", "Start"), ("assess", "Assess")]
    assert api.commands(language_code="cs") == [("start", "Začít"), ("assess", "Hodnocení")]
    assert api.commands(f"chat:{group.id}") == [("stats", "Stats")]
    fetched = await bot.get_my_commands(language_code="cs")
    assert [c.description for c in fetched] == ["Začít", "Hodnocení"]
    await bot.delete_my_commands(language_code="cs")
    assert api.commands(language_code="cs") == []
    await bot.set_my_description("Long description", language_code="cs")
    await bot.set_my_short_description("Short")
    assert api.description("cs") == "Long description"
    assert api.short_description() == "Short"
    assert (await bot.get_my_description(language_code="cs")).description == "Long description"
    assert (await bot.get_chat(group.id)).title == "Site"
    assert api.violations == []

    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Start-Now", "x")])
    assert len(api.violations) == 1

    wrong = ExtBot("123456789:WRONG", base_url=api.base_url)
    try:
        with pytest.raises(InvalidToken, match="rejected by the server"):
            await wrong.initialize()
    finally:
        await wrong.shutdown()
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendTelepathy")
    assert [v.status for v in api.violations[1:]] == [401, 404]


async def test_control_api(api: LocalBotApi, app: App) -> None:
    await app.bot.set_my_commands([BotCommand("start", "Začít")], language_code="cs")
    async with aiohttp.ClientSession(api.url) as http:
        async with http.post(
            "/sim/users/1100/send", json={"text": "/start web", "first_name": "Web"}
        ) as response:
            assert response.status == 200
            sent = (await response.json())["result"]
        assert sent["text"] == "/start web"
        async with http.get("/sim/chats/1100") as response:
            chat = (await response.json())["result"]
        texts = [m["text"] for m in chat["messages"]]
        assert texts == ["/start web", "Welcome, Web! code=web"]
        bot_message = chat["messages"][1]
        assert bot_message["buttons"][0] == [[SCORE_LABEL, "score:4"]]

        async with http.get("/sim/events", params={"after": "0"}) as response:
            events = (await response.json())["result"]
        last_seq = events["last_seq"]
        assert [e["kind"] for e in events["events"]][:2] == ["user_message", "sent"]

        poll = asyncio.create_task(
            http.get("/sim/events", params={"after": str(last_seq), "timeout": "5"})
        )
        async with http.post(
            "/sim/users/1100/press",
            json={"label": SCORE_LABEL, "message_id": bot_message["message_id"]},
        ) as response:
            assert (await response.json())["result"]["text"] == "Saved"
        async with await poll as response:
            woken = (await response.json())["result"]["events"]
        assert woken
        assert woken[0]["seq"] > last_seq

        async with http.post("/sim/users/1100/press", json={"label": "Nope"}) as response:
            assert response.status == 422
            assert "no button 'Nope'" in (await response.json())["error"]
        async with http.get("/sim/chats/999") as response:
            assert response.status == 404
        async with http.get("/sim/commands", params={"language_code": "cs"}) as response:
            commands = (await response.json())["result"]
        assert commands == [{"command": "start", "description": "Začít"}]
        async with http.get("/sim/violations") as response:
            assert (await response.json())["result"] == []
        async with http.get("/sim/calls") as response:
            assert (await response.json())["result"]["answerCallbackQuery"] == 1
    assert api.user(1100).last_message().text == "Saved score 4"


# -- formatting units ---------------------------------------------------------------------------


def test_html_parser_entities() -> None:
    parsed = parse_html(
        '😀 <b>bold <i>both</i></b> <a href="https://x.org/?a=1&amp;b=2">link</a> '
        '<pre><code class="language-python">x = 1</code></pre> &lt;&#65;&#x42;&gt; '
        '<span class="tg-spoiler">s</span> <blockquote expandable>q</blockquote>'
    )
    assert parsed.text == "😀 bold both link x = 1 <AB> s q"
    assert list(parsed.entities) == [
        {"offset": 3, "length": 9, "type": "bold"},
        {"offset": 8, "length": 4, "type": "italic"},
        {"offset": 13, "length": 4, "type": "text_link", "url": "https://x.org/?a=1&b=2"},
        {"offset": 18, "length": 5, "type": "pre", "language": "python"},
        {"offset": 29, "length": 1, "type": "spoiler"},
        {"offset": 31, "length": 1, "type": "expandable_blockquote"},
    ]
    assert entities_to_html(parsed.text, parsed.entities).startswith(
        "😀 <b>bold <i>both</i></b> <a href"
    )
    with pytest.raises(ApiError, match='Tag "span" must have class "tg-spoiler"'):
        format_text("<span>x</span>", "HTML")
    assert format_text("AT&T", "HTML", strict_html=False).text == "AT&T"
    trimmed = format_text("  <b>x</b>  \n", "HTML")
    assert trimmed.text == "x"
    assert trimmed.entities[0]["offset"] == 0
    with pytest.raises(ApiError, match="unsupported parse_mode"):
        format_text("x", "BBCode")


def test_markdown_v2_parser() -> None:
    parsed = parse_markdown_v2(r"*bold* _it_ __u__ ~s~ ||sp|| `c` [l](https://x.org) 1\.5")
    assert parsed.text == "bold it u s sp c l 1.5"
    assert [e["type"] for e in parsed.entities] == [
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "code",
        "text_link",
    ]
    with pytest.raises(ApiError, match="Can't find end of Bold entity at byte offset 0"):
        format_text("*open", "MarkdownV2")


def test_sim_message_views() -> None:
    message = SimMessage(
        message_id=1,
        chat={"id": 1, "type": "private", "first_name": "A"},
        sender={"id": 2, "is_bot": True, "first_name": "B"},
        date=0,
        from_bot=True,
        text="x",
        reply_markup={"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]},
    )
    assert message.labels == ["A"]
    assert message.to_api()["reply_markup"]["inline_keyboard"][0][0]["text"] == "A"
    assert message.to_json()["buttons"] == [[["A", "a"]]]


# -- standalone entry point ---------------------------------------------------------------------


async def test_main_runs_and_exits_cleanly_on_ctrl_c() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "localapi",
        "--port",
        "0",
        "--token",
        TOKEN,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert process.stderr is not None
    try:
        line = b""
        while b"base_url=" not in line:
            line = await asyncio.wait_for(process.stderr.readline(), 10)
            assert line, "server exited early"
        base_url = line.decode().split("base_url=")[1].split()[0]
        async with (
            aiohttp.ClientSession() as http,
            http.post(f"{base_url}{TOKEN}/getMe") as response,
        ):
            assert (await response.json())["result"]["username"] == BOT_NAME
        process.send_signal(signal.SIGINT)
        rest = await asyncio.wait_for(process.stderr.read(), 10)
        code = await asyncio.wait_for(process.wait(), 10)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert code == 0
    assert b"Traceback" not in rest
