"""Records Synapse's replication channels in syntop's recording format: one message per line,
`<unix seconds>\t<channel>\t<message exactly as published>`, `#` lines are comments. The access
token in USER_IP lines is replaced before anything is written."""
import re
import socket
import time

TOKEN = re.compile(rb'^(USER_IP \S+ \[)"[^"]*"')


class RespReader:
    """Just enough RESP2 for a subscriber: arrays of bulk strings and integers."""

    def __init__(self, sock):
        self.sock = sock
        self.buffer = b""

    def _line(self):
        while b"\r\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("redis closed the connection")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line

    def _exact(self, count):
        while len(self.buffer) < count + 2:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("redis closed the connection")
            self.buffer += chunk
        data, self.buffer = self.buffer[:count], self.buffer[count + 2:]
        return data

    def read(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"*":
            return [self.read() for _ in range(int(rest))]
        if kind == b"$":
            return None if int(rest) < 0 else self._exact(int(rest))
        if kind == b":":
            return int(rest)
        if kind == b"-":
            raise ConnectionError(rest.decode(errors="replace"))
        return rest


def scrub(message):
    return TOKEN.sub(rb'\1"<token>"', message)


def record(state, output, seconds):
    server_name = state["hs1_server_name"].encode()
    channels = [server_name, server_name + b"/USER_IP"]
    sock = socket.create_connection(("127.0.0.1", state["ports"]["redis"]))
    command = b"*%d\r\n$9\r\nSUBSCRIBE\r\n" % (len(channels) + 1)
    for channel in channels:
        command += b"$%d\r\n%s\r\n" % (len(channel), channel)
    sock.sendall(command)
    reader = RespReader(sock)
    for _ in channels:
        reader.read()
    deadline = time.monotonic() + seconds
    count = 0
    with open(output, "wb") as f:
        f.write(b"# syntop recording: <unix seconds>\\t<channel>\\t<message>; server %s\n"
                % server_name)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            sock.settimeout(remaining)
            try:
                kind, channel, message = reader.read()
            except socket.timeout:
                break
            if kind != b"message":
                continue
            f.write(b"%.6f\t%s\t%s\n" % (time.time(), channel, scrub(message)))
            count += 1
    print(f"recorded {count} messages to {output}")
    return 0
