"""Orchestration of the local Synapse stack: config, processes, state. Standard library only."""
import argparse
import json
import os
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import yamlout

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# SYNTOP_STACK_DIR lets the integration tests run a stack of their own beside the demo's;
# both use the one virtualenv.
STATE = os.environ.get("SYNTOP_STACK_DIR", os.path.join(ROOT, ".stack"))
VENV = os.path.join(ROOT, ".stack", "venv")
PYTHON = os.path.join(VENV, "bin", "python")
SYNAPSE_VERSION = "1.163.2"
HS1 = os.path.join(STATE, "hs1")
HS2 = os.path.join(STATE, "hs2")
PIDS = os.path.join(STATE, "pids")
LOGS = os.path.join(STATE, "logs")
PGDATA = os.path.join(STATE, "pg")
RUN = os.path.join(STATE, "run")
STATE_FILE = os.path.join(STATE, "state.json")

# The processes of hs1 and what each is for. Every role syntop shows exists at least once.
WORKERS = {
    "event_persister1": {"listeners": ["replication"], "role": "events writer, shard 1 of 2"},
    "event_persister2": {"listeners": ["replication"], "role": "events writer, shard 2 of 2"},
    "stream_writer1": {"listeners": ["replication", "client"],
                       "role": "typing, to_device and receipts writer"},
    "client1": {"listeners": ["replication", "client", "federation"],
                "role": "client traffic and sync, second device_lists writer, inbound federation"},
    "federation_sender1": {"listeners": ["health"], "role": "federation sender"},
    "background1": {"listeners": ["health"], "role": "background tasks (run_background_tasks_on)"},
}
# The one process of hs1 that serves no metrics.
WITHOUT_METRICS = "background1"
ROLES = {"postgres": "PostgreSQL 15 (shared database of hs1)", "redis": "Redis (replication bus)",
         "master": "hs1 main process: client API, admin API, presence, account data, "
                   "first device_lists writer",
         **{name: spec["role"] for name, spec in WORKERS.items()},
         "hs2": "second homeserver (monolith, SQLite), federates with hs1"}
SYNAPSE_PROCESSES = ["master", *WORKERS, "hs2"]


