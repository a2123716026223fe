# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""End to end over JSON-RPC: a real trytond on a fresh database of the run's
backend, served like `make demo` serves it, and called the way sao calls it.

The login test catches the login regression of trytond 8.0.12 (a server
that does not preload its database answers every login with an error)."""
import datetime as dt
import os
import unittest
import urllib.error
import urllib.request
from decimal import Decimal

from tests.server import SAO_DIR, RPCError, TrytonServer


class RPCTestCase(unittest.TestCase):
    "kefu_base over JSON-RPC"

    @classmethod
    def setUpClass(cls):
        cls.server = TrytonServer('rpc')
        cls.server.start()
        try:
            cls.client = cls.server.client()
            try:
                cls.client.login('admin', cls.server.password)
            except RPCError as error:
                raise AssertionError(
                    'admin cannot log in over JSON-RPC: %s (the login bug of '
                    'trytond 8.0.12 when the server does not preload its '
                    'database?)\n%s' % (error.error, cls.server.log()))
            cls.company = cls.client.setup_company()
        except BaseException:
            cls.server.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def model(self, model, method, *args):
        return self.client.model(model, method, *args)

    def create_estate(self, code, name):
        estate, = self.model('kefu.estate', 'create', [{
                    'code': code, 'name': name, 'company': self.company}])
        building, = self.model('kefu.building', 'create', [{
                    'estate': estate, 'code': '1', 'floors': 18}])
        return estate, building

    def test_login(self):
        "admin logs in with the password of the pass file"
        client = self.server.client()
        user_id = client.login('admin', self.server.password)
        self.assertIsInstance(user_id, int)
        self.assertTrue(client.authorization)
        user, = client.model('res.user', 'read', [user_id], ['login'])
        self.assertEqual(user['login'], 'admin')

    def test_wrong_password(self):
        "A wrong password is refused and gives no session"
        client = self.server.client()
        with self.assertRaises((urllib.error.HTTPError, RPCError)) as cm:
            client.login('admin', self.server.password + 'x')
        if isinstance(cm.exception, urllib.error.HTTPError):
            self.assertIn(cm.exception.code, {401, 403})
        self.assertIsNone(client.authorization)
        # Without a session the models are closed.
        with self.assertRaises(urllib.error.HTTPError) as cm:
            client.call('model.kefu.estate.search_read',
                [], 0, None, None, ['name'], {})
        self.assertIn(cm.exception.code, {401, 403})

    def test_estate_search_read(self):
        "An estate created over RPC is found by search_read"
        estate, _ = self.create_estate('RPC-E', '翠湖花园')
        records = self.model('kefu.estate', 'search_read',
            [('code', '=', 'RPC-E')], 0, None, None,
            ['name', 'code', 'company', 'rec_name'])
        self.assertEqual(records, [{
                    'id': estate, 'name': '翠湖花园', 'code': 'RPC-E',
                    'company': self.company, 'rec_name': '翠湖花园'}])
        all_codes = [r['code'] for r in self.model('kefu.estate',
                'search_read', [], 0, None, None, ['code'])]
        self.assertIn('RPC-E', all_codes)

    def test_unit_create_read(self):
        "A unit created with kefu.unit.create reads back as it was given"
        estate, building = self.create_estate('RPC-U', '锦绣苑')
        unit, = self.model('kefu.unit', 'create', [{
                    'estate': estate, 'building': building,
                    'code': '1-1-1502', 'floor': 15, 'usage': 'residential',
                    'building_area': Decimal('98.50'),
                    'inner_area': Decimal('80.12'),
                    'delivery_state': 'sold'}])
        record, = self.model('kefu.unit', 'read', [unit], [
                'estate', 'building', 'code', 'floor', 'usage',
                'building_area', 'inner_area', 'delivery_state', 'rec_name',
                'estate.code'])
        self.assertEqual(record['estate'], estate)
        self.assertEqual(record['building'], building)
        self.assertEqual(record['code'], '1-1-1502')
        self.assertEqual(record['floor'], 15)
        self.assertEqual(record['usage'], 'residential')
        self.assertEqual(record['building_area'], Decimal('98.50'))
        self.assertEqual(record['inner_area'], Decimal('80.12'))
        self.assertEqual(record['delivery_state'], 'sold')
        self.assertEqual(record['rec_name'], '锦绣苑 1-1-1502')
        self.assertEqual(record['estate.']['code'], 'RPC-U')
        self.assertEqual(self.model('kefu.unit', 'search',
                [('estate', '=', estate)], 0, None, None), [unit])

    def test_add_working_days(self):
        "5 working days after 2025-09-26 skip the National Day week"
        # 27 Sep (Sat) off, 28 Sep (Sun) worked, 1-8 Oct off.
        self.assertEqual(self.model('kefu.calendar', 'add_working_days',
                dt.date(2025, 9, 26), 5), dt.date(2025, 10, 10))
        self.assertEqual(self.model('kefu.calendar', 'working_days_between',
                dt.date(2025, 9, 26), dt.date(2025, 10, 10)), 5)
        self.assertTrue(self.model('kefu.calendar', 'is_working_day',
                dt.date(2025, 9, 28)))
        self.assertFalse(self.model('kefu.calendar', 'is_working_day',
                dt.date(2025, 10, 3)))

    def test_inner_area_exceeds(self):
        "A unit whose inner area exceeds its building area is refused"
        estate, building = self.create_estate('RPC-X', '海棠湾')
        count = self.model('kefu.unit', 'search_count', [])
        with self.assertRaises(RPCError) as cm:
            self.model('kefu.unit', 'create', [{
                        'estate': estate, 'building': building,
                        'code': '2-1-0801', 'building_area': Decimal('90'),
                        'inner_area': Decimal('95.5')}])
        error = cm.exception.error
        self.assertEqual(error[0], 'UserError', msg=error)
        self.assertIn('2-1-0801', cm.exception.message)
        self.assertIn('inner area', cm.exception.message)
        self.assertEqual(self.model('kefu.unit', 'search_count', []), count)
        self.assertEqual(self.model('kefu.unit', 'search',
                [('code', '=', '2-1-0801')], 0, None, None), [])

    def test_sao_index(self):
        "GET / serves sao's index.html"
        with urllib.request.urlopen(self.server.url, timeout=30) as response:
            self.assertEqual(response.status, 200)
            self.assertIn('text/html', response.headers['Content-Type'])
            body = response.read()
        with open(os.path.join(SAO_DIR, 'index.html'), 'rb') as f:
            self.assertEqual(body, f.read())
        self.assertIn(b'dist/tryton-sao.js', body)
        # and the files it refers to
        url = self.server.url + 'dist/tryton-sao.js'
        with urllib.request.urlopen(url, timeout=30) as response:
            self.assertEqual(response.status, 200)
