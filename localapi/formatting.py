"""Message formatting as Telegram does it: HTML / MarkdownV2 / Markdown parsing into plain text
plus entities (UTF-16 offsets), whitespace trimming, and rendering entities back to HTML."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from localapi.errors import ApiError, bad_request

__all__ = [
    "EntityParseError",
    "FormattedText",
    "entities_to_html",
    "format_text",
    "parse_html",
    "parse_markdown",
    "parse_markdown_v2",
    "utf16_len",
]

JSONDict = dict[str, Any]

_TRIM = " \t\r\n"

_HTML_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)

_SIMPLE_HTML_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}

_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class EntityParseError(Exception):
    """Telegram's "can't parse entities" reason (without the ``Bad Request:`` prefix)."""


@dataclass(frozen=True)
class FormattedText:
    """Visible text and its entities (Bot API dicts, UTF-16 offsets), as Telegram stores them."""

    text: str
    entities: tuple[JSONDict, ...]

    def entity_list(self) -> list[JSONDict]:
        """The entities as a fresh list of dicts (for JSON replies)."""
        return [dict(e) for e in self.entities]


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (Telegram's unit for entity offsets)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _is_space(ch: str) -> bool:
    # "" stands for the end of the input (tdlib's NUL terminator).
    return ch in (" ", "\t", "\r", "\n", "\v", "\f", "")


def _sort_entities(entities: list[JSONDict]) -> list[JSONDict]:
    return sorted(entities, key=lambda e: (int(e["offset"]), -int(e["length"])))


class _Cursor:
    """Index into a string where reading past the end yields ``""``."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)

    def at(self, index: int) -> str:
        return self.text[index] if index < self.n else ""


# --------------------------------------------------------------------------------------------
# HTML


def _decode_html_entity(text: str, pos: int) -> tuple[str, int] | None:
    """Decode the entity starting with ``&`` at ``pos``; return (char, next index) or None."""
    cur = _Cursor(text)
    k = pos + 1
    if cur.at(k) == "#":
        k += 1
        value = 0
        digits = 0
        if cur.at(k) in ("x", "X"):
            k += 1
            while cur.at(k) and cur.at(k) in "0123456789abcdefABCDEF":
                value = value * 16 + int(cur.at(k), 16)
                digits += 1
                k += 1
                if value >= 0x10FFFF:
                    return None
        else:
            while cur.at(k) and cur.at(k) in "0123456789":
                value = value * 10 + int(cur.at(k))
                digits += 1
                k += 1
                if value >= 0x10FFFF:
                    return None
        if digits == 0 or value == 0 or 0xD800 <= value <= 0xDFFF:
            return None
        char = chr(value)
    else:
        while cur.at(k) and cur.at(k).isascii() and cur.at(k).isalpha():
            k += 1
        name = text[pos + 1 : k]
        if name not in _NAMED_ENTITIES:
            return None
        char = _NAMED_ENTITIES[name]
    if cur.at(k) == ";":
        k += 1
    return char, k


@dataclass
class _OpenTag:
    tag: str
    argument: str
    offset: int
    out_index: int


def parse_html(text: str, *, strict_ampersand: bool = True) -> FormattedText:
    """Parse Telegram-flavoured HTML.

    Mirrors the Bot API's rules and error wording. ``strict_ampersand`` additionally rejects a
    bare ``&`` that does not start a supported entity (Telegram documents this as required).
    """
    cur = _Cursor(text)
    out: list[str] = []
    u16 = 0
    stack: list[_OpenTag] = []
    entities: list[JSONDict] = []
    code_languages: dict[int, str] = {}  # id(entity) -> language, for <pre><code class=...>
    i = 0
    while i < cur.n:
        c = text[i]
        if c == "&":
            decoded = _decode_html_entity(text, i)
            if decoded is not None:
                char, i = decoded
                out.append(char)
                u16 += utf16_len(char)
                continue
            if strict_ampersand:
                raise EntityParseError(
                    f'Character "&" at byte offset {_byte_offset(text, i)} is not a part of '
                    'an HTML entity; replace it with "&amp;"'
                )
        if c != "<":
            out.append(c)
            u16 += 2 if ord(c) > 0xFFFF else 1
            i += 1
            continue

        begin = i
        begin_bytes = _byte_offset(text, begin)
        i += 1
        if cur.at(i) != "/":
            while not _is_space(cur.at(i)) and cur.at(i) != ">":
                i += 1
            if cur.at(i) == "":
                raise EntityParseError(f"Unclosed start tag at byte offset {begin_bytes}")
            tag = text[begin + 1 : i].lower()
            if tag not in _HTML_TAGS:
                raise EntityParseError(
                    f'Unsupported start tag "{tag}" at byte offset {begin_bytes}'
                )
            argument = ""
            while cur.at(i) != ">":
                while cur.at(i) != "" and _is_space(cur.at(i)):
                    i += 1
                if cur.at(i) == ">":
                    break
                if cur.at(i) == "":
                    raise EntityParseError(f"Unclosed start tag at byte offset {begin_bytes}")
                attr_begin = i
                while not _is_space(cur.at(i)) and cur.at(i) not in ("=", ">"):
                    i += 1
                attr_name = text[attr_begin:i].lower()
                if not attr_name:
                    raise EntityParseError(
                        f'Empty attribute name in the tag "{tag}" at byte offset {begin_bytes}'
                    )
                while cur.at(i) != "" and _is_space(cur.at(i)):
                    i += 1
                if cur.at(i) != "=":
                    if tag == "blockquote" and attr_name == "expandable":
                        argument = "1"
                        continue
                    if cur.at(i) == "":
                        raise EntityParseError(f"Unclosed start tag at byte offset {begin_bytes}")
                    raise EntityParseError(
                        "Expected equal sign in declaration of an attribute of the tag "
                        f'"{tag}" at byte offset {begin_bytes}'
                    )
                i += 1
                while cur.at(i) != "" and _is_space(cur.at(i)):
                    i += 1
                if cur.at(i) == "":
                    raise EntityParseError(
                        f'Unclosed start tag "{tag}" at byte offset {begin_bytes}'
                    )
                value_chars: list[str] = []
                if cur.at(i) not in ("'", '"'):
                    token_begin = i
                    while cur.at(i) and (cur.at(i).isalnum() or cur.at(i) in ".-"):
                        i += 1
                    value_chars.append(text[token_begin:i].lower())
                    if not _is_space(cur.at(i)) and cur.at(i) != ">":
                        raise EntityParseError(
                            "Unexpected end of name token at byte offset "
                            f"{_byte_offset(text, token_begin)}"
                        )
                else:
                    quote = text[i]
                    i += 1
                    while cur.at(i) != quote and cur.at(i) != "":
                        if cur.at(i) == "&":
                            decoded = _decode_html_entity(text, i)
                            if decoded is not None:
                                value_chars.append(decoded[0])
                                i = decoded[1]
                                continue
                        value_chars.append(text[i])
                        i += 1
                    if cur.at(i) == quote:
                        i += 1
                if cur.at(i) == "":
                    raise EntityParseError(f"Unclosed start tag at byte offset {begin_bytes}")
                value = "".join(value_chars)
                if (tag == "a" and attr_name == "href") or (
                    tag == "tg-emoji" and attr_name == "emoji-id"
                ):
                    argument = value
                elif tag == "code" and attr_name == "class" and value.startswith("language-"):
                    argument = value[len("language-") :]
                elif tag == "span" and attr_name == "class" and value.startswith("tg-"):
                    argument = value[len("tg-") :]
                elif tag == "blockquote" and attr_name == "expandable":
                    argument = "1"
            i += 1  # the closing ">"
            if tag == "span" and argument != "spoiler":
                raise EntityParseError(
                    f'Tag "span" must have class "tg-spoiler" at byte offset {begin_bytes}'
                )
            stack.append(_OpenTag(tag, argument, u16, len(out)))
            continue

        # An end tag.
        if not stack:
            raise EntityParseError(f"Unexpected end tag at byte offset {begin_bytes}")
        i += 1
        name_begin = i
        while not _is_space(cur.at(i)) and cur.at(i) != ">":
            i += 1
        end_name = text[name_begin:i]
        while cur.at(i) != "" and _is_space(cur.at(i)):
            i += 1
        if cur.at(i) != ">":
            raise EntityParseError(f"Unclosed end tag at byte offset {begin_bytes}")
        i += 1
        top = stack[-1]
        if end_name and end_name.lower() != top.tag:
            raise EntityParseError(
                f'Unmatched end tag at byte offset {begin_bytes}, expected "</{top.tag}>", '
                f'found "</{end_name}>"'
            )
        stack.pop()
        length = u16 - top.offset
        if length <= 0:
            continue
        entity: JSONDict = {"offset": top.offset, "length": length}
        if top.tag in _SIMPLE_HTML_TYPES:
            entity["type"] = _SIMPLE_HTML_TYPES[top.tag]
        elif top.tag == "a":
            entity["type"] = "text_link"
            entity["url"] = top.argument or "".join(out[top.out_index :])
        elif top.tag == "tg-emoji":
            if not top.argument.isdigit():
                raise EntityParseError("Invalid custom emoji identifier specified")
            entity["type"] = "custom_emoji"
            entity["custom_emoji_id"] = top.argument
        elif top.tag == "code":
            entity["type"] = "code"
            if top.argument:
                code_languages[id(entity)] = top.argument
        elif top.tag == "pre":
            entity["type"] = "pre"
            if entities:
                last = entities[-1]
                if (
                    last["type"] == "code"
                    and last["offset"] == top.offset
                    and last["length"] == length
                ):
                    entities.pop()
                    language = code_languages.get(id(last))
                    if language:
                        entity["language"] = language
        else:  # blockquote
            entity["type"] = "expandable_blockquote" if top.argument else "blockquote"
        entities.append(entity)
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    return FormattedText("".join(out), tuple(_sort_entities(entities)))


# --------------------------------------------------------------------------------------------
# MarkdownV2

_MDV2_RESERVED = "_*[]()~`>#+-=|{}.!"
_MDV2_TYPE_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
}


@dataclass
class _MdOpen:
    type: str
    argument: str
    offset: int
    byte_offset: int
    out_index: int


def _reserved_error(ch: str) -> EntityParseError:
    return EntityParseError(
        f"Character '{ch}' is reserved and must be escaped with the preceding '\\'"
    )


def _read_md_url(text: str, i: int) -> tuple[str, int]:
    """Read a ``(url)`` whose ``(`` is at ``i - 1``; return (url, index of ``)``)."""
    cur = _Cursor(text)
    url_begin = i
    chars: list[str] = []
    while i < cur.n and text[i] != ")":
        if text[i] == "\\" and cur.at(i + 1) and 0 < ord(cur.at(i + 1)) <= 126:
            chars.append(text[i + 1])
            i += 2
            continue
        chars.append(text[i])
        i += 1
    if cur.at(i) != ")":
        raise EntityParseError(
            f"Can't find end of a URL at byte offset {_byte_offset(text, url_begin)}"
        )
    return "".join(chars), i


def _skip_pre_language(text: str, i: int) -> tuple[str, int]:
    """At the first char after an opening triple backtick: read language, skip one newline."""
    cur = _Cursor(text)
    language = ""
    end = i
    while not _is_space(cur.at(end)) and cur.at(end) != "`":
        end += 1
    if end != i and end < cur.n and cur.at(end) != "`":
        language = text[i:end]
        i = end
    if cur.at(i) in ("\n", "\r"):
        if cur.at(i + 1) in ("\n", "\r") and cur.at(i) != cur.at(i + 1):
            i += 2
        else:
            i += 1
    return language, i


def parse_markdown_v2(text: str) -> FormattedText:
    """Parse Telegram MarkdownV2, with the Bot API's error wording."""
    cur = _Cursor(text)
    out: list[str] = []
    u16 = 0
    stack: list[_MdOpen] = []
    entities: list[JSONDict] = []
    quote_offset: int | None = None
    i = 0
    while i < cur.n:
        c = text[i]
        if c == "\\" and cur.at(i + 1) and 0 < ord(cur.at(i + 1)) <= 126:
            out.append(text[i + 1])
            u16 += 1
            i += 2
            continue
        in_code = bool(stack) and stack[-1].type in ("code", "pre")
        if c == ">" and not in_code and (i == 0 or text[i - 1] == "\n"):
            if quote_offset is None:
                quote_offset = u16
            i += 1
            continue
        reserved = "`" if in_code else _MDV2_RESERVED
        if c not in reserved:
            out.append(c)
            u16 += 2 if ord(c) > 0xFFFF else 1
            if c == "\n" and quote_offset is not None and cur.at(i + 1) != ">":
                if u16 - 1 > quote_offset:
                    entities.append(
                        {
                            "type": "blockquote",
                            "offset": quote_offset,
                            "length": u16 - 1 - quote_offset,
                        }
                    )
                quote_offset = None
            i += 1
            continue

        top = stack[-1].type if stack else None
        nxt, nxt2 = cur.at(i + 1), cur.at(i + 2)
        is_end = (
            (top == "bold" and c == "*")
            or (top == "italic" and c == "_" and nxt != "_")
            or (top == "code" and c == "`")
            or (top == "pre" and c == "`" and nxt == "`" and nxt2 == "`")
            or (top in ("text_link", "custom_emoji") and c == "]")
            or (top == "underline" and c == "_" and nxt == "_")
            or (top == "strikethrough" and c == "~")
            or (top == "spoiler" and c == "|" and nxt == "|")
        )
        if not is_end:
            byte_offset = _byte_offset(text, i)
            argument = ""
            if c == "_":
                if nxt == "_":
                    kind = "underline"
                    i += 1
                else:
                    kind = "italic"
            elif c == "*":
                kind = "bold"
            elif c == "~":
                kind = "strikethrough"
            elif c == "|":
                if nxt != "|":
                    raise _reserved_error(c)
                kind = "spoiler"
                i += 1
            elif c == "[":
                kind = "text_link"
            elif c == "`":
                if nxt == "`" and nxt2 == "`":
                    kind = "pre"
                    argument, i = _skip_pre_language(text, i + 3)
                    stack.append(_MdOpen(kind, argument, u16, byte_offset, len(out)))
                    continue
                kind = "code"
            elif c == "!":
                if nxt != "[":
                    raise _reserved_error(c)
                kind = "custom_emoji"
                i += 1
            else:
                raise _reserved_error(c)
            stack.append(_MdOpen(kind, argument, u16, byte_offset, len(out)))
            i += 1
            continue

        opened = stack.pop()
        entity: JSONDict = {"type": opened.type, "offset": opened.offset}
        if opened.type in ("underline", "spoiler"):
            i += 1
        elif opened.type == "pre":
            i += 2
            if opened.argument:
                entity["language"] = opened.argument
        elif opened.type == "text_link":
            if cur.at(i + 1) != "(":
                entity["url"] = "".join(out[opened.out_index :])
            else:
                entity["url"], i = _read_md_url(text, i + 2)
        elif opened.type == "custom_emoji":
            if cur.at(i + 1) != "(":
                raise EntityParseError("Custom emoji entity must contain a tg://emoji URL")
            url, i = _read_md_url(text, i + 2)
            prefix = "tg://emoji?id="
            if not url.startswith(prefix) or not url[len(prefix) :].isdigit():
                raise EntityParseError("Invalid custom emoji URL specified")
            entity["custom_emoji_id"] = url[len(prefix) :]
        i += 1
        if u16 > opened.offset:
            entity["length"] = u16 - opened.offset
            entities.append(entity)
    if stack:
        opened = stack[-1]
        name = _MDV2_TYPE_NAMES[opened.type]
        if opened.type == "pre" and opened.argument:
            name = "PreCode"
        raise EntityParseError(
            f"Can't find end of {name} entity at byte offset {opened.byte_offset}"
        )
    if quote_offset is not None and u16 > quote_offset:
        entities.append(
            {"type": "blockquote", "offset": quote_offset, "length": u16 - quote_offset}
        )
    return FormattedText("".join(out), tuple(_sort_entities(entities)))


# --------------------------------------------------------------------------------------------
# Legacy Markdown


def parse_markdown(text: str) -> FormattedText:
    """Parse legacy Telegram Markdown (``parse_mode="Markdown"``)."""
    cur = _Cursor(text)
    out: list[str] = []
    u16 = 0
    entities: list[JSONDict] = []
    i = 0
    while i < cur.n:
        c = text[i]
        if c == "\\" and cur.at(i + 1) in ("_", "*", "`", "["):
            out.append(text[i + 1])
            u16 += 1
            i += 2
            continue
        if c not in "_*`[":
            out.append(c)
            u16 += 2 if ord(c) > 0xFFFF else 1
            i += 1
            continue
        begin = i
        end_char = "]" if c == "[" else c
        i += 1
        is_pre = False
        language = ""
        if c == "`" and cur.at(i) == "`" and cur.at(i + 1) == "`":
            is_pre = True
            language, i = _skip_pre_language(text, i + 2)
        offset = u16
        out_index = len(out)
        while i < cur.n and (
            text[i] != end_char or (is_pre and not (cur.at(i + 1) == "`" and cur.at(i + 2) == "`"))
        ):
            out.append(text[i])
            u16 += 2 if ord(text[i]) > 0xFFFF else 1
            i += 1
        if i >= cur.n:
            raise EntityParseError(
                f"Can't find end of the entity starting at byte offset {_byte_offset(text, begin)}"
            )
        entity: JSONDict = {"offset": offset, "length": u16 - offset}
        if c == "_":
            entity["type"] = "italic"
        elif c == "*":
            entity["type"] = "bold"
        elif c == "[":
            entity["type"] = "text_link"
            if cur.at(i + 1) == "(":
                i += 2
                url_chars: list[str] = []
                while i < cur.n and text[i] != ")":
                    url_chars.append(text[i])
                    i += 1
                entity["url"] = "".join(url_chars)
            else:
                entity["url"] = "".join(out[out_index:])
        elif is_pre:
            entity["type"] = "pre"
            if language:
                entity["language"] = language
            i += 2
        else:
            entity["type"] = "code"
        if entity["length"] > 0:
            entities.append(entity)
        i += 1
    return FormattedText("".join(out), tuple(_sort_entities(entities)))


# --------------------------------------------------------------------------------------------
# Dispatch, trimming and rendering

_PARSERS: dict[str, Callable[[str], FormattedText]] = {
    "markdownv2": parse_markdown_v2,
    "markdown": parse_markdown,
}


def _validate_entities(text: str, raw: object) -> list[JSONDict]:
    if not isinstance(raw, list):
        raise bad_request("can't parse entities JSON object")
    total = utf16_len(text)
    result: list[JSONDict] = []
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("type"), str):
            raise bad_request('can\'t parse MessageEntity: Field "type" must be of type String')
        offset, length = item.get("offset"), item.get("length")
        if not isinstance(offset, int) or not isinstance(length, int):
            raise bad_request('can\'t parse MessageEntity: Field "offset" must be a Number')
        if offset < 0 or length <= 0 or offset + length > total:
            continue  # Telegram silently drops entities outside the text
        result.append(dict(item))
    return _sort_entities(result)