def log(message):
    print(f"synapse-stack: {message}", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load_state():
    if not os.path.exists(STATE_FILE):
        return None
    with open(STATE_FILE) as f:
        return json.load(f)


def create_state():
    """Ports and secrets, chosen once and kept: the server name contains a port and the
    database remembers the server name."""
    ports = {"postgres": free_port(), "redis": free_port(), "master_client": free_port(),
             "master_replication": free_port(), "hs2_federation": free_port(),
             "hs2_client": free_port()}
    for name, spec in WORKERS.items():
        for listener in spec["listeners"]:
            ports[f"{name}_{listener}"] = free_port()
    state = {
        "ports": ports,
        "hs1_server_name": f"test.local:{ports['client1_federation']}",
        "hs2_server_name": f"127.0.0.1:{ports['hs2_federation']}",
        "secrets": {key: secrets.token_urlsafe(24) for key in (
            "postgres_synapse", "postgres_reader", "hs1_registration", "hs1_macaroon",
            "hs1_form", "hs1_replication", "hs2_registration", "hs2_macaroon", "hs2_form")},
    }
    os.makedirs(STATE, exist_ok=True)
    with open(os.open(STATE_FILE, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
        json.dump(state, f, indent=2)
    return state


def run(command, **kwargs):
    return subprocess.run(command, check=True, **kwargs)


# --- virtualenv ---------------------------------------------------------------------------

def ensure_venv():
    marker = os.path.join(VENV, f".synapse-{SYNAPSE_VERSION}")
    if os.path.exists(marker):
        return
    started = time.monotonic()
    log(f"creating the virtualenv with matrix-synapse {SYNAPSE_VERSION} (once)")
    run([sys.executable, "-m", "venv", VENV])
    run([PYTHON, "-m", "pip", "install", "-q", "--disable-pip-version-check",
         f"matrix-synapse[postgres,redis]=={SYNAPSE_VERSION}"])
    open(marker, "w").close()
    log(f"virtualenv ready in {time.monotonic() - started:.1f} s")


# --- process helpers ------------------------------------------------------------------------

def pid_file(name):
    return os.path.join(PIDS, name + ".pid")


def read_pid(name):
    try:
        with open(pid_file(name)) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def alive(pid, needle=None):
    """Running and not a zombie (orphans may be reaped late), and, if given, the command line
    contains needle (the PID may have been reused)."""
    if not pid:
        return False
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        if state in ("Z", "X"):
            return False
        if needle:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                return needle.encode() in f.read()
        return True
    except OSError:
        return False


def process_needle(name):
    if name == "redis":
        return "redis-server"
    if name == "hs2":
        return os.path.join(HS2, "homeserver.yaml")
    if name == "master":
        return os.path.join(HS1, "homeserver.yaml")
    return os.path.join(HS1, "workers", name + ".yaml")


def running(name):
    if name == "postgres":
        return postgres_pid() is not None
    return alive(read_pid(name), process_needle(name))


def spawn(name, command, env=None):
    os.makedirs(PIDS, exist_ok=True)
    os.makedirs(LOGS, exist_ok=True)
    output = open(os.path.join(LOGS, name + ".out"), "ab")
    process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL, start_new_session=True,
                               env=env or os.environ.copy())
    with open(pid_file(name), "w") as f:
        f.write(str(process.pid))
    return process.pid


def stop_processes(names, timeout=15):
    """SIGTERM to all at once, then wait; SIGKILL what is left after the timeout."""
    targets = {}
    for name in names:
        pid = read_pid(name)
        if alive(pid, process_needle(name)):
            os.kill(pid, signal.SIGTERM)
            targets[name] = pid
    deadline = time.monotonic() + timeout
    while targets and time.monotonic() < deadline:
        targets = {n: p for n, p in targets.items() if alive(p)}
        time.sleep(0.05)
    for name, pid in targets.items():
        log(f"{name} ({pid}) did not stop in {timeout} s: SIGKILL")
        os.kill(pid, signal.SIGKILL)
    for name in names:
        if os.path.exists(pid_file(name)):
            os.remove(pid_file(name))


def tail(path, lines=30):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return "(no log)"


def wait_healthy(name, url, timeout=90):
    deadline = time.monotonic() + timeout
    pid = read_pid(name)
    while time.monotonic() < deadline:
        if not alive(pid):
            raise SystemExit(f"synapse-stack: {name} exited while starting; its log ends:\n"
                             + tail(os.path.join(LOGS, name + ".log"))
                             + tail(os.path.join(LOGS, name + ".out")))
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.read().strip() == b"OK":
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"synapse-stack: {name} not healthy after {timeout} s ({url})")


# --- PostgreSQL -----------------------------------------------------------------------------

def pg_bin(tool):
    try:
        bindir = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True,
                                check=True).stdout.strip()
        if os.path.exists(os.path.join(bindir, tool)):
            return os.path.join(bindir, tool)
    except (OSError, subprocess.CalledProcessError):
        pass
    for version in ("17", "16", "15"):
        candidate = f"/usr/lib/postgresql/{version}/bin/{tool}"
        if os.path.exists(candidate):
            return candidate
    raise SystemExit(f"synapse-stack: no PostgreSQL {tool}; run scripts/install-deps stack")


