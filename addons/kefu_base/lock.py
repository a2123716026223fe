# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Row locks that wait their turn: a short request behind a long one (a
desk payment behind a billing run's posting batch, the second refund of a
deposit behind the first) waits for it instead of failing on the lock."""
import logging
import time

from sql import For, Literal

from trytond import backend
from trytond.config import config
from trytond.transaction import Transaction

logger = logging.getLogger(__name__)
# PostgreSQL's lock_not_available: lock_timeout ran out
LOCK_NOT_AVAILABLE = '55P03'


def lock_wait():
    "How long a request waits for rows another one holds, in seconds"
    return config.getfloat('kefu', 'lock_wait', default=15)


def wait_unlocked(Model, ids):
    """Wait until no other transaction holds the rows ids of Model (those
    this transaction has not locked yet), at most lock_wait() seconds;
    return False if they are still held then.

    Model.lock of trytond 8.0 restarts the transaction and takes the rows
    without waiting (NOWAIT), trying again `[database] retry` times within
    a few seconds: a short request behind holders that take the rows again
    at once (a billing run's posting batches, one after the other) polls
    for a gap and may not find one.  The wait is queued by PostgreSQL and
    granted when the holder commits; it is done on a connection of its own
    (the transaction's snapshot is older than the holder's commit, so it
    could not take the rows itself) and released at once, for the restart
    to take the rows before the holder's next transaction.  SQLite lets
    one writer at a time: nothing to wait for."""
    if not ids or backend.name != 'postgresql':
        return True
    transaction = Transaction()
    if Model._table in transaction._locked_tables:
        return True
    ids = sorted(set(map(int, ids))
        - transaction._locked_records[Model._table])
    if not ids:
        return True
    table = Model.__table__()
    database = transaction.database
    connection = database.get_connection()
    started = time.monotonic()
    try:
        cursor = connection.cursor()
        cursor.execute("SELECT set_config('lock_timeout', %s, true)",
            ('%dms' % (lock_wait() * 1000),))
        cursor.execute(*table.select(Literal(1),
                where=table.id.in_(ids), for_=For('UPDATE')))
    except backend.DatabaseOperationalError as error:
        if getattr(error, 'sqlstate', None) == LOCK_NOT_AVAILABLE:
            logger.warning('%s %s still locked after %.1f s',
                Model._table, ids, time.monotonic() - started)
            return False
        # Changed by the holder while waiting: free now
    finally:
        connection.rollback()
        database.put_connection(connection)
    logger.debug('%s %s free after %.3f s',
        Model._table, ids, time.monotonic() - started)
    return True
