# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The demo-data generator of kefu_base builds a consistent register."""
import datetime as dt
import secrets
import unittest
from collections import Counter, defaultdict
from decimal import Decimal

from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction

TODAY = dt.date(2026, 11, 23)
UNITS = 200
PASSWORD = secrets.token_urlsafe(12)


class DemoTestCase(unittest.TestCase):
    "kefu_base demo data"

    @classmethod
    def setUpClass(cls):
        activate_module('kefu_base')

    def options(self, **kwargs):
        from trytond.modules.kefu_base.demo import Options
        values = dict(units=UNITS, seed=1, password=PASSWORD, today=TODAY)
        values.update(kwargs)
        return Options(**values)

    def populate(self):
        from trytond.modules.kefu_base import demo
        return demo.populate(self.options())

    # Run as root, like tools/kefu_demo.py
    @with_transaction(user=0)
    def test_register(self):
        "Units, estates, buildings and the area balance"
        pool = Pool()
        Estate = pool.get('kefu.estate')
        Building = pool.get('kefu.building')
        Unit = pool.get('kefu.unit')
        Balance = pool.get('kefu.building.area_balance')

        self.assertTrue(self.populate())

        self.assertEqual(Unit.search_count([]), UNITS)
        self.assertEqual(
            [(e.code, e.company.currency.code, e.company.timezone)
                for e in Estate.search([])],
            [('CH', 'CNY', 'Asia/Shanghai'), ('JX', 'CNY', 'Asia/Shanghai')])
        for estate in Estate.search([]):
            self.assertTrue(estate.manager)
            self.assertTrue(Unit.search([('estate', '=', estate.id)]))
        usages = {u.usage for u in Unit.search([])}
        self.assertEqual(usages, {'residential', 'commercial', 'parking'})
        states = Counter(
            (u.delivery_state, u.occupancy) for u in Unit.search([]))
        handed_over = sum(
            n for (d, _), n in states.items() if d == 'handed_over')
        self.assertEqual(set(states), {
                ('unsold', None), ('sold', None), ('handed_over', 'occupied'),
                ('handed_over', 'vacant'), ('handed_over', 'in_custody')})
        self.assertGreater(
            states['handed_over', 'occupied'], handed_over * 3 // 5)
        self.assertGreater(handed_over, UNITS * 3 // 4)
        self.assertTrue(all(
                b.name for b in Building.search([]) if b.code != 'P'))
        for unit in Unit.search([]):
            self.assertTrue(
                Decimal('0.75') * unit.building_area - Decimal('0.01')
                <= unit.inner_area
                <= Decimal('0.85') * unit.building_area + Decimal('0.01'))
        # SQLite sums the areas as floats
        differences = [b.difference.quantize(Decimal('0.01'))
            for b in Balance.search([]) if not b.balanced]
        self.assertEqual(
            sorted(-d for d in differences),
            [Decimal('-0.62'), Decimal('1.37')])

    @with_transaction(user=0)
    def test_owners(self):
        "Every sold unit has owners whose shares sum to 100"
        pool = Pool()
        Unit = pool.get('kefu.unit')
        Ownership = pool.get('kefu.unit.ownership')

        self.populate()

        with Transaction().set_context(date=TODAY):
            current = Ownership.search(Ownership.current_domain(
                    [u.id for u in Unit.search([])], date=TODAY))
        shares = defaultdict(Decimal)
        for ownership in current:
            shares[ownership.unit] += ownership.share
        sold = Unit.search([('delivery_state', '!=', 'unsold')])
        self.assertEqual(set(shares), set(sold))
        self.assertEqual(set(shares.values()), {Decimal(100)})
        self.assertTrue(any(len(
                    [o for o in current if o.unit == u]) == 2 for u in sold))
        self.assertTrue(Ownership.search([('date_to', '!=', None)]))
        for ownership in Ownership.search([]):
            self.assertLessEqual(ownership.date_from, TODAY)
            mobiles = [c.value for c in ownership.party.contact_mechanisms
                if c.type == 'mobile']
            self.assertRegex(mobiles[0], r'^(\+86)?1[358]\d{9}$')

    @with_transaction(user=0)
    def test_users(self):
        "One user per group, the front desk in the first estate only"
        pool = Pool()
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')

        self.populate()

        def group(name):
            return ModelData.get_id('kefu_base', name)
        expected = {
            'frontdesk': 'group_front_desk',
            'specialist': 'group_specialist',
            'supervisor': 'group_supervisor',
            'manager': 'group_office_manager',
            'engineer': 'group_engineering',
            'security': 'group_security',
            'finance': 'group_finance',
            'titledeed': 'group_title_deed',
            }
        for login, name in expected.items():
            user, = User.search([('login', '=', login)])
            self.assertIn(group(name), [g.id for g in user.groups])
            self.assertEqual(user.company.party.name, '客服物业管理有限公司')
            self.assertTrue(user.employee)
            self.assertEqual(
                [e.code for e in user.kefu_estates],
                ['CH'] if login == 'frontdesk' else ['CH', 'JX'])
            self.assertEqual(
                User.get_login(login, {'password': PASSWORD}), user.id)
        admin, = User.search([('login', '=', 'admin')])
        self.assertTrue({group(n) for n in expected.values()}
            | {group('group_admin')} <= {g.id for g in admin.groups})

    @with_transaction(user=0)
    def test_front_desk(self):
        "Duty logs handed over shift by shift, visitors, registered mail"
        pool = Pool()
        Estate = pool.get('kefu.estate')
        Log = pool.get('kefu.duty.log')
        Entry = pool.get('kefu.duty.log.entry')
        Slip = pool.get('kefu.visitor.slip')
        Mail = pool.get('kefu.mail')

        self.populate()

        for estate in Estate.search([]):
            logs = Log.search([('estate', '=', estate.id)],
                order=[('date', 'ASC'), ('shift', 'ASC')])
            # 3 days of day and night shifts, then today's open day shift
            self.assertEqual(len(logs), 7)
            self.assertEqual([l.state for l in logs],
                ['handed_over'] * 6 + ['open'])
            self.assertEqual(logs[-1].date, TODAY)
            for log, following in zip(logs, logs[1:]):
                self.assertEqual(log.next_log, following)
                self.assertEqual(log.receiving_user, following.user)
                self.assertTrue(log.received_by and log.handed_over_by)
                self.assertEqual({e.state for e in log.entries}, {'done'})
            self.assertEqual({e.state for e in logs[-1].entries}, {'open'})
            self.assertTrue(all(
                    e.result for e in Entry.search([('state', '=', 'done')])))
            slips = Slip.search([('estate', '=', estate.id)])
            self.assertEqual(
                Counter(s.state for s in slips), {'left': 11, 'in': 1})
            self.assertTrue(all(
                    s.left_at > s.arrived_at for s in slips if s.left_at))
            mails = Mail.search([('estate', '=', estate.id)])
            self.assertEqual(Counter(m.state for m in mails),
                {'handed_out': 5, 'received': 2, 'returned': 1})
            self.assertTrue(all(m.number for m in mails))

    @with_transaction(user=0)
    def test_keys(self):
        "Owner's keys of the units held, spares, lendings out and overdue"
        pool = Pool()
        Unit = pool.get('kefu.unit')
        Key = pool.get('kefu.key')
        Lending = pool.get('kefu.key.lending')

        self.populate()

        held = Unit.search([('occupancy', 'in', ['vacant', 'in_custody'])])
        owner_keys = Key.search([
                ('unit', '!=', None), ('is_spare', '=', False)])
        self.assertEqual(len(owner_keys), 5 * len(held))
        self.assertEqual({k.unit for k in owner_keys}, set(held))
        self.assertTrue(Key.search([('kind', '=', 'public_door')]))
        self.assertEqual(
            Key.search_count([('kind', '=', 'equipment_room'),
                    ('is_spare', '=', False)]), 16)
        without_spare = Key.search_count([
                ('is_spare', '=', False), ('has_spare', '=', False)])
        self.assertGreater(without_spare, 0)
        self.assertLess(without_spare, Key.search_count([]) // 20)
        out = Lending.search([('state', '=', 'lent')])
        self.assertGreaterEqual(len(out), 4)
        self.assertEqual(len({l.key for l in out}), len(out))
        self.assertGreaterEqual(
            Lending.search_count([('overdue', '=', True)]), len(out) // 4)
        self.assertTrue(Lending.search([('state', '=', 'returned')]))
        self.assertFalse(any(l.key.is_spare for l in Lending.search([])))

    @with_transaction(user=0)
    def test_short_password(self):
        "A password Tryton would refuse stops the generator before any work"
        from trytond.exceptions import UserError
        from trytond.modules.kefu_base import demo
        Estate = Pool().get('kefu.estate')

        with self.assertRaises(UserError):
            demo.populate(self.options(password='demo'))
        self.assertEqual(Estate.search_count([]), 0)

    @with_transaction(user=0)
    def test_second_run(self):
        "A second run finds the data and creates nothing"
        pool = Pool()
        Unit = pool.get('kefu.unit')
        Party = pool.get('party.party')

        self.assertTrue(self.populate())
        units, parties = Unit.search_count([]), Party.search_count([])

        self.assertFalse(self.populate())
        self.assertEqual(
            (Unit.search_count([]), Party.search_count([])), (units, parties))

    def test_deterministic(self):
        "The same seed draws the same register, another seed another"
        from trytond.modules.kefu_base.demo import RegisterBuilder

        def plan(seed):
            builder = RegisterBuilder(self.options(seed=seed))
            units = builder.plan_units(builder.plan_buildings())
            return [(u['code'], u['delivery_state'], u['occupancy'],
                    u['building_area'],
                    u['ownerships'], u['residents']) for u in units], [
                p['name'] for p in builder.people]
        self.assertEqual(plan(1), plan(1))
        self.assertNotEqual(plan(1), plan(2))