def as_postgres_user(command):
    """PostgreSQL refuses to run as root: as root, its commands run as the postgres user."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


def postgres_pid():
    try:
        with open(os.path.join(PGDATA, "postmaster.pid")) as f:
            pid = int(f.readline())
    except (OSError, ValueError):
        return None
    return pid if alive(pid, "postgres") else None


def psql(state, sql, database="postgres"):
    return subprocess.run(
        as_postgres_user([pg_bin("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", RUN,
                          "-p", str(state["ports"]["postgres"]), "-U", "postgres",
                          "-d", database, "-tA", "-c", sql]),
        check=True, capture_output=True, text=True).stdout.strip()


def start_postgres(state):
    port = state["ports"]["postgres"]
    os.makedirs(RUN, exist_ok=True)
    if not os.path.exists(os.path.join(PGDATA, "PG_VERSION")):
        os.makedirs(PGDATA, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(PGDATA, "postgres", "postgres")
        run(as_postgres_user([pg_bin("initdb"), "-D", PGDATA, "-U", "postgres", "-A", "trust",
                              "-E", "UTF8", "--locale=C"]), stdout=subprocess.DEVNULL)
        with open(os.path.join(PGDATA, "postgresql.conf"), "a") as f:
            # A scratch cluster: durability buys nothing here and slows schema creation.
            f.write(f"\nport = {port}\nlisten_addresses = '127.0.0.1'\n"
                    f"unix_socket_directories = '{RUN}'\nfsync = off\n"
                    "synchronous_commit = off\nfull_page_writes = off\n")
        with open(os.path.join(PGDATA, "pg_hba.conf"), "w") as f:
            f.write("local all postgres trust\n"
                    "host all all 127.0.0.1/32 scram-sha-256\n")
    if os.geteuid() == 0:
        shutil.chown(RUN, "postgres", "postgres")
    if postgres_pid() is None:
        run(as_postgres_user([pg_bin("pg_ctl"), "-D", PGDATA, "-w", "-l",
                              os.path.join(PGDATA, "server.log"), "start"]),
            stdout=subprocess.DEVNULL)
    if psql(state, "SELECT 1 FROM pg_roles WHERE rolname = 'synapse'") != "1":
        password = state["secrets"]["postgres_synapse"]
        reader = state["secrets"]["postgres_reader"]
        psql(state, f"CREATE ROLE synapse LOGIN PASSWORD '{password}'")
        psql(state, "CREATE DATABASE synapse OWNER synapse ENCODING 'UTF8' "
                    "LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0")
        # The role syntop logs in with: it can read everything Synapse creates, write nothing.
        psql(state, f"CREATE ROLE syntop_reader LOGIN PASSWORD '{reader}'")
        psql(state, "GRANT pg_read_all_data TO syntop_reader")
    write_pgpass(state)


def write_pgpass(state):
    path = os.path.join(STATE, "pgpass")
    port = state["ports"]["postgres"]
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
        f.write(f"127.0.0.1:{port}:synapse:syntop_reader:{state['secrets']['postgres_reader']}\n")


def stop_postgres():
    if postgres_pid() is not None:
        run(as_postgres_user([pg_bin("pg_ctl"), "-D", PGDATA, "-m", "fast", "-w", "stop"]),
            stdout=subprocess.DEVNULL)


# --- Redis ------------------------------------------------------------------------------------

def start_redis(state):
    if running("redis"):
        return
    port = state["ports"]["redis"]
    os.makedirs(os.path.join(STATE, "redis"), exist_ok=True)
    spawn("redis", ["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--dir", os.path.join(STATE, "redis"),
                    "--logfile", os.path.join(LOGS, "redis.log")])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("synapse-stack: redis-server did not answer PING:\n"
                     + tail(os.path.join(LOGS, "redis.log")))


# --- configuration ----------------------------------------------------------------------------

def write(path, text, mode=0o644):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode), "w") as f:
        f.write(text)


def log_config(name):
    return {
        "version": 1,
        "formatters": {"precise": {
            "format": "%(asctime)s - %(name)s - %(lineno)d - %(levelname)s - %(message)s"}},
        "handlers": {"file": {"class": "logging.FileHandler", "formatter": "precise",
                              "filename": os.path.join(LOGS, name + ".log"), "encoding": "utf8"}},
        "loggers": {"synapse.storage.SQL": {"level": "WARNING"}},
        "root": {"level": "INFO", "handlers": ["file"]},
        "disable_existing_loggers": False,
    }


# Traffic generation needs far higher limits than the defaults.
HIGH = {"per_second": 1000, "burst_count": 10000}
RATE_LIMITS = {
    "rc_message": HIGH, "rc_registration": HIGH, "rc_admin_redaction": HIGH,
    "rc_login": {"address": HIGH, "account": HIGH, "failed_attempts": HIGH},
    "rc_joins": {"local": HIGH, "remote": HIGH}, "rc_joins_per_room": HIGH,
    "rc_invites": {"per_room": HIGH, "per_user": HIGH, "per_issuer": HIGH},
    "rc_key_requests": HIGH, "rc_room_creation": HIGH, "rc_presence": {"per_user": HIGH},
    "rc_profile": HIGH,
}


def federation_settings(state):
    return {
        # Self-signed certificates on loopback, and nothing leaves the machine.
        "federation_verify_certificates": False,
        "trusted_key_servers": [],
        "suppress_key_server_warning": True,
        "federation_ip_range_blacklist": [],
        "federation_domain_whitelist": [state["hs1_server_name"], state["hs2_server_name"]],
        # Short retries, so a stopped hs2 is marked down and its pokes wait.
        "federation": {"client_timeout": "10s", "max_long_retries": 2,
                       "max_long_retry_delay": "2s", "max_short_retries": 1},
    }


def listener(port, names, tls=False):
    entry = {"port": port, "bind_addresses": ["127.0.0.1"], "type": "http", "tls": tls,
             "x_forwarded": False, "resources": [{"names": names, "compress": False}]}
    return entry


def ensure_certificate(directory, common_name):
    cert = os.path.join(directory, "tls.crt")
    key = os.path.join(directory, "tls.key")
    if not os.path.exists(cert):
        os.makedirs(directory, exist_ok=True)
        run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3650",
             "-subj", f"/CN={common_name}", "-keyout", key, "-out", cert],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return cert, key


def ensure_signing_key(directory):
    path = os.path.join(directory, "signing.key")
    if not os.path.exists(path):
        run([PYTHON, "-m", "synapse._scripts.generate_signing_key", "-o", path])
    return path


def write_configs(state):
    ports = state["ports"]
    secret = state["secrets"]
    host = state["hs1_server_name"].split(":")[0]
    cert, key = ensure_certificate(HS1, host)
    hs1 = {
        "server_name": state["hs1_server_name"],
        "public_baseurl": f"http://127.0.0.1:{ports['master_client']}/",
        "report_stats": False,
        "signing_key_path": ensure_signing_key(HS1),
        "log_config": os.path.join(HS1, "log", "master.yaml"),
        "media_store_path": os.path.join(HS1, "media"),
        "tls_certificate_path": cert,
        "tls_private_key_path": key,
        "macaroon_secret_key": secret["hs1_macaroon"],
        "form_secret": secret["hs1_form"],
        "registration_shared_secret": secret["hs1_registration"],
        "worker_replication_secret": secret["hs1_replication"],
        "enable_registration": False,
        "presence": {"enabled": True},
        # Every process serves its metrics, but background1 (syntop shows both cases).
        "enable_metrics": True,
        "listeners": [listener(ports["master_client"], ["client", "metrics"]),
                      listener(ports["master_replication"], ["replication"])],
        "database": {"name": "psycopg2", "args": {
            "user": "synapse", "password": secret["postgres_synapse"], "dbname": "synapse",
            "host": "127.0.0.1", "port": ports["postgres"], "cp_min": 1, "cp_max": 5}},
        "redis": {"enabled": True, "host": "127.0.0.1", "port": ports["redis"]},
        "instance_map": {
            "main": {"host": "127.0.0.1", "port": ports["master_replication"]},
            **{name: {"host": "127.0.0.1", "port": ports[f"{name}_replication"]}
               for name, spec in WORKERS.items() if "replication" in spec["listeners"]},
        },
        "stream_writers": {
            "events": ["event_persister1", "event_persister2"],
            "typing": "stream_writer1",
            "to_device": "stream_writer1",
            "receipts": "stream_writer1",
            "device_lists": ["master", "client1"],
        },
        "federation_sender_instances": ["federation_sender1"],
        "run_background_tasks_on": "background1",
        **federation_settings(state),
        **RATE_LIMITS,
    }
    write(os.path.join(HS1, "homeserver.yaml"),
          "# hs1 of syntop's local stack: shared config of main and its workers.\n"
          + yamlout.dump(hs1) + "\n", 0o600)
    write(os.path.join(HS1, "log", "master.yaml"), yamlout.dump(log_config("master")) + "\n")
    for name, spec in WORKERS.items():
        listeners = []
        for kind in spec["listeners"]:
            port = ports[f"{name}_{kind}"]
            if kind == "federation":
                listeners.append(listener(port, ["federation", "keys"], tls=True))
            else:
                metrics = ["metrics"] if not listeners and name != WITHOUT_METRICS else []
                listeners.append(listener(port, [kind] + metrics))
        worker = {"worker_app": "synapse.app.generic_worker", "worker_name": name,
                  "worker_listeners": listeners,
                  "worker_log_config": os.path.join(HS1, "log", name + ".yaml")}
        tls = [entry for entry in listeners if entry["tls"]]
        if tls:
            # Synapse decides whether to load the certificate from `listeners` alone.
            worker["listeners"] = tls
        write(os.path.join(HS1, "workers", name + ".yaml"),
              f"# {name}: {spec['role']}\n" + yamlout.dump(worker) + "\n")
        write(os.path.join(HS1, "log", name + ".yaml"), yamlout.dump(log_config(name)) + "\n")

    cert2, key2 = ensure_certificate(HS2, "127.0.0.1")
    hs2 = {
        "server_name": state["hs2_server_name"],
        "public_baseurl": f"http://127.0.0.1:{ports['hs2_client']}/",
        "report_stats": False,
        "signing_key_path": ensure_signing_key(HS2),
        "log_config": os.path.join(HS2, "log.yaml"),
        "media_store_path": os.path.join(HS2, "media"),
        "tls_certificate_path": cert2,
        "tls_private_key_path": key2,
        "macaroon_secret_key": secret["hs2_macaroon"],
        "form_secret": secret["hs2_form"],
        "registration_shared_secret": secret["hs2_registration"],
        "enable_registration": False,
        "presence": {"enabled": True},
        "listeners": [listener(ports["hs2_federation"], ["federation", "keys"], tls=True),
                      listener(ports["hs2_client"], ["client"])],
        "database": {"name": "sqlite3", "args": {"database": os.path.join(HS2, "homeserver.db")}},
        **federation_settings(state),
        **RATE_LIMITS,
    }
    write(os.path.join(HS2, "homeserver.yaml"), yamlout.dump(hs2) + "\n", 0o600)
    write(os.path.join(HS2, "log.yaml"), yamlout.dump(log_config("hs2")) + "\n")
    # hs2 finds hs1's name here, in a private mount namespace; the machine's own hosts file
    # is never touched.
    write(os.path.join(HS2, "hosts"), f"127.0.0.1 localhost {host}\n")


def synapse_command(name):
    if name == "master":
        return [PYTHON, "-m", "synapse.app.homeserver", "-c", os.path.join(HS1, "homeserver.yaml")]
    if name == "hs2":
        namespace = ["unshare", "-m"] if os.geteuid() == 0 else ["unshare", "-r", "-m"]
        hosts = os.path.join(HS2, "hosts")
        return [*namespace, "sh", "-c", f'mount --bind "{hosts}" /etc/hosts && exec "$@"', "sh",
                PYTHON, "-m", "synapse.app.homeserver", "-c", os.path.join(HS2, "homeserver.yaml")]
    return [PYTHON, "-m", "synapse.app.generic_worker", "-c", os.path.join(HS1, "homeserver.yaml"),
            "-c", os.path.join(HS1, "workers", name + ".yaml")]


def health_url(state, name):
    ports = state["ports"]
    if name == "master":
        return f"http://127.0.0.1:{ports['master_client']}/health"
    if name == "hs2":
        return f"http://127.0.0.1:{ports['hs2_client']}/health"
    kind = WORKERS[name]["listeners"][0]
    return f"http://127.0.0.1:{ports[f'{name}_{kind}']}/health"


def start_synapse(state, names):
    started = [name for name in names if not running(name)]
    for name in started:
        spawn(name, synapse_command(name))
    for name in started:
        wait_healthy(name, health_url(state, name))
    return started


# --- commands ---------------------------------------------------------------------------------

def command_up(args):
    started = time.monotonic()
    ensure_venv()
    state = load_state() or create_state()
    write_configs(state)
    start_postgres(state)
    start_redis(state)
    # Only main creates the schema; workers start after it is listening.
    start_synapse(state, ["master"])
    start_synapse(state, [*WORKERS, "hs2"])
    log(f"up in {time.monotonic() - started:.1f} s; hs1 is {state['hs1_server_name']}, "
        f"hs2 is {state['hs2_server_name']}")
    return 0


def command_down(args):
    stop_processes([*SYNAPSE_PROCESSES, "redis"])
    stop_postgres()
    log("down: nothing of the stack is running")
    return 0


def command_wipe(args):
    command_down(args)
    for entry in os.listdir(STATE) if os.path.isdir(STATE) else []:
        if entry != "venv":
            path = os.path.join(STATE, entry)
            shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)
    log("wiped: only the virtualenv is left")
    return 0


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def require_state():
    """The stack's state, or None after saying how to make one."""
    state = load_state()
    if state is None:
        log("no stack here yet: run 'synapse-stack up'")
    return state


