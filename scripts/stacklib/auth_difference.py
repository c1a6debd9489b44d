"""Synapse's own answer for one room, for the stack test to hold syntop's against: the
auth-chain difference of the states after the room's forward extremities, computed by the
functions Synapse itself runs (from the stack's virtualenv), on a read-only connection.

    .stack/venv/bin/python scripts/stacklib/auth_difference.py CONNINFO ROOM_ID
prints {"state_sets": N, "events": N, "method": "..."}.
"""
import json
import sys

import psycopg2

from synapse.storage.database import LoggingTransaction
from synapse.storage.databases.main.event_federation import EventFederationWorkerStore
from synapse.storage.databases.state.bg_updates import StateGroupBackgroundUpdateStore
from synapse.storage.engines import create_engine


class NoCache:
    """Stands in for the store's event_auth cache: every lookup misses."""

    def get(self, key):
        return None

    def set(self, key, value):
        pass


def main(conninfo, room_id):
    engine = create_engine({"name": "psycopg2", "args": {}})
    connection = psycopg2.connect(conninfo)
    connection.set_session(readonly=True)
    cursor = connection.cursor()
    cursor.execute("SELECT DISTINCT g.state_group FROM event_forward_extremities f "
                   "JOIN event_to_state_groups g ON g.event_id = f.event_id WHERE f.room_id = %s", (room_id,))
    groups = sorted(row[0] for row in cursor.fetchall())
    cursor.execute("SELECT has_auth_chain_index FROM rooms WHERE room_id = %s", (room_id,))
    row = cursor.fetchone()
    chain_index = bool(row and row[0])
    txn = LoggingTransaction(txn=cursor, name="syntop-check", server_name="check", database_engine=engine)

    # Bare stores: only their database engine (and the walk's cache) are read by these methods.
    state_store = object.__new__(StateGroupBackgroundUpdateStore)
    state_store.database_engine = engine
    states = state_store._get_state_groups_from_groups_txn(txn, groups)
    state_sets = [set(states[group].values()) for group in groups]

    store = object.__new__(EventFederationWorkerStore)
    store.database_engine = engine
    store._event_auth_cache = NoCache()
    if len(state_sets) < 2:
        difference, method = set(), "one state"
    elif chain_index:
        difference = store._get_auth_chain_difference_using_cover_index_txn(txn, room_id, state_sets).auth_difference
        method = "chain cover index"
    else:
        difference, method = store._get_auth_chain_difference_txn(txn, state_sets), "event_auth walk"
    # The walk over event_auth too, where the index exists: both must agree.
    walked = store._get_auth_chain_difference_txn(txn, state_sets) if len(state_sets) > 1 else set()
    connection.rollback()
    print(json.dumps({"state_sets": len(state_sets), "events": len(difference), "walked": len(walked),
                      "method": method}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
