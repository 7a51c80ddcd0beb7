"""Conversation formats: LLaVA `conversations`, Qwen-VL `Picture k: <img>path</img>` turns,
and the chat `messages` of the dataset contract, in both directions.

>>> msgs = llava_to_messages([{"from": "human", "value": "<image>\\nHow many?"},
...                           {"from": "gpt", "value": "3"}], "doc")
>>> msgs[0]["content"][0]["type"], messages_to_llava(msgs)[0]["value"]
('image', '<image>\\nHow many?')
"""

from __future__ import annotations

import re

from mmpriv_data.core.errors import MmprivError

LLAVA_ROLES = {"human": "user", "user": "user", "gpt": "assistant", "assistant": "assistant"}
LLAVA_IMAGE = "<image>"
QWEN_PICTURE = re.compile(r"Picture \d+: <img>(.*?)</img>")


def _split_placeholders(text: str, pattern: re.Pattern) -> list[tuple[str, str]]:
    """'<image>\\nQ' -> [('image', ''), ('text', 'Q')]; one newline next to a marker is dropped."""
    items, start = [], 0
    for match in pattern.finditer(text):
        items.append(("text", text[start : match.start()].removesuffix("\n")))
        items.append(("image", match.group(1) if match.groups() else ""))
        start = match.end()
        if text.startswith("\n", start):
            start += 1
    items.append(("text", text[start:]))
    return [(kind, value) for kind, value in items if kind == "image" or value]


def _turn(role: str, items: list[tuple[str, str]]) -> dict:
    content = [
        {"type": "image", "text": None} if kind == "image" else {"type": "text", "text": value}
        for kind, value in items
    ]
    return {"role": role, "content": content}


def _conversation(conversations: object, origin: str) -> list[tuple[str, str]]:
    if not isinstance(conversations, list) or not conversations:
        raise MmprivError(f"{origin}: `conversations` must be a non-empty list")
    turns = []
    for turn in conversations:
        if not isinstance(turn, dict) or turn.get("from") not in LLAVA_ROLES:
            raise MmprivError(f"{origin}: each turn needs `from` (human/gpt) and `value`: {turn}")
        turns.append((LLAVA_ROLES[turn["from"]], str(turn.get("value", ""))))
    return turns


def llava_to_messages(conversations: list[dict], origin: str) -> list[dict]:
    """LLaVA `conversations` -> messages; `<image>` becomes an image item where it stood."""
    pattern = re.compile(re.escape(LLAVA_IMAGE))
    return [
        _turn(role, _split_placeholders(value, pattern))
        for role, value in _conversation(conversations, origin)
    ]


def messages_to_llava(messages: list[dict]) -> list[dict]:
    """Messages -> LLaVA `conversations` (image items become `<image>` joined by newlines)."""
    return [
        {
            "from": "human" if m["role"] == "user" else "gpt",
            "value": "\n".join(
                LLAVA_IMAGE if c["type"] == "image" else c["text"] for c in m["content"]
            ),
        }
        for m in messages
    ]


def qwen_to_messages(conversations: list[dict], origin: str) -> tuple[list[dict], list[str]]:
    """Qwen-VL conversations -> (messages, image paths in order of appearance)."""
    messages, paths = [], []
    for role, value in _conversation(conversations, origin):
        items = _split_placeholders(value, QWEN_PICTURE)
        paths += [value for kind, value in items if kind == "image"]
        messages.append(_turn(role, items))
    return messages, paths


def messages_to_qwen(messages: list[dict], image_paths: list[str]) -> list[dict]:
    """Messages -> Qwen-VL conversations: the k-th image item is `Picture k: <img>path</img>`."""
    conversations, k = [], 0
    for m in messages:
        parts = []
        for c in m["content"]:
            if c["type"] == "image":
                if k >= len(image_paths):
                    raise MmprivError("conversation has more image items than the row has images")
                parts.append(f"Picture {k + 1}: <img>{image_paths[k]}</img>")
                k += 1
            else:
                parts.append(c["text"])
        role = "user" if m["role"] == "user" else "assistant"
        conversations.append({"from": role, "value": "\n".join(parts)})
    return conversations