def command_status(args):
    state = require_state()
    if state is None:
        return 1
    print(f"{'process':<19} {'pid':>7} {'state':<8} {'RSS MB':>6}  role")
    down = 0
    for name in ["postgres", "redis", *SYNAPSE_PROCESSES]:
        pid = postgres_pid() if name == "postgres" else read_pid(name)
        up = running(name)
        down += not up
        rss = rss_kib(pid) // 1024 if up else 0
        print(f"{name:<19} {pid if up else '-':>7} {'up' if up else 'down':<8} {rss:>6}  "
              f"{ROLES[name]}")
    return 1 if down else 0


def command_env(args):
    state = require_state()
    if state is None:
        return 1
    ports = state["ports"]
    values = {
        "SYNTOP_SERVER_NAME": state["hs1_server_name"],
        "SYNTOP_CONFIG": os.path.join(HS1, "homeserver.yaml"),
        "SYNTOP_WORKER_CONFIGS": os.path.join(HS1, "workers"),
        "SYNTOP_REDIS": f"redis://127.0.0.1:{ports['redis']}",
        "SYNTOP_DB": f"host=127.0.0.1 port={ports['postgres']} dbname=synapse user=syntop_reader",
        # The password of syntop_reader is in this file, never on a command line.
        "PGPASSFILE": os.path.join(STATE, "pgpass"),
        "HS1_MAIN_URL": f"http://127.0.0.1:{ports['master_client']}",
        "HS1_CLIENT_WORKER_URL": f"http://127.0.0.1:{ports['client1_client']}",
        "HS1_STREAM_WRITER_URL": f"http://127.0.0.1:{ports['stream_writer1_client']}",
        "HS2_SERVER_NAME": state["hs2_server_name"],
        "HS2_URL": f"http://127.0.0.1:{ports['hs2_client']}",
        "SYNTOP_STACK_STATE": STATE_FILE,
    }
    for key, value in values.items():
        print(f"export {key}={shlex.quote(value)}")
    return 0


