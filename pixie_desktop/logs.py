"""The app's log file: one `setup_logging()` call at start-up (GUI and CLI) sends everything the
`pixie_desktop.*` loggers write to a size-rotated file in the user's log directory, through a
filter that masks secrets first, so a log attached to a bug report never carries an API key.

Modules log with `log = logging.getLogger(__name__)`; nothing else needs configuring. Qt-free.

Where the file goes (first that applies):
  1. the folder passed to `setup_logging(folder)`;
  2. `PIXIE_LOG_DIR` (tests point it at a temp dir);
  3. `<data root>/logs` when the data root was redirected with `PIXIE_ROOT`, so a portable or
     scripted data dir keeps its logs beside it;
  4. the platform's user log directory (`platformdirs.user_log_dir("pixie-desktop")`).
"""

from __future__ import annotations

import logging
import os
import re
import threading
from pathlib import Path
from typing import Any, Iterable

LOGGER_NAME = "pixie_desktop"
LOG_DIR_ENV = "PIXIE_LOG_DIR"
LOG_LEVEL_ENV = "PIXIE_LOG_LEVEL"
LOG_FILE_NAME = "pixie-desktop.log"
MAX_BYTES = 1024 * 1024   # 1 MiB per file …
BACKUP_COUNT = 5          # … and five old ones: at most ~6 MiB of logs on disk
FORMAT = "%(asctime)s %(levelname)-7s %(threadName)s %(name)s: %(message)s"
MASK = "•••"  # what a secret becomes (runtime/secrets.py uses the same)

_lock = threading.Lock()
_handler: "SizeRotatingFileHandler | None" = None
_secrets: set[str] = set()

# `KEY=value` / `"key": "value"` where the key names a credential, and `Bearer <token>`. These
# catch secrets that were never registered (an env dump, a URL with ?token=…).
_KEYED = re.compile(
    r"""(?ix)
    (\b[\w.\-]*(?:secret|token|passw(?:or)?d|api[_\-]?key|private[_\-]?key|access[_\-]?key)[\w.\-]*
     ["']?\s*[=:]\s*["']?)
    ([^\s"',;&]{3,})""")
_BEARER = re.compile(r"(?i)\b(bearer\s+)([A-Za-z0-9._~+/=\-]{6,})")


def log_dir(where: Any = None) -> Path:
    """The folder log files go to (see the module docstring for the order)."""
    if isinstance(where, (str, os.PathLike)):
        return Path(where).expanduser()
    env = os.environ.get(LOG_DIR_ENV)
    if env:
        return Path(env).expanduser()
    if os.environ.get("PIXIE_ROOT"):
        root = getattr(where, "root", None) or os.environ["PIXIE_ROOT"]
        return Path(root).expanduser() / "logs"
    from platformdirs import user_log_dir

    return Path(user_log_dir("pixie-desktop", appauthor=False))


def remember_secrets(values: Iterable[str]) -> None:
    """Register secret values (tool .env values) so the filter masks them wherever they appear."""
    fresh = {v for v in values if isinstance(v, str) and len(v) >= 3}  # as secrets.secret_values
    if fresh - _secrets:
        with _lock:
            _secrets.update(fresh)


def redact_text(text: str) -> str:
    """Mask registered secret values, credential-looking `key=value` pairs and bearer tokens."""
    if not text:
        return text
    if _secrets:
        from pixie_desktop.runtime.secrets import redact

        text = redact(text, list(_secrets))
    text = _BEARER.sub(lambda m: m.group(1) + MASK, text)
    return _KEYED.sub(lambda m: m.group(1) + MASK, text)


