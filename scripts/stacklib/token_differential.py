"""Differential test of `syntop token` against Synapse's own token parsers.

Generates tokens of every form Synapse writes or reads (sync and pagination tokens, sliding
sync's `<position>/<token>`) and mutations of them, parses each with Synapse's
`StreamToken.from_string` or `SlidingSyncStreamToken.from_string` (a stub store names instance
ids) and with `syntop token - --json`, and fails on any disagreement: one accepts what the
other refuses, or they read different positions. A number Synapse reads but 64 bits cannot
hold must be refused by syntop as such. Run with the stack's virtualenv's Python.
"""

import argparse
import asyncio
import json
import logging
import random
import subprocess
import sys
import time

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1

# What a number may be made of: ASCII digits, other decimal digits Python reads as digits
# (Arabic-Indic, Devanagari, fullwidth), a digit it does not read (superscript two), and the
# spaces it trims or refuses (ASCII, no-break, ideographic, a control it does not trim).
OTHER_DIGITS = ["\u0665", "\u0967", "\uff17", "\u00b2"]
SPACES = [" ", "\t", "\x0b", "\x0c", "\r", "\u00a0", "\u3000", "\u2028", "\x1c"]
NOISE = list("0123456789stm~._-/+ x") + OTHER_DIGITS + ["\u00a0", "\x1b", "\u0301", "\u00e9"]


class StubStore:
    """What the parsers ask of the database: an instance's name for its id, and back."""

    async def get_name_from_instance_id(self, instance_id):
        return f"writer{instance_id}"

    async def get_id_for_instance(self, name):
        return int(name[len("writer"):])


class Forms:
    """How a token is made: most fields plain, a few odd; `odd` the share of odd fields, so that a
    batch holds tokens Synapse reads as well as tokens it refuses."""

    def __init__(self, rng, odd):
        self.rng = rng
        self.odd = odd

    def chance(self, share):
        return self.rng.random() < share * self.odd

    def digits(self):
        rng = self.rng
        if not self.chance(1):
            return str(rng.randrange(0, 10 ** rng.randint(1, 7)))
        kind = rng.random()
        if kind < 0.3:
            # Around the 64-bit edges, on both sides.
            return str(rng.choice([INT64_MAX, INT64_MAX + 1, 2**64, 10**19, 10**20]) + rng.randint(-2, 2))
        if kind < 0.45:
            return "0" * rng.randint(1, 4) + str(rng.randrange(1000))
        if kind < 0.65:
            text = str(rng.randrange(1, 10**6))
            return "_".join(text[i:i + 2] for i in range(0, len(text), 2))
        if kind < 0.9:
            return "".join(rng.choice(OTHER_DIGITS + list("0123456789")) for _ in range(rng.randint(1, 4)))
        if kind < 0.96:
            return "1" * rng.randint(20, 60)
        return "9" * rng.choice([4300, 4301])

    def number(self, signed=True):
        text = self.digits()
        if signed and self.chance(0.3):
            text = self.rng.choice(["-", "+"]) + text
        if self.chance(0.15):
            text = self.rng.choice(SPACES) + text
        if self.chance(0.15):
            text = text + self.rng.choice(SPACES)
        return text

    def writers(self, minimum_text):
        rng = self.rng
        try:
            minimum = int(minimum_text) if len(minimum_text) < 40 else 0
        except ValueError:
            minimum = 0
        parts = []
        for _ in range(rng.randint(0, 4)):
            instance = str(rng.randrange(1, 6)) if not self.chance(0.3) else self.number()
            ahead = minimum + rng.randint(1, 50) if not self.chance(0.3) else minimum - rng.randint(0, 3)
            position = str(ahead) if not self.chance(0.2) else self.number()
            parts.append(f"{instance}.{position}")
        if self.chance(0.2):
            parts.append("")
        return "m" + minimum_text + "".join("~" + part for part in parts)

    def room_key(self):
        kind = self.rng.random()
        if kind < 0.4:
            return "s" + self.number()
        if kind < 0.7:
            # Pagination: t<depth>-<stream>, the stream negative in backfilled history.
            stream = self.number() if self.rng.random() < 0.5 else "-" + self.digits()
            return f"t{self.number()}-{stream}"
        return self.writers(self.number())

    def multi_writer_key(self):
        if self.rng.random() < 0.6:
            return self.number(signed=False)
        return self.writers(self.number(signed=False))

    def token(self):
        rng = self.rng
        count = 14 if not self.chance(0.5) else rng.choice([rng.randint(1, 13), rng.randint(15, 16)])
        fields = [self.room_key()]
        for index in range(1, count):
            fields.append(self.multi_writer_key() if index in MULTI_WRITER else self.number())
        text = "_".join(fields)
        if rng.random() < 0.25:
            text = self.number() + "/" + text
        return text


MULTI_WRITER = {3, 7, 11, 12}


def mutate(rng, text):
    for _ in range(rng.randint(1, 3)):
        if not text:
            return text
        place = rng.randrange(len(text))
        kind = rng.random()
        if kind < 0.3:
            text = text[:place] + text[place + 1:]
        elif kind < 0.5:
            text = text[:place] + text[place] + text[place:]
        elif kind < 0.85:
            text = text[:place] + rng.choice(NOISE) + text[place + 1:]
        else:
            fields = text.split("_")
            fields[rng.randrange(len(fields))] = ""
            text = "_".join(fields)
    return text