def _trim(formatted: FormattedText) -> FormattedText:
    stripped = formatted.text.strip(_TRIM)
    if stripped == formatted.text:
        return formatted
    lead = len(formatted.text) - len(formatted.text.lstrip(_TRIM))
    total = utf16_len(stripped)
    entities: list[JSONDict] = []
    for entity in formatted.entities:
        start = max(0, int(entity["offset"]) - lead)
        end = min(total, int(entity["offset"]) + int(entity["length"]) - lead)
        if end > start:
            entities.append({**entity, "offset": start, "length": end - start})
    return FormattedText(stripped, tuple(entities))


def format_text(
    text: str,
    parse_mode: str | None,
    entities: object = None,
    *,
    strict_html: bool = True,
) -> FormattedText:
    """Turn a Bot API ``text``/``caption`` with ``parse_mode`` or explicit entities into what
    Telegram would store (trimmed). Raises :class:`ApiError` on parse errors."""
    mode = (parse_mode or "").strip().lower()
    try:
        if mode == "html":
            formatted = parse_html(text, strict_ampersand=strict_html)
        elif mode in _PARSERS:
            formatted = _PARSERS[mode](text)
        elif mode:
            raise bad_request("unsupported parse_mode")
        elif entities is not None:
            formatted = FormattedText(text, tuple(_validate_entities(text, entities)))
        else:
            formatted = FormattedText(text, ())
    except EntityParseError as exc:
        raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from exc
    return _trim(formatted)


