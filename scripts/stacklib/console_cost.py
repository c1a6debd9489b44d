"""What syntop costs a database while it is left open: the console on each screen (and the
drill-downs of the heaviest user, the biggest room and the destination with the most pokes) at
the default refresh, and the exporter, measured from PostgreSQL's own statement durations.

PostgreSQL logs every statement of syntop's role in the bench database (parse, bind and
execute, each with its duration); each scenario runs the real binary (the console in tmux) for
a warm-up and then a measured window, and the log lines of that window are summed. With two
binaries, each scenario runs with one then the other, so both figures come from the same run.
Prints, per scenario and binary: database time per minute, share of one core, statements per
minute, the slowest statement, and the first read (the statements of the first 1.8 seconds after
the screen opens, from a screen that costs next to nothing).
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STACK = os.path.join(ROOT, "scripts", "synapse-stack")
# Seconds after a screen opens counted as its first read (a refresh comes every 2 s).
FIRST_READ_WINDOW = 1.8
DURATION = re.compile(r"^\S+ \S+ \S+ \[(\d+)\] LOG:  duration: ([0-9.]+) ms  (parse|bind|execute|statement)[^:]*: ?(.*)$")

# (name, keys before the measured screen opens, keys that open it). The console starts on
# Pokes; a scenario first moves to a screen of its own (`w` moves to the Pokes screen's
# destinations), then opens what it measures.
SCENARIOS = [
    ("Pokes", ["2"], ["1"]),
    ("Roles", ["3"], ["2"]),
    ("Positions", ["2"], ["3"]),
    ("History, heaviest user (@u0)", ["2"], [":user @u0:bench.local", "Enter"]),
    ("Rooms", ["2"], ["5"]),
    ("Room drill-down, biggest room (!r0)", ["2"], [":room !r0:bench.local", "Enter"]),
    ("Pokes + drill-down, most pokes", ["1", "w"], ["Enter"]),
]


def sql(statement):
    subprocess.run([STACK, "sql", "--database", "synapse_bench", statement], check=True, capture_output=True)


class Log:
    def __init__(self, path):
        self.path = path

    def offset(self):
        return os.path.getsize(self.path)

    def statements(self, start, end):
        """Each statement's duration (parse + bind + execute of one backend) and its first words."""
        with open(self.path, "rb") as f:
            f.seek(start)
            text = f.read(end - start).decode("utf-8", "replace")
        pending = {}
        done = []
        for line in text.splitlines():
            match = DURATION.match(line)
            if not match:
                continue
            pid, ms, phase, query = match.group(1), float(match.group(2)), match.group(3), match.group(4)
            if phase in ("parse", "bind"):
                pending[pid] = pending.get(pid, 0.0) + ms
                continue
            done.append((pending.pop(pid, 0.0) + ms, " ".join(query.split())[:70]))
        return done


def tmux(*args):
    return subprocess.run(["tmux", *args], capture_output=True, text=True)


def console(binary, conninfo, env, log, seconds, warm, opening, keys):
    tmux("kill-session", "-t", "syntop-cost")
    # Nothing of the stack's environment: the database named, no Redis, no config.
    command = ("exec env -u SYNTOP_REDIS -u SYNTOP_CONFIG -u SYNTOP_WORKER_CONFIGS -u SYNTOP_SERVER_NAME -u SYNTOP_DB "
               f"{binary} console --db '{conninfo}'")
    tmux("new-session", "-d", "-s", "syntop-cost", "-x", "120", "-y", "40", *sum((["-e", f"{k}={v}"] for k, v in env.items()), []),
         command)
    time.sleep(6)
    for key in opening:
        tmux("send-keys", "-t", "syntop-cost", key)
    time.sleep(3)
    # The first read: the statements of the screen's first round, which starts at once, and
    # of whatever else ran in that time (the cheap screen before it).
    start = log.offset()
    for key in keys:
        tmux("send-keys", "-t", "syntop-cost", *(["Enter"] if key == "Enter" else ["-l", key]))
    time.sleep(FIRST_READ_WINDOW)
    first = log.statements(start, log.offset())
    time.sleep(warm)
    middle = log.offset()
    time.sleep(seconds)
    steady = log.statements(middle, log.offset())
    screen = tmux("capture-pane", "-p", "-t", "syntop-cost").stdout
    tmux("kill-session", "-t", "syntop-cost")
    return first, steady, screen


