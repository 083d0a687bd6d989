"""A module whose import takes a second (a second process's imports on a slow PC)."""

import time

time.sleep(1.0)


def size(data: bytes) -> int:
    return len(data)
