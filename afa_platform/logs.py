"""Log formatting: JSON lines (LOG_FORMAT=json, the production default) and a filter that
keeps email addresses out of every log line.

Each JSON line has time (UTC, ISO 8601), level, logger, message, request_id, and the
exception's traceback when there is one. Names never reach a log line from our code (STYLE.md);
email addresses can, inside a third party's message (allauth, a mail server's refusal), so
RedactEmailsFilter replaces them in the formatted message and the traceback with "[email]".
"""

import json
import logging
import re
from datetime import UTC, datetime

EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
REDACTED = "[email]"


def redact_emails(text: str) -> str:
    return EMAIL.sub(REDACTED, text)


class RedactEmailsFilter(logging.Filter):
    """Formats the message once, with its arguments, and redacts the result."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: leave it to the handler to report
            return True
        redacted = redact_emails(message)
        if redacted != message or record.args:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_emails(record.exc_text)
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)
