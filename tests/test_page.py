"""The local server's web chat page over HTTP: static files with a strict content policy, the
JSON the page reads (its people, chats as safe HTML, command menus), the language switch, and the
guard that keeps other sites and other host names away from the page and the control API."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from localapi import LocalBotApi
from localapi.webview import PageConfig, Persona
from tests.conftest import TOKEN


@pytest.fixture
async def http(api: LocalBotApi) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(base_url=api.url) as session:
        yield session


async def bot_call(http: aiohttp.ClientSession, method: str, **params: Any) -> Any:
    async with http.post(f"/bot{TOKEN}/{method}", json=params) as response:
        body = await response.json()
    assert body["ok"], body
    return body["result"]


async def result(response: aiohttp.ClientResponse) -> Any:
    body = await response.json()
    assert body["ok"], body
    return body["result"]


async def test_the_page_and_its_files(http: aiohttp.ClientSession) -> None:
    async with http.get("/") as response:
        assert response.status == 200
        assert response.content_type == "text/html"
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy
        assert "default-src 'none'" in policy
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        page = await response.text()
    assert '<script src="/web/chat.js" defer></script>' in page
    for name, kind in (("chat.js", "text/javascript"), ("chat.css", "text/css")):
        async with http.get(f"/web/{name}") as response:
            assert response.status == 200
            assert response.content_type == kind
    for name in ("server.py", "..%2Fserver.py", "missing.js"):
        async with http.get(f"/web/{name}") as response:
            assert response.status == 404


async def test_config_lists_the_people_the_page_acts_as(
    api: LocalBotApi, http: aiohttp.ClientSession
) -> None:
    api.user(501, first_name="Ann")
    async with http.get("/sim/web/config") as response:
        config = await result(response)
    assert config["bot"]["username"] == "alsfrs_local_bot"
    assert config["personas"] == [
        {
            "key": "user",
            "user_id": 501,
            "chat_id": 501,
            "name": "Ann",
            "subject": None,
            "language_code": "en",
        }
    ]
    assert config["demo"] is None
    assert config["last_seq"] == api.world.last_seq
    assert config["instance"] == api.world.instance

    api.page = PageConfig(
        personas=[Persona("patient", 501, "Ann", "S-DEMO-1")],
        language="cs",
        demo={"subject": "S-DEMO-1"},
    )
    async with http.get("/sim/web/config") as response:
        config = await result(response)
    assert [p["key"] for p in config["personas"]] == ["patient"]
    assert config["personas"][0]["subject"] == "S-DEMO-1"
    assert config["language"] == "cs"
    assert config["demo"] == {"subject": "S-DEMO-1"}


async def test_a_chat_as_the_page_draws_it(api: LocalBotApi, http: aiohttp.ClientSession) -> None:
    user = api.user(502, first_name="Bo")
    await user.send("/start", wait=False)
    keyboard = {"inline_keyboard": [[{"text": "4 · Normal", "callback_data": "x"}]]}
    sent = await bot_call(
        http,
        "sendMessage",
        chat_id=502,
        text="<b>Question 1</b> &lt;img src=x onerror=alert(1)&gt;",
        parse_mode="HTML",
        reply_markup=keyboard,
    )
    async with http.get("/sim/web/chats/502") as response:
        view = await result(response)
    mine, bots = view["messages"]
    assert mine["from_bot"] is False
    assert mine["html"] == "/start"
    assert bots["html"] == "<b>Question 1</b> &lt;img src=x onerror=alert(1)&gt;"
    assert bots["buttons"] == [[{"label": "4 · Normal", "kind": "callback"}]]
    assert bots["edited"] is False

    await bot_call(
        http,
        "editMessageText",
        chat_id=502,
        message_id=sent["message_id"],
        text="Question 2",
    )
    async with http.get("/sim/web/chats/502") as response:
        edited = (await result(response))["messages"][1]
    assert edited["html"] == "Question 2"
    assert edited["edited"] is True
    assert edited["buttons"] == []

    await bot_call(http, "deleteMessage", chat_id=502, message_id=sent["message_id"])
    async with http.get("/sim/web/chats/502") as response:
        assert len((await result(response))["messages"]) == 1
    async with http.get("/sim/web/chats/999") as response:
        assert response.status == 404


async def test_the_command_menu_follows_the_language(
    api: LocalBotApi, http: aiohttp.ClientSession
) -> None:
    api.user(503)
    commands = [{"command": "assess", "description": "Answer the questions"}]
    await bot_call(http, "setMyCommands", commands=commands)
    czech = [{"command": "assess", "description": "Odpovědět na otázky"}]
    await bot_call(http, "setMyCommands", commands=czech, language_code="cs")
    for language, expected in (("en", commands), ("cs", czech)):
        params = {"chat_id": "503", "language_code": language, "user_id": "503"}
        async with http.get("/sim/web/commands", params=params) as response:
            assert await result(response) == expected
    async with http.get("/sim/web/commands", params={"chat_id": "x"}) as response:
        assert response.status == 400


async def test_the_language_switch(api: LocalBotApi, http: aiohttp.ClientSession) -> None:
    user = api.user(504)
    async with http.post("/sim/users/504/language", json={"language_code": "cs"}) as response:
        assert (await result(response))["language_code"] == "cs"
    assert user.language_code == "cs"
    assert user.to_api()["language_code"] == "cs"
    async with http.post("/sim/users/504/language", json={"language_code": 7}) as response:
        assert response.status == 400
    async with http.post("/sim/users/999/language", json={"language_code": "cs"}) as response:
        assert response.status == 404


async def test_only_this_computer_s_page_may_use_it(
    api: LocalBotApi, http: aiohttp.ClientSession
) -> None:
    api.user(505)
    # Another host name pointing here (DNS rebinding) sees nothing.
    for path in ("/", "/sim/web/config", "/sim/chats/505"):
        async with http.get(path, headers={"Host": f"evil.example:{api.port}"}) as response:
            assert response.status == 403
    # Another site's page may not act (its requests carry its Origin) ...
    foreign = {"Origin": "http://evil.example"}
    async with http.post("/sim/users/505/send", json={"text": "hi"}, headers=foreign) as response:
        assert response.status == 403
    # ... nor send a form or plain text, which a browser would send without asking first.
    async with http.post(
        "/sim/users/505/send",
        data=json.dumps({"text": "hi"}),
        headers={"Content-Type": "text/plain"},
    ) as response:
        assert response.status == 415
    assert api.world.chat(505).messages == []
    # The page's own requests work, and so does "localhost".
    own = {"Origin": api.url}
    async with http.post(
        "/sim/users/505/send", json={"text": "hi", "wait": False}, headers=own
    ) as response:
        assert response.status == 200
    async with http.get("/", headers={"Host": f"localhost:{api.port}"}) as response:
        assert response.status == 200
    # The Bot API answers the bot on this computer.
    async with http.post(f"/bot{TOKEN}/getMe", headers={"Host": f"127.0.0.1:{api.port}"}) as r:
        assert r.status == 200


async def test_no_web_page_can_drive_the_bot_api(
    api: LocalBotApi, http: aiohttp.ClientSession
) -> None:
    """The local token is a public constant: Host, Origin and the request's shape keep every
    other site away from the Bot API and its files, not the token."""
    api.user(506).chat.known_to_bot = True
    send = f"/bot{TOKEN}/sendMessage"
    body = {"chat_id": 506, "text": "planted"}
    refused: list[tuple[str, str, dict[str, str], dict[str, Any] | None]] = [
        ("POST", send, {"Host": "evil.example"}, body),  # DNS rebinding
        ("POST", send, {"Origin": "http://evil.example"}, body),  # a foreign page's fetch/form
        ("POST", send, {"Sec-Fetch-Site": "cross-site"}, body),
        ("POST", f"/bot{TOKEN}/setWebhook", {"Origin": "null"}, {"url": "https://evil.example"}),
        ("GET", f"{send}?chat_id=506&text=planted", {}, None),  # an <img src=...>
        ("POST", f"{send}?chat_id=506&text=planted", {}, None),
        ("GET", f"/bot{TOKEN}/logOut", {}, None),
        ("GET", f"/file/bot{TOKEN}/photos/x.jpg", {"Host": "evil.example"}, None),
        ("GET", f"/file/bot{TOKEN}/photos/x.jpg", {"Origin": "http://evil.example"}, None),
        ("GET", f"/file/bot{TOKEN}/photos/x.jpg", {"Sec-Fetch-Site": "cross-site"}, None),
    ]
    for method, path, headers, payload in refused:
        async with http.request(method, path, headers=headers, json=payload) as response:
            assert response.status in (400, 403, 405), (method, path, headers)
    assert api.world.chat(506).messages == []
    assert api.calls["sendMessage"] == 0
    assert api.calls["setWebhook"] == 0
    # The bot's own requests (no Origin, form or JSON body) still work.
    async with http.post(send, data={"chat_id": "506", "text": "own"}) as response:
        assert response.status == 200
    assert [m.text for m in api.world.chat(506).messages] == ["own"]


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "example.org"])
def test_the_local_bot_api_binds_loopback_only(host: str) -> None:
    with pytest.raises(ValueError, match="loopback"):
        LocalBotApi(token=TOKEN, host=host)
    for fine in ("127.0.0.1", "::1", "localhost"):
        LocalBotApi(token=TOKEN, host=fine)
