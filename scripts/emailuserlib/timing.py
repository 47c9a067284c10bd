"""Durations: how long sending takes, and how to say a duration in words."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .budget import RateLimit


def duration(seconds: float) -> str:
    """A short human duration: ``45 s``, ``7 min 30 s``, ``2 h 5 min``, ``1 day 3 h``."""
    seconds = math.ceil(seconds)
    if seconds < 60:
        return f'{seconds} s'
    minutes, secs = divmod(seconds, 60)
    if minutes < 60:
        return f'{minutes} min' + (f' {secs} s' if secs else '')
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f'{hours} h' + (f' {minutes} min' if minutes else '')
    days, hours = divmod(hours, 24)
    return f'{days} day{"s" if days > 1 else ""}' + (f' {hours} h' if hours else '')


def estimate_seconds(
    count: int, per_send: float, limit: RateLimit | None = None, used: int = 0
) -> float:
    """How long *count* more sends take at *per_send* seconds each and the limit.

    Every send waits its *per_send* (the put throttle waits before the first
    one too). *used* sends of the limit's current window are already spent;
    each further window lets ``limit.hits`` more through.
    """
    if count <= 0:
        return 0.0
    paced = count * per_send
    if limit is None or used + count <= limit.hits:
        return paced
    windows = math.ceil((used + count) / limit.hits) - 1
    return max(paced, windows * limit.seconds)