def generate(rng, count):
    tokens = []
    while len(tokens) < count:
        text = Forms(rng, rng.choice([0, 0.01, 0.03, 0.1, 0.3])).token()
        if rng.random() < 0.3:
            text = mutate(rng, text)
        # A line of the input is a token: no newline inside one.
        tokens.append(text.replace("\n", ""))
    return tokens


def int_values(parsed):
    """Every number Synapse read into a token, and the room key's (which syntop negates for
    backfill, so -2^63 cannot be held there)."""
    stream_token = parsed.stream_token if hasattr(parsed, "stream_token") else parsed
    values = [parsed.connection_position] if hasattr(parsed, "connection_position") else []
    room = stream_token.room_key
    room_values = [room.stream] + list(room.instance_map.values())
    values += [room.topological or 0] + [int(name[len("writer"):]) for name in room.instance_map]
    for name in ("presence_key", "typing_key", "account_data_key", "push_rules_key", "to_device_key",
                 "groups_key", "un_partial_stated_rooms_key", "thread_subscriptions_key", "profile_updates_key"):
        values.append(getattr(stream_token, name))
    for name in ("receipt_key", "device_list_key", "sticky_events_key", "quarantined_media_key"):
        key = getattr(stream_token, name)
        values += [key.stream] + list(key.instance_map.values())
        values += [int(instance[len("writer"):]) for instance in key.instance_map]
    return values, room_values


async def synapse_reads(tokens):
    from synapse.api.errors import SynapseError
    from synapse.types import SlidingSyncStreamToken, StreamToken

    store = StubStore()
    answers = []
    for text in tokens:
        try:
            if "/" in text:
                parsed = await SlidingSyncStreamToken.from_string(store, text)
                written = await parsed.to_string(store)
                room_stream = parsed.stream_token.room_key.stream
            else:
                parsed = await StreamToken.from_string(store, text)
                written = await parsed.to_string(store)
                room_stream = parsed.room_key.stream
        except SynapseError:
            answers.append({"refused": True})
            continue
        values, room_values = int_values(parsed)
        beyond = any(not INT64_MIN <= v <= INT64_MAX for v in values) or \
            any(not -INT64_MAX <= v <= INT64_MAX for v in room_values)
        answers.append({"refused": False, "written": written, "beyond": beyond, "backfill": room_stream < 0,
                        "room_stream": room_stream})
    return answers


def syntop_reads(syntop, tokens):
    done = subprocess.run([syntop, "token", "-", "--json"], input="\n".join(tokens).encode() + b"\n",
                          capture_output=True, timeout=600)
    # Only newline ends a line: a token may hold other line separators, which JSON leaves as they are.
    lines = done.stdout.decode().split("\n")[:-1]
    if len(lines) != len(tokens):
        sys.exit(f"syntop token - answered {len(lines)} lines for {len(tokens)} tokens (exit {done.returncode}): "
                 f"{done.stderr.decode()[:500]}")
    return [json.loads(line) for line in lines]


def disagreement(expected, got):
    if expected["refused"]:
        return None if "refused" in got else "Synapse refuses it, syntop reads it"
    if expected["beyond"]:
        if "cannot hold" in got.get("refused", ""):
            return None
        return "Synapse reads a number past 64 bits, which syntop must refuse as such"
    if "refused" in got:
        return f"Synapse reads it, syntop refuses it: {got['refused']}"
    check = got["check"]
    written = "_".join(field["token"] for field in check["fields"])
    if "connection_position" in check:
        written = f"{check['connection_position']}/{written}"
    if written != expected["written"]:
        return f"read differently: Synapse {expected['written']!r}, syntop {written!r}"
    room = check["fields"][0]
    stream = "backfill" if expected["backfill"] else "events"
    if room["stream"] != stream:
        return f"the room key follows {room['stream']}, not {stream}"
    if expected["backfill"] and room["furthest"] != -expected["room_stream"]:
        return f"backfill position {room['furthest']}, not {-expected['room_stream']}"
    return None


def run_batch(syntop, rng, count, totals):
    tokens = generate(rng, count)
    expected = asyncio.run(synapse_reads(tokens))
    got = syntop_reads(syntop, tokens)
    failures = 0
    for text, want, have in zip(tokens, expected, got):
        why = disagreement(want, have)
        if why is None:
            kind = "refused" if want["refused"] else ("beyond" if want["beyond"] else "read")
            totals[kind] += 1
            continue
        failures += 1
        if failures <= 20:
            print(f"DISAGREE {text!r}: {why}")
    return failures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--syntop", required=True)
    parser.add_argument("--count", type=int, default=5000, help="tokens a batch")
    parser.add_argument("--seconds", type=float, default=0, help="keep going with new batches this long")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    sys.set_int_max_str_digits(4300)
    logging.disable(logging.CRITICAL)
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    rng = random.Random(seed)
    totals = {"read": 0, "refused": 0, "beyond": 0}
    failures = 0
    started = time.monotonic()
    batches = 0
    while True:
        failures += run_batch(args.syntop, rng, args.count, totals)
        batches += 1
        if time.monotonic() - started >= args.seconds:
            break
    compared = sum(totals.values()) + failures
    print(f"tokens: {compared} compared with Synapse's parsers (seed {seed}, {batches} batch(es)): "
          f"{totals['read']} read alike, {totals['refused']} refused by both, "
          f"{totals['beyond']} past 64 bits refused as such, {failures} disagree")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