class SizeRotatingFileHandler(logging.FileHandler):
    """Size rotation as logging.handlers.RotatingFileHandler does it (a record that would take
    the file past `maxBytes` first moves file → file.1 → … → file.`backupCount`, dropping the
    oldest), without importing logging.handlers: its socket, pickle and queue imports would come
    before every start's window (~2 ms). Opened on the first record."""

    def __init__(self, filename: Any, maxBytes: int = 0, backupCount: int = 0,  # noqa: N803 - stdlib names
                 encoding: str | None = "utf-8"):
        super().__init__(filename, mode="a", encoding=encoding, delay=True)
        self.maxBytes, self.backupCount = maxBytes, backupCount

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if self._should_rotate(record):
                self._rotate()
            super().emit(record)
        except Exception:  # noqa: BLE001 - logging never raises into the app
            self.handleError(record)

    def _should_rotate(self, record: logging.LogRecord) -> bool:
        if self.maxBytes <= 0 or self.backupCount <= 0:
            return False  # as the stdlib handler: either one zero, no rotation
        if os.path.exists(self.baseFilename) and not os.path.isfile(self.baseFilename):
            return False  # not a regular file (/dev/null): nothing to move
        if self.stream is None:
            self.stream = self._open()
        at = self.stream.tell()
        return bool(at) and at + len(self.format(record)) + 1 >= self.maxBytes

    def _rotate(self) -> None:
        if self.stream is not None:
            self.stream.close()
            self.stream = None  # type: ignore[assignment]
        for i in range(self.backupCount - 1, 0, -1):
            older = f"{self.baseFilename}.{i}"
            if os.path.exists(older):
                os.replace(older, f"{self.baseFilename}.{i + 1}")
        os.replace(self.baseFilename, f"{self.baseFilename}.1")


class RedactingFilter(logging.Filter):
    """Handler filter: renders the message and any traceback once, masked, before formatting.
    (On the handler, not the logger: logger filters do not see records from child loggers.)"""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad %-format must not lose the record
            message = f"{record.msg!r} % {record.args!r}"
        record.msg, record.args = redact_text(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_text(record.stack_info)
        return True


def _level(level: int | str | None) -> int:
    raw = os.environ.get(LOG_LEVEL_ENV) or level or logging.INFO
    if isinstance(raw, int):
        return raw
    value = logging.getLevelName(str(raw).strip().upper())
    return value if isinstance(value, int) else logging.INFO


def setup_logging(where: Any = None, level: int | str | None = logging.INFO, *,
                  max_bytes: int = MAX_BYTES, backup_count: int = BACKUP_COUNT) -> Path:
    """Send the `pixie_desktop` loggers to a rotating file and return the file's path.

    `where` is a folder, a Settings (its data root is used only when redirected, see above) or
    None. `PIXIE_LOG_LEVEL` overrides `level`. Calling it again is safe: the same folder keeps the
    one handler (only the level changes); another folder replaces it. If the folder cannot be
    created the app runs without a log file rather than not at all."""
    global _handler
    folder = log_dir(where)
    path = folder / LOG_FILE_NAME
    logger = logging.getLogger(LOGGER_NAME)
    lvl = _level(level)
    with _lock:
        if _handler is not None and Path(_handler.baseFilename) == path.absolute():
            logger.setLevel(lvl)
            _handler.setLevel(lvl)
            return path
        _remove_handler(logger)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            handler = SizeRotatingFileHandler(path, maxBytes=max_bytes, backupCount=backup_count)
        except OSError:
            logger.setLevel(lvl)
            return path
        handler.setFormatter(logging.Formatter(FORMAT))
        handler.addFilter(RedactingFilter())
        handler.setLevel(lvl)
        logger.addHandler(handler)
        logger.setLevel(lvl)
        _handler = handler
    return path


def current_log_file() -> Path | None:
    """The file being written, or None before `setup_logging()` (the error notice names it)."""
    handler = _handler
    return Path(handler.baseFilename) if handler is not None else None


def _remove_handler(logger: logging.Logger) -> None:
    global _handler
    if _handler is not None:
        logger.removeHandler(_handler)
        _handler.close()
        _handler = None


def shutdown_logging() -> None:
    """Detach and close the file handler (tests; the app lets `logging.shutdown` do it at exit)."""
    with _lock:
        _remove_handler(logging.getLogger(LOGGER_NAME))
