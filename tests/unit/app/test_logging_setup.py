import logging
from types import SimpleNamespace

from app import redaction
from app.logging_setup import setup_logging


def test_the_log_file_is_written_in_the_profile_and_holds_no_token(tmp_path):
    paths = SimpleNamespace(log_dir=tmp_path / "logs")
    try:
        path = setup_logging(paths)
        logging.getLogger("app.test").info("refreshed with refresh_token=abcdefghijkl1234 ok")
        for handler in logging.getLogger().handlers:
            handler.flush()
        text = path.read_text(encoding="utf-8")
        assert "refreshed with refresh_token=" in text and "abcdefghijkl1234" not in text
    finally:
        for handler in list(logging.getLogger().handlers):
            if getattr(handler, "_tandem", False):
                logging.getLogger().removeHandler(handler)
                handler.close()
        redaction.uninstall()


def test_an_unwritable_log_folder_falls_back_to_stderr(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    try:
        assert setup_logging(SimpleNamespace(log_dir=blocker / "logs")) is None
        logging.getLogger("app.test").warning("still logs")
    finally:
        for handler in list(logging.getLogger().handlers):
            if getattr(handler, "_tandem", False):
                logging.getLogger().removeHandler(handler)
        redaction.uninstall()