def exporter(binary, conninfo, env, log, seconds, warm):
    listen = "127.0.0.1:0"
    clean = {k: v for k, v in os.environ.items() if k not in ("SYNTOP_REDIS", "SYNTOP_CONFIG", "SYNTOP_WORKER_CONFIGS",
                                                                "SYNTOP_SERVER_NAME", "SYNTOP_DB")}
    process = subprocess.Popen([binary, "exporter", "--db", conninfo, "--listen", listen],
                               env={**clean, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(warm)
    middle = log.offset()
    time.sleep(seconds)
    steady = log.statements(middle, log.offset())
    process.terminate()
    process.wait()
    return [], steady, ""


def figures(first, steady, seconds):
    total = sum(ms for ms, _ in steady)
    per_minute = total * 60 / seconds
    return {
        "ms_per_minute": per_minute,
        "core": per_minute / 60000 * 100,
        "statements_per_minute": len(steady) * 60 / seconds,
        "slowest": max((ms for ms, _ in steady), default=0.0),
        "first": sum(ms for ms, _ in first),
        "first_slowest": max((ms for ms, _ in first), default=0.0),
    }


def heaviest(steady, count=3):
    by_query = {}
    for ms, query in steady:
        total, calls = by_query.get(query, (0.0, 0))
        by_query[query] = (total + ms, calls + 1)
    return sorted(by_query.items(), key=lambda item: -item[1][0])[:count]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--conninfo", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--warm", type=float, default=10)
    parser.add_argument("--only", default="", help="scenarios whose name contains this")
    parser.add_argument("--screens", action="store_true", help="print each screen as it stood at the end")
    parser.add_argument("binaries", nargs="+", help="LABEL=PATH")
    args = parser.parse_args()
    binaries = [entry.split("=", 1) for entry in args.binaries]
    log = Log(args.log)
    config = tempfile.mkdtemp()
    env = {"LANG": "C.UTF-8", "TERM": "tmux-256color", "XDG_CONFIG_HOME": config,
           "PGPASSFILE": os.environ.get("PGPASSFILE", "")}
    sql("ALTER ROLE syntop_reader IN DATABASE synapse_bench SET log_min_duration_statement = 0")
    print(f"console and exporter at the default refresh (2 s), {args.seconds:.0f} s measured after {args.warm:.0f} s,"
          " database time from PostgreSQL's log of syntop_reader's statements:")
    print(f"  {'':40} {'':8} {'ms/min':>9} {'core':>6} {'stmts/min':>9} {'slowest':>8} {'first read':>10}")
    try:
        scenarios = [(name, "console", opening, keys) for name, opening, keys in SCENARIOS]
        scenarios.append(("Exporter (its own schedule)", "exporter", [], []))
        for name, kind, opening, keys in scenarios:
            if args.only and args.only not in name:
                continue
            for label, binary in binaries:
                if kind == "console":
                    first, steady, screen = console(binary, args.conninfo, env, log, args.seconds, args.warm, opening, keys)
                else:
                    first, steady, screen = exporter(binary, args.conninfo, env, log, args.seconds, args.warm)
                f = figures(first, steady, args.seconds)
                first_text = f"{f['first']:8.0f} ms" if kind == "console" else ""
                print(f"  {name:40} {label:8} {f['ms_per_minute']:9.0f} {f['core']:5.2f}% {f['statements_per_minute']:9.0f}"
                      f" {f['slowest']:6.1f}ms {first_text:>10}", flush=True)
                for query, (total, calls) in heaviest(steady):
                    print(f"  {'':49} {total * 60 / args.seconds:7.0f} ms/min in {calls:4} x {query[:60]}")
                if args.screens and screen:
                    print(screen)
    finally:
        sql("ALTER ROLE syntop_reader IN DATABASE synapse_bench RESET log_min_duration_statement")
        shutil.rmtree(config, ignore_errors=True)


if __name__ == "__main__":
    main()