_HTML_OPEN = {
    "bold": "<b>",
    "italic": "<i>",
    "underline": "<u>",
    "strikethrough": "<s>",
    "spoiler": "<tg-spoiler>",
    "code": "<code>",
    "blockquote": "<blockquote>",
    "expandable_blockquote": "<blockquote expandable>",
}
_HTML_CLOSE = {
    "bold": "</b>",
    "italic": "</i>",
    "underline": "</u>",
    "strikethrough": "</s>",
    "spoiler": "</tg-spoiler>",
    "code": "</code>",
    "blockquote": "</blockquote>",
    "expandable_blockquote": "</blockquote>",
}


def _open_tag(entity: JSONDict) -> tuple[str, str]:
    kind = str(entity.get("type"))
    if kind in _HTML_OPEN:
        return _HTML_OPEN[kind], _HTML_CLOSE[kind]
    if kind == "pre":
        language = entity.get("language")
        if language:
            return f'<pre><code class="language-{html.escape(str(language))}">', "</code></pre>"
        return "<pre>", "</pre>"
    if kind == "text_link":
        return f'<a href="{html.escape(str(entity.get("url", "")))}">', "</a>"
    if kind == "custom_emoji":
        emoji_id = html.escape(str(entity.get("custom_emoji_id", "")))
        return f'<tg-emoji emoji-id="{emoji_id}">', "</tg-emoji>"
    return "", ""


