# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Demo data of the property register, for `make demo` and the benchmarks.

The hook
--------
``tools/kefu_demo.py`` opens the database, then calls, in dependency order,
``trytond.modules.<module>.demo.populate(options)`` of every activated kefu_*
module that has a ``demo`` module.  Every call runs inside one transaction
opened as root (user 0), with ``company`` in the context once kefu_base has
created the demo company.  A module adds its own records with the same hook::

    def populate(options):
        "Create the demo records; return False if they are already there."

``options`` is an :class:`Options`: ``units`` (how many units the register
has), ``seed``, ``password`` (of the demo users), ``today`` (every date is
relative to it) and ``random(name)``, a ``random.Random`` of its own per
module so that adding a module changes nothing in the others' data.  The
same seed and today give the same data.  A hook must not create its data
twice: it checks for a record of its own and returns False when found.
Helpers for the hooks: ``create(Model, vlist)`` creates in batches and
``demo_company()`` returns the demo company.

What kefu_base creates: the company 客服物业管理有限公司 (Kefu Property
Management Co., Ltd., CNY, Asia/Shanghai); two estates with their managers;
buildings with surveyed areas, two of which deliberately differ a little
from the sum of their units; ``units`` units that look like a lived-in
estate (most handed over and occupied, some vacant or in custody, a few
sold or unsold); owners with mobile numbers, co-owners, name changes (更名)
and residents; one user per Kefu group (logins in USERS, the password from
the options, checked against Tryton's password rules) besides admin, who
gets every group; the key register (see demo_key.py); and the front desk's
duty logs, visitor slips and registered mail (see demo_frontdesk.py).
"""
import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from trytond.pool import Pool
from trytond.transaction import Transaction

try:
    import phonenumbers
except ImportError:
    phonenumbers = None

# Records per create() call: trytond's browse() checks every id against the
# whole list, so much larger batches get slower, not faster.
BATCH = 500

COMPANY_NAME = '客服物业管理有限公司'
TIMEZONE = 'Asia/Shanghai'

# code, name, address, years since the first handover (交房)
ESTATES = [
    ('CH', '翠湖花园', '广东省深圳市南山区翠湖路88号', 8),
    ('JX', '锦绣华庭', '广东省深圳市龙岗区锦绣大道168号', 4),
    ]
ESTATE_MANAGERS = ['张建国', '黄志明']

# login, name, group, estates (None: all)
USERS = [
    ('frontdesk', '刘晓燕', 'group_front_desk', 1),
    ('specialist', '陈静', 'group_specialist', None),
    ('supervisor', '王磊', 'group_supervisor', None),
    ('manager', '张建国', 'group_office_manager', None),
    ('engineer', '李强', 'group_engineering', None),
    ('security', '赵勇', 'group_security', None),
    ('finance', '孙丽华', 'group_finance', None),
    ('titledeed', '周敏', 'group_title_deed', None),
    ]
GROUPS = [
    'group_front_desk', 'group_specialist', 'group_supervisor',
    'group_office_manager', 'group_engineering', 'group_security',
    'group_finance', 'group_title_deed', 'group_admin',
    ]

# The most common surnames first: they are drawn with decreasing weight.
SURNAMES = (
    '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董'
    '袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟'
    '熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤')
SURNAME_WEIGHTS = [1 / (i + 4) for i in range(len(SURNAMES))]
# Given names: one character, or a first and a second character that go
# together, for men and for women.
GIVEN_NAMES = [
    ('伟强磊军勇杰涛明超刚斌鹏', '建志国文明海俊晓宇浩子家振永德',
        '华强伟军明辉杰涛鹏飞东平林斌成'),
    ('芳娜敏静丽艳娟霞燕萍洁', '秀丽晓海美雅欣佳雨静慧婷玉春',
        '英娟燕梅芳兰琳怡婷萍霞敏洁丹'),
    ]
COMPANY_WORDS = ['恒达', '鑫源', '华信', '佳美', '德润', '瑞丰', '盛世', '宏图']
COMPANY_TRADES = ['商贸', '餐饮', '便利店', '药房', '教育咨询', '美容美发']

# (delivery, occupancy) of a unit: unsold, sold, then handed over and
# occupied, vacant or in custody; by usage, the weights of each
STATES = [
    ('unsold', None), ('sold', None), ('handed_over', 'occupied'),
    ('handed_over', 'vacant'), ('handed_over', 'in_custody')]
STATE_WEIGHTS = {
    'residential': [2, 6, 62, 23, 7],
    'commercial': [15, 10, 55, 20, 0],
    'parking': [20, 10, 70, 0, 0],
    }
PARKING_SHARE = 8  # percent of the units
PARKING_LEVEL = 500  # spaces per underground level


@dataclass
class Options:
    "What tools/kefu_demo.py passes to every module's populate()"
    units: int = 1000
    seed: int = 1
    password: str = None
    today: dt.date = None

    def __post_init__(self):
        if self.today is None:
            # The company's today: at 02:00 in Shanghai it is still
            # yesterday in UTC, and the front desk's day shift is today's.
            self.today = dt.datetime.now(ZoneInfo(TIMEZONE)).date()

    def random(self, module):
        "A random generator of the module's own, fixed by the seed"
        return random.Random('%s:%s' % (self.seed, module))


def create(Model, vlist):
    "Create the records of vlist in batches and return them in order"
    records = []
    for i in range(0, len(vlist), BATCH):
        records.extend(Model.create(vlist[i:i + BATCH]))
    return records


def demo_company():
    "The demo company, or None before kefu_base's populate() ran"
    Company = Pool().get('company.company')
    companies = Company.search(
        [('party.name', '=', COMPANY_NAME)], order=[('id', 'ASC')], limit=1)
    return companies[0] if companies else None


def has_model(name):
    try:
        Pool().get(name)
    except KeyError:
        return False
    return True


def populate(options):
    "Create the register's demo data; return False if it is already there"
    Estate = Pool().get('kefu.estate')
    with Transaction().set_context(active_test=False):
        if Estate.search([('code', 'in', [e[0] for e in ESTATES])]):
            return False
    RegisterBuilder(options).build()
    return True


class RegisterBuilder:
    "Builds the property register from a plan drawn with one generator"

    def __init__(self, options):
        self.options = options
        self.today = options.today
        self.rng = options.random('kefu_base')
        self.people = []  # party values, referred to by index
        self.homes = {}  # estate index: people owning a home there

    def build(self):
        self.check_password()
        company = self.company()
        with Transaction().set_context(company=company.id):
            self.estate_records = self.estates(company)
            self.buildings = self.plan_buildings()
            self.units = self.plan_units(self.buildings)
            self.building_records = self.create_buildings(
                self.estate_records, self.buildings)
            self.unit_records = self.create_units(
                self.estate_records, self.building_records, self.units)
            self.parties = self.create_people()
            self.create_ownerships(self.unit_records, self.units, self.parties)
            self.create_residents(self.unit_records, self.units, self.parties)
            self.user_records = self.users(company, self.estate_records)
            if has_model('kefu.key'):
                from .demo_key import KeyBuilder
                KeyBuilder(self).build()
            from .demo_frontdesk import FrontDeskBuilder
            FrontDeskBuilder(self).build()

    # Company, estates and users

    def check_password(self):
        "Apply Tryton's password rules, which root skips, before any work"
        User = Pool().get('res.user')
        User.validate_password(self.options.password, [
                User(login=login, name=name) for login, name, *_ in USERS])

    def company(self):
        pool = Pool()
        Party = pool.get('party.party')
        Company = pool.get('company.company')
        User = pool.get('res.user')
        company = demo_company()
        if not company:
            party, = Party.create([{'name': COMPANY_NAME}])
            company, = Company.create([{
                        'party': party.id,
                        'currency': self.currency().id,
                        'timezone': TIMEZONE,
                        }])
        admin, = User.search([('login', '=', 'admin')])
        values = {
            'companies': [('add', [company.id])],
            'company': company.id,
            'groups': [('add', self.group_ids(GROUPS))],
            }
        if self.language():
            values['language'] = self.language().id
        User.write([admin], values)
        self.finish_configuration_wizard()
        return company

    def finish_configuration_wizard(self):
        """The company is set up here, so the Module Configuration wizard
        has nothing left to ask; left pending, the web client opens it at
        every admin login."""
        Item = Pool().get('ir.module.config_wizard.item')
        Item.write(Item.search([('state', '!=', 'done')]), {'state': 'done'})

    def currency(self):
        Currency = Pool().get('currency.currency')
        currencies = Currency.search([('code', '=', 'CNY')], limit=1)
        if currencies:
            return currencies[0]
        currency, = Currency.create([{
                    'name': 'Yuan Renminbi',
                    'code': 'CNY',
                    'numeric_code': '156',
                    'symbol': '¥',
                    'rounding': Decimal('0.01'),
                    'digits': 2,
                    }])
        return currency

    def language(self):
        "zh_CN if it is translatable in this database"
        Lang = Pool().get('ir.lang')
        langs = Lang.search(
            [('code', '=', 'zh_CN'), ('translatable', '=', True)], limit=1)
        return langs[0] if langs else None

    def group_ids(self, names):
        ModelData = Pool().get('ir.model.data')
        return [ModelData.get_id('kefu_base', n) for n in names]

    def employees(self, company, names):
        pool = Pool()
        Party = pool.get('party.party')
        Employee = pool.get('company.employee')
        parties = create(Party, [{'name': n} for n in names])
        return create(Employee, [{
                    'party': p.id,
                    'company': company.id,
                    'start_date': dt.date(self.today.year - 9, 3, 1),
                    } for p in parties])

    def estates(self, company):
        Estate = Pool().get('kefu.estate')
        managers = self.employees(company, ESTATE_MANAGERS)
        self.managers = dict(zip(ESTATE_MANAGERS, managers))
        return create(Estate, [{
                    'code': code,
                    'name': name,
                    'address': address,
                    'company': company.id,
                    'manager': manager.id,
                    } for (code, name, address, _), manager
                in zip(ESTATES, managers)])

    def users(self, company, estates):
        User = Pool().get('res.user')
        names = [u[1] for u in USERS if u[1] not in self.managers]
        employees = dict(self.managers)
        employees.update(zip(names, self.employees(company, names)))
        language = self.language()
        vlist = []
        for login, name, group, n_estates in USERS:
            employee = employees[name]
            vlist.append({
                    'login': login,
                    'name': name,
                    'password': self.options.password,
                    'groups': [('add', self.group_ids([group]))],
                    'companies': [('add', [company.id])],
                    'company': company.id,
                    'employees': [('add', [employee.id])],
                    'employee': employee.id,
                    'kefu_estates': [('add', [
                                e.id for e in estates[:n_estates]])],
                    'language': language.id if language else None,
                    })
        return User.create(vlist)

    # The plan: buildings, units, people

    def plan_buildings(self):
        "Residential towers until the homes and shops are housed"
        rng = self.rng
        n_parking = self.options.units * PARKING_SHARE // 100
        remaining = self.options.units - n_parking
        buildings = []
        while remaining > 0:
            estate = 0 if len(buildings) % 5 in {0, 2, 4} else 1
            building = {
                'estate': estate,
                'code': str(1 + sum(b['estate'] == estate for b in buildings)),
                'entrances': rng.choice((1, 2, 2, 3)),
                'rooms': rng.choice((2, 2, 3, 4)),
                'floors': rng.randint(6, 33),
                # the first tower of each estate faces the street
                'shops': len(buildings) < 2 or rng.random() < 0.4,
                }
            building['name'] = '%s号楼' % building['code']
            building['layouts'] = self.layouts(building)
            building['size'] = min(remaining, building['entrances']
                * building['rooms'] * building['floors'])
            remaining -= building['size']
            buildings.append(building)
        buildings.extend(self.plan_garages(n_parking))
        return buildings

    def plan_garages(self, n_parking):
        "One underground garage per estate, 60% of the spaces in the first"
        sizes = [n_parking * 3 // 5, n_parking - n_parking * 3 // 5]
        return [{
                'estate': estate,
                'code': 'P',
                'name': '地下车库',
                'floors': None,
                'size': size,
                } for estate, size in enumerate(sizes) if size]

    def area(self, low, high):
        "A building area and an inner area of 75 to 85% of it"
        area = Decimal(self.rng.randint(low * 100, high * 100)) / 100
        inner = area * self.rng.randint(75, 85) / 100
        return area, inner.quantize(Decimal('0.01'))

    def layouts(self, building):
        "The floor plans (户型): one per entrance and room, on every floor"
        return {(e, r): self.area(60, 180)
            for e in range(1, building['entrances'] + 1)
            for r in range(1, building['rooms'] + 1)}

    def plan_units(self, buildings):
        units = []
        for index, building in enumerate(buildings):
            if building['code'] == 'P':
                new = list(self.garage_units(building))
            else:
                new = list(self.tower_units(building))
            for unit in new:
                unit['building'] = index
                unit['estate'] = building['estate']
                self.plan_life(unit)
            building['area'] = sum(u['building_area'] for u in new)
            units.extend(new)
        self.plan_area_differences(buildings)
        return units

    def tower_units(self, building):
        "Units floor by floor, so that a short last tower loses its top"
        entrances, rooms = building['entrances'], building['rooms']
        for i in range(building['size']):
            floor = i // (entrances * rooms) + 1
            entrance = i // rooms % entrances + 1
            room = i % rooms + 1
            usage = 'residential'
            area, inner = building['layouts'][entrance, room]
            if floor == 1 and building['shops']:
                usage = 'commercial'
                area, inner = self.area(40, 200)
            building['floors'] = floor
            yield {
                'code': '%s-%s-%s%02d' % (
                    building['code'], entrance, floor, room),
                'floor': floor,
                'usage': usage,
                'building_area': area,
                'inner_area': inner,
                **self.state(usage),
                }

    def garage_units(self, building):
        for i in range(building['size']):
            level, number = divmod(i, PARKING_LEVEL)
            area, inner = self.area(25, 35)
            yield {
                'code': 'P-B%s-%03d' % (level + 1, number + 1),
                'floor': -(level + 1),
                'usage': 'parking',
                'building_area': area,
                'inner_area': inner,
                **self.state('parking'),
                }

    def state(self, usage):
        "The delivery and occupancy of a new unit"
        delivery_state, occupancy = self.rng.choices(
            STATES, STATE_WEIGHTS[usage])[0]
        return {'delivery_state': delivery_state, 'occupancy': occupancy}

    def plan_area_differences(self, buildings):
        "Two buildings whose survey differs a little from their units"
        for building in buildings:
            building['surveyed_area'] = building['area']
        deltas = [Decimal('1.37'), Decimal('-0.62')]
        for index, delta in zip(
                self.rng.sample(range(len(buildings)), min(2, len(buildings))),
                deltas):
            buildings[index]['surveyed_area'] += delta

    def date_between(self, start, end):
        end = min(end, self.today)
        start = min(start, end)
        return start + dt.timedelta(days=self.rng.randint(
                0, (end - start).days))

    def plan_life(self, unit):
        "Sale, handover, owners and residents of a unit"
        unit['ownerships'], unit['residents'] = [], []
        if unit['delivery_state'] == 'unsold':
            return
        years = ESTATES[unit['estate']][3]
        delivery = dt.date(self.today.year - years, 6, 28)
        if unit['delivery_state'] == 'sold':
            sale = self.date_between(
                self.today - dt.timedelta(days=365),
                self.today - dt.timedelta(days=30))
        else:
            sale = self.date_between(
                delivery - dt.timedelta(days=720), delivery)
            unit['handover'] = self.date_between(
                delivery, delivery + dt.timedelta(days=180))
        self.plan_owners(unit, sale)
        if unit['occupancy'] == 'occupied' and unit['usage'] == 'residential':
            self.plan_residents(unit)

    # People

    def person(self, surname=None, mobile=True):
        rng = self.rng
        if surname is None:
            surname = rng.choices(SURNAMES, SURNAME_WEIGHTS)[0]
        single, first, second = rng.choice(GIVEN_NAMES)
        if rng.random() < 0.25:
            given = rng.choice(single)
        else:
            given = rng.choice(first) + rng.choice(second)
        self.people.append({
                'name': surname + given,
                'mobile': self.mobile() if mobile else None,
                })
        return len(self.people) - 1

    def business(self):
        rng = self.rng
        self.people.append({
                'name': '深圳市%s%s有限公司' % (
                    rng.choice(COMPANY_WORDS), rng.choice(COMPANY_TRADES)),
                'mobile': self.mobile(),
                })
        return len(self.people) - 1

    def mobile(self):
        rng = self.rng
        number = '1%s%s%08d' % (
            rng.choice('358'), rng.randint(0, 9), rng.randint(0, 10 ** 8 - 1))
        # phonenumbers, when installed, rejects numbers without a country
        return '+86' + number if phonenumbers else number

    def owners(self, unit):
        "The owners and their shares for a new period of a unit"
        rng = self.rng
        homes = self.homes.setdefault(unit['estate'], [])
        if unit['usage'] == 'commercial' and rng.random() < 0.3:
            return [(self.business(), Decimal(100))]
        if rng.random() < 0.1:
            first = rng.choice((Decimal(50), Decimal(50), Decimal(60)))
            return [(self.person(), first), (self.person(), 100 - first)]
        reuse = 0.6 if unit['usage'] == 'parking' else 0.05
        if homes and rng.random() < reuse:
            return [(rng.choice(homes), Decimal(100))]
        owner = self.person()
        if unit['usage'] == 'residential':
            homes.append(owner)
        return [(owner, Decimal(100))]

    def plan_owners(self, unit, sale):
        "One period, or two with a name change (更名) in between"
        handover = unit.get('handover')
        owners = self.owners(unit)
        if (handover and (self.today - handover).days > 400
                and self.rng.random() < 0.03):
            change = self.date_between(
                handover + dt.timedelta(days=200),
                self.today - dt.timedelta(days=30))
            unit['ownerships'].append(
                (sale, change - dt.timedelta(days=1), owners))
            owners = self.renamed(owners)
            sale = change
        unit['ownerships'].append((sale, None, owners))

    def renamed(self, owners):
        "A sale to someone else, or a spouse added to the title"
        if len(owners) == 1 and self.rng.random() < 0.4:
            spouse = self.person()
            return [(owners[0][0], Decimal(50)), (spouse, Decimal(50))]
        return [(self.person(), Decimal(100))]

    def plan_residents(self, unit):
        "Family of the owner, or tenants, some of whom left"
        rng = self.rng
        since = self.date_between(
            unit['handover'], unit['handover'] + dt.timedelta(days=120))
        owner = self.people[unit['ownerships'][-1][2][0][0]]
        draw = rng.random()
        if draw < 0.35:
            surname = owner['name'][0]
            for _ in range(rng.choice((1, 1, 2))):
                unit['residents'].append((
                        since, None, self.person(surname, rng.random() < 0.5),
                        'family'))
        elif draw < 0.5:
            if rng.random() < 0.3:
                left = self.date_between(since, self.today)
                unit['residents'].append(
                    (since, left, self.person(), 'tenant'))
                since = min(left + dt.timedelta(days=1), self.today)
            for _ in range(rng.choice((1, 1, 2))):
                unit['residents'].append(
                    (since, None, self.person(), 'tenant'))

    # Creation

    def create_buildings(self, estates, buildings):
        Building = Pool().get('kefu.building')
        return create(Building, [{
                    'estate': estates[b['estate']].id,
                    'code': b['code'],
                    'name': b.get('name'),
                    'floors': b['floors'],
                    'surveyed_area': b['surveyed_area'],
                    } for b in buildings])

    def create_units(self, estates, buildings, units):
        Unit = Pool().get('kefu.unit')
        return create(Unit, [{
                    'estate': estates[u['estate']].id,
                    'building': buildings[u['building']].id,
                    'code': u['code'],
                    'floor': u['floor'],
                    'usage': u['usage'],
                    'building_area': u['building_area'],
                    'inner_area': u['inner_area'],
                    'delivery_state': u['delivery_state'],
                    'occupancy': u['occupancy'],
                    } for u in units])

    def create_people(self):
        pool = Pool()
        Party = pool.get('party.party')
        ContactMechanism = pool.get('party.contact_mechanism')
        # One call for all the codes instead of one per party
        sequence = Party._code_sequence()
        codes = (sequence.get_many(len(self.people)) if sequence
            else [None] * len(self.people))
        parties = create(Party, [{'name': p['name'], 'code': code}
                for p, code in zip(self.people, codes)])
        create(ContactMechanism, [{
                    'party': party.id,
                    'type': 'mobile',
                    'value': person['mobile'],
                    } for party, person in zip(parties, self.people)
                if person['mobile']])
        return parties

    def create_ownerships(self, unit_records, units, parties):
        "In batches of whole units: the shares are checked per batch"
        Ownership = Pool().get('kefu.unit.ownership')
        step = BATCH // 2
        for i in range(0, len(units), step):
            Ownership.create([{
                        'unit': record.id,
                        'party': parties[person].id,
                        'share': share,
                        'date_from': date_from,
                        'date_to': date_to,
                        } for record, unit in zip(
                        unit_records[i:i + step], units[i:i + step])
                    for date_from, date_to, owners in unit['ownerships']
                    for person, share in owners])

    def create_residents(self, unit_records, units, parties):
        Resident = Pool().get('kefu.unit.resident')
        create(Resident, [{
                    'unit': record.id,
                    'party': parties[person].id,
                    'relation': relation,
                    'date_from': date_from,
                    'date_to': date_to,
                    } for record, unit in zip(unit_records, units)
                for date_from, date_to, person, relation
                in unit['residents']])
