"""Realistic activity on the local stack through the client and admin APIs of both servers.

Runs in the stack's virtualenv (it signs cross-signing keys with signedjson, a Synapse
dependency). Bounded by --rounds or --seconds, or --forever until SIGINT/SIGTERM.
"""
import argparse
import base64
import collections
import copy
import hashlib
import hmac
import json
import os
import random
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

from signedjson.key import generate_signing_key, get_verify_key, encode_verify_key_base64
from signedjson.sign import sign_json

HERE = os.path.dirname(os.path.abspath(__file__))
STACK = os.path.join(os.path.dirname(HERE), "synapse-stack")


class HttpError(Exception):
    def __init__(self, status, body):
        super().__init__(f"{status} {body.get('errcode', '')} {body.get('error', '')}".strip())
        self.status = status
        self.body = body


def call(base, method, path, body=None, token=None, timeout=30):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            payload = response.read()
            return json.loads(payload) if payload else {}
    except urllib.error.HTTPError as error:
        try:
            payload = json.loads(error.read() or b"{}")
        except ValueError:
            payload = {}
        raise HttpError(error.code, payload) from None


class Server:
    def __init__(self, name, main, registration_secret, client_worker=None, stream_writer=None):
        self.name = name
        self.main = main
        # Endpoints that only some processes serve go to those processes, as a reverse proxy
        # in front of a real deployment would send them.
        self.client_worker = client_worker or main
        self.stream_writer = stream_writer or main
        self.registration_secret = registration_secret


class User:
    def __init__(self, server, localpart, password):
        self.server = server
        self.localpart = localpart
        self.user_id = f"@{localpart}:{server.name}"
        self.password = password
        self.token = None
        self.device_id = None
        self.devices = []
        self.master_key = None


