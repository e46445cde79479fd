"""An address longer than the server reads gets 414, not a dropped connection (issue 13)."""

from twisted.internet.testing import StringTransport
from twisted.web.http import HTTPChannel

from democracy.core.servers import answer_long_request_lines


def _send(line: bytes) -> bytes:
    channel = HTTPChannel()
    transport = StringTransport()
    channel.makeConnection(transport)
    channel.dataReceived(line)
    return transport.value(), transport.disconnecting


def test_the_embedded_server_answers_414_to_a_very_long_address():
    request = b"GET /" + b"a" * 20_000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    answer_long_request_lines()
    answer, closed = _send(request)
    assert answer.startswith(b"HTTP/1.1 414 URI Too Long\r\n")
    assert closed
