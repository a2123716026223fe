# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The shift's follow-up: the duty log's open tickets, the 17:00 lists, the
deadlines recomputed when a calendar year becomes official, and tickets
from e-mails."""
import datetime as dt
import unittest
from unittest.mock import patch

from trytond.modules.company.tests import create_company, set_company
from trytond.modules.kefu_ticket import handover, sla
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction


def utc(*args):
    "A local Asia/Shanghai wall time as the naive UTC Tryton stores"
    return dt.datetime(*args) - dt.timedelta(hours=8)


class HandoverTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        activate_module(['kefu_ticket', 'inbound_email'])

    def setup_estate(self):
        pool = Pool()
        Estate = pool.get('kefu.estate')
        Employee = pool.get('company.employee')
        Party = pool.get('party.party')
        Department = pool.get('kefu.department')
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        company = create_company()
        company.timezone = 'Asia/Shanghai'
        company.save()
        self.company = company

        def staff(name, group):
            party, = Party.create([{'name': name}])
            employee, = Employee.create([{
                        'party': party.id, 'company': company.id}])
            User.create([{
                        'name': name, 'login': name.lower(),
                        'groups': [('add', [ModelData.get_id(
                                        'kefu_base', group)])],
                        'companies': [('add', [company.id])],
                        'company': company.id,
                        'employees': [('add', [employee.id])],
                        'employee': employee.id,
                        }])
            return employee
        self.wang = staff("Wang", 'group_front_desk')
        self.zhou = staff("Zhou", 'group_engineering')
        estate, = Estate.create([{
                    'name': "Green Garden", 'code': 'GG',
                    'company': company.id}])
        self.engineering, = Department.create([{
                    'name': "Engineering", 'code': 'EN',
                    'company': company.id, 'kind': 'engineering',
                    'email': 'engineering@example.com',
                    'members': [('create', [{'employee': self.zhou.id}])],
                    }])
        return estate

    def ticket(self, estate, **values):
        Ticket = Pool().get('kefu.ticket')
        values.setdefault('kind', 'repair')
        values.setdefault('channel', 'phone')
        values.setdefault('description', "Tap leaking")
        values.setdefault('reported_at', utc(2026, 11, 23, 9))
        return Ticket.create([dict(estate=estate.id, **values)])[0]

    @with_transaction()
    def test_duty_log_open_tickets(self):
        "The duty log lists the estate's tickets still open"
        pool = Pool()
        Ticket = pool.get('kefu.ticket')
        DutyLog = pool.get('kefu.duty.log')
        estate = self.setup_estate()
        with set_company(self.company):
            first = self.ticket(estate, reported_at=utc(2026, 11, 23, 8))
            second = self.ticket(estate)
            draft = self.ticket(estate)
            with patch.object(sla, 'now', return_value=utc(2026, 11, 23, 9)):
                Ticket.open([first, second])
                Ticket.cancel([second])
            log, = DutyLog.create([{
                        'estate': estate.id,
                        'date': dt.date(2026, 11, 23),
                        'shift': 'day',
                        }])
            self.assertEqual(log.open_tickets, (Ticket(first.id),))
            self.assertNotIn(draft, log.open_tickets)

    @with_transaction()
    def test_digest(self):
        """At 17:00 in Shanghai engineering gets its open work orders (in
        the web client and by e-mail) and the front desk the tickets"""
        pool = Pool()
        Ticket = pool.get('kefu.ticket')
        WorkOrder = pool.get('kefu.work_order')
        User = pool.get('res.user')
        estate = self.setup_estate()
        with set_company(self.company):
            ticket = self.ticket(estate, department=self.engineering.id)
            with patch.object(sla, 'now', return_value=utc(2026, 11, 23, 9)):
                Ticket.open([ticket])
                order, = WorkOrder.create([{
                            'ticket': ticket.id,
                            'department': self.engineering.id,
                            'assignee': self.zhou.id,
                            'description': "Tap leaking",
                            }])
                WorkOrder.notify([order])
            # 16:00 in Shanghai: not the hour
            self.assertEqual(handover.Digest.due(utc(2026, 11, 23, 16)), [])
            self.assertEqual(
                handover.Digest.due(utc(2026, 11, 23, 17, 0)), [self.company])
            transaction = Transaction()
            transaction.user_notifications.clear()
            with patch.object(
                    handover, 'send_message_transactional') as send:
                handover.send_digests(utc(2026, 11, 23, 17))
            msg, = [c[0][0] for c in send.call_args_list]
            self.assertEqual(msg['To'], 'engineering@example.com')
            self.assertEqual(msg['Subject'],
                "Engineering: 1 open work orders to follow up")
            body = msg.get_content()
            self.assertIn(order.number, body)
            self.assertIn(ticket.number, body)
            self.assertIn("Zhou", body)
            self.assertIn("LATE", body)
            notes = {(User(n.user).login, n.label)
                for n in transaction.user_notifications}
            self.assertEqual(notes, {
                    ('zhou', "Engineering: 1 open work orders to follow up"),
                    ('wang', "1 open tickets to follow up"),
                    })

    @with_transaction()
    def test_calendar_official(self):
        """A working-day deadline counted on the provisional 2027 calendar
        moves when the State Council's schedule is entered and made
        official"""
        pool = Pool()
        Ticket = pool.get('kefu.ticket')
        Year = pool.get('kefu.calendar.year')
        estate = self.setup_estate()
        with set_company(self.company):
            # Thursday 31 December 2026: 2 working days are 4 and 5 January
            # 2027 (1 January is the law's holiday) on the provisional year
            ticket = self.ticket(estate, kind='complaint',
                complaint_class='class_1', severity='minor',
                reported_at=utc(2026, 12, 31, 10))
            with patch.object(sla, 'now', return_value=utc(2026, 12, 31, 10)):
                Ticket.open([ticket])
            self.assertEqual(ticket.resolve_due, utc(2027, 1, 5, 23, 59, 59))
            year, = Year.get_or_create([2027]).values()
            Year.write([year], {'days': [('create', [{
                                'date': dt.date(2027, 1, 4),
                                'kind': 'holiday',
                                'name': "New Year",
                                }])]})
            Year.make_official([year])
            ticket = Ticket(ticket.id)
            self.assertEqual(ticket.resolve_due, utc(2027, 1, 6, 23, 59, 59))

    @with_transaction()
    def test_inbound_email(self):
        """A message to the service mailbox becomes a draft ticket of the
        sender's unit; an unknown sender's name is kept"""
        pool = Pool()
        Inbox = pool.get('inbound.email.inbox')
        Email = pool.get('inbound.email')
        Party = pool.get('party.party')
        Building = pool.get('kefu.building')
        Unit = pool.get('kefu.unit')
        estate = self.setup_estate()
        building, = Building.create([{'estate': estate.id, 'code': '3'}])
        owner, = Party.create([{
                    'name': "Zhang Wei",
                    'contact_mechanisms': [('create', [{
                                    'type': 'email',
                                    'value': 'zhang@example.com'}])],
                    }])
        unit, = Unit.create([{
                    'estate': estate.id, 'building': building.id,
                    'code': '3-2-1502',
                    'building_area': 98,
                    'ownerships': [('create', [{
                                    'party': owner.id,
                                    'date_from': dt.date(2020, 5, 1)}])],
                    }])
        inbox, = Inbox.create([{
                    'name': "Service",
                    'rules': [('create', [{
                                    'action':
                                    'kefu.ticket|from_inbound_email',
                                    'kefu_estate': estate.id}])],
                    }])
        with set_company(self.company):
            emails = Email.create([{
                        'inbox': inbox.id,
                        'data': (
                            'From: Zhang Wei <zhang@example.com>\n'
                            'To: service@example.com\n'
                            'Subject: Lift noise\n'
                            'Date: Mon, 23 Nov 2026 09:30:00 +0800\n'
                            '\nThe lift squeaks at night.\n').encode(),
                        'data_type': 'raw',
                        }, {
                        'inbox': inbox.id,
                        'data': (
                            'From: Li Na <lina@example.com>\n'
                            'To: service@example.com\n'
                            'Subject: Parking\n'
                            '\nWhere do visitors park?\n').encode(),
                        'data_type': 'raw',
                        }])
            with patch.object(sla, 'now', return_value=utc(2026, 11, 23, 10)):
                Email.process(emails)
            known, unknown = [e.result for e in emails]
            self.assertEqual(known.state, 'draft')
            self.assertEqual(known.channel, 'email')
            self.assertEqual(known.party, owner)
            self.assertEqual(known.unit, unit)
            self.assertEqual(known.reported_at, utc(2026, 11, 23, 9, 30))
            self.assertEqual(
                known.description, "Lift noise\n\nThe lift squeaks at night.\n")
            self.assertIsNone(unknown.party)
            self.assertEqual(unknown.caller_name, "Li Na")
            self.assertEqual(unknown.estate, estate)
            self.assertEqual(unknown.reported_at, utc(2026, 11, 23, 10))
