# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Rules of the key register that the scenario does not reach: the database
guard against a key lent twice, many keys lent at once, which lock counts as
having its spare, the state searcher and what a front-desk user may do."""
import datetime as dt
from decimal import Decimal

from trytond.model.exceptions import AccessError, SQLConstraintError
from trytond.modules.company.tests import create_company, set_company
from trytond.modules.kefu_base.exceptions import KeyLendingStateError
from trytond.pool import Pool
from trytond.tests.test_tryton import TestCase, with_transaction
from .tools import FreshDatabaseTestCase, as_user, click, create_user

DUE = dt.datetime(2100, 1, 1, 12, 0)
# More open lendings than SQLite's parser can nest in the one query with which
# trytond checks that no key is lent twice (85 with SQLite 3.40).
MANY = 100


def create_estate(company, code):
    pool = Pool()
    Estate = pool.get('kefu.estate')
    Building = pool.get('kefu.building')
    Unit = pool.get('kefu.unit')
    estate = Estate(name="Estate %s" % code, code=code, company=company)
    estate.save()
    building = Building(estate=estate, code='1', floors=20)
    building.save()
    unit = Unit(
        estate=estate, building=building, code='1-1-101',
        building_area=Decimal('90'))
    unit.save()
    return estate, building, unit


def create_party(name):
    Party = Pool().get('party.party')
    party = Party(name=name)
    party.save()
    return party


class KeyTestCase(FreshDatabaseTestCase):
    "Test the key register"
    module = 'kefu_base'

    @with_transaction()
    def test_key_lent_twice_refused_by_database(self):
        "Two open lendings of one key are refused even without the button"
        pool = Pool()
        Key = pool.get('kefu.key')
        Lending = pool.get('kefu.key.lending')
        company = create_company()
        with set_company(company):
            estate, _, unit = create_estate(company, 'A')
            key, = Key.create([{
                        'estate': estate.id, 'unit': unit.id,
                        'kind': 'security_door', 'code': 'D1'}])
            party = create_party("Zhang Wei")
            lendings = Lending.create([{
                        'key': key.id, 'borrower': party.id,
                        'purpose': "Repair", 'due_at': DUE,
                        } for _ in range(2)])
            Lending.write([lendings[0]], {'state': 'lent'})
            with self.assertRaises(SQLConstraintError):
                Lending.write([lendings[1]], {'state': 'lent'})

    @with_transaction()
    def test_lend_many_at_once(self):
        "100 keys lent with one click of Lend on 100 selected lendings"
        pool = Pool()
        Key = pool.get('kefu.key')
        Lending = pool.get('kefu.key.lending')
        company = create_company()
        with set_company(company):
            estate, building, _ = create_estate(company, 'A')
            keys = Key.create([{
                        'estate': estate.id, 'kind': 'public_door',
                        'building': building.id, 'floor': 1,
                        'code': 'P%03d' % i} for i in range(MANY)])
            party = create_party("Zhang Wei")
            lendings = Lending.create([{
                        'key': k.id, 'borrower': party.id,
                        'purpose': "Inspection", 'due_at': DUE,
                        } for k in keys])

            Lending.lend(lendings)

            self.assertEqual(
                Lending.search_count([('state', '=', 'lent')]), MANY)
            self.assertEqual(
                Key.search_count([('state', '=', 'lent')]), MANY)

    @with_transaction()
    def test_key_lent_twice_refused_in_bulk(self):
        "100 lendings written open at once are refused if two share a key"
        pool = Pool()
        Key = pool.get('kefu.key')
        Lending = pool.get('kefu.key.lending')
        company = create_company()
        with set_company(company):
            estate, building, _ = create_estate(company, 'A')
            keys = Key.create([{
                        'estate': estate.id, 'kind': 'public_door',
                        'building': building.id, 'floor': 1,
                        'code': 'P%03d' % i} for i in range(MANY - 1)])
            party = create_party("Zhang Wei")
            # the first key twice: at the start and at the end
            lendings = Lending.create([{
                        'key': k.id, 'borrower': party.id,
                        'purpose': "Inspection", 'due_at': DUE,
                        } for k in keys + keys[:1]])

            with self.assertRaises(SQLConstraintError):
                Lending.write(lendings, {'state': 'lent'})

    @with_transaction()
    def test_spare_belongs_to_one_lock(self):
        "A spare covers only keys of the same lock, and only while on hand"
        pool = Pool()
        Key = pool.get('kefu.key')
        company = create_company()
        with set_company(company):
            estate, building, _ = create_estate(company, 'A')
            f15, f16, spare = Key.create([{
                        'estate': estate.id, 'kind': 'public_door',
                        'building': building.id, 'floor': floor,
                        'code': code, 'is_spare': is_spare,
                        } for floor, code, is_spare in [
                        (15, 'F15', False), (16, 'F16', False),
                        (15, 'F15-S', True)]])

            def lacking():
                return sorted(
                    k.code for k in Key.search([('has_spare', '=', False)]))
            self.assertEqual(lacking(), ['F16'])
            self.assertEqual(
                [f15.has_spare, f16.has_spare], [True, False])

            Key.mark_lost([spare])
            self.assertEqual(lacking(), ['F15', 'F15-S', 'F16'])
            Key.mark_found([spare])
            Key.write([spare], {'active': False})
            self.assertEqual(lacking(), ['F15', 'F16'])

    @with_transaction()
    def test_search_state(self):
        "The key state searches with =, != and in"
        pool = Pool()
        Key = pool.get('kefu.key')
        Lending = pool.get('kefu.key.lending')
        company = create_company()
        with set_company(company):
            estate, _, unit = create_estate(company, 'A')
            available, lent, lost = Key.create([{
                        'estate': estate.id, 'unit': unit.id,
                        'kind': 'mailbox', 'code': code,
                        } for code in ['M1', 'M2', 'M3']])
            lending = Lending(
                key=lent, borrower=create_party("Li Na"), purpose="Post",
                due_at=DUE)
            lending.save()
            Lending.lend([lending])
            Key.mark_lost([lost])

            def codes(domain):
                return sorted(k.code for k in Key.search(domain))
            self.assertEqual(codes([('state', '=', 'lent')]), ['M2'])
            self.assertEqual(codes([('state', '!=', 'lent')]), ['M1', 'M3'])
            self.assertEqual(
                codes([('state', 'in', ['available', 'lost'])]), ['M1', 'M3'])
            self.assertEqual(codes([('state', 'not in', ['lost'])]),
                ['M1', 'M2'])
            self.assertEqual(
                [k.state for k in [available, lent, lost]],
                ['available', 'lent', 'lost'])

    @with_transaction()
    def test_front_desk_lends_but_does_not_manage_keys(self):
        "The front desk of estate A lends A's keys, cannot edit keys, sees no B"
        pool = Pool()
        Key = pool.get('kefu.key')
        Lending = pool.get('kefu.key.lending')
        company = create_company()
        with set_company(company):
            estate_a, _, unit_a = create_estate(company, 'A')
            estate_b, _, unit_b = create_estate(company, 'B')
            key_a, key_b = Key.create([{
                        'estate': u.estate.id, 'unit': u.id,
                        'kind': 'security_door', 'code': 'D1',
                        } for u in [unit_a, unit_b]])
            party = create_party("Zhang Wei")
            user = create_user('desk_a', company, estate_a)

            with as_user(user):
                self.assertEqual(Key.search([]), [key_a])
                lending = Lending(
                    key=key_a, borrower=party, purpose="Repair",
                    due_at=DUE)
                lending.save()
                Lending.lend([lending])
                self.assertEqual(lending.state, 'lent')
                self.assertEqual(lending.lent_by, user.employee)
                with self.assertRaises(AccessError):
                    Key.write([Key(key_a.id)], {'location': "Hook 9"})
                with self.assertRaises(AccessError):
                    Lending.create([{
                                'key': key_b.id, 'borrower': party.id,
                                'purpose': "Repair", 'due_at': DUE}])


    @with_transaction()
    def test_key_returned_twice_from_client(self):
        "A clerk taking back a key a colleague took back reads when it was"
        pool = Pool()
        Key = pool.get('kefu.key')
        Lending = pool.get('kefu.key.lending')
        company = create_company()
        company.timezone = 'Asia/Shanghai'
        company.save()
        with set_company(company):
            estate, _, unit = create_estate(company, 'A')
            key, = Key.create([{
                        'estate': estate.id, 'unit': unit.id,
                        'kind': 'security_door', 'code': 'D1'}])
            li = create_user('li', company, estate)
            wang = create_user('wang', company, estate)
            lending, = Lending.create([{
                        'key': key.id, 'borrower': create_party("Zhang").id,
                        'purpose': "Repair", 'due_at': DUE}])

            with as_user(li):
                click(Lending, 'lend', [lending])
            with as_user(wang):
                click(Lending, 'return_', [lending])
            returned_at = Lending(lending.id).returned_at
            with as_user(li), self.assertRaises(KeyLendingStateError) as cm:
                click(Lending, 'return_', [lending])
            self.assertEqual(
                cm.exception.message,
                'The key of lending "%s" is already back: it was returned at '
                '%s. Register a new lending to lend it again.' % (
                    lending.rec_name,
                    (returned_at + dt.timedelta(hours=8)).strftime(
                        '%Y-%m-%d %H:%M')))
            draft, = Lending.create([{
                        'key': key.id, 'borrower': create_party("Liu").id,
                        'purpose': "Repair", 'due_at': DUE}])
            with as_user(li), self.assertRaisesRegex(
                    KeyLendingStateError, r'has not gone out'):
                click(Lending, 'return_', [draft])

            lending = Lending(lending.id)
            self.assertEqual(
                (lending.state, lending.lent_by, lending.returned_to),
                ('returned', li.employee, wang.employee))


del TestCase