class Traffic:
    def __init__(self, state, seed, with_hs2=True):
        self.with_hs2 = with_hs2
        ports = state["ports"]
        self.hs1 = Server(state["hs1_server_name"], f"http://127.0.0.1:{ports['master_client']}",
                          state["secrets"]["hs1_registration"],
                          client_worker=f"http://127.0.0.1:{ports['client1_client']}",
                          stream_writer=f"http://127.0.0.1:{ports['stream_writer1_client']}")
        self.hs2 = Server(state["hs2_server_name"], f"http://127.0.0.1:{ports['hs2_client']}",
                          state["secrets"]["hs2_registration"])
        self.password_key = state["secrets"]["hs1_macaroon"].encode()
        self.random = random.Random(seed)
        self.counts = collections.Counter()
        self.failures = collections.Counter()
        self.rooms = []
        self.sync_tokens = {}
        self.txn = int(time.time() * 1000)

    # --- plumbing -------------------------------------------------------------------------

    def act(self, name, function, *args, **kwargs):
        """Runs one action; a failure is counted and reported, never fatal."""
        try:
            result = function(*args, **kwargs)
            self.counts[name] += 1
            return result
        except (HttpError, OSError) as error:
            self.failures[f"{name}: {error}"] += 1
            return None

    def next_txn(self):
        self.txn += 1
        return str(self.txn)

    def password(self, localpart):
        return hmac.new(self.password_key, localpart.encode(), hashlib.sha256).hexdigest()[:24]

    def quote(self, value):
        return urllib.parse.quote(value, safe="")

    # --- users and devices ----------------------------------------------------------------

    def register(self, server, localpart, admin=False):
        user = User(server, localpart, self.password(localpart))
        nonce = call(server.main, "GET", "/_synapse/admin/v1/register")["nonce"]
        mac = hmac.new(server.registration_secret.encode(), digestmod=hashlib.sha1)
        mac.update(b"\x00".join([nonce.encode(), localpart.encode(), user.password.encode(),
                                 b"admin" if admin else b"notadmin"]))
        try:
            result = call(server.main, "POST", "/_synapse/admin/v1/register", {
                "nonce": nonce, "username": localpart, "password": user.password,
                "admin": admin, "mac": mac.hexdigest()})
            user.token, user.device_id = result["access_token"], result["device_id"]
            user.devices.append((user.device_id, user.token))
            self.counts["register"] += 1
        except HttpError as error:
            if error.body.get("errcode") != "M_USER_IN_USE":
                raise
            self.login(user, server.main)
        return user

    def login(self, user, base):
        """A login makes a new device: a device-list change written by the process serving it."""
        result = call(base, "POST", "/_matrix/client/v3/login", {
            "type": "m.login.password",
            "identifier": {"type": "m.id.user", "user": user.localpart},
            "password": user.password, "initial_device_display_name": "syntop traffic"})
        user.token, user.device_id = result["access_token"], result["device_id"]
        user.devices.append((user.device_id, user.token))
        self.upload_device_keys(user, base)
        return user.device_id

    def upload_device_keys(self, user, base):
        key = generate_signing_key(user.device_id)
        curve = base64.b64encode(os.urandom(32)).decode().rstrip("=")
        device_keys = {
            "user_id": user.user_id, "device_id": user.device_id,
            "algorithms": ["m.olm.v1.curve25519-aes-sha2", "m.megolm.v1.aes-sha2"],
            "keys": {f"curve25519:{user.device_id}": curve,
                     f"ed25519:{user.device_id}": encode_verify_key_base64(get_verify_key(key))},
        }
        one_time = {f"signed_curve25519:{i:06d}": sign_json(
            {"key": base64.b64encode(os.urandom(32)).decode().rstrip("=")}, user.user_id, key)
            for i in range(3)}
        call(base, "POST", "/_matrix/client/v3/keys/upload",
             {"device_keys": sign_json(device_keys, user.user_id, key), "one_time_keys": one_time},
             token=user.token)

    def with_password_auth(self, user, base, method, path, body):
        """Calls an endpoint behind user-interactive auth, answering with the password."""
        try:
            return call(base, method, path, body, token=user.token)
        except HttpError as error:
            if error.status != 401 or "session" not in error.body:
                raise
            session = error.body["session"]
        body = dict(body or {})
        body["auth"] = {"type": "m.login.password", "session": session,
                        "identifier": {"type": "m.id.user", "user": user.localpart},
                        "password": user.password}
        return call(base, method, path, body, token=user.token)

    def delete_oldest_device(self, user):
        if len(user.devices) < 3:
            return
        device_id, _ = user.devices.pop(0)
        self.with_password_auth(user, user.server.main, "DELETE",
                                f"/_matrix/client/v3/devices/{self.quote(device_id)}", {})

    def cross_sign(self, user):
        """Uploads master, self-signing and user-signing keys."""
        def cross_key(usage, key):
            public = encode_verify_key_base64(get_verify_key(key))
            key.version = public
            return {"user_id": user.user_id, "usage": [usage], "keys": {f"ed25519:{public}": public}}
        master, self_signing, user_signing = (generate_signing_key("x") for _ in range(3))
        master_key = cross_key("master", master)
        body = {"master_key": master_key,
                "self_signing_key": sign_json(cross_key("self_signing", self_signing),
                                              user.user_id, master),
                "user_signing_key": sign_json(cross_key("user_signing", user_signing),
                                              user.user_id, master)}
        self.with_password_auth(user, user.server.main, "POST",
                                "/_matrix/client/v3/keys/device_signing/upload", body)
        user.master_key = master_key
        user.user_signing = user_signing

    def sign_other_user(self, signer, target):
        """A user-signing signature of another user's master key: an is_signature
        device-list row."""
        signed = sign_json(copy.deepcopy(target.master_key), signer.user_id, signer.user_signing)
        public = next(iter(target.master_key["keys"].values()))
        result = call(signer.server.main, "POST", "/_matrix/client/v3/keys/signatures/upload",
                      {target.user_id: {public: signed}}, token=signer.token)
        if result.get("failures"):
            raise HttpError(400, {"error": json.dumps(result["failures"])[:200]})

    # --- rooms ----------------------------------------------------------------------------

    def create_room(self, user, name, invite=()):
        result = call(user.server.main, "POST", "/_matrix/client/v3/createRoom", {
            "name": name, "preset": "private_chat", "invite": [u.user_id for u in invite]},
            token=user.token)
        return result["room_id"]

    def join(self, user, room_id):
        via = "?server_name=" + self.quote(self.hs1.name) + "&server_name=" + self.quote(self.hs2.name)
        call(user.server.client_worker, "POST", f"/_matrix/client/v3/join/{self.quote(room_id)}{via}",
             {}, token=user.token)

    def membership(self, actor, room_id, action, target=None, reason=None):
        body = {}
        if target:
            body["user_id"] = target.user_id
        if reason:
            body["reason"] = reason
        call(actor.server.main, "POST", f"/_matrix/client/v3/rooms/{self.quote(room_id)}/{action}",
             body, token=actor.token)

    def send(self, user, room_id, text):
        base = self.random.choice([user.server.main, user.server.client_worker])
        return call(base, "PUT", f"/_matrix/client/v3/rooms/{self.quote(room_id)}/send/"
                    f"m.room.message/{self.next_txn()}", {"msgtype": "m.text", "body": text},
                    token=user.token)["event_id"]

    def redact(self, user, room_id, event_id):
        call(user.server.main, "PUT", f"/_matrix/client/v3/rooms/{self.quote(room_id)}/redact/"
             f"{self.quote(event_id)}/{self.next_txn()}", {"reason": "traffic"}, token=user.token)

    def redaction_without_target(self, user, room_id):
        call(user.server.main, "PUT", f"/_matrix/client/v3/rooms/{self.quote(room_id)}/send/"
             f"m.room.redaction/{self.next_txn()}", {"reason": "no target"}, token=user.token)

    def typing(self, user, room_id):
        call(user.server.stream_writer, "PUT", f"/_matrix/client/v3/rooms/{self.quote(room_id)}/"
             f"typing/{self.quote(user.user_id)}", {"typing": True, "timeout": 5000},
             token=user.token)

    def receipt(self, user, room_id, event_id):
        call(user.server.stream_writer, "POST", f"/_matrix/client/v3/rooms/{self.quote(room_id)}/"
             f"receipt/m.read/{self.quote(event_id)}", {}, token=user.token)

    def to_device(self, sender, recipient):
        call(sender.server.stream_writer, "PUT",
             f"/_matrix/client/v3/sendToDevice/m.syntop.ping/{self.next_txn()}",
             {"messages": {recipient.user_id: {"*": {"n": self.txn}}}}, token=sender.token)

    def account_data(self, user):
        call(user.server.main, "PUT", f"/_matrix/client/v3/user/{self.quote(user.user_id)}/"
             "account_data/m.syntop.settings", {"n": self.txn}, token=user.token)

    def presence(self, user):
        call(user.server.main, "PUT", f"/_matrix/client/v3/presence/{self.quote(user.user_id)}/status",
             {"presence": self.random.choice(["online", "unavailable"]), "status_msg": "busy"},
             token=user.token)

    def sync(self, user):
        since = self.sync_tokens.get(user.user_id)
        query = "?timeout=0" + (f"&since={self.quote(since)}" if since else "")
        result = call(user.server.client_worker, "GET", "/_matrix/client/v3/sync" + query,
                      token=user.token, timeout=60)
        self.sync_tokens[user.user_id] = result.get("next_batch")

    # --- the scenario ---------------------------------------------------------------------

    def setup(self):
        hs1, hs2 = self.hs1, self.hs2
        self.alice = self.register(hs1, "alice", admin=True)
        self.bob = self.register(hs1, "bob")
        self.carol = self.register(hs1, "carol")
        self.kicked = self.register(hs1, "kicked")
        self.leaver = self.register(hs1, "leaver")
        self.local = [self.alice, self.bob, self.carol]
        if self.with_hs2:
            self.zed = self.register(hs2, "zed")
            self.yara = self.register(hs2, "yara")
        for user in self.local:
            self.act("cross-signing keys", self.cross_sign, user)
        if self.alice.master_key and self.bob.master_key:
            self.act("sign another user's key", self.sign_other_user, self.alice, self.bob)

        # A room on hs1 shared with hs2: pokes for hs2 follow every device change here.
        remote_users = [self.zed] if self.with_hs2 else []
        general = self.create_room(self.alice, "general", invite=[self.bob, self.carol, *remote_users])
        for user in (self.bob, self.carol, *remote_users):
            self.act("join", self.join, user, general)
        self.rooms.append(general)
        # Events are sharded over the persisters by room: many rooms keep both of them busy.
        for index in range(10):
            project = self.act("create room", self.create_room, self.alice,
                               f"project {index}")
            if project:
                self.rooms.append(project)
        if self.with_hs2:
            self.setup_remote_room()
        self.setup_kicked(general)

    def setup_remote_room(self):
        # A room on hs2 where 'leaver' is hs1's only member: when they leave, hs1 leaves the
        # room entirely, and only local_current_membership remembers it.
        remote = self.create_room(self.zed, "hs2 lounge", invite=[self.leaver, self.yara])
        self.act("join over federation", self.join, self.leaver, remote)
        self.act("join", self.join, self.yara, remote)
        self.remote_room = remote
        self.act("message", self.send, self.leaver, remote, "hello from hs1, leaving soon")
        self.act("leave (server leaves the room)", self.membership, self.leaver, remote, "leave")

    def setup_kicked(self, general):
        # Kicked, then back; banned, unbanned, back: the membership history the History
        # screen must show exactly.
        self.act("invite", self.membership, self.alice, general, "invite", self.kicked)
        self.act("join", self.join, self.kicked, general)
        self.act("kick", self.membership, self.alice, general, "kick", self.kicked, "traffic kick")
        self.act("invite", self.membership, self.alice, general, "invite", self.kicked)
        self.act("join", self.join, self.kicked, general)
        # Synapse 1.163.2 answers 500 here (asserts a target); counted, not fatal.
        self.act("redaction without a target", self.redaction_without_target, self.alice, general)

    def round(self, number):
        room = self.rooms[0]
        speaker = self.random.choice(self.local + ([self.zed] if self.with_hs2 else []))
        event_id = self.act("message", self.send, speaker, room, f"round {number}")
        self.act("typing", self.typing, self.random.choice(self.local), room)
        if event_id:
            self.act("receipt", self.receipt, self.random.choice(self.local), room, event_id)
            if number % 4 == 0:
                self.act("redaction", self.redact, speaker, room, event_id)
        self.act("to-device", self.to_device, self.random.choice(self.local), self.random.choice(self.local))
        self.act("account data", self.account_data, self.random.choice(self.local))
        self.act("presence", self.presence, self.random.choice(self.local))
        self.act("sync", self.sync, self.random.choice(self.local))
        if number % 2 == 0:
            # Alternate the two device_lists writers: main and client1.
            user = self.random.choice(self.local)
            base = self.hs1.main if number % 4 == 0 else self.hs1.client_worker
            self.act("login (new device)", self.login, user, base)
            self.act("device deletion", self.delete_oldest_device, user)
        if number % 5 == 0:
            self.act("ban", self.membership, self.alice, room, "ban", self.kicked, "traffic ban")
            self.act("unban", self.membership, self.alice, room, "unban", self.kicked)
            self.act("invite", self.membership, self.alice, room, "invite", self.kicked)
            self.act("join", self.join, self.kicked, room)
        project_rooms = self.rooms[1:]
        if project_rooms:
            self.act("message", self.send, self.alice, project_rooms[number % len(project_rooms)],
                     f"project update {number}")
        if number % 3 == 0 and self.with_hs2:
            self.act("message (hs2)", self.send, self.yara, self.remote_room, f"hs2 round {number}")

    def fork_room(self, timeout=90):
        """A room whose history forks, as when two servers write to it while they cannot
        reach each other: hs1's inbound federation (client1) stops, hs2 changes a member's
        display name while hs1 changes the topic, then client1 starts again and hs2's event
        arrives on its own branch. hs1 is left with two forward extremities whose states
        differ (so a resolution has an auth-chain difference to walk). Returns the room ID."""
        owner = self.register(self.hs1, "forker")
        guest = self.register(self.hs2, "forked")
        room = self.create_room(owner, "fork", invite=[guest])
        self.join(guest, room)
        path = f"/_matrix/client/v3/rooms/{self.quote(room)}"
        deadline = time.monotonic() + timeout
        # Both servers see both members (a partial-state join on hs2 has finished its resync,
        # which needs hs1's inbound federation) before hs1 stops hearing hs2.
        for viewer in (owner, guest):
            while not {owner.user_id, guest.user_id} <= set(call(viewer.server.main, "GET", path + "/joined_members",
                                                                 token=viewer.token)["joined"]):
                if time.monotonic() > deadline:
                    raise OSError(f"the fork room never had both members on {viewer.server.name}")
                time.sleep(0.5)
        subprocess.run([STACK, "stop", "client1"], check=True, stdout=subprocess.DEVNULL)
        try:
            call(guest.server.main, "PUT", f"{path}/state/m.room.member/{self.quote(guest.user_id)}",
                 {"membership": "join", "displayname": "forked on hs2"}, token=guest.token)
            call(owner.server.main, "PUT", f"{path}/state/m.room.topic",
                 {"topic": "changed on hs1 while hs2 could not reach it"}, token=owner.token)
        finally:
            subprocess.run([STACK, "start", "client1"], check=True, stdout=subprocess.DEVNULL)
        # hs1's next transaction tells hs2 that hs1 is back, and hs2 catches up with its event.
        # Typing, not a message: an event sent on hs1 after hs2's arrived would merge the two.
        while True:
            member = call(owner.server.main, "GET", f"{path}/state/m.room.member/{self.quote(guest.user_id)}",
                          token=owner.token)
            if member.get("displayname") == "forked on hs2":
                return room
            if time.monotonic() > deadline:
                raise OSError("hs2's branch never reached hs1")
            self.typing(owner, room)
            time.sleep(2)

    def outage(self, seconds):
        """Stops hs2, changes devices of users who share a room with it, so outbound pokes for
        hs2 wait in the database; then starts hs2 again."""
        subprocess.run([STACK, "stop", "hs2"], check=True)
        deadline = time.monotonic() + seconds
        number = 0
        while time.monotonic() < deadline:
            user = self.local[number % len(self.local)]
            self.act("login during hs2 outage", self.login, user,
                     self.hs1.main if number % 2 else self.hs1.client_worker)
            self.act("message during hs2 outage", self.send, user, self.rooms[0], "hs2 is down")
            number += 1
            time.sleep(0.5)
        subprocess.run([STACK, "start", "hs2"], check=True)

    def report(self, started):
        print(f"traffic: {sum(self.counts.values())} actions in {time.monotonic() - started:.1f} s")
        for name, count in sorted(self.counts.items()):
            print(f"  {name:<32} {count}")
        if self.failures:
            print(f"traffic: {sum(self.failures.values())} failed actions")
            for failure, count in sorted(self.failures.items()):
                print(f"  {count:>4} x {failure}")


