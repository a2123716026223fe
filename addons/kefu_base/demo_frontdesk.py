# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Demo data of the front desk's registers, built by demo.populate().

Per estate, the last days' duty logs: each shift handed over to the next
and signed for, its entries dealt with, and today's day shift still open
with a few entries to follow up; visitor slips of the last days (the
visitors of today partly still inside); registered mail received in the
last weeks, most of it handed out, some waiting at the desk and a few
returned to the post office."""
import datetime as dt

from trytond.pool import Pool

from .demo import create

DAYS = 3  # days of duty logs, visitors and mail per estate
ENTRIES = [
    ('phone_call', 'engineering', "来电反映楼道灯不亮", "已通知工程部更换灯管"),
    ('visit', 'customer_service', "业主来访咨询装修申请手续", "已告知所需资料"),
    ('notice', 'security', "消防通道有车辆停放", "已联系车主移走"),
    ('phone_call', 'engineering', "来电反映厨房下水道堵塞", "维修人员已疏通"),
    ('other', 'finance', "业主询问物业费缴纳方式", "已告知可在前台或线上缴纳"),
    ('emergency', 'engineering', "电梯困人报警", "工程部5分钟到场，已解困"),
    ]
VISITORS = [
    ("王建华", "探亲"), ("李秀英", "送货"), ("张志强", "装修勘察"),
    ("刘芳", "看房"), ("陈明", "维修空调"), ("杨丽", "拜访朋友"),
    ]
SENDERS = [
    "深圳市不动产登记中心", "中国建设银行深圳分行", "南山区人民法院",
    "深圳市社会保险基金管理局", "顺丰速运"]


class FrontDeskBuilder:
    "Builds the front desk's registers on the register RegisterBuilder made"

    def __init__(self, register):
        self.register = register
        self.rng = register.rng
        self.today = register.today
        self.users = {u.login: u for u in register.user_records}

    def employee(self, login):
        return self.users[login].employee.id

    def at(self, day, hour):
        "A naive UTC datetime on day at hour, Shanghai time (UTC+8)"
        return dt.datetime.combine(
            day, dt.time(hour, self.rng.randint(0, 59))) - dt.timedelta(
            hours=8)

    def build(self):
        pool = Pool()
        Unit = pool.get('kefu.unit')
        for estate in self.register.estate_records:
            units = Unit.search([
                    ('estate', '=', estate.id),
                    ('delivery_state', '=', 'handed_over'),
                    ], order=[('code_sort', 'ASC')], limit=50)
            if not units:
                continue
            self.duty_logs(estate, units)
            self.visitors(estate, units)
            self.mails(estate, units)

    def shifts(self):
        "The (date, shift) of the last DAYS days up to today's day shift"
        for days_ago in range(DAYS, 0, -1):
            day = self.today - dt.timedelta(days=days_ago)
            yield day, 'day'
            yield day, 'night'
        yield self.today, 'day'

    def duty_logs(self, estate, units):
        pool = Pool()
        Log = pool.get('kefu.duty.log')
        Entry = pool.get('kefu.duty.log.entry')
        shifts = list(self.shifts())
        staff = [('frontdesk', 'specialist'), ('specialist', 'frontdesk')]
        logs = create(Log, [{
                    'estate': estate.id,
                    'date': day,
                    'shift': shift,
                    'user': self.users[staff[i % 2][0]].id,
                    'written_by': self.employee(staff[i % 2][0]),
                    'state': 'open',
                    } for i, (day, shift) in enumerate(shifts)])
        entries = []
        for i, (log, (day, shift)) in enumerate(zip(logs, shifts)):
            hours = [9, 11, 15] if shift == 'day' else [20, 23]
            last = log == logs[-1]
            for hour in hours:
                kind, department, content, result = self.rng.choice(ENTRIES)
                unit = self.rng.choice(units)
                entries.append({
                        'duty_log': log.id,
                        'time': self.at(day, hour),
                        'kind': kind,
                        'unit': unit.id,
                        'contact_name': unit.owner_names or None,
                        'content': content,
                        'department': department,
                        'result': None if last else result,
                        'state': 'open' if last else 'done',
                        })
        create(Entry, entries)
        # Every shift but the last handed over to the next one and signed.
        for i, (log, following) in enumerate(zip(logs, logs[1:])):
            receiver = staff[(i + 1) % 2][0]
            handed_over_at = self.at(following.date, 8 if following.shift
                == 'day' else 20)
            Log.write([log], {
                    'receiving_user': self.users[receiver].id,
                    'next_log': following.id,
                    'notes': "本班事项均已处理完毕。",
                    'handed_over_at': handed_over_at,
                    'handed_over_by': log.written_by.id,
                    'received_by': self.employee(receiver),
                    'confirmed_at': handed_over_at,
                    'state': 'handed_over',
                    })

    def visitors(self, estate, units):
        Slip = Pool().get('kefu.visitor.slip')
        vlist = []
        for days_ago in range(DAYS, -1, -1):
            day = self.today - dt.timedelta(days=days_ago)
            for hour in [10, 14, 16]:
                name, purpose = self.rng.choice(VISITORS)
                unit = self.rng.choice(units)
                arrived_at = self.at(day, hour)
                inside = days_ago == 0 and hour == 16
                vlist.append({
                        'estate': estate.id,
                        'visitor_name': name,
                        'id_type': 'id_card',
                        'phone': '13%09d' % self.rng.randint(0, 10 ** 9 - 1),
                        'unit': unit.id,
                        'purpose': purpose,
                        'arrived_at': arrived_at,
                        'left_at': (None if inside
                            else arrived_at + dt.timedelta(
                                minutes=self.rng.randint(20, 120))),
                        'people': self.rng.randint(1, 3),
                        'registered_by': self.employee('frontdesk'),
                        'state': 'in' if inside else 'left',
                        })
        create(Slip, vlist)

    def mails(self, estate, units):
        Mail = Pool().get('kefu.mail')
        vlist = []
        for number in range(8):
            unit = self.rng.choice(units)
            received_at = self.at(
                self.today - dt.timedelta(days=self.rng.randint(0, 20)), 10)
            values = {
                'estate': estate.id,
                'unit': unit.id,
                'addressee_name': unit.owner_names or "业主",
                'sender': self.rng.choice(SENDERS),
                'kind': 'parcel' if number % 3 == 0 else 'registered_letter',
                'tracking_number': 'KA%09dCN' % self.rng.randint(
                    0, 10 ** 9 - 1),
                'received_at': received_at,
                'received_by': self.employee('frontdesk'),
                'state': 'received',
                }
            if number < 5:
                values.update({
                        'signed_by_name': unit.owner_names or "业主",
                        'handed_out_at': received_at + dt.timedelta(
                            hours=self.rng.randint(2, 72)),
                        'handed_out_by': self.employee('frontdesk'),
                        'state': 'handed_out',
                        })
            elif number == 7:
                values.update({
                        'return_reason': "收件人长期不在，逾期无人领取",
                        'returned_at': received_at + dt.timedelta(days=15),
                        'return_approved_by': self.employee('supervisor'),
                        'state': 'returned',
                        })
            vlist.append(values)
        create(Mail, vlist)
