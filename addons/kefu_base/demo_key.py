# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Demo data of the key register (钥匙管理), built by demo.populate().

The centre keeps the five owner's keys of every unit handed over but not
yet moved into or in custody (托管), a public-door key per floor and a
public water-meter box key per tower, and the keys of each estate's
equipment rooms.  Every lock has its emergency spare set (紧急备用钥匙) but
a few, so that the Spare on Hand filter has something to show.  The lending
register has a year of returned lendings and some keys out now, a few of
them overdue."""
import datetime as dt

from trytond.pool import Pool

from .demo import create
from .key import OWNER_KINDS

# the centre keeps the keys of the units handed over that nobody lives in
HELD_OCCUPANCIES = {'vacant', 'in_custody'}
EQUIPMENT = [
    '1号水泵房', '2号水泵房', '高压配电房', '低压配电房', '消防控制室',
    '监控中心', '发电机房', '中水处理站']
CONTRACTORS = [
    '深圳市安居装饰工程有限公司', '深圳市通达电梯维保有限公司',
    '深圳市消安消防工程有限公司']
# why a key goes out and who takes it: a staff login or a contractor
PURPOSES = {
    'owner': [
        ('业主委托装修进场', CONTRACTORS[0]), ('维修厨房漏水', 'engineer'),
        ('托管巡查', 'security'), ('抄水电表', 'engineer')],
    'public': [
        ('楼道照明维修', 'engineer'), ('消防检查', CONTRACTORS[2]),
        ('清洁天台', 'security'), ('更换门禁读卡器', 'engineer')],
    'equipment': [
        ('水泵保养', 'engineer'), ('配电房检修', 'engineer'),
        ('消防联动测试', CONTRACTORS[2]), ('电梯机房年检', CONTRACTORS[1])],
    }
HOOKS = 100  # hooks per key cabinet
NO_SPARE = 0.02  # share of the locks whose spare set is missing


class KeyBuilder:
    "Builds the key register on the register that RegisterBuilder made"

    def __init__(self, register):
        self.register = register
        self.rng = register.rng
        self.today = register.today
        self.hooks = {}

    def build(self):
        pool = Pool()
        Key = pool.get('kefu.key')
        Lending = pool.get('kefu.key.lending')
        locks = self.owner_locks() + self.public_locks()
        locks += self.equipment_locks()
        keys = create(Key, list(self.with_spares(locks)))
        create(Lending, self.lendings([k for k in keys if not k.is_spare]))

    def location(self, estate):
        "The next free hook of the estate's key cabinets"
        hook = self.hooks[estate] = self.hooks.get(estate, 0) + 1
        cabinet, hook = divmod(hook - 1, HOOKS)
        return '%s号柜 %s号钩' % (cabinet + 1, hook + 1)

    def owner_locks(self):
        register = self.register
        locks = []
        for unit, record in zip(register.units, register.unit_records):
            if unit['occupancy'] not in HELD_OCCUPANCIES:
                continue
            for number, kind in enumerate(OWNER_KINDS, 1):
                locks.append({
                        'estate': record.estate.id,
                        'kind': kind,
                        'unit': record.id,
                        'building': record.building.id,
                        'code': '%s-%s' % (record.code, number),
                        'copies': 2,
                        })
        return locks

    def public_locks(self):
        register = self.register
        locks = []
        for building, record in zip(
                register.buildings, register.building_records):
            if not building['floors']:
                continue
            locks.append({
                    'estate': record.estate.id,
                    'kind': 'public_water_meter_box',
                    'building': record.id,
                    'code': '%s-SB' % record.code,
                    'copies': 1,
                    })
            locks.extend({
                    'estate': record.estate.id,
                    'kind': 'public_door',
                    'building': record.id,
                    'floor': floor,
                    'code': '%s-%sF' % (record.code, floor),
                    'copies': 1,
                    } for floor in range(1, building['floors'] + 1))
        return locks

    def equipment_locks(self):
        return [{
                'estate': estate.id,
                'kind': 'equipment_room',
                'equipment': equipment,
                'code': 'E%02d' % number,
                'copies': 1,
                } for estate in self.register.estate_records
            for number, equipment in enumerate(EQUIPMENT, 1)]

    def with_spares(self, locks):
        for lock in locks:
            yield dict(lock, location=self.location(lock['estate']))
            if self.rng.random() >= NO_SPARE:
                yield dict(lock, code=lock['code'] + 'B', copies=1,
                    is_spare=True, location=self.location(lock['estate']))

    def borrowers(self):
        "Engineering and security staff, and the estate's contractors"
        Party = Pool().get('party.party')
        borrowers = {u.login: u.employee.party
            for u in self.register.user_records}
        borrowers.update(zip(CONTRACTORS,
                create(Party, [{'name': n} for n in CONTRACTORS])))
        return borrowers

    def at(self, days_ago, hour):
        day = self.today - dt.timedelta(days=days_ago)
        return dt.datetime.combine(day, dt.time(hour, self.rng.randint(0, 59)))

    def lendings(self, keys):
        """A year of returned lendings, then keys out now, the first quarter
        of them overdue; no key has more than one lending at a time."""
        rng = self.rng
        users = {u.login: u for u in self.register.user_records}
        borrowers = self.borrowers()
        keys = rng.sample(keys, len(keys))
        n_out = max(4, len(keys) // 100)
        out, returned = keys[:n_out], keys[n_out:n_out + len(keys) // 25]
        vlist = []
        for index, key in enumerate(out):
            if index < n_out // 4:
                lent_at = self.at(rng.randint(3, 10), rng.randint(8, 17))
                due_at = lent_at + dt.timedelta(days=1)
            else:
                lent_at = self.at(rng.randint(0, 2), rng.randint(8, 11))
                due_at = self.at(-rng.randint(1, 5), 18)
            vlist.append(self.lending(
                    key, borrowers, lent_at, due_at, users))
        for key in returned:
            lent_at = self.at(rng.randint(12, 365), rng.randint(8, 17))
            due_at = lent_at + dt.timedelta(hours=rng.randint(2, 48))
            vlist.append(self.lending(
                    key, borrowers, lent_at, due_at, users,
                    returned_at=lent_at + (due_at - lent_at) * rng.uniform(
                        0.3, 1.2)))
        return vlist

    def lending(self, key, borrowers, lent_at, due_at, users,
            returned_at=None):
        if key.kind in OWNER_KINDS:
            purposes = PURPOSES['owner']
        elif key.kind == 'equipment_room':
            purposes = PURPOSES['equipment']
        else:
            purposes = PURPOSES['public']
        purpose, borrower = self.rng.choice(purposes)
        values = {
            'key': key.id,
            'borrower': borrowers[borrower].id,
            'purpose': purpose,
            'lent_at': lent_at,
            'due_at': due_at,
            'lent_by': users['frontdesk'].employee.id,
            'state': 'lent',
            }
        if returned_at:
            values.update({
                    'returned_at': returned_at.replace(microsecond=0),
                    'returned_to': users['specialist'].employee.id,
                    'state': 'returned',
                    })
        return values