def require_postgres():
    """The stack's state while its PostgreSQL runs, or None after saying how to start it."""
    state = load_state()
    if state is None or postgres_pid() is None:
        log("PostgreSQL of the stack is not running: run 'synapse-stack up'")
        return None
    return state


def command_sql(args):
    state = require_postgres()
    if state is None:
        return 1
    try:
        print(psql(state, args.statement, database=args.database))
    except subprocess.CalledProcessError as error:
        sys.stderr.write(error.stderr)
        return 1
    return 0


def command_bench_db(args):
    """A scratch database with the schema real Synapse created in `synapse`, for benchmarks."""
    state = require_postgres()
    if state is None:
        return 1
    port = str(state["ports"]["postgres"])
    line = f"127.0.0.1:{port}:{args.name}:syntop_reader:{state['secrets']['postgres_reader']}\n"
    with open(os.path.join(STATE, "pgpass"), "a+") as f:
        f.seek(0)
        if line not in f.read():
            f.write(line)
    if args.keep and psql(state, f"SELECT 1 FROM pg_database WHERE datname = '{args.name}'") == "1":
        log(f"{args.name}: kept as it is")
        return 0
    # Synapse builds many of its indexes in background updates after it starts: a copy taken
    # before they finish would lack indexes every real database has.
    waited = time.monotonic()
    while psql(state, "SELECT count(*) FROM background_updates", database="synapse") != "0":
        if time.monotonic() - waited > 600:
            raise SystemExit("synapse-stack: Synapse's background updates did not finish in 10 minutes")
        time.sleep(2)
    psql(state, f"DROP DATABASE IF EXISTS {args.name}")
    psql(state, f"CREATE DATABASE {args.name} OWNER synapse ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' "
                "TEMPLATE template0")
    schema = subprocess.run(as_postgres_user([pg_bin("pg_dump"), "-s", "-h", RUN, "-p", port, "-U", "postgres",
                                              "synapse"]), check=True, capture_output=True).stdout
    subprocess.run(as_postgres_user([pg_bin("psql"), "-X", "-q", "-h", RUN, "-p", port, "-U", "postgres",
                                     "-d", args.name]), input=schema, check=True, capture_output=True)
    log(f"{args.name}: Synapse's schema, no rows")
    return 0


