"""Helpers of scripts/bench-ingest: build a large recording, publish it through Redis, and time
Synapse's own parser on it. Standard library only, except `synapse-parse`, which runs in the
stack's virtualenv."""
import os
import socket
import sys
import time


def messages(recordings):
    out = []
    for path in recordings:
        for line in open(path, "rb"):
            if not line.startswith(b"#") and line.count(b"\t") >= 2:
                time_, channel, message = line.rstrip(b"\n").split(b"\t", 2)
                if not channel.endswith(b"/USER_IP"):
                    out.append(message)
    return out


def build(count, output, recordings):
    """A recording of `count` real messages, the fixtures repeated."""
    source = messages(recordings)
    with open(output, "wb") as f:
        f.write(b"# bench-ingest corpus\n")
        for index in range(count):
            f.write(b"%.6f\tbench\t%s\n" % (1_800_000_000 + index / 1e5, source[index % len(source)]))


def publish(port, channel, count, recordings):
    """Publishes `count` messages, then the sentinel END, pipelined on one connection."""
    source = messages(recordings)
    sock = socket.create_connection(("127.0.0.1", port))
    channel = channel.encode()
    head = b"*3\r\n$7\r\nPUBLISH\r\n$%d\r\n%s\r\n" % (len(channel), channel)
    batch = []
    sent = 0
    for index in range(count + 1):
        message = source[index % len(source)] if index < count else b"END"
        batch.append(head + b"$%d\r\n%s\r\n" % (len(message), message))
        if len(batch) == 2000 or index == count:
            sock.sendall(b"".join(batch))
            sent += len(batch)
            batch = []
    # One reply per PUBLISH; read them all so the server has processed everything.
    replies = 0
    buffer = b""
    while replies < sent:
        buffer += sock.recv(1 << 20)
        replies = buffer.count(b"\r\n")
    sock.close()


def synapse_parse(path):
    """Synapse's receive path for each line: parse_command_from_line, and for RDATA the
    stream's parse_row, as ReplicationCommandHandler.on_RDATA does."""
    from synapse.replication.tcp.commands import RdataCommand, parse_command_from_line
    from synapse.replication.tcp.streams import STREAMS_MAP
    lines = [line.rstrip(b"\n").split(b"\t", 2)[2].decode()
             for line in open(path, "rb") if not line.startswith(b"#")]
    started = time.perf_counter()
    for line in lines:
        command = parse_command_from_line(line)
        if isinstance(command, RdataCommand):
            STREAMS_MAP[command.stream_name].parse_row(command.row)
    elapsed = time.perf_counter() - started
    print(f"{len(lines)} {elapsed:.6f}")


if __name__ == "__main__":
    verb = sys.argv[1]
    if verb == "build":
        build(int(sys.argv[2]), sys.argv[3], sys.argv[4:])
    elif verb == "publish":
        publish(int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5:])
    elif verb == "synapse-parse":
        synapse_parse(sys.argv[2])
