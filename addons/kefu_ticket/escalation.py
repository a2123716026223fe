# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""What happens around a ticket without anyone clicking: who gets it when
it is opened, who is told at once (the head of a serious complaint, the
duty manager of an emergency, the general manager of a repeat), and the
escalation ladder when a deadline is missed."""
import datetime as dt

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.transaction import Transaction, without_check_access

from . import sla
from .department import users_of
from .model import ReadOnlyLogMixin
from .sla import TICKET_MILESTONES, due


class Escalation(ReadOnlyLogMixin, ModelSQL, ModelView):
    __string__ = "Ticket Escalation"
    __name__ = 'kefu.ticket.escalation'

    ticket = fields.Many2One(
        'kefu.ticket', "Ticket", required=True, ondelete='CASCADE',
        help="The ticket escalated.")
    milestone = fields.Selection(
        'get_milestones', "Milestone",
        help="The deadline that was missed; empty for a repeat complaint.")
    reason = fields.Selection([
            ('breach', "Deadline Missed"),
            ('repeat', "Repeat Complaint"),
            ('emergency', "Emergency"),
            ], "Reason", required=True, readonly=True,
        help="Why the ticket went up the ladder.")
    level = fields.Integer(
        "Level", required=True, readonly=True,
        help="The step of the ladder.")
    at = fields.DateTime(
        "At", required=True, readonly=True,
        help="When it was escalated.")
    recipient = fields.Selection(
        'get_recipients', "Told", readonly=True,
        help="Which role was told.")
    employee = fields.Many2One(
        'company.employee', "Employee", readonly=True, ondelete='RESTRICT',
        help="Who was told; empty when nobody holds the role (set it up "
        "under Departments or the configuration).")
    reassigned_to = fields.Many2One(
        'company.employee', "Reassigned To", readonly=True,
        ondelete='RESTRICT',
        help="To whom the ticket was given, when the step reassigns it.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('ticket')
        cls._order = [('at', 'DESC'), ('id', 'DESC')]
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.ticket, Index.Equality())))

    @classmethod
    def get_milestones(cls):
        SlaRule = Pool().get('kefu.ticket.sla.rule')
        return [(None, "")] + [
            (k, v) for k, v in SlaRule.fields_get(['milestone'])[
                'milestone']['selection'] if k in TICKET_MILESTONES]

    @classmethod
    def get_recipients(cls):
        Step = Pool().get('kefu.ticket.escalation.step')
        return [(None, "")] + Step.fields_get(['recipient'])[
            'recipient']['selection']


def assign(ticket):
    """Give ticket a department (an emergency's responding department, else
    the assignment rules) and an assignee (the next staff member on duty
    there)"""
    pool = Pool()
    AssignmentRule = pool.get('kefu.ticket.assignment.rule')
    Department = pool.get('kefu.department')
    company = ticket.estate.company
    category = ticket.category
    if (not ticket.department and category and category.emergency
            and category.department_kind):
        departments = Department.search([
                ('company', '=', company.id),
                ('kind', '=', category.department_kind),
                ], limit=1)
        if departments:
            ticket.department, = departments
    if not ticket.department:
        ticket.department = AssignmentRule.find(
            ticket.estate, ticket.kind, category, company)
    if ticket.department and not ticket.assignee:
        ticket.assignee = ticket.department.next_assignee()


def link_repeat(ticket):
    """Link a complaint to the earlier complaint about the same unit and
    category within the configured window (总经理信箱 follows)"""
    pool = Pool()
    Configuration = pool.get('kefu.configuration')
    Ticket = pool.get('kefu.ticket')
    if (ticket.kind != 'complaint' or ticket.repeat_of
            or not ticket.unit or not ticket.category):
        return
    window = dt.timedelta(days=Configuration(1).repeat_window)
    earlier = Ticket.search([
            ('id', '!=', ticket.id),
            ('kind', '=', 'complaint'),
            ('unit', '=', ticket.unit.id),
            ('category', '=', ticket.category.id),
            ('state', 'not in', ['draft', 'cancelled']),
            ('reported_at', '>=', ticket.reported_at - window),
            ('reported_at', '<=', ticket.reported_at),
            ], order=[('reported_at', 'DESC'), ('id', 'DESC')], limit=1)
    if earlier:
        ticket.repeat_of, = earlier


def on_open(tickets):
    "Tell at once whom the manual says: head, duty manager, general manager"
    pool = Pool()
    Ticket = pool.get('kefu.ticket')
    SlaRule = pool.get('kefu.ticket.sla.rule')
    Step = pool.get('kefu.ticket.escalation.step')
    now = sla.now()
    escalations, to_write = [], []
    for ticket in tickets:
        values = {}
        rule = SlaRule.find('ticket', 'head', ticket._criteria())
        if rule and rule['recipient'] and not ticket.head_notified_at:
            employee = role(ticket, rule['recipient'])
            if tell(ticket, employee, 'msg_ticket_notify_head'):
                values['head_notified_at'] = now
        if ticket.repeat_of:
            level = Step.max_level()
            employee = role(ticket, 'general_manager')
            tell(ticket, employee, 'msg_ticket_notify_repeat')
            escalations.append(_escalation(
                    ticket, 'repeat', level, now, 'general_manager',
                    employee))
            values['escalation_level'] = max(
                level, ticket.escalation_level or 0)
        if ticket.category and ticket.category.emergency:
            employee = role(ticket, 'duty_manager')
            tell(ticket, employee, 'msg_ticket_notify_emergency')
            escalations.append(_escalation(
                    ticket, 'emergency', 1, now, 'duty_manager', employee))
            values['duty_manager'] = employee.id if employee else None
            values['emergency_notified_at'] = now
        if values:
            to_write.extend(([ticket], values))
    if escalations:
        with without_check_access():
            pool.get('kefu.ticket.escalation').create(escalations)
    if to_write:
        Ticket.write(*to_write)
    dispatch_emergencies([t for t in tickets
            if t.category and t.category.emergency])


def dispatch_emergencies(tickets):
    "Send the duty manager's department on site: a work order, notified now"
    WorkOrder = Pool().get('kefu.work_order')
    orders = WorkOrder.create([{
                'ticket': t.id,
                'department': t.department.id if t.department else None,
                'assignee': t.duty_manager.id if t.duty_manager else (
                    t.assignee.id if t.assignee else None),
                'description': t.description,
                } for t in tickets])
    if orders:
        WorkOrder.notify(orders)


def escalate(tickets, now):
    """Take the escalation steps that have come for the unmet deadlines of
    tickets and set their next check"""
    pool = Pool()
    Ticket = pool.get('kefu.ticket')
    Step = pool.get('kefu.ticket.escalation.step')
    Escalation = pool.get('kefu.ticket.escalation')
    escalations, to_write = [], []
    for ticket in tickets:
        company = ticket.estate.company
        levels = ticket._escalated_levels()
        values = {}
        for milestone, deadline in ticket.unmet():
            done = levels.setdefault(milestone, set())
            for step in Step.steps(milestone):
                if step['level'] in done:
                    continue
                at = due(deadline, step['delay'], step['delay_unit'],
                    company=company)
                if at > now:
                    break
                employee = role(ticket, step['recipient'])
                tell(ticket, employee, 'msg_ticket_notify_breach',
                    milestone=milestone)
                escalation = _escalation(
                    ticket, 'breach', step['level'], now,
                    step['recipient'], employee, milestone=milestone)
                if step['reassign'] and ticket.department:
                    assignee = ticket.department.next_assignee()
                    if assignee:
                        ticket.assignee = values['assignee'] = assignee.id
                        escalation['reassigned_to'] = assignee.id
                escalations.append(escalation)
                done.add(step['level'])
                values['escalation_level'] = max(
                    step['level'], values.get('escalation_level', 0),
                    ticket.escalation_level or 0)
        values['sla_next_at'] = ticket.compute_next_check(levels)
        to_write.extend(([ticket], values))
    if escalations:
        Escalation.create(escalations)
    if to_write:
        with Transaction().set_context(_kefu_recompute=True):
            Ticket.write(*to_write)


def _escalation(ticket, reason, level, at, recipient, employee,
        milestone=None):
    return {
        'ticket': ticket.id,
        'reason': reason,
        'milestone': milestone,
        'level': level,
        'at': at,
        'recipient': recipient,
        'employee': employee.id if employee else None,
        }


def role(ticket, recipient):
    "The employee who holds the role recipient for ticket, or None"
    Configuration = Pool().get('kefu.configuration')
    department = ticket.department
    with without_check_access():
        if recipient == 'assignee':
            return ticket.assignee
        elif recipient == 'department_head':
            return department.head if department else None
        elif recipient == 'duty_manager':
            return department.duty_manager if department else None
        elif recipient == 'office_head':
            return ticket.estate.manager
        elif recipient == 'general_manager':
            return Configuration(1).general_manager


def tell(ticket, employee, message, **variables):
    """Put a notification for the users of employee in the web client's
    bell (stored when the transaction commits); return how many users were
    told"""
    pool = Pool()
    Ticket = pool.get('kefu.ticket')
    User = pool.get('res.user')
    if not employee:
        return 0
    users = User.browse(users_of([employee]))
    if 'milestone' in variables:
        SlaRule = pool.get('kefu.ticket.sla.rule')
        variables['milestone'] = dict(SlaRule.fields_get(['milestone'])[
                'milestone']['selection'])[variables['milestone']]
    place = ticket.unit.rec_name if ticket.unit else ticket.estate.rec_name
    for user in users:
        label = gettext('kefu_ticket.%s' % message,
            language=user.language.code if user.language else None,
            ticket=ticket.rec_name, unit=place, **variables)
        Ticket.notify_user(
            [ticket], 'tryton-notification', label,
            description=ticket.description[:200], user=user.id)
    return len(users)
