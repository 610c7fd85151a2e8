"""Sender interface for e-mail/SMS copies of notifications. Backends are chosen by settings.XINFANG_SENDER
(dotted path); the default writes to the console (standard output), which suits an offline intranet."""

import sys
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class Sender(Protocol):
    def send(self, *, to: str, text: str) -> None: ...


class ConsoleSender:
    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send(self, *, to: str, text: str) -> None:
        self.stream.write(f"[通知] 发给 {to}：{text}\n")


class MemorySender:
    """For tests: keeps what was sent."""

    outbox: list[tuple[str, str]] = []

    def send(self, *, to: str, text: str) -> None:
        MemorySender.outbox.append((to, text))


def get_sender() -> Sender:
    return import_string(getattr(settings, "XINFANG_SENDER", "xinfang.core.notify.ConsoleSender"))()