def main():
    parser = argparse.ArgumentParser(prog="synapse-stack traffic")
    parser.add_argument("--state", required=True, help=argparse.SUPPRESS)
    parser.add_argument("--rounds", type=int, help="stop after this many rounds")
    parser.add_argument("--seconds", type=float, help="stop after this long")
    parser.add_argument("--forever", action="store_true", help="until SIGINT or SIGTERM")
    parser.add_argument("--pause", type=float, default=0.3, help="seconds between rounds")
    parser.add_argument("--hs2-outage", type=float, metavar="SECONDS",
                        help="after setup, stop hs2 for this long while devices change")
    parser.add_argument("--without-hs2", action="store_true",
                        help="leave hs2 out (it may be stopped)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if not (args.rounds or args.seconds or args.forever):
        args.rounds = 10
    with open(args.state) as f:
        state = json.load(f)
    traffic = Traffic(state, args.seed, with_hs2=not args.without_hs2)
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    signal.signal(signal.SIGINT, lambda *_: stopping.append(True))
    started = time.monotonic()
    try:
        traffic.setup()
        # Scripts wait for this line before they break something on purpose.
        print("traffic: setup done", flush=True)
        if args.hs2_outage:
            traffic.outage(args.hs2_outage)
        number = 0
        while not stopping:
            number += 1
            traffic.round(number)
            if args.rounds and number >= args.rounds:
                break
            if args.seconds and time.monotonic() - started >= args.seconds:
                break
            time.sleep(args.pause)
    except (HttpError, OSError) as error:
        print(f"traffic: setup failed: {error}", file=sys.stderr)
        traffic.report(started)
        return 1
    traffic.report(started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
