"""What the web chat page shows: message HTML that a browser may insert as it is (Telegram's
formatting only, every character escaped, safe links only), buttons, media, command menus."""

from __future__ import annotations

from localapi import format_text
from localapi.model import SimMessage, StoredFile
from localapi.sim import World
from localapi.webview import message_html, message_view, resolve_commands

BOT = "alsfrs_local_bot"


def render(source: str) -> str:
    """The bot's Telegram HTML, parsed as the server stores it, then rendered for the page."""
    formatted = format_text(source, "HTML", None)
    return message_html(formatted.text, formatted.entities, bot_username=BOT)


def test_formatting_becomes_markup_and_text_is_escaped() -> None:
    html = render("<b>Total: 30</b> &lt;script&gt;alert(1)&lt;/script&gt; &amp; <i>more</i>")
    assert html == ("<b>Total: 30</b> &lt;script&gt;alert(1)&lt;/script&gt; &amp; <i>more</i>")
    assert render("<u>u</u><s>s</s><code>c</code><pre>p</pre>") == (
        "<u>u</u><s>s</s><code>c</code><pre>p</pre>"
    )
    assert render("<blockquote>q</blockquote>") == "<blockquote>q</blockquote>"
    assert render("<tg-spoiler>hidden</tg-spoiler>") == '<span class="tg-spoiler">hidden</span>'
    assert render('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>') == "👍"


def test_only_safe_links_become_links() -> None:
    assert render('<a href="javascript:alert(1)">x</a>') == "x"
    assert render('<a href="data:text/html,hi">x</a>') == "x"
    html = render('<a href="https://example.org/?a=&quot;b&quot;&amp;c=1">site</a>')
    assert html == (
        '<a href="https://example.org/?a=&quot;b&quot;&amp;c=1" target="_blank" '
        'rel="noopener noreferrer">site</a>'
    )


def test_links_in_plain_text_are_found_like_telegram_does() -> None:
    text = "👍 See https://example.org/page. Or <b>not</b>"
    assert message_html(text, (), bot_username=BOT) == (
        '👍 See <a href="https://example.org/page" target="_blank" rel="noopener noreferrer">'
        "https://example.org/page</a>. Or &lt;b&gt;not&lt;/b&gt;"
    )
    inside_code = format_text("<code>https://example.org</code>", "HTML", None)
    assert message_html(inside_code.text, inside_code.entities, bot_username=BOT) == (
        "<code>https://example.org</code>"
    )


def test_links_that_start_this_bot_are_marked_for_the_page() -> None:
    text = "Patient link:\nhttps://t.me/alsfrs_local_bot?start=Ab_3-x"
    assert message_html(text, (), bot_username=BOT) == (
        'Patient link:\n<a class="start-link" href="https://t.me/alsfrs_local_bot?start=Ab_3-x" '
        'data-start="Ab_3-x">https://t.me/alsfrs_local_bot?start=Ab_3-x</a>'
    )
    other = message_html("https://t.me/other_bot?start=abc", (), bot_username=BOT)
    assert "start-link" not in other
    odd = message_html('https://t.me/alsfrs_local_bot?start="x', (), bot_username=BOT)
    assert "start-link" not in odd


def _message(**fields: object) -> SimMessage:
    base: dict[str, object] = {
        "message_id": 7,
        "chat": {"id": 42, "type": "private"},
        "sender": {"id": 1, "is_bot": True, "first_name": "Bot"},
        "date": 1_800_000_000,
        "from_bot": True,
    }
    base.update(fields)
    return SimMessage(**base)  # type: ignore[arg-type]


def test_message_view_buttons_and_media() -> None:
    photo = StoredFile("AgAC1", "u1", "photo", b"png", "photos/file_1.png", width=640, height=480)
    message = _message(
        text="Chart",
        edited=True,
        photo_file=photo,
        reply_markup={
            "inline_keyboard": [
                [{"text": "4 · Normal", "callback_data": "a:1:0:s4"}],
                [
                    {"text": "Site", "url": "https://example.org"},
                    {"text": "Bad", "url": "javascript:alert(1)"},
                ],
            ]
        },
    )
    view = message_view(message, bot_username=BOT)
    assert view["id"] == 7
    assert view["from_bot"] is True
    assert view["edited"] is True
    assert view["html"] == "Chart"
    assert view["buttons"] == [
        [{"label": "4 · Normal", "kind": "callback"}],
        [
            {"label": "Site", "kind": "url", "url": "https://example.org"},
            {"label": "Bad", "kind": "url", "url": None},
        ],
    ]
    assert view["photo"] == {"url": "/sim/files/AgAC1", "width": 640, "height": 480}
    assert "callback_data" not in str(view)

    document = StoredFile("BQAC2", "u2", "document", b"a,b\n", "documents/file_2.csv", "x.csv")
    view = message_view(
        _message(caption="<Export>", document_file=document, reply_to=message),
        bot_username=BOT,
    )
    assert view["html"] == "&lt;Export&gt;"
    assert view["document"] == {
        "url": "/sim/files/BQAC2",
        "name": "x.csv",
        "mime_type": None,
        "size": 4,
    }
    assert view["reply_to"] == {"id": 7, "text": "Chart"}


def test_command_menus_resolve_like_telegram() -> None:
    world = World(bot_id=1, bot_username=BOT, bot_first_name="Bot")
    user = world.user(42)
    group = world.group(-5, "Team", [user])
    world.commands[("default", "")] = [("help", "Help")]
    world.commands[("default", "cs")] = [("help", "Nápověda")]
    assert resolve_commands(world, user.chat, "en") == [("help", "Help")]
    assert resolve_commands(world, user.chat, "cs-CZ") == [("help", "Nápověda")]
    world.commands[("all_private_chats", "")] = [("assess", "Assess")]
    assert resolve_commands(world, user.chat, "cs") == [("assess", "Assess")]
    world.commands[("chat:42", "en")] = [("participants", "Participants")]
    assert resolve_commands(world, user.chat, "en") == [("participants", "Participants")]
    assert resolve_commands(world, user.chat, "cs") == [("assess", "Assess")]
    assert resolve_commands(world, group, "cs") == [("help", "Nápověda")]
    world.commands[("chat_member:-5:42", "")] = [("ack", "Ack")]
    assert resolve_commands(world, group, "en", user_id=42) == [("ack", "Ack")]
    assert resolve_commands(world, group, "en") == [("help", "Help")]
