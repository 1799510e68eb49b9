"""The app's log file (pixie_desktop/logs.py): where it goes, rotation, secret masking, and that
calling setup twice does not double the output."""

from __future__ import annotations

import logging

import pytest

from pixie_desktop import logs


@pytest.fixture
def log_file(tmp_path):
    path = logs.setup_logging()
    yield path
    logs.shutdown_logging()


def _flush() -> None:
    for h in logging.getLogger(logs.LOGGER_NAME).handlers:
        h.flush()


def test_file_goes_to_redirected_dir(log_file, tmp_path):
    assert log_file == tmp_path / "logs" / logs.LOG_FILE_NAME  # conftest's PIXIE_LOG_DIR
    logging.getLogger("pixie_desktop.somewhere").warning("disk is %s", "full")
    _flush()
    text = log_file.read_text(encoding="utf-8")
    assert "WARNING" in text and "pixie_desktop.somewhere: disk is full" in text
    assert logs.current_log_file() == log_file


def test_redirected_data_root_keeps_logs_beside_it(monkeypatch, isolated_env):
    monkeypatch.delenv(logs.LOG_DIR_ENV)
    assert logs.log_dir() == isolated_env["root"] / "logs"
    assert logs.log_dir(isolated_env["home"] / "x") == isolated_env["home"] / "x"


def _log_lines(folder, count: int, fmt: str, fill: str, **limits):
    """Log `count` warnings (`fmt % (i, fill)`) to a file under `folder`; its path."""
    path = logs.setup_logging(folder, **limits)
    log = logging.getLogger("pixie_desktop.test")
    for i in range(count):
        log.warning(fmt, i, fill)
    _flush()
    return path


def test_rotation_is_configured_and_rotates(tmp_path):
    logs.setup_logging()
    try:
        handlers = [h for h in logging.getLogger(logs.LOGGER_NAME).handlers
                    if isinstance(h, logs.SizeRotatingFileHandler)]
        assert len(handlers) == 1
        assert handlers[0].maxBytes == 1024 * 1024 and handlers[0].backupCount == 5
    finally:
        logs.shutdown_logging()
    try:
        small = _log_lines(tmp_path / "small", 40, "line %d %s", "x" * 40, max_bytes=400, backup_count=2)
        names = sorted(p.name for p in small.parent.iterdir())
        assert names == [logs.LOG_FILE_NAME, logs.LOG_FILE_NAME + ".1", logs.LOG_FILE_NAME + ".2"]
    finally:
        logs.shutdown_logging()


def test_secrets_never_reach_the_file(log_file):
    logs.remember_secrets(["sk-live-7f3a9b21c0"])
    log = logging.getLogger("pixie_desktop.runtime.x")
    log.error("tool said %s", "token sk-live-7f3a9b21c0 rejected")
    log.warning("env: OPENAI_API_KEY=abc123def456 HOME=/h")
    log.warning("header Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload")
    try:
        raise RuntimeError("login failed for password=hunter22 with sk-live-7f3a9b21c0")
    except RuntimeError:
        log.exception("run crashed")
    _flush()
    text = log_file.read_text(encoding="utf-8")
    for secret in ("sk-live-7f3a9b21c0", "abc123def456", "eyJhbGciOiJIUzI1NiJ9", "hunter22"):
        assert secret not in text
    assert "OPENAI_API_KEY=•••" in text and "HOME=/h" in text and "Bearer •••" in text
    assert "Traceback" in text and "RuntimeError: login failed for password=•••" in text


def test_tool_secret_values_are_registered_when_read(tmp_path, log_file):
    from pixie_desktop.runtime.secrets import secret_values, write_secret

    tool_dir = tmp_path / "tool"
    tool_dir.mkdir()
    write_secret(tool_dir, "SERVICE_CREDENTIAL", "q8w7e6r5t4")
    assert secret_values(tool_dir) == ["q8w7e6r5t4"]
    logging.getLogger("pixie_desktop.x").warning("stderr: connecting with q8w7e6r5t4")
    _flush()
    text = log_file.read_text(encoding="utf-8")
    assert "q8w7e6r5t4" not in text and "connecting with •••" in text


def test_setup_is_idempotent(log_file):
    logger = logging.getLogger(logs.LOGGER_NAME)
    before = list(logger.handlers)
    assert logs.setup_logging(level="DEBUG") == log_file
    assert logger.handlers == before and logger.level == logging.DEBUG
    logger.getChild("t").info("once")
    _flush()
    assert log_file.read_text(encoding="utf-8").count("once") == 1


def test_level_from_environment(monkeypatch, log_file):
    monkeypatch.setenv(logs.LOG_LEVEL_ENV, "warning")
    logs.setup_logging(level="DEBUG")
    assert logging.getLogger(logs.LOGGER_NAME).level == logging.WARNING


def test_batch_validation_logs_the_traceback_of_a_broken_tool(conn, caplog):
    from types import SimpleNamespace

    from pixie_desktop.validation.batch import run_batch

    def broken_validator(tool, settings, options):
        raise AttributeError("validator bug")

    caplog.set_level(logging.ERROR, logger="pixie_desktop")
    result = run_batch(conn, None, [SimpleNamespace(tool_id="calc")], validate=broken_validator)
    assert result.failed == 1 and result.note == "calc: AttributeError: validator bug"
    record = next(r for r in caplog.records if r.name == "pixie_desktop.validation.batch")
    assert "calc" in record.getMessage() and record.exc_info[0] is AttributeError


def test_rotation_keeps_the_newest_lines_and_drops_the_oldest_file(tmp_path):
    try:
        path = _log_lines(tmp_path / "r", 60, "entry-%03d %s", "y" * 30, max_bytes=300, backup_count=2)
        current = path.read_text(encoding="utf-8")
        one = (path.parent / (logs.LOG_FILE_NAME + ".1")).read_text(encoding="utf-8")
        two = (path.parent / (logs.LOG_FILE_NAME + ".2")).read_text(encoding="utf-8")
        assert "entry-059" in current and "entry-000" not in current + one + two  # the oldest went
        assert max(len(t.encode()) for t in (current, one, two)) < 300 + 120  # one record over at most
        numbers = [[int(x[6:9]) for x in t.split() if x.startswith("entry-")] for t in (two, one, current)]
        assert all(numbers) and numbers[0][-1] < numbers[1][0] and numbers[1][-1] < numbers[2][0]  # in order
    finally:
        logs.shutdown_logging()
    try:
        never = _log_lines(tmp_path / "n", 20, "kept %d %s", "z" * 30, max_bytes=200, backup_count=0)
        assert sorted(p.name for p in never.parent.iterdir()) == [logs.LOG_FILE_NAME]  # as the stdlib: no rotation
        assert "kept 0 " in never.read_text(encoding="utf-8")
    finally:
        logs.shutdown_logging()
