# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The work order (工作单; paid outside the warranty: 工程维修单) that sends a
repairer of a department on site for a ticket, with the manual's clocks:
notified within 1 minute, on site within 5, work started within 30, checked
by a specialist within 10 minutes of the end of the work."""
from sql import Null

from trytond.i18n import gettext
from trytond.model import (
    ChatMixin, Index, ModelSQL, ModelView, Unique, Workflow, fields)
from trytond.modules.company.model import set_employee
from trytond.modules.currency.fields import Monetary
from trytond.modules.kefu_base.model import rec_name_domain, staff_field
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.transaction import Transaction, without_check_access

from . import sla
from .exceptions import (
    WorkOrderCheckError, WorkOrderDeleteError, WorkOrderLeaveEarlyError,
    WorkOrderLockedError, WorkOrderPriceError, WorkOrderReportError,
    WorkOrderStateError)
from .model import ButtonFieldsMixin, TicketPlaceMixin

# Milestone -> (deadline, when it was met, whether it was met on time).
MILESTONE_FIELDS = {
    'notify': ('notify_due', 'notified_at', 'notify_on_time'),
    'arrive': ('arrive_due', 'arrived_at', 'arrive_on_time'),
    'start': ('start_due', 'started_at', 'start_on_time'),
    'check': ('check_due', 'checked_at', 'check_on_time'),
    }
# The states in which the repairer's work has started.
STARTED = ['in_progress', 'left_early', 'finished', 'checked']
# The states in which the order is over and its record is history.
DONE = ['checked', 'cancelled']


class WorkOrder(
        ButtonFieldsMixin, TicketPlaceMixin, Workflow, ChatMixin, ModelSQL,
        ModelView):
    __string__ = "Work Order"
    __name__ = 'kefu.work_order'
    _rec_name = 'number'
    _states = {'readonly': Eval('state').in_(['finished'] + DONE)}

    number = fields.Char(
        "Number", readonly=True,
        help="The number given when the work order is saved; quote it when "
        "you talk about the work order.")
    ticket = fields.Many2One(
        'kefu.ticket', "Ticket", required=True, ondelete='RESTRICT',
        domain=[
            If(Eval('state') == 'draft',
                [('state', 'not in', ['closed', 'cancelled'])],
                []),
            ],
        states={'readonly': Eval('state') != 'draft'},
        help="The ticket (repair, complaint, emergency) the work is done "
        "for.")
    department = fields.Many2One(
        'kefu.department', "Department", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        states=_states,
        help="The department that does the work, e.g. 工程部; the ticket's "
        "department by default.")
    assignee = fields.Many2One(
        'company.employee', "Repairer", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        states=_states,
        help="Who does the work; when left empty, the next member on duty "
        "in the department when the order is notified.")
    description = fields.Text(
        "Work to Do", required=True,
        states={'readonly': ~Eval('state').in_(['draft', 'notified'])},
        help="What is to be repaired, as the repairer needs to know it.")
    report = fields.Text(
        "Work Done",
        states={
            'readonly': Eval('state').in_(DONE),
            'required': Eval('state').in_(['finished', 'checked']),
            },
        help="What the repairer did, the parts used; needed to finish.")
    warranty = fields.Selection([
            ('in_warranty', "In Warranty"),
            ('paid', "Paid Repair"),
            ], "Warranty", required=True, states=_states,
        help="In warranty (保修期内): a free work order (工作单); outside the "
        "warranty: a paid repair order (工程维修单) with its price.")
    warranty_string = warranty.translated('warranty')
    price = Monetary(
        "Price", currency='currency', digits='currency',
        states={
            'invisible': Eval('warranty') != 'paid',
            'readonly': _states['readonly'],
            },
        help="What the resident pays for a paid repair, agreed before the "
        "work starts.")
    currency = fields.Function(
        fields.Many2One(
            'currency.currency', "Currency",
            help="The currency of the company."),
        'on_change_with_currency')

    notify_due = fields.DateTime(
        "Notify By", readonly=True,
        help="The repairer must be told by then (counted from the report).")
    notified_at = fields.DateTime(
        "Notified", readonly=True,
        help="When the repairer was told.")
    notify_on_time = fields.Boolean(
        "Notified on Time", readonly=True,
        help="The repairer was told by the time limit.")
    arrive_due = fields.DateTime(
        "On Site By", readonly=True,
        help="The repairer must be on site by then (counted from the "
        "notification).")
    arrived_at = fields.DateTime(
        "On Site", readonly=True,
        help="When the repairer arrived on site.")
    arrive_on_time = fields.Boolean(
        "On Site on Time", readonly=True,
        help="The repairer was on site by the time limit.")
    start_due = fields.DateTime(
        "Start By", readonly=True,
        help="The work must start by then (counted from the notification).")
    started_at = fields.DateTime(
        "Started", readonly=True,
        help="When the work started.")
    start_on_time = fields.Boolean(
        "Started on Time", readonly=True,
        help="The work started by the time limit.")
    finished_at = fields.DateTime(
        "Finished", readonly=True,
        help="When the repairer finished the work.")
    check_due = fields.DateTime(
        "Check By", readonly=True,
        help="A specialist must check the work by then (counted from the "
        "end of the work).")
    checked_at = fields.DateTime(
        "Checked", readonly=True,
        help="When a specialist checked the work.")
    check_on_time = fields.Boolean(
        "Checked on Time", readonly=True,
        help="The work was checked by the time limit.")
    checked_by = staff_field(
        "Checked By",
        help="The specialist who checked the work.")
    sla_next_at = fields.DateTime(
        "Next Deadline", readonly=True,
        help="The earliest time limit still unmet; empty when none runs.")
    late = fields.Function(
        fields.Boolean(
            "Late", help="A time limit has passed and is still unmet."),
        'get_late', searcher='search_late')

    left_early_consent = fields.Boolean(
        "Owner's Written Consent",
        states={'readonly': Eval('state') != 'in_progress'},
        help="The owner agreed in writing that the repairer leaves before "
        "the work is finished.")
    left_early_reason = fields.Char(
        "Reason for Leaving",
        states={
            'readonly': Eval('state') != 'in_progress',
            'required': Eval('state') == 'left_early',
            },
        help="Why the work cannot be finished in one visit, e.g. 'waiting "
        "for a spare part'.")
    next_visit_date = fields.Date(
        "Next Visit",
        states={
            'readonly': Eval('state') != 'in_progress',
            'required': Eval('state') == 'left_early',
            },
        help="The day agreed with the owner when the repairer comes back.")
    left_early_at = fields.DateTime(
        "Left At", readonly=True,
        help="When the repairer left before finishing.")
    state = fields.Selection([
            ('draft', "Draft"),
            ('notified', "Notified"),
            ('on_site', "On Site"),
            ('in_progress', "In Progress"),
            ('left_early', "Left Early"),
            ('finished', "Finished"),
            ('checked', "Checked"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False,
        help="Draft until the repairer is notified; on site, in progress, "
        "left early (with the owner's consent, to come back on the agreed "
        "day), finished, checked by a specialist, or cancelled.")
    state_string = state.translated('state')

    _button_fields = {'state', 'finished_at', 'checked_by',
        'sla_next_at', 'left_early_at'} | {
        f for names in MILESTONE_FIELDS.values() for f in names}
    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('number_unique', Unique(t, t.number),
                'kefu_ticket.msg_work_order_number_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.sla_next_at, Index.Range()),
                    where=t.sla_next_at != Null),
                Index(t, (t.ticket, Index.Equality())),
                Index(t, (t.department, Index.Equality()),
                    (t.state, Index.Equality(cardinality='low'))),
                Index(t, (t.assignee, Index.Equality())),
                Index(t, (t.number, Index.Similarity())),
                })
        # in the order of the work on the ticket's form and its result
        cls._order = [('id', 'ASC')]
        cls._transitions |= {
            ('draft', 'notified'),
            ('notified', 'on_site'),
            ('on_site', 'in_progress'),
            ('in_progress', 'left_early'),
            ('left_early', 'in_progress'),
            ('in_progress', 'finished'),
            ('finished', 'checked'),
            # a problem found on the return visit: the repairer goes back
            ('finished', 'in_progress'),
            ('checked', 'in_progress'),
            ('draft', 'cancelled'),
            ('notified', 'cancelled'),
            ('on_site', 'cancelled'),
            ('in_progress', 'cancelled'),
            ('left_early', 'cancelled'),
            }
        cls._buttons.update({
                'notify': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                # shown in draft too: the repairer who presses it there
                # reads that the order must be notified first
                'arrive': {
                    'invisible': ~Eval('state').in_(['draft', 'notified']),
                    'depends': ['state'],
                    },
                'start': {
                    'invisible': Eval('state') != 'on_site',
                    'depends': ['state'],
                    },
                'leave_early': {
                    'invisible': Eval('state') != 'in_progress',
                    'depends': ['state'],
                    },
                'resume': {
                    'invisible': Eval('state') != 'left_early',
                    'depends': ['state'],
                    },
                'finish': {
                    'invisible': Eval('state') != 'in_progress',
                    'depends': ['state'],
                    },
                'check': {
                    'invisible': Eval('state') != 'finished',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': Eval('state').in_(['finished'] + DONE),
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_warranty(cls):
        return 'in_warranty'

    @classmethod
    def default_left_early_consent(cls):
        return False

    @fields.depends('ticket', '_parent_ticket.estate')
    def on_change_with_currency(self, name=None):
        company = self.on_change_with_company()
        return company.currency if company else None

    @fields.depends(
        'ticket', 'department', 'description',
        '_parent_ticket.department', '_parent_ticket.description')
    def on_change_ticket(self):
        if self.ticket:
            if not self.department:
                self.department = self.ticket.department
            if not self.description:
                self.description = self.ticket.description

    @fields.depends('warranty', 'price')
    def on_change_warranty(self):
        if self.warranty != 'paid':
            self.price = None

    def get_rec_name(self, name):
        if self.number:
            return self.number
        return '(%s)' % self.id

    @classmethod
    def search_rec_name(cls, name, clause):
        return rec_name_domain(
            clause, 'number', 'ticket.number', 'ticket.unit.code')

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual', If(Eval('late', False), 'danger', '')),
            ('//page[@id="leave_early"]', 'states', {
                    'invisible': ~Eval('state').in_(
                        ['in_progress', 'left_early'])
                    & ~Eval('left_early_at'),
                    }),
            ]

    # Time limits

    def _start_of(self, milestone):
        "The moment the time limit of milestone is counted from"
        if milestone == 'notify':
            return self.ticket.reported_at
        elif milestone in {'arrive', 'start'}:
            return self.notified_at
        elif milestone == 'check':
            return self.finished_at

    def compute_deadlines(self):
        """Return the values of the unmet time limits from the policy table;
        a met time limit is never moved."""
        SlaRule = Pool().get('kefu.ticket.sla.rule')
        criteria = self.ticket._criteria()
        company = self.ticket.estate.company
        values = {}
        for milestone, (due_field, met_field, _) in MILESTONE_FIELDS.items():
            if getattr(self, met_field):
                continue
            values[due_field] = SlaRule.due_for(
                'work_order', milestone, criteria, self._start_of(milestone),
                company=company)
        return values

    def unmet(self):
        "The unmet time limits of the order"
        if self.state in DONE:
            return
        for due_field, met_field, _ in MILESTONE_FIELDS.values():
            deadline = getattr(self, due_field)
            if deadline and not getattr(self, met_field):
                yield deadline

    @classmethod
    def recompute(cls, orders):
        "Recompute the unmet time limits and the next deadline of orders"
        to_write = []
        for order in cls.browse(orders):
            values = {}
            if order.state not in DONE:
                values = order.compute_deadlines()
                for field, value in values.items():
                    setattr(order, field, value)
            values['sla_next_at'] = min(order.unmet(), default=None)
            to_write.extend(([order], values))
        if to_write:
            cls.write(*to_write)

    @classmethod
    def _meet(cls, orders, milestone, at):
        "Record that milestone was met at for orders and whether on time"
        due_field, met_field, on_time_field = MILESTONE_FIELDS[milestone]
        to_write = []
        for order in cls.browse(orders):
            due = getattr(order, due_field)
            to_write.extend(([order], {
                        met_field: at,
                        on_time_field: at <= due if due else None,
                        }))
        if to_write:
            cls.write(*to_write)

    def get_late(self, name):
        return bool(self.sla_next_at and self.sla_next_at < sla.now())

    @classmethod
    def search_late(cls, name, clause):
        _, operator, value = clause
        if (operator == '=') == bool(value):
            return [('sla_next_at', '<', sla.now())]
        return ['OR',
            ('sla_next_at', '=', None),
            ('sla_next_at', '>=', sla.now()),
            ]

    # Life of the order

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Configuration = pool.get('kefu.configuration')
        Ticket = pool.get('kefu.ticket')
        values = super().preprocess_values(mode, values)
        if (mode == 'create' and not values.get('number')
                and values.get('ticket')):
            company = Ticket(values['ticket']).estate.company
            values['number'] = Configuration(1).get_number(
                'work_order_sequence', company)
        return values

    @classmethod
    def on_modification(cls, mode, orders, field_names=None):
        super().on_modification(mode, orders, field_names=field_names)
        if mode == 'create':
            cls.recompute(orders)

    @classmethod
    def validate_fields(cls, orders, field_names):
        super().validate_fields(orders, field_names)
        if field_names is None or (
                {'warranty', 'price', 'state'} & field_names):
            for order in orders:
                order.check_price()

    def check_price(self):
        if self.price is not None and self.price < 0:
            raise WorkOrderPriceError(gettext(
                    'kefu_ticket.msg_work_order_price_negative',
                    order=self.rec_name, price=self.price))
        if self.warranty == 'in_warranty' and self.price:
            raise WorkOrderPriceError(gettext(
                    'kefu_ticket.msg_work_order_price_in_warranty',
                    order=self.rec_name))
        if (self.warranty == 'paid' and not self.price
                and self.state in STARTED):
            raise WorkOrderPriceError(gettext(
                    'kefu_ticket.msg_work_order_price_required',
                    order=self.rec_name))

    @classmethod
    def check_modification(cls, mode, orders, values=None, external=False):
        super().check_modification(
            mode, orders, values=values, external=external)
        if mode == 'delete':
            for order in orders:
                if order.state != 'draft':
                    raise WorkOrderDeleteError(gettext(
                            'kefu_ticket.msg_work_order_delete',
                            order=order.rec_name, state=order.state_string))
        elif mode == 'write' and external:
            for order in orders:
                if order.state in DONE:
                    raise WorkOrderLockedError(gettext(
                            'kefu_ticket.msg_work_order_locked',
                            order=order.rec_name, state=order.state_string))

    @classmethod
    def copy(cls, orders, default=None):
        default = default.copy() if default is not None else {}
        for name in ['number', 'report', 'finished_at', 'checked_by',
                'sla_next_at', 'left_early_at', 'left_early_reason',
                'next_visit_date']:
            default.setdefault(name, None)
        for names in MILESTONE_FIELDS.values():
            for name in names:
                default.setdefault(name, None)
        default.setdefault('left_early_consent', False)
        return super().copy(orders, default=default)

    @classmethod
    def check_state(cls, orders, states, message=None):
        """Refuse orders not in states; message, if given, explains the
        refusal of a draft order"""
        for order in orders:
            if order.state in states:
                continue
            if order.state == 'draft' and message:
                raise WorkOrderStateError(gettext(
                        'kefu_ticket.%s' % message, order=order.rec_name))
            raise WorkOrderStateError(gettext(
                    'kefu_ticket.msg_work_order_state',
                    order=order.rec_name, state=order.state_string))

    @classmethod
    @ModelView.button
    @Workflow.transition('notified')
    def notify(cls, orders):
        "Tell the repairer: the next member on duty if nobody is chosen"
        pool = Pool()
        Ticket = pool.get('kefu.ticket')
        now = sla.now()
        for order in orders:
            if not order.assignee and order.department:
                with without_check_access():
                    order.assignee = order.department.next_assignee()
        cls.save(orders)
        cls._meet(orders, 'notify', now)
        cls.recompute(orders)
        with without_check_access():
            Ticket.start(Ticket.browse(sorted(
                        {o.ticket.id for o in orders
                            if o.ticket.state == 'open'})))
        cls.tell_assignee(orders)

    @classmethod
    def tell_assignee(cls, orders):
        "Put the order in the bell of the repairer's users"
        pool = Pool()
        User = pool.get('res.user')
        for order in orders:
            if not order.assignee:
                continue
            with without_check_access():
                users = User.search([('employees', '=', order.assignee.id)])
            place = (order.unit or order.estate).rec_name
            for user in users:
                language = user.language.code if user.language else None
                cls.notify_user(
                    [order], 'tryton-notification',
                    gettext('kefu_ticket.msg_work_order_notify_assignee',
                        language=language, order=order.rec_name,
                        unit=place),
                    description=order.description[:200], user=user.id)

    @classmethod
    @ModelView.button
    def arrive(cls, orders):
        cls.check_state(
            orders, ['notified'], 'msg_work_order_arrive_before_notify')
        cls._arrive(orders)

    @classmethod
    @Workflow.transition('on_site')
    def _arrive(cls, orders):
        cls._meet(orders, 'arrive', sla.now())
        cls.recompute(orders)

    @classmethod
    @ModelView.button
    @Workflow.transition('in_progress')
    def start(cls, orders):
        cls._meet(orders, 'start', sla.now())
        cls.recompute(orders)

    @classmethod
    @ModelView.button
    def leave_early(cls, orders):
        "Leave before the work is finished, with the owner's written consent"
        cls.check_state(orders, ['in_progress'])
        for order in orders:
            if (not order.left_early_consent or not order.next_visit_date
                    or not order.left_early_reason):
                raise WorkOrderLeaveEarlyError(gettext(
                        'kefu_ticket.msg_work_order_leave_early',
                        order=order.rec_name))
        cls._leave_early(orders)

    @classmethod
    @Workflow.transition('left_early')
    def _leave_early(cls, orders):
        cls.write(orders, {'left_early_at': sla.now()})

    @classmethod
    @ModelView.button
    @Workflow.transition('in_progress')
    def resume(cls, orders):
        pass

    @classmethod
    @ModelView.button
    def finish(cls, orders):
        cls.check_state(orders, ['in_progress'])
        for order in orders:
            if not order.report:
                raise WorkOrderReportError(gettext(
                        'kefu_ticket.msg_work_order_report_required',
                        order=order.rec_name))
        cls._finish(orders)

    @classmethod
    @Workflow.transition('finished')
    def _finish(cls, orders):
        cls.write(orders, {'finished_at': sla.now()})
        cls.recompute(orders)

    @classmethod
    @ModelView.button
    def check(cls, orders):
        "A specialist checks the work; the ticket is done when all are"
        User = Pool().get('res.user')
        cls.check_state(orders, ['finished'])
        employee = User(Transaction().user).employee
        for order in orders:
            if employee and order.assignee == employee:
                raise WorkOrderCheckError(gettext(
                        'kefu_ticket.msg_work_order_check_own',
                        order=order.rec_name,
                        employee=employee.rec_name))
        cls._check(orders)
        cls.work_done(orders)

    @classmethod
    @Workflow.transition('checked')
    @set_employee('checked_by')
    def _check(cls, orders):
        cls._meet(orders, 'check', sla.now())
        cls.write(orders, {'sla_next_at': None})

    @classmethod
    def work_done(cls, orders):
        """Tell the tickets of orders whose orders are now all checked that
        the work is done"""
        Ticket = Pool().get('kefu.ticket')
        done = []
        for ticket_id in sorted({o.ticket.id for o in orders}):
            others = cls.search([
                    ('ticket', '=', ticket_id),
                    ('state', '!=', 'cancelled'),
                    ])
            if others and all(o.state == 'checked' for o in others):
                done.append(ticket_id)
        if done:
            with without_check_access():
                Ticket.work_done(Ticket.browse(done))

    @classmethod
    def redo(cls, orders):
        """A return visit found a problem: the repairer goes back to work
        and the work is finished and checked again"""
        orders = [o for o in orders if o.state in {'finished', 'checked'}]
        cls.write(orders, {
                'finished_at': None,
                'check_due': None,
                'checked_at': None,
                'check_on_time': None,
                'checked_by': None,
                })
        cls._redo(orders)
        cls.recompute(cls.browse(orders))

    @classmethod
    @Workflow.transition('in_progress')
    def _redo(cls, orders):
        pass

    @classmethod
    @ModelView.button
    def cancel(cls, orders):
        "Cancel orders; the ticket is done when its other orders are checked"
        cls._cancel(orders)
        cls.work_done(orders)

    @classmethod
    @Workflow.transition('cancelled')
    def _cancel(cls, orders):
        cls.write(orders, {'sla_next_at': None})