def command_stop(args):
    stop_processes([args.name])
    log(f"{args.name} stopped")
    return 0


def command_start(args):
    state = require_state()
    if state is None:
        return 1
    start_synapse(state, [args.name])
    log(f"{args.name} running")
    return 0


def command_traffic(arguments):
    if require_state() is None:
        return 1
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "traffic.py")
    # The traffic generator signs cross-signing keys with Synapse's own dependencies. It
    # replaces this process, so a signal sent to `synapse-stack traffic` stops the traffic.
    os.execv(PYTHON, [PYTHON, script, "--state", STATE_FILE, *arguments])


def command_record(args):
    """Records with syntop's own `record`, so a recording goes through the one scrubber of tokens
    that every recording syntop writes goes through."""
    state = require_state()
    if state is None:
        return 1
    binary = os.environ.get("SYNTOP_BIN", os.path.join(ROOT, ".build", "debug", "syntop"))
    if not os.access(binary, os.X_OK):
        print(f"synapse-stack: no syntop binary at {binary}: run 'swift build' (or set SYNTOP_BIN)",
              file=sys.stderr)
        return 1
    os.execv(binary, [binary, "record", "-o", args.output, "--duration", str(args.seconds),
                      "--user-ip", "--redis", f"redis://127.0.0.1:{state['ports']['redis']}",
                      "--server-name", state["hs1_server_name"]])


