# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Row locks that wait their turn (lock.py), on PostgreSQL: a request waits
for the transaction holding a row and goes on as soon as it ends, gives up
after [kefu] lock_wait seconds, and does not wait for free rows.  The other
transaction holds the row on a connection of its own.  On
SQLite (one writer at a time) there is nothing to wait for: skipped with a
printed reason."""
import sys
import threading
import time
import unittest
from unittest.mock import patch

from sql import For, Literal

from trytond import backend
from trytond.modules.kefu_base.lock import wait_unlocked
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    TestCase, activate_module, with_transaction)
from trytond.transaction import Transaction


class LockTestCase(TestCase):
    "Waiting for a row another transaction holds"

    @classmethod
    def setUpClass(cls):
        if backend.name != 'postgresql':
            print('\nkefu_base.tests.test_lock: skipped on SQLite; row '
                'locks need PostgreSQL', file=sys.stderr)
            raise unittest.SkipTest('row locks need PostgreSQL')
        super().setUpClass()
        activate_module(['kefu_base'])

    def hold(self, Model, ids):
        """Lock the rows ids of Model in another transaction; return the
        function that ends it"""
        database = Transaction().database
        connection = database.get_connection()
        table = Model.__table__()
        cursor = connection.cursor()
        cursor.execute(*table.select(Literal(1),
                where=table.id.in_(ids), for_=For('UPDATE')))
        self.assertEqual(len(cursor.fetchall()), len(ids))

        def release():
            connection.rollback()
            database.put_connection(connection)
        return release

    @with_transaction()
    def test_waits_for_the_holder(self):
        "The wait ends when the holder ends, not after lock_wait"
        User = Pool().get('res.user')
        release = self.hold(User, [1])
        timer = threading.Timer(0.5, release)
        start = time.monotonic()
        timer.start()
        try:
            with patch('trytond.modules.kefu_base.lock.lock_wait',
                    return_value=10):
                self.assertTrue(wait_unlocked(User, [1]))
        finally:
            timer.join()
        waited = time.monotonic() - start
        self.assertGreaterEqual(waited, 0.5)
        self.assertLess(waited, 5)

    @with_transaction()
    def test_gives_up_after_lock_wait(self):
        "Still held after lock_wait seconds: False, the rows still held"
        User = Pool().get('res.user')
        release = self.hold(User, [1])
        try:
            start = time.monotonic()
            with patch('trytond.modules.kefu_base.lock.lock_wait',
                    return_value=0.5):
                self.assertFalse(wait_unlocked(User, [1]))
            waited = time.monotonic() - start
            self.assertGreaterEqual(waited, 0.5)
            self.assertLess(waited, 5)
            # The transaction is still usable
            self.assertTrue(User.search([('id', '=', 1)]))
        finally:
            release()

    @with_transaction()
    def test_free_rows(self):
        "Nobody holds them: no wait"
        User = Pool().get('res.user')
        start = time.monotonic()
        self.assertTrue(wait_unlocked(User, [1]))
        self.assertTrue(wait_unlocked(User, []))
        self.assertLess(time.monotonic() - start, 1)
