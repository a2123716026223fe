# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
from decimal import Decimal
from unittest.mock import patch

from trytond.modules.company.tests import (
    CompanyTestMixin, create_company, set_company)
from sql import Column

from trytond.model.exceptions import AccessError, RequiredValidationError
from trytond.modules.kefu_base.exceptions import (
    BuildingEstateError, FloorError, OccupancyError,
    OwnershipError, UnitLogError)
from trytond.pool import Pool
from trytond.pyson import PYSONDecoder
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction


class KefuBaseTestCase(CompanyTestMixin, ModuleTestCase):
    "Test Kefu Base module"
    module = 'kefu_base'

    def _unit(self):
        pool = Pool()
        Estate = pool.get('kefu.estate')
        Building = pool.get('kefu.building')
        Unit = pool.get('kefu.unit')
        estate, = Estate.create([{'name': "E", 'code': 'E'}])
        building, = Building.create([{'estate': estate.id, 'code': '1'}])
        return Unit, {
            'estate': estate.id, 'building': building.id,
            'building_area': Decimal('90')}

    @with_transaction()
    def test_unit_created_with_owners(self):
        "Shares are checked when a unit is created with its owners"
        Party = Pool().get('party.party')
        a, b = Party.create([{'name': "A"}, {'name': "B"}])
        company = create_company()
        with set_company(company):
            Unit, values = self._unit()

            def owners(*shares):
                return [('create', [{
                                'party': p.id, 'share': Decimal(s),
                                'date_from': dt.date(2025, 1, 1)}
                            for p, s in zip((a, b), shares)])]
            unit, = Unit.create([{**values, 'code': '1',
                        'ownerships': owners('50', '50')}])
            self.assertEqual(len(unit.ownerships), 2)
            self.assertEqual(unit.owner_names, "A, B")
            with Transaction().set_context(language='zh_CN'):
                self.assertEqual(Unit(unit.id).owner_names, "A、B")
            with self.assertRaises(OwnershipError):
                Unit.create([{**values, 'code': '2',
                            'ownerships': owners('50', '40')}])

    @with_transaction()
    def test_ownership_created_alone(self):
        "An ownership created on its own is checked against the others"
        pool = Pool()
        Party = pool.get('party.party')
        Ownership = pool.get('kefu.unit.ownership')
        a, b = Party.create([{'name': "A"}, {'name': "B"}])
        company = create_company()
        with set_company(company):
            Unit, values = self._unit()
            unit, = Unit.create([{**values, 'code': '1'}])
            Ownership.create([{
                        'unit': unit.id, 'party': a.id,
                        'share': Decimal(100),
                        'date_from': dt.date(2025, 1, 1),
                        'date_to': dt.date(2025, 12, 31)}])
            Ownership.create([{
                        'unit': unit.id, 'party': b.id,
                        'share': Decimal(100),
                        'date_from': dt.date(2026, 1, 1)}])
            self.assertEqual(unit.owner_names, "B")
            with self.assertRaises(OwnershipError):
                Ownership.create([{
                            'unit': unit.id, 'party': a.id,
                            'share': Decimal(100),
                            'date_from': dt.date(2025, 12, 1)}])

    @with_transaction()
    def test_ownership_current_today(self):
        "The tab 当前 lists the periods lasting on the server's today"
        pool = Pool()
        Date = pool.get('ir.date')
        Party = pool.get('party.party')
        Ownership = pool.get('kefu.unit.ownership')
        a, b = Party.create([{'name': "A"}, {'name': "B"}])
        company = create_company()
        with set_company(company):
            Unit, values = self._unit()
            unit, = Unit.create([{**values, 'code': '1'}])
            today = Date.today()
            past, current = Ownership.create([{
                        'unit': unit.id, 'party': a.id,
                        'share': Decimal(100),
                        'date_from': today - dt.timedelta(days=400),
                        'date_to': today - dt.timedelta(days=1)}, {
                        'unit': unit.id, 'party': b.id,
                        'share': Decimal(100), 'date_from': today}])
            self.assertEqual(
                Ownership.search([('current', '=', True)]), [current])
            self.assertEqual(
                Ownership.search([('current', '=', False)]), [past])
            self.assertEqual(
                Ownership.search([('current', '!=', True)]), [past])
            self.assertEqual(len(Ownership.search(
                        [('current', 'in', [True, False])])), 2)
            self.assertEqual(
                (past.current, current.current), (False, True))
            # Yesterday, the former owner's period was the current one
            yesterday = today - dt.timedelta(days=1)
            with patch.object(Date, 'today', lambda *a, **k: yesterday):
                self.assertEqual(
                    Ownership.search([('current', '=', True)]), [past])

    def _register(self, estate_name="翠湖花园", floors=18):
        "An estate, a building of floors and a function creating units"
        pool = Pool()
        Estate = pool.get('kefu.estate')
        Building = pool.get('kefu.building')
        Unit = pool.get('kefu.unit')
        estate, = Estate.create([{'name': estate_name, 'code': 'CH'}])
        building, = Building.create([{
                    'estate': estate.id, 'code': '3', 'floors': floors}])

        def units(*codes, **values):
            return Unit.create([{
                        'estate': estate.id, 'building': building.id,
                        'code': code, 'building_area': Decimal('90'),
                        **values} for code in codes])
        return estate, building, units

    def _owner(self, unit, name, phone, start=dt.date(2025, 1, 1),
            end=None, share=100, resident=False):
        pool = Pool()
        Party = pool.get('party.party')
        Model = pool.get(
            'kefu.unit.resident' if resident else 'kefu.unit.ownership')
        party, = Party.create([{'name': name, 'contact_mechanisms': [
                        ('create', [{'type': 'mobile', 'value': phone}])]}])
        values = {'unit': unit.id, 'party': party.id, 'date_from': start,
            'date_to': end}
        if not resident:
            values['share'] = Decimal(share)
        Model.create([values])
        return party

    @with_transaction()
    def test_unit_natural_order(self):
        "Unit codes sort in natural order, in lists and searches"
        Unit = Pool().get('kefu.unit')
        with set_company(create_company()):
            _, _, units = self._register()
            units('1-1-1001', '1-1-201', '1-1-101', '10-1-101', '2-1-101')
            expected = [
                '1-1-101', '1-1-201', '1-1-1001', '2-1-101', '10-1-101']
            self.assertEqual([u.code for u in Unit.search([])], expected)
            self.assertEqual(
                [u.code for u in Unit.search(
                        [('rec_name', 'ilike', '%-1-%')],
                        order=[('code', 'ASC')])], expected)
            self.assertEqual(
                [u.code for u in Unit.search([], order=[('code', 'DESC')])],
                expected[::-1])
            unit, = Unit.search([('code', '=', '1-1-201')])
            Unit.write([unit], {'code': '1-1-2001'})
            self.assertEqual(
                unit.code_sort, '0000000001-0000000001-0000002001')

    @with_transaction()
    def test_unit_code_sort_filled_on_update(self):
        "Updating the module fills the sort key of the existing units"
        Unit = Pool().get('kefu.unit')
        with set_company(create_company()):
            _, _, units = self._register()
            unit, = units('3-2-1502')
            table = Unit.__table__()
            cursor = Transaction().connection.cursor()
            cursor.execute(*table.update([table.code_sort], [None]))
            Unit.__register__('kefu_base')
            cursor.execute(*table.select(table.code_sort))
            self.assertEqual(
                cursor.fetchall(), [('0000000003-0000000002-0000001502',)])

    @with_transaction()
    def test_unit_search_front_desk(self):
        "The search box finds a unit by code, owner, resident or phone"
        Unit = Pool().get('kefu.unit')
        with set_company(create_company()):
            _, _, units = self._register()
            unit, other = units('3-2-1502', '3-2-1501')
            self._owner(unit, "张伟", '13812345678')
            self._owner(unit, "赵磊", '139 0000 4321', resident=True)
            self._owner(other, "李娜", '13700005678', end=dt.date(2025, 6, 30))
            self._owner(other, "王芳", '13700001502', start=dt.date(2025, 7, 1))

            def find(text):
                return [u.code for u in Unit.search(
                        [('rec_name', 'ilike', '%' + text + '%')])]
            self.assertEqual(find('1502'), ['3-2-1501', '3-2-1502'])
            # a unit code is not the end of a phone number
            self.assertEqual(find('3-2-1502'), ['3-2-1502'])
            self.assertEqual(find('张伟'), ['3-2-1502'])
            self.assertEqual(find('赵磊'), ['3-2-1502'])
            self.assertEqual(find('5678'), ['3-2-1502'])
            self.assertEqual(find('13812345678'), ['3-2-1502'])
            self.assertEqual(find('4321'), ['3-2-1502'])
            self.assertEqual(find('139 0000 4321'), ['3-2-1502'])
            # middle digits are not the end of a number
            self.assertEqual(find('1234'), [])
            # a former owner no longer finds the unit
            self.assertEqual(find('李娜'), [])
            self.assertEqual(find('翠湖花园 3-2-150'), ['3-2-1501', '3-2-1502'])
            self.assertEqual(
                [u.code for u in Unit.search(
                        [('rec_name', 'not ilike', '%1502%')])], ['3-2-1501'])

    @with_transaction()
    def test_unit_phones_shown(self):
        "The owners' and residents' phones show on the unit"
        with set_company(create_company()):
            _, _, units = self._register()
            unit, = units('3-2-1502')
            self._owner(unit, "张伟", '13812345678')
            self._owner(unit, "赵磊", '13900004321', resident=True)
            self.assertEqual(
                [o.phones for o in unit.ownerships], ['13812345678'])
            self.assertEqual(
                [r.phones for r in unit.residents], ['13900004321'])

    @with_transaction()
    def test_names(self):
        "A building shows as its name, a unit with its estate's name"
        pool = Pool()
        Building = pool.get('kefu.building')
        Unit = pool.get('kefu.unit')
        with set_company(create_company()):
            estate, building, units = self._register()
            unit, = units('3-2-1502')
            self.assertEqual(building.rec_name, '3')
            Building.write([building], {'name': '3号楼'})
            self.assertEqual(building.rec_name, '3号楼')
            self.assertEqual(unit.rec_name, '翠湖花园 3-2-1502')
            self.assertEqual(
                Unit.search([('rec_name', '=', '翠湖花园 3-2-1502')]), [unit])
            self.assertEqual(
                Building.search([('rec_name', 'ilike', '%3号%')]), [building])

    @with_transaction()
    def test_unit_floor(self):
        "A floor above the building's floors, or floor 0, is refused"
        Building = Pool().get('kefu.building')
        with set_company(create_company()):
            _, building, units = self._register(floors=18)
            top, basement = units('3-1-1801', 'P-B1-001', floor=18)
            with self.assertRaises(FloorError):
                units('3-1-1901', floor=19)
            with self.assertRaises(FloorError):
                units('3-1-001', floor=0)
            self.assertEqual(len(units('P-B2-001', floor=-2)), 1)
            with self.assertRaises(FloorError):
                Building.write([building], {'floors': 17})
            Building.write([building], {'floors': 20})
            self.assertEqual(building.floors, 20)

    @with_transaction()
    def test_building_estate_change(self):
        "A building with units keeps its estate; its units stay consistent"
        pool = Pool()
        Estate = pool.get('kefu.estate')
        Building = pool.get('kefu.building')
        Unit = pool.get('kefu.unit')
        Occupancy = pool.get('kefu.estate.occupancy')
        with set_company(create_company()):
            estate, building, units = self._register()
            units('3-2-1502', delivery_state='handed_over',
                occupancy='occupied')
            other, = Estate.create([{'name': "锦绣华庭", 'code': 'JX'}])
            with self.assertRaises(BuildingEstateError):
                Building.write([building], {'estate': other.id})
            self.assertEqual(building.estate, estate)
            self.assertEqual(
                {u.estate for u in Unit.search([])}, {estate})
            self.assertEqual(
                [(o.estate, o.units, o.occupied)
                    for o in Occupancy.search([])], [(estate, 1, 1)])
            empty, = Building.create([{'estate': estate.id, 'code': '9'}])
            Building.write([empty], {'estate': other.id})
            self.assertEqual(empty.estate, other)

    @with_transaction()
    def test_delivery_and_occupancy(self):
        "Occupancy only once handed over; the report and tabs agree"
        pool = Pool()
        Unit = pool.get('kefu.unit')
        Occupancy = pool.get('kefu.estate.occupancy')
        ActionDomain = pool.get('ir.action.act_window.domain')
        ModelData = pool.get('ir.model.data')
        with set_company(create_company()):
            _, _, units = self._register()
            units('1', '2')
            units('3', delivery_state='sold')
            units('4', '5', '6', delivery_state='handed_over',
                occupancy='occupied')
            units('7', delivery_state='handed_over', occupancy='vacant')
            units('8', delivery_state='handed_over', occupancy='in_custody')
            occupancy, = Occupancy.search([])
            self.assertEqual(
                (occupancy.units, occupancy.unsold, occupancy.sold,
                    occupancy.handed_over, occupancy.occupied,
                    occupancy.vacant, occupancy.in_custody),
                (8, 2, 1, 5, 3, 1, 1))
            self.assertEqual(
                (occupancy.occupancy_rate, occupancy.vacancy_rate,
                    occupancy.custody_rate),
                (Decimal('60.00'), Decimal('20.00'), Decimal('20.00')))
            for tab, count in [
                    ('unsold', occupancy.unsold), ('sold', occupancy.sold),
                    ('occupied', occupancy.occupied),
                    ('vacant', occupancy.vacant),
                    ('custody', occupancy.in_custody)]:
                domain = ActionDomain(ModelData.get_id(
                        'kefu_base', 'act_unit_form_domain_' + tab)).domain
                self.assertEqual(
                    Unit.search_count(PYSONDecoder().decode(domain)), count,
                    msg=tab)
            # last: a refused unit stays in this test's transaction
            with self.assertRaises(OccupancyError):
                units('9', delivery_state='sold', occupancy='vacant')
            with self.assertRaises(RequiredValidationError):
                units('10', delivery_state='handed_over')

    @with_transaction()
    def test_state_migration(self):
        "The state of before is split into delivery and occupancy"
        Unit = Pool().get('kefu.unit')
        with set_company(create_company()):
            _, _, units = self._register()
            old = ['unsold', 'sold', 'handed_over', 'occupied', 'vacant',
                'in_custody']
            records = units(*old)
            table_h = Unit.__table_handler__('kefu_base')
            table_h.add_column('state', 'VARCHAR')
            table = Unit.__table__()
            cursor = Transaction().connection.cursor()
            for unit, state in zip(records, old):
                cursor.execute(*table.update(
                        [Column(table, 'state')], [state],
                        where=table.id == unit.id))
            Unit.__register__('kefu_base')
            cursor.execute(*table.select(
                    table.code, table.delivery_state, table.occupancy,
                    Column(table, 'state'), order_by=[table.id]))
            self.assertEqual(cursor.fetchall(), [
                    ('unsold', 'unsold', None, None),
                    ('sold', 'sold', None, None),
                    ('handed_over', 'handed_over', 'vacant', None),
                    ('occupied', 'handed_over', 'occupied', None),
                    ('vacant', 'handed_over', 'vacant', None),
                    ('in_custody', 'handed_over', 'in_custody', None),
                    ])

    @with_transaction()
    def test_unit_log(self):
        "Every change of delivery, occupancy and areas is logged, for good"
        pool = Pool()
        Unit = pool.get('kefu.unit')
        Log = pool.get('kefu.unit.log')
        User = pool.get('res.user')
        Employee = pool.get('company.employee')
        Party = pool.get('party.party')
        company = create_company()
        with set_company(company):
            _, _, units = self._register()
            unit, = units('3-2-1502', delivery_state='sold')
            self.assertEqual(unit.logs, ())
            party, = Party.create([{'name': "刘晓燕"}])
            employee, = Employee.create([{
                        'party': party.id, 'company': company.id}])
            user, = User.create([{
                        'login': 'desk', 'name': "刘晓燕",
                        'companies': [('add', [company.id])],
                        'company': company.id,
                        'employees': [('add', [employee.id])],
                        'employee': employee.id}])
            with Transaction().set_user(user.id):
                Unit.write([Unit(unit.id)], {
                        'delivery_state': 'handed_over',
                        'occupancy': 'vacant',
                        'building_area': Decimal('90'),
                        'inner_area': Decimal('72.5')})
            unit = Unit(unit.id)
            self.assertEqual(
                sorted((l.field, l.old_value, l.new_value, l.user, l.employee)
                    for l in unit.logs), [
                    ('delivery_state', 'sold', 'handed_over', user, employee),
                    ('inner_area', None, '72.5', user, employee),
                    ('occupancy', None, 'vacant', user, employee),
                    ])
            log, = [l for l in unit.logs if l.field == 'occupancy']
            self.assertEqual(log.new_value_string, "Vacant")
            self.assertTrue(log.date)
            with self.assertRaises(UnitLogError):
                Log.write([log], {'new_value': 'occupied'})
            with self.assertRaises(UnitLogError):
                Log.delete([log])

            # Over RPC (access checked) the unit's write still logs, but
            # nobody writes a log line of their own.
            with Transaction().set_context(_check_access=True):
                Unit.write([Unit(unit.id)], {'occupancy': 'occupied'})
                self.assertEqual(
                    [l.new_value for l in Unit(unit.id).logs
                        if l.field == 'occupancy'], ['occupied', 'vacant'])
                with self.assertRaises(UnitLogError):
                    Log.create([{
                                'unit': unit.id, 'date': log.date,
                                'field': 'occupancy', 'old_value': 'vacant',
                                'new_value': 'in_custody'}])

    @with_transaction()
    def test_field_access(self):
        "Delivery and areas are set by their groups; the desk sets occupancy"
        pool = Pool()
        Unit = pool.get('kefu.unit')
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        company = create_company()
        with set_company(company):
            estate, _, units = self._register()
            unit, = units('3-2-1502', delivery_state='handed_over',
                occupancy='vacant')

            def user(login, group):
                user, = User.create([{
                            'login': login, 'name': login,
                            'companies': [('add', [company.id])],
                            'company': company.id,
                            'kefu_estates': [('add', [estate.id])],
                            'groups': [('add', [ModelData.get_id(
                                            'kefu_base', group)])]}])
                return user

            def write(user, values):
                with Transaction().set_user(user.id), \
                        Transaction().set_context(_check_access=True):
                    Unit.write([Unit(unit.id)], values)

            desk = user('desk', 'group_front_desk')
            deed = user('deed', 'group_title_deed')
            manager = user('manager', 'group_office_manager')
            write(desk, {'occupancy': 'occupied'})
            for values in [{'delivery_state': 'sold', 'occupancy': None},
                    {'building_area': Decimal('91')},
                    {'inner_area': Decimal('70')}]:
                with self.assertRaises(AccessError):
                    write(desk, values)
            write(deed, {'delivery_state': 'sold', 'occupancy': None})
            with self.assertRaises(AccessError):
                write(deed, {'building_area': Decimal('91')})
            write(manager, {'building_area': Decimal('91'),
                    'inner_area': Decimal('70'),
                    'delivery_state': 'handed_over', 'occupancy': 'vacant'})
            unit = Unit(unit.id)
            self.assertEqual(
                (unit.delivery_state, unit.occupancy, unit.building_area),
                ('handed_over', 'vacant', Decimal('91')))

    @with_transaction()
    def test_owners_changed_through_unit(self):
        "A period closed and the next opened in one save of the unit"
        pool = Pool()
        Unit = pool.get('kefu.unit')
        Ownership = pool.get('kefu.unit.ownership')
        Party = pool.get('party.party')
        with set_company(create_company()):
            _, _, units = self._register()
            unit, = units('3-2-1502')
            a, b, c = Party.create(
                [{'name': "A"}, {'name': "B"}, {'name': "C"}])
            Unit.write([unit], {'ownerships': [('create', [
                                {'party': a.id, 'share': Decimal(60),
                                    'date_from': dt.date(2024, 1, 1)},
                                {'party': b.id, 'share': Decimal(40),
                                    'date_from': dt.date(2024, 1, 1)}])]})
            b_period, = [o for o in unit.ownerships if o.party == b]
            Unit.write([unit], {'ownerships': [
                        ('write', [b_period.id],
                            {'date_to': dt.date(2025, 5, 31)}),
                        ('create', [{'party': c.id, 'share': Decimal(40),
                                    'date_from': dt.date(2025, 6, 1)}])]})
            self.assertEqual(len(unit.ownerships), 3)
            # closed alone, the unit would lack an owner's share
            c_period, = [o for o in unit.ownerships if o.party == c]
            with self.assertRaises(OwnershipError):
                Unit.write([unit], {'ownerships': [
                            ('write', [c_period.id],
                                {'date_to': dt.date(2025, 12, 31)})]})
            # on its own, an ownership may not take the shares above 100
            with self.assertRaises(OwnershipError):
                Ownership.write([c_period], {'share': Decimal(50)})
            # nor start a unit with less than 100
            other, = units('3-2-1501')
            with self.assertRaises(OwnershipError):
                Ownership.create([{'unit': other.id, 'party': a.id,
                            'share': Decimal(40),
                            'date_from': dt.date(2025, 1, 1)}])


del ModuleTestCase
