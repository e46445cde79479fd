"""What the embedded server (daphne, on Twisted) answers before a request reaches Django.

Twisted's HTTP channel reads the request line with a line reader of 16 KB and simply drops
the connection when a line is longer: a browser then shows "connection reset" instead of an
answer. Behind nginx, nginx answers 414 itself (its buffers are smaller); `manage.py serve`
makes daphne answer 414 too.
"""

from twisted.web.http import HTTPChannel

URI_TOO_LONG = (
    b"HTTP/1.1 414 URI Too Long\r\nContent-Type: text/plain; charset=utf-8\r\n"
    b"Content-Length: 24\r\nConnection: close\r\n\r\nThe address is too long."
)


def _line_too_long(channel: HTTPChannel, line: bytes) -> None:
    # LineReceiver's hook for a line over MAX_LENGTH; the request line is the only one that
    # long in practice (a header that long is just as malformed), so one answer for both.
    channel.transport.write(URI_TOO_LONG)
    channel.transport.loseConnection()


def answer_long_request_lines() -> None:
    """Answer 414 instead of dropping the connection (idempotent)."""
    HTTPChannel.lineLengthExceeded = _line_too_long
