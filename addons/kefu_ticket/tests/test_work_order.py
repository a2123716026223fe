# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Work orders and return visits: the time limits the module ships, the
steps refused in the wrong order or without what they need, the ticket
resolved when all its work is checked and reopened when a return visit
finds a problem, and who sees and presses what."""
import datetime as dt
from decimal import Decimal
from unittest.mock import patch

from trytond.model.modelview import AccessButtonError
from trytond.modules.company.tests import (
    create_company, create_employee, set_company)
from trytond.modules.kefu_base.tests.tools import (
    FreshDatabaseTestCase, as_user, click, create_user)
from trytond.modules.kefu_ticket.exceptions import (
    CallbackIncompleteError, CallbackSatisfactionError, CallbackTooEarlyError,
    WorkOrderCheckError, WorkOrderDeleteError, WorkOrderLeaveEarlyError,
    WorkOrderLockedError, WorkOrderPriceError, WorkOrderReportError,
    WorkOrderStateError)
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import check_access

# 3 March 2025, 10:00 in Shanghai
REPORTED = dt.datetime(2025, 3, 3, 2, 0)


def minutes(n, seconds=0):
    return REPORTED + dt.timedelta(minutes=n, seconds=seconds)


def at(moment):
    "Set the module's clock to moment"
    return patch('trytond.modules.kefu_ticket.sla.now', return_value=moment)


def create_estate(company, code='GG'):
    Estate = Pool().get('kefu.estate')
    estate = Estate(name="Green Garden %s" % code, code=code, company=company)
    estate.save()
    return estate


def create_department(company, code='GC', members=()):
    Department = Pool().get('kefu.department')
    department = Department(
        name="Engineering %s" % code, code=code, company=company,
        kind='engineering', members=[{
                'employee': employee.id,
                'on_duty': True,
                } for employee in members])
    department.save()
    return department


def open_ticket(estate, kind='repair', reported_at=REPORTED, category=None):
    "A ticket reported at reported_at, opened at once"
    Ticket = Pool().get('kefu.ticket')
    ticket = Ticket(
        estate=estate, kind=kind, channel='phone', reported_at=reported_at,
        description="Water leaking under the kitchen sink",
        category=category)
    ticket.save()
    with at(reported_at):
        Ticket.open([ticket])
    return ticket


def create_order(ticket, **values):
    WorkOrder = Pool().get('kefu.work_order')
    values.setdefault('description', ticket.description)
    order = WorkOrder(ticket=ticket, **values)
    order.save()
    return order


def run(order, *steps):
    "Press the buttons of steps, each a (button, moment) pair"
    WorkOrder = Pool().get('kefu.work_order')
    for button, moment in steps:
        with at(moment):
            getattr(WorkOrder, button)([order])
    return WorkOrder(order.id)


def done_order(ticket, finished=minutes(40), **values):
    "A work order of ticket finished at finished"
    values.setdefault('report', "Replaced the pipe joint")
    return run(create_order(ticket, **values),
        ('notify', minutes(0, 30)), ('arrive', minutes(4)),
        ('start', minutes(5)), ('finish', finished))


class WorkOrderTestCase(FreshDatabaseTestCase):
    "Test the work orders and the return visits"
    module = 'kefu_ticket'

    @with_transaction()
    def test_time_limits_from_shipped_rules(self):
        "Notified in 1 minute, on site in 5, started in 30, checked in 10"
        WorkOrder = Pool().get('kefu.work_order')
        company = create_company()
        with set_company(company):
            ticket = open_ticket(create_estate(company))
            order = create_order(ticket)
            self.assertRegex(order.number, r'^GD\d{4}-\d{6}$')
            self.assertEqual(order.state, 'draft')
            self.assertEqual(order.notify_due, minutes(1))
            self.assertEqual(order.sla_next_at, minutes(1))
            self.assertIsNone(order.arrive_due)

            order = run(order, ('notify', minutes(0, 40)))
            self.assertEqual(order.state, 'notified')
            self.assertEqual(order.notified_at, minutes(0, 40))
            self.assertEqual(order.notify_on_time, True)
            self.assertEqual(order.arrive_due, minutes(5, 40))
            self.assertEqual(order.start_due, minutes(30, 40))
            self.assertEqual(order.sla_next_at, minutes(5, 40))
            # the ticket is being handled
            self.assertEqual(order.ticket.state, 'in_progress')

            order = run(order, ('arrive', minutes(7)), ('start', minutes(12)))
            self.assertEqual(order.state, 'in_progress')
            self.assertEqual(order.arrive_on_time, False)
            self.assertEqual(order.start_on_time, True)
            self.assertIsNone(order.sla_next_at)

            order.report = "Replaced the pipe joint"
            order.save()
            order = run(order, ('finish', minutes(50)))
            self.assertEqual(order.finished_at, minutes(50))
            self.assertEqual(order.check_due, minutes(60))
            self.assertEqual(order.sla_next_at, minutes(60))
            with at(minutes(61)):
                self.assertEqual(
                    WorkOrder.search([('late', '=', True)]), [order])
                self.assertTrue(WorkOrder(order.id).late)
            with at(minutes(59)):
                self.assertEqual(WorkOrder.search([('late', '=', True)]), [])

            order = run(order, ('check', minutes(58)))
            self.assertEqual(order.state, 'checked')
            self.assertEqual(order.checked_at, minutes(58))
            self.assertEqual(order.check_on_time, True)
            self.assertIsNone(order.sla_next_at)
            # the due times already met never move
            self.assertEqual(
                [order.notify_due, order.arrive_due, order.start_due,
                    order.check_due],
                [minutes(1), minutes(5, 40), minutes(30, 40), minutes(60)])

    @with_transaction()
    def test_notify_gives_next_member_on_duty(self):
        "Without a repairer, notifying gives the order to the next on duty"
        company = create_company()
        with set_company(company):
            zhang = create_employee(company, name="Zhang")
            li = create_employee(company, name="Li")
            department = create_department(company, members=[zhang, li])
            ticket = open_ticket(create_estate(company))
            first = run(
                create_order(ticket, department=department),
                ('notify', minutes(0, 30)))
            second = run(
                create_order(ticket, department=department),
                ('notify', minutes(0, 40)))
            self.assertEqual(
                [first.assignee, second.assignee], [zhang, li])

    @with_transaction()
    def test_arrive_before_notify_refused(self):
        "The repairer cannot be on site before being notified"
        WorkOrder = Pool().get('kefu.work_order')
        company = create_company()
        with set_company(company):
            estate = create_estate(company)
            wang = create_user('wang', company, estate, 'group_engineering')
            department = create_department(company, members=[wang.employee])
            order = create_order(open_ticket(estate), department=department)

            with as_user(wang), self.assertRaises(WorkOrderStateError) as cm:
                click(WorkOrder, 'arrive', [order])
            self.assertNotIsInstance(cm.exception, AccessButtonError)
            self.assertEqual(
                cm.exception.message,
                'The repairer of work order "%s" cannot be on site before '
                'being notified: the time on site is counted from the '
                'notification. Press "Notify" first.' % order.number)
            order = WorkOrder(order.id)
            self.assertEqual(order.state, 'draft')
            self.assertIsNone(order.arrived_at)

            with as_user(wang):
                click(WorkOrder, 'notify', [order])
                click(WorkOrder, 'arrive', [order])
            self.assertEqual(WorkOrder(order.id).state, 'on_site')
            with self.assertRaisesRegex(
                    WorkOrderStateError, r'is On Site: this step'):
                WorkOrder.arrive([order])

    @with_transaction()
    def test_leave_early_needs_consent_and_next_visit(self):
        "Leaving before the end needs the written consent and the next date"
        WorkOrder = Pool().get('kefu.work_order')
        company = create_company()
        with set_company(company):
            order = run(
                create_order(open_ticket(create_estate(company))),
                ('notify', minutes(0, 30)), ('arrive', minutes(4)),
                ('start', minutes(5)))

            with self.assertRaisesRegex(
                    WorkOrderLeaveEarlyError, r"owner's written consent"):
                WorkOrder.leave_early([order])
            order.left_early_consent = True
            order.left_early_reason = "Waiting for a spare valve"
            order.save()
            with self.assertRaises(WorkOrderLeaveEarlyError):
                WorkOrder.leave_early([order])
            self.assertEqual(WorkOrder(order.id).state, 'in_progress')

            order.next_visit_date = dt.date(2025, 3, 5)
            order.save()
            order = run(order, ('leave_early', minutes(30)))
            self.assertEqual(order.state, 'left_early')
            self.assertEqual(order.left_early_at, minutes(30))
            self.assertIsNone(order.sla_next_at)
            with self.assertRaises(WorkOrderStateError):
                WorkOrder.finish([order])

            order = run(order, ('resume', dt.datetime(2025, 3, 5, 1, 0)))
            self.assertEqual(order.state, 'in_progress')

    @with_transaction()
    def test_finish_needs_report(self):
        "The work is finished only with what was done"
        WorkOrder = Pool().get('kefu.work_order')
        company = create_company()
        with set_company(company):
            order = run(
                create_order(open_ticket(create_estate(company))),
                ('notify', minutes(0, 30)), ('arrive', minutes(4)),
                ('start', minutes(5)))
            with self.assertRaisesRegex(
                    WorkOrderReportError, r'Write in "Work Done"'):
                WorkOrder.finish([order])
            self.assertIsNone(WorkOrder(order.id).finished_at)

    @with_transaction()
    def test_paid_repair_price(self):
        "A paid repair starts only with its price, never negative"
        company = create_company()
        with set_company(company):
            ticket = open_ticket(create_estate(company))
            order = run(
                create_order(ticket, warranty='paid'),
                ('notify', minutes(0, 30)), ('arrive', minutes(4)))
            with self.assertRaisesRegex(
                    WorkOrderPriceError, r'is a paid repair: enter the price'):
                run(order, ('start', minutes(5)))

            order.price = Decimal('-80')
            with self.assertRaisesRegex(
                    WorkOrderPriceError, r'cannot be -80'):
                order.save()

            order.price = Decimal('80')
            order.save()
            order = run(order, ('start', minutes(5)))
            self.assertEqual(order.state, 'in_progress')
            self.assertEqual(order.currency, company.currency)

            with self.assertRaisesRegex(
                    WorkOrderPriceError, r'is in warranty, so it is free'):
                create_order(ticket, price=Decimal('10'))

    @with_transaction()
    def test_check_all_orders_resolves_ticket(self):
        """The ticket is resolved when all its orders not cancelled are
        checked, and its return visit planned"""
        pool = Pool()
        WorkOrder = pool.get('kefu.work_order')
        Callback = pool.get('kefu.callback')
        company = create_company()
        with set_company(company):
            ticket = open_ticket(create_estate(company))
            plumbing = done_order(ticket, finished=minutes(40))
            tiling = done_order(
                ticket, finished=minutes(45), report="Replaced two tiles")
            spare = run(create_order(ticket), ('notify', minutes(1)))

            run(plumbing, ('check', minutes(48)))
            self.assertEqual(ticket.state, 'in_progress')
            run(tiling, ('check', minutes(50)))
            ticket = type(ticket)(ticket.id)
            self.assertEqual(ticket.state, 'in_progress')
            self.assertEqual(Callback.search([]), [])

            run(spare, ('cancel', minutes(55)))
            ticket = type(ticket)(ticket.id)
            self.assertEqual(ticket.state, 'resolved')
            self.assertEqual(ticket.resolved_at, minutes(55))
            self.assertEqual(
                ticket.result, "Replaced the pipe joint\nReplaced two tiles")
            # repairs: the return visit within 2 days of the resolution
            callback, = Callback.search([])
            self.assertEqual(callback.state, 'pending')
            self.assertEqual(callback.due, minutes(55) + dt.timedelta(days=2))
            self.assertEqual(callback.work_order, tiling)
            self.assertEqual(callback.method, 'phone')

            with check_access(), self.assertRaises(WorkOrderLockedError):
                WorkOrder.write([tiling], {'report': "Changed"})

    @with_transaction()
    def test_check_own_work_refused(self):
        "A repairer does not check their own work"
        WorkOrder = Pool().get('kefu.work_order')
        company = create_company()
        with set_company(company):
            estate = create_estate(company)
            chen = create_user('chen', company, estate, 'group_specialist')
            order = done_order(open_ticket(estate), assignee=chen.employee)
            with as_user(chen), self.assertRaisesRegex(
                    WorkOrderCheckError, r'Chen did the work'):
                click(WorkOrder, 'check', [order])
            self.assertEqual(WorkOrder(order.id).state, 'finished')

    @with_transaction()
    def test_delete_only_draft(self):
        "A work order once notified is kept"
        WorkOrder = Pool().get('kefu.work_order')
        company = create_company()
        with set_company(company):
            ticket = open_ticket(create_estate(company))
            draft = create_order(ticket)
            notified = run(create_order(ticket), ('notify', minutes(0, 30)))
            with self.assertRaisesRegex(
                    WorkOrderDeleteError, r'is Notified and cannot be'):
                WorkOrder.delete([notified])
            WorkOrder.delete([draft])
            self.assertEqual(WorkOrder.search([]), [notified])

    @with_transaction()
    def test_satisfaction_out_of_range(self):
        "The satisfaction is a score from 1 to 5"
        Callback = Pool().get('kefu.callback')
        company = create_company()
        with set_company(company):
            ticket = open_ticket(create_estate(company))
            callback = Callback(ticket=ticket, satisfaction=6)
            with self.assertRaises(CallbackSatisfactionError) as cm:
                callback.save()
            self.assertEqual(
                cm.exception.message,
                'The satisfaction cannot be 6: enter a score from 1 (very '
                'dissatisfied) to 5 (very satisfied).')
            callback = Callback(ticket=ticket, satisfaction=5)
            callback.save()
            with self.assertRaises(CallbackSatisfactionError):
                Callback.write([callback], {'satisfaction': 0})
            self.assertEqual(Callback(callback.id).satisfaction, 5)

    @with_transaction()
    def test_callback_before_work_done_refused(self):
        "No return visit before the work is done, none without its answers"
        Callback = Pool().get('kefu.callback')
        company = create_company()
        with set_company(company):
            ticket = open_ticket(create_estate(company))
            order = done_order(ticket)
            callback = Callback(
                ticket=ticket, work_order=order, satisfaction=5, result='ok')
            callback.save()
            with self.assertRaisesRegex(
                    CallbackTooEarlyError, r'cannot be made yet: the ticket '
                    r'is In Progress'):
                Callback.do([callback])
            self.assertEqual(Callback(callback.id).state, 'pending')

            run(order, ('check', minutes(45)))
            self.assertEqual(callback.ticket.state, 'resolved')
            # the visit to do is not planned twice
            self.assertEqual(Callback.search([]), [callback])
            callback.done_at = minutes(30)
            callback.save()
            with self.assertRaisesRegex(
                    CallbackTooEarlyError, r'before the work was done'):
                Callback.do([callback])
            callback.done_at = None
            callback.satisfaction = None
            callback.save()
            with self.assertRaisesRegex(
                    CallbackIncompleteError, r'Enter the satisfaction'):
                Callback.do([callback])
            self.assertEqual(Callback(callback.id).state, 'pending')

    @with_transaction()
    def test_problem_callback_reopens_ticket_and_order(self):
        """A problem found on the return visit sends the work back to the
        repairer; once checked again a new visit is planned, and a good one
        marks the ticket visited"""
        pool = Pool()
        Callback = pool.get('kefu.callback')
        Ticket = pool.get('kefu.ticket')
        company = create_company()
        with set_company(company):
            ticket = open_ticket(create_estate(company))
            order = run(done_order(ticket), ('check', minutes(45)))
            callback, = Callback.search([])
            self.assertEqual(callback.work_order, order)

            callback.satisfaction = 2
            callback.result = 'problem'
            callback.notes = "Still dripping at night"
            callback.save()
            next_day = REPORTED + dt.timedelta(days=1)
            with at(next_day):
                Callback.do([callback])
            callback = Callback(callback.id)
            self.assertEqual(callback.state, 'done')
            self.assertEqual(callback.done_at, next_day)
            self.assertEqual(callback.on_time, True)

            ticket = Ticket(ticket.id)
            self.assertEqual(ticket.state, 'in_progress')
            self.assertIsNone(ticket.resolved_at)
            self.assertIsNone(ticket.callback_at)
            order = type(order)(order.id)
            self.assertEqual(order.state, 'in_progress')
            self.assertIsNone(order.finished_at)
            self.assertIsNone(order.checked_at)
            self.assertIsNone(order.check_due)
            self.assertIsNone(order.checked_by)
            # the first visit's times stay
            self.assertEqual(order.notified_at, minutes(0, 30))

            back = next_day + dt.timedelta(hours=2)
            order = run(
                order, ('finish', back),
                ('check', back + dt.timedelta(minutes=5)))
            self.assertEqual(order.check_due, back + dt.timedelta(minutes=10))
            ticket = Ticket(ticket.id)
            self.assertEqual(ticket.state, 'resolved')
            second, = Callback.search([('state', '=', 'pending')])
            self.assertEqual(
                second.due, back + dt.timedelta(days=2, minutes=5))

            second.satisfaction = 5
            second.result = 'ok'
            second.save()
            visited = back + dt.timedelta(days=1)
            with at(visited):
                Callback.do([second])
            ticket = Ticket(ticket.id)
            self.assertEqual(ticket.state, 'visited')
            self.assertEqual(ticket.callback_at, visited)
            self.assertEqual(order.state, 'checked')

    @with_transaction()
    def test_engineering_sees_its_departments(self):
        """Engineering staff see and work the orders of their departments;
        the front desk sees all of its estates"""
        WorkOrder = Pool().get('kefu.work_order')
        company = create_company()
        with set_company(company):
            estate = create_estate(company)
            wang = create_user('wang', company, estate, 'group_engineering')
            sun = create_user('sun', company, estate, 'group_engineering')
            li = create_user('li', company, estate, 'group_front_desk')
            plumbing = create_department(company, 'PL', [wang.employee])
            lifts = create_department(company, 'LF', [sun.employee])
            ticket = open_ticket(estate)
            pipe = create_order(ticket, department=plumbing)
            lift = create_order(ticket, department=lifts)

            with as_user(wang):
                self.assertEqual(WorkOrder.search([]), [pipe])
                click(WorkOrder, 'notify', [pipe])
                self.assertEqual(
                    WorkOrder.search([
                            ('assignee.users', '=', wang.id),
                            ('state', 'in', ['notified', 'on_site',
                                    'in_progress', 'left_early']),
                            ]), [pipe])
                with self.assertRaises(AccessButtonError):
                    click(WorkOrder, 'check', [pipe])
            with as_user(li):
                self.assertEqual(
                    WorkOrder.search([], order=[('id', 'ASC')]), [pipe, lift])
                with self.assertRaises(AccessButtonError):
                    click(WorkOrder, 'arrive', [pipe])
            self.assertEqual(WorkOrder(pipe.id).assignee, wang.employee)