def main(argv):
    parser = argparse.ArgumentParser(prog="synapse-stack",
                                     description="syntop's local multi-process Synapse stack")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("up", help="start everything (idempotent)").set_defaults(run=command_up)
    sub.add_parser("down", help="stop everything it started").set_defaults(run=command_down)
    sub.add_parser("wipe", help="down, and remove all state but the virtualenv") \
        .set_defaults(run=command_wipe)
    sub.add_parser("status", help="processes and roles").set_defaults(run=command_status)
    sub.add_parser("venv", help="only make the virtualenv").set_defaults(run=lambda args: ensure_venv() or 0)
    sub.add_parser("env", help="what a client needs, as KEY=value lines") \
        .set_defaults(run=command_env)
    p = sub.add_parser("sql", help="run SQL as the stack's PostgreSQL superuser, in Synapse's database")
    p.add_argument("statement")
    p.add_argument("--database", default="synapse")
    p.set_defaults(run=command_sql)
    p = sub.add_parser("bench-db", help="a scratch database with Synapse's schema, for benchmarks")
    p.add_argument("name", nargs="?", default="synapse_bench")
    p.add_argument("--keep", action="store_true", help="keep the database if it exists (only let syntop's role in)")
    p.set_defaults(run=command_bench_db)
    for verb, handler in (("stop", command_stop), ("start", command_start)):
        p = sub.add_parser(verb, help=f"{verb} one process")
        p.add_argument("name", choices=SYNAPSE_PROCESSES)
        p.set_defaults(run=handler)
    sub.add_parser("traffic", help="generate traffic; see 'traffic --help'", add_help=False)
    p = sub.add_parser("record", help="record the replication channels")
    p.add_argument("-o", "--output", required=True)
    p.add_argument("--seconds", type=float, default=30)
    p.set_defaults(run=command_record)
    if argv and argv[0] == "traffic":
        # Its options belong to the traffic generator.
        return command_traffic(argv[1:])
    args = parser.parse_args(argv)
    return args.run(args)
