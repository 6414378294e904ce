"""Storage: the only package that knows SQL, files, object storage and Redis.

Roles (as in Stalwart's ``Storage{data, blob, lookup, pubsub}``): ``sql`` holds all state,
``blobs`` holds message bytes by content hash, ``counters`` holds rate windows, and the event buses
carry change notices between nodes. Embedded mode: SQLite + files + in-process. Scale-out mode:
PostgreSQL + shared blobs + Redis.
"""

from yunmail.storage.blobs.base import BlobStore
from yunmail.storage.blobs.files import FileBlobStore
from yunmail.storage.bus_local import LocalBus, LocalBusLink, LocalBusLinks
from yunmail.storage.bus_postgres import PostgresBus
from yunmail.storage.bus_redis import RedisBus
from yunmail.storage.counters.base import CounterCheck, CounterResult, Counters
from yunmail.storage.counters.memory import MemoryCounters
from yunmail.storage.counters.redis import RedisCounters
from yunmail.storage.counters.sql import SqlCounters
from yunmail.storage.sql.engine import Database, open_database

__all__ = [
    "BlobStore",
    "CounterCheck",
    "CounterResult",
    "Counters",
    "Database",
    "FileBlobStore",
    "LocalBus",
    "LocalBusLink",
    "LocalBusLinks",
    "MemoryCounters",
    "PostgresBus",
    "RedisBus",
    "RedisCounters",
    "SqlCounters",
    "open_database",
]
