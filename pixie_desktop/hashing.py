"""`sha1` for the app's small digests (tool folder stamps, the single-instance socket name): the
interpreter's own where it has one, so nothing on the start path loads OpenSSL through hashlib
(~3 ms, holding the interpreter); hashlib's otherwise. The digests are the same either way."""

from __future__ import annotations

try:
    from _sha1 import sha1
except ImportError:  # an interpreter built without its own hashes
    from hashlib import sha1

__all__ = ["sha1"]
