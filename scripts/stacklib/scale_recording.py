"""The recording generator of scripts/bench-scale: the replication traffic of a deployment at
matrix.org's scale, shaped after real captures. Standard library only.

  generate OUTPUT [options]   write a recording
  publish PORT CHANNEL FILE RATE   publish a recording's messages at RATE a second (0: as fast as
                              Redis takes them), then the sentinel END

The processes: main, event persisters, client readers, sync workers, federation senders and
readers, device-list writers, one writer per other stream, a background worker and pushers, in
the proportions of a large deployment. Rows are the fixture recordings' rows for their stream
(real shapes) under the generated writers' names and ids.
"""
import argparse
import os
import random
import socket
import sys
import time

START = 1_800_000_000.0


def deployment(processes):
    """Instance names, and which streams each writes."""
    share = lambda fraction: max(1, round(processes * fraction))
    # The main process is `master` on the wire and `main` in instance_map.
    names = {"main": ["master"]}
    names["event_persister"] = [f"event_persister{i}" for i in range(1, share(0.17) + 1)]
    names["federation_sender"] = [f"federation_sender{i}" for i in range(1, share(0.067) + 1)]
    names["federation_reader"] = [f"federation_reader{i}" for i in range(1, share(0.05) + 1)]
    names["device_lists"] = [f"device_lists{i}" for i in range(1, share(0.034) + 1)]
    names["stream"] = ["typing1", "to_device1", "account_data1", "receipts1", "presence1"]
    names["other"] = ["background1", "pusher1", "pusher2"]
    names["synchrotron"] = [f"synchrotron{i}" for i in range(1, share(0.1) + 1)]
    used = sum(len(v) for v in names.values())
    names["client_reader"] = [f"client_reader{i}" for i in range(1, max(1, processes - used) + 1)]
    everyone = [n for group in names.values() for n in group]
    writers = {
        "events": names["event_persister"],
        "device_lists": names["device_lists"],
        "typing": ["typing1"],
        "to_device": ["to_device1"],
        "account_data": ["account_data1"],
        "receipts": ["receipts1"],
        "presence": ["presence1"],
        "caches": everyone,
    }
    return everyone, writers, names