def entities_to_html(
    text: str,
    entities: list[JSONDict] | tuple[JSONDict, ...],
    *,
    tags: Callable[[JSONDict], tuple[str, str]] | None = None,
) -> str:
    """Render text plus entities as Telegram HTML (best effort for badly nested entities).

    ``tags`` maps an entity to its (opening, closing) markup, ("", "") to leave it out; the
    default gives Telegram's own tags. The text between is always escaped.
    """
    tag_of = tags or _open_tag
    positions: list[int] = []  # UTF-16 offset at each code point index (plus the end)
    u16 = 0
    for ch in text:
        positions.append(u16)
        u16 += 2 if ord(ch) > 0xFFFF else 1
    positions.append(u16)
    ordered = _sort_entities([e for e in entities if tag_of(e)[0]])
    pieces: list[str] = []
    open_stack: list[tuple[int, str]] = []  # (end offset, closing tag)
    next_entity = 0
    for index, pos in enumerate(positions):
        while open_stack and open_stack[-1][0] <= pos:
            pieces.append(open_stack.pop()[1])
        while next_entity < len(ordered) and int(ordered[next_entity]["offset"]) <= pos:
            entity = ordered[next_entity]
            next_entity += 1
            opening, closing = tag_of(entity)
            pieces.append(opening)
            open_stack.append((int(entity["offset"]) + int(entity["length"]), closing))
        if index < len(text):
            pieces.append(html.escape(text[index], quote=False))
    while open_stack:
        pieces.append(open_stack.pop()[1])
    return "".join(pieces)
