# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The deadline function and the escalation sweep, on the Chinese calendar
of 2026 (National Day 1-7 October, the swapped working Saturday 10 October)
in the Asia/Shanghai time zone (UTC+8)."""
import datetime as dt
import unittest
from unittest.mock import patch

from trytond.modules.company.tests import create_company, set_company
from trytond.modules.kefu_ticket import sla
from trytond.modules.kefu_ticket.exceptions import SlaRuleError
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction


def utc(*args):
    "A local Asia/Shanghai wall time as the naive UTC Tryton stores"
    return dt.datetime(*args) - dt.timedelta(hours=8)


class DeadlineTestCase(unittest.TestCase):
    "The pure deadline function sla.due"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        activate_module('kefu_ticket')

    def company(self):
        company = create_company()
        company.timezone = 'Asia/Shanghai'
        company.save()
        return company

    @with_transaction()
    def test_monotonic_in_amount(self):
        "More units never give an earlier deadline"
        company = self.company()
        with set_company(company):
            for start in [utc(2026, 9, 25, 10), utc(2026, 9, 30, 23, 30),
                    utc(2026, 10, 9, 18)]:
                for unit in ['minutes', 'hours', 'calendar_days',
                        'working_days']:
                    deadlines = [sla.due(start, n, unit, company=company)
                        for n in range(0, 12)]
                    self.assertEqual(deadlines, sorted(deadlines), unit)
                    self.assertTrue(all(d >= start for d in deadlines))

    @with_transaction()
    def test_national_day(self):
        "Working days skip the holiday and count the swapped Saturday"
        company = self.company()
        with set_company(company):
            # Monday 28 September 10:00: 29, 30 Sep, 8, 9, 10 (Saturday,
            # worked), 12 ... 16 October.
            self.assertEqual(
                sla.due(utc(2026, 9, 28, 10), 10, 'working_days',
                    company=company),
                utc(2026, 10, 16, 23, 59, 59))
            # 1 working day after the eve of the holiday: 8 October.
            self.assertEqual(
                sla.due(utc(2026, 9, 30, 15), 1, 'working_days',
                    company=company),
                utc(2026, 10, 8, 23, 59, 59))

    @with_transaction()
    def test_swapped_weekend(self):
        "Friday 9 October + 1 working day is Saturday 10 October (调休)"
        company = self.company()
        with set_company(company):
            self.assertEqual(
                sla.due(utc(2026, 10, 9, 10), 1, 'working_days',
                    company=company),
                utc(2026, 10, 10, 23, 59, 59))
            # while an ordinary Friday gives Monday
            self.assertEqual(
                sla.due(utc(2026, 11, 20, 16), 1, 'working_days',
                    company=company),
                utc(2026, 11, 23, 23, 59, 59))

    @with_transaction()
    def test_midnight_and_time_zone(self):
        """The day is the local one: 00:30 in Shanghai on Monday is Sunday
        16:30 UTC, and counts from Monday"""
        company = self.company()
        with set_company(company):
            start = utc(2026, 11, 23, 0, 30)
            self.assertEqual(start, dt.datetime(2026, 11, 22, 16, 30))
            self.assertEqual(
                sla.due(start, 0, 'working_days', company=company),
                utc(2026, 11, 23, 23, 59, 59))
            self.assertEqual(
                sla.due(start, 1, 'working_days', company=company),
                utc(2026, 11, 24, 23, 59, 59))
            # a calendar day keeps the local time across midnight UTC
            self.assertEqual(
                sla.due(start, 1, 'calendar_days', company=company),
                utc(2026, 11, 24, 0, 30))
            # the same day, to its end
            self.assertEqual(
                sla.due(start, 0, 'calendar_days', company=company,
                    end_of_day=True),
                utc(2026, 11, 23, 23, 59, 59))

    @with_transaction()
    def test_pause_neutral(self):
        """A pause of no length, one after the deadline and one on days off
        move nothing; a pause moves hours by its length and working days
        by the working days it covers"""
        company = self.company()
        start = utc(2026, 11, 16, 9)  # Monday
        with set_company(company):
            for unit in ['hours', 'working_days']:
                plain = sla.due(start, 2, unit, company=company)
                for pauses in [
                        [(utc(2026, 11, 16, 10), utc(2026, 11, 16, 10))],
                        [(plain + dt.timedelta(hours=1),
                                plain + dt.timedelta(hours=5))],
                        ]:
                    self.assertEqual(
                        sla.due(start, 2, unit, pauses, company), plain)
            # Saturday to Sunday: no working day in the pause
            self.assertEqual(
                sla.due(utc(2026, 11, 20, 9), 1, 'working_days',
                    [(utc(2026, 11, 21, 9), utc(2026, 11, 22, 20))],
                    company),
                utc(2026, 11, 23, 23, 59, 59))
            # 30 minutes of pause move 2 hours by 30 minutes
            self.assertEqual(
                sla.due(start, 2, 'hours',
                    [(utc(2026, 11, 16, 10), utc(2026, 11, 16, 10, 30))],
                    company),
                utc(2026, 11, 16, 11, 30))
            # Monday 10:00 to Wednesday 10:00 covers two working days
            self.assertEqual(
                sla.due(start, 2, 'working_days',
                    [(utc(2026, 11, 16, 10), utc(2026, 11, 18, 10))],
                    company),
                utc(2026, 11, 20, 23, 59, 59))
            # still waiting: no deadline
            self.assertIsNone(
                sla.due(start, 2, 'working_days',
                    [(utc(2026, 11, 16, 10), None)], company))

    @with_transaction()
    def test_rule_negative_amount(self):
        "A time limit cannot be negative"
        SlaRule = Pool().get('kefu.ticket.sla.rule')
        with self.assertRaises(SlaRuleError) as cm:
            SlaRule.create([{
                        'document': 'ticket',
                        'milestone': 'resolve',
                        'amount': -1,
                        'unit': 'hours',
                        }])
        self.assertIn('-1', cm.exception.message)

    @with_transaction()
    def test_most_specific_rule(self):
        "The rule with more criteria wins; the shipped numbers apply"
        pool = Pool()
        SlaRule = pool.get('kefu.ticket.sla.rule')
        Category = pool.get('kefu.ticket.category')
        leak, = Category.search([('code', '=', 'LK')])
        fire, = Category.search([('code', '=', 'FS')])
        lift, = Category.search([('code', '=', 'LF')])

        def callback(category):
            rule = SlaRule.find('ticket', 'callback', {
                    'kind': 'repair',
                    'category': category.id,
                    'safety': category.safety,
                    'leak': category.leak,
                    })
            return rule['amount'], rule['unit']
        self.assertEqual(callback(leak), (3, 'calendar_days'))
        self.assertEqual(callback(fire), (2, 'calendar_days'))
        self.assertEqual(callback(lift), (2, 'calendar_days'))
        major = SlaRule.find('ticket', 'resolve', {
                'kind': 'complaint', 'severity': 'major'})
        self.assertEqual((major['amount'], major['unit']),
            (10, 'working_days'))
        self.assertIsNone(SlaRule.find('ticket', 'resolve', {
                    'kind': 'inquiry'}))


class SweepTestCase(unittest.TestCase):
    "The escalation sweep"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        activate_module('kefu_ticket')

    def setup_estate(self):
        pool = Pool()
        Estate = pool.get('kefu.estate')
        Employee = pool.get('company.employee')
        Party = pool.get('party.party')
        Department = pool.get('kefu.department')
        Configuration = pool.get('kefu.configuration')
        company = create_company()
        company.timezone = 'Asia/Shanghai'
        company.save()

        def employee(name):
            party, = Party.create([{'name': name}])
            return Employee.create([{
                        'party': party.id, 'company': company.id}])[0]
        self.head = employee("Head Li")
        self.office_head = employee("Office Head Zhao")
        self.gm = employee("GM Sun")
        self.clerk = employee("Clerk Wang")
        estate, = Estate.create([{
                    'name': "Green Garden", 'code': 'GG',
                    'company': company.id,
                    'manager': self.office_head.id}])
        department, = Department.create([{
                    'name': "Customer Service", 'code': 'CS',
                    'company': company.id, 'kind': 'customer_service',
                    'head': self.head.id,
                    'members': [('create', [{'employee': self.clerk.id}])],
                    }])
        config = Configuration(1)
        config.general_manager = self.gm
        config.save()
        return company, estate, department

    @with_transaction()
    def test_sweep_levels(self):
        """A minor complaint not resolved in 2 working days goes to the
        department head at the breach, to the office head a working day
        later, to the general manager two working days later"""
        pool = Pool()
        Ticket = pool.get('kefu.ticket')
        company, estate, department = self.setup_estate()
        with set_company(company):
            reported = utc(2026, 11, 16, 9)  # Monday
            with patch.object(sla, 'now', return_value=reported):
                ticket, = Ticket.create([{
                            'kind': 'complaint', 'channel': 'phone',
                            'estate': estate.id, 'description': "Noise",
                            'reported_at': reported,
                            'complaint_class': 'class_1',
                            'severity': 'minor',
                            'department': department.id,
                            }])
                Ticket.open([ticket])
                Ticket.give_feedback([ticket])
                Ticket.make_file_card([ticket])
            self.assertEqual(ticket.assignee, self.clerk)
            self.assertEqual(ticket.resolve_due, utc(2026, 11, 18, 23, 59, 59))
            self.assertEqual(ticket.sla_next_at, ticket.resolve_due)

            # Nothing is due before the deadline
            Ticket.sla_sweep(utc(2026, 11, 18, 23))
            self.assertEqual(ticket.escalation_level, 0)

            Ticket.sla_sweep(utc(2026, 11, 19, 0, 5))
            ticket = Ticket(ticket.id)
            self.assertEqual(ticket.escalation_level, 1)
            self.assertEqual(
                [(e.level, e.employee) for e in ticket.escalations],
                [(1, self.head)])
            self.assertTrue(ticket.late)
            # level 2: one working day after the breach (Thursday's end)
            self.assertEqual(ticket.sla_next_at, utc(2026, 11, 19, 23, 59, 59))

            # A second sweep at the same time does nothing twice
            Ticket.sla_sweep(utc(2026, 11, 19, 0, 6))
            self.assertEqual(len(Ticket(ticket.id).escalations), 1)

            Ticket.sla_sweep(utc(2026, 11, 20, 9))
            ticket = Ticket(ticket.id)
            self.assertEqual(ticket.escalation_level, 2)
            self.assertEqual(
                sorted((e.level, e.employee.rec_name)
                    for e in ticket.escalations),
                [(1, "Head Li"), (2, "Office Head Zhao")])
            # level 3: two working days after the breach (Friday's end)
            self.assertEqual(ticket.sla_next_at, utc(2026, 11, 20, 23, 59, 59))

            with patch.object(sla, 'now', return_value=utc(2026, 11, 21)):
                ticket.result = "Spoke to the neighbour"
                ticket.save()
                Ticket.resolve([ticket])
            ticket = Ticket(ticket.id)
            self.assertEqual(ticket.state, 'resolved')
            # the complaint's return visit: 7 days after the resolution
            self.assertEqual(ticket.callback_due, utc(2026, 11, 28))
            self.assertEqual(ticket.sla_next_at, utc(2026, 11, 28))
            self.assertEqual(ticket.escalation_level, 2)

    @with_transaction()
    def test_sweep_selects_due_rows_only(self):
        "The sweep reads only tickets whose next check has come"
        pool = Pool()
        Ticket = pool.get('kefu.ticket')
        company, estate, department = self.setup_estate()
        with set_company(company):
            tickets = Ticket.create([{
                        'kind': 'complaint', 'channel': 'phone',
                        'estate': estate.id, 'description': "Noise %s" % i,
                        'reported_at': utc(2026, 11, 16, 9),
                        'complaint_class': 'class_1',
                        'severity': 'minor',
                        } for i in range(3)])
            with patch.object(sla, 'now', return_value=utc(2026, 11, 16, 9)):
                Ticket.open(tickets)
            self.assertEqual(
                {t.sla_next_at for t in Ticket.browse(tickets)},
                {utc(2026, 11, 17, 9)})
            with patch('trytond.modules.kefu_ticket.escalation.escalate'
                    ) as escalate:
                Ticket.sla_sweep(utc(2026, 11, 16, 12))
                escalate.assert_not_called()
                Ticket.sla_sweep(utc(2026, 11, 17, 10))
                (records, now), _ = escalate.call_args
                self.assertEqual(sorted(records), sorted(tickets))