def write_config(directory, processes, server_name):
    """homeserver.yaml and one worker file per worker, as such a deployment configures them,
    without secrets and without a database (syntop says Synapse would use SQLite): what syntop
    reads from them is the roles."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import yamlout
    everyone, writers, names = deployment(processes)
    port = iter(range(20000, 30000))
    ports = {name: next(port) for name in everyone}
    single = lambda stream: writers[stream][0]
    homeserver = {
        "server_name": server_name,
        "redis": {"enabled": True, "host": "127.0.0.1", "port": 6379},
        "instance_map": {("main" if name == "master" else name): {"host": "10.0.0.1", "port": ports[name]}
                         for name in ["master", *names["event_persister"], *names["device_lists"],
                                      *names["stream"]]},
        "stream_writers": {
            "events": names["event_persister"],
            "device_lists": names["device_lists"],
            "typing": single("typing"), "to_device": single("to_device"),
            "account_data": single("account_data"), "receipts": single("receipts"),
            "presence": single("presence"),
        },
        "federation_sender_instances": names["federation_sender"],
        "pusher_instances": ["pusher1", "pusher2"],
        "run_background_tasks_on": "background1",
        "listeners": [{"port": 8008, "type": "http", "resources": [{"names": ["client"]}]},
                      {"port": ports["master"], "type": "http", "resources": [{"names": ["replication"]}]}],
    }
    os.makedirs(os.path.join(directory, "workers"), exist_ok=True)
    with open(os.path.join(directory, "homeserver.yaml"), "w") as f:
        f.write("# bench-scale deployment\n" + yamlout.dump(homeserver) + "\n")
    for name in everyone:
        if name == "master":
            continue
        worker = {"worker_app": "synapse.app.generic_worker", "worker_name": name,
                  "worker_listeners": [{"port": ports[name], "type": "http",
                                        "resources": [{"names": ["replication"]}]}]}
        with open(os.path.join(directory, "workers", name + ".yaml"), "w") as f:
            f.write(yamlout.dump(worker) + "\n")


def fixture_rows(paths):
    """Row JSON per stream, and USER_SYNC argument tails, from real recordings."""
    rows = {}
    for path in paths:
        for line in open(path, "rb"):
            if line.startswith(b"#") or line.count(b"\t") < 2:
                continue
            message = line.rstrip(b"\n").split(b"\t", 2)[2]
            if message.startswith(b"RDATA "):
                parts = message.split(b" ", 4)
                if len(parts) == 5:
                    rows.setdefault(parts[1].decode(), []).append(parts[4])
    return rows


# Messages a second, by kind, as fractions of the rate.
MIX = [
    ("caches", 0.30), ("events", 0.25), ("position", 0.15), ("device_lists", 0.08),
    ("receipts", 0.06), ("to_device", 0.05), ("typing", 0.04), ("presence", 0.03),
    ("account_data", 0.02), ("user_sync", 0.015), ("federation_ack", 0.005),
]


def generate(args):
    if args.config:
        write_config(args.config, args.processes, args.server_name)
    everyone, writers, names = deployment(args.processes)
    rows = fixture_rows(args.fixtures)
    random.seed(args.seed)
    kinds = [k for k, _ in MIX]
    weights = [w for _, w in MIX]
    # One id sequence per stream (multi-writer streams share it, as Synapse's do), and each
    # writer's last id for its POSITION lines.
    sequence = {stream: 1000 for stream in writers}
    last = {}
    stalled, stall_at = (args.stall.split("@") + [None])[:2] if args.stall else (None, None)
    stall_at = float(stall_at) if stall_at is not None else None
    written = 0
    lines = 0
    second = 0
    with open(args.output, "wb", buffering=1 << 20) as out:
        out.write(b"# bench-scale recording: %d processes\n" % len(everyone))
        while True:
            burst = args.burst_at <= second < args.burst_at + args.burst_seconds
            rate = args.burst_rate if burst else args.rate
            for index in range(rate):
                at = START + second + index / rate
                kind = random.choices(kinds, weights)[0]
                if kind == "position":
                    stream = random.choice(list(writers))
                    kind = "position"
                else:
                    stream = kind
                if kind == "user_sync":
                    process = names["synchrotron"][index % len(names["synchrotron"])]
                    message = b"USER_SYNC %s @user%d:example.org DEVICE%d start %d" % (
                        process.encode(), index % 5000, index % 97, int(at * 1000))
                elif kind == "federation_ack":
                    sender = random.choice(names["federation_sender"])
                    message = b"FEDERATION_ACK %s %d" % (sender.encode(), sequence["events"])
                else:
                    choices = writers[stream]
                    if stalled and second >= stall_at:
                        choices = [w for w in choices if w != stalled] or choices
                    writer = random.choice(choices)
                    if kind == "position":
                        token = last.get((stream, writer), sequence[stream])
                        message = b"POSITION %s %s %d %d" % (stream.encode(), writer.encode(), token, token)
                    else:
                        sequence[stream] += 1
                        token = sequence[stream]
                        last[(stream, writer)] = token
                        row = random.choice(rows[stream])
                        message = b"RDATA %s %s %d %s" % (stream.encode(), writer.encode(), token, row)
                line = b"%.6f\t%s\t%s\n" % (at, args.server_name.encode(), message)
                out.write(line)
                written += len(line)
                lines += 1
            second += 1
            if args.bytes:
                if written >= args.bytes:
                    break
            elif second >= args.seconds:
                break
    print(f"{lines} {written} {second}")


def publish(port, channel, path, rate):
    """Publishes a recording's messages at `rate` a second (0: unpaced), then END."""
    messages = [line.rstrip(b"\n").split(b"\t", 2)[2]
                for line in open(path, "rb") if not line.startswith(b"#")]
    sock = socket.create_connection(("127.0.0.1", port))
    channel = channel.encode()
    head = b"*3\r\n$7\r\nPUBLISH\r\n$%d\r\n%s\r\n" % (len(channel), channel)
    replies = 0
    pending = b""

    def drain(block):
        nonlocal replies, pending
        sock.setblocking(block)
        try:
            while True:
                data = sock.recv(1 << 20)
                if not data:
                    return
                pending += data
                replies += pending.count(b"\r\n")
                pending = pending[pending.rfind(b"\r\n") + 2:] if b"\r\n" in pending else pending
                if not block:
                    continue
                return
        except BlockingIOError:
            return
        finally:
            sock.setblocking(True)

    started = time.monotonic()
    batch = 500 if rate == 0 else max(1, rate // 100)
    sent = 0
    for start in range(0, len(messages), batch):
        chunk = messages[start:start + batch]
        sock.sendall(b"".join(head + b"$%d\r\n%s\r\n" % (len(m), m) for m in chunk))
        sent += len(chunk)
        drain(False)
        if rate:
            due = started + sent / rate
            pause = due - time.monotonic()
            if pause > 0:
                time.sleep(pause)
    sock.sendall(head + b"$3\r\nEND\r\n")
    sent += 1
    while replies < sent:
        drain(True)
    elapsed = time.monotonic() - started
    print(f"{sent} {elapsed:.3f}")


def main():
    parser = argparse.ArgumentParser()
    verbs = parser.add_subparsers(dest="verb", required=True)
    make = verbs.add_parser("generate")
    make.add_argument("output")
    make.add_argument("--processes", type=int, default=119)
    make.add_argument("--seconds", type=int, default=150)
    make.add_argument("--rate", type=int, default=5000)
    make.add_argument("--burst-at", type=int, default=60)
    make.add_argument("--burst-seconds", type=int, default=10)
    make.add_argument("--burst-rate", type=int, default=50000)
    make.add_argument("--bytes", type=int, default=0, help="write until this size instead of --seconds")
    make.add_argument("--stall", help="WRITER@SECOND: the writer goes silent from then on")
    make.add_argument("--server-name", default="example.org")
    make.add_argument("--seed", type=int, default=13)
    make.add_argument("--config", help="also write the deployment's homeserver.yaml and workers/ here")
    make.add_argument("--fixtures", nargs="+", default=sorted(
        os.path.join("Tests/Fixtures/recordings", f) for f in os.listdir("Tests/Fixtures/recordings")))
    send = verbs.add_parser("publish")
    send.add_argument("port", type=int)
    send.add_argument("channel")
    send.add_argument("file")
    send.add_argument("rate", type=int)
    args = parser.parse_args()
    if args.verb == "generate":
        generate(args)
    else:
        publish(args.port, args.channel, args.file, args.rate)


if __name__ == "__main__":
    sys.exit(main())
