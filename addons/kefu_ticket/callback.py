# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The return visit (回访): after the work of a ticket is done, the front
desk calls or visits the resident, records their satisfaction, and sends
the work back to the repairer when a problem remains."""
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.modules.company.model import set_employee
from trytond.modules.kefu_base.model import (
    local_time, rec_name_domain, staff_field)
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.transaction import without_check_access

from . import sla
from .exceptions import (
    CallbackDeleteError, CallbackIncompleteError, CallbackLockedError,
    CallbackSatisfactionError, CallbackStateError, CallbackTooEarlyError)
from .model import ButtonFieldsMixin, TicketPlaceMixin

SATISFACTION_MIN, SATISFACTION_MAX = 1, 5


class Callback(
        ButtonFieldsMixin, TicketPlaceMixin, Workflow, ModelSQL, ModelView):
    __string__ = "Return Visit"
    __name__ = 'kefu.callback'
    _states = {'readonly': Eval('state') != 'pending'}

    ticket = fields.Many2One(
        'kefu.ticket', "Ticket", required=True, ondelete='RESTRICT',
        states=_states,
        help="The ticket whose resident is called back.")
    work_order = fields.Many2One(
        'kefu.work_order', "Work Order", ondelete='RESTRICT',
        domain=[('ticket', '=', Eval('ticket', -1))],
        states=_states,
        help="The work checked on this visit; it goes back to the repairer "
        "if the resident finds a problem.")
    phone = fields.Function(
        fields.Char(
            "Phone",
            help="The number the resident gave on the ticket."),
        'on_change_with_phone')
    due = fields.DateTime(
        "Due", states=_states,
        help="The return visit must be made by then: within 2 days of a "
        "repair (3 days after the leak test for a leak), within a week of a "
        "complaint's handling.")
    method = fields.Selection([
            ('phone', "Phone"),
            ('visit', "Visit"),
            ], "Method", required=True, states=_states,
        help="Whether the resident is called or visited.")
    done_at = fields.DateTime(
        "Done At", states=_states,
        help="When the resident was reached; the time of the Done button "
        "when left empty.")
    done_by = staff_field(
        "Done By",
        help="The staff member who made the return visit.")
    satisfaction = fields.Integer(
        "Satisfaction",
        domain=['OR',
            ('satisfaction', '=', None),
            [
                ('satisfaction', '>=', SATISFACTION_MIN),
                ('satisfaction', '<=', SATISFACTION_MAX),
                ],
            ],
        states={
            'readonly': _states['readonly'],
            'required': Eval('state') == 'done',
            },
        help="How satisfied the resident is, from 1 (very dissatisfied) to "
        "5 (very satisfied).")
    result = fields.Selection([
            (None, ""),
            ('ok', "Solved"),
            ('problem', "Problem Remains"),
            ], "Result",
        states={
            'readonly': _states['readonly'],
            'required': Eval('state') == 'done',
            },
        help="Solved, or a problem remains: then the work goes back to the "
        "repairer and the ticket is reopened.")
    result_string = result.translated('result')
    notes = fields.Text(
        "Notes",
        states={'readonly': Eval('state') == 'cancelled'},
        help="What the resident said.")
    on_time = fields.Boolean(
        "On Time", readonly=True,
        help="The return visit was made by its due time.")
    late = fields.Function(
        fields.Boolean(
            "Late",
            help="The return visit is still to be made and its due time "
            "has passed."),
        'get_late', searcher='search_late')
    state = fields.Selection([
            ('pending', "To Do"),
            ('done', "Done"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False,
        help="To do until the resident is reached, then done; cancelled "
        "when no return visit is needed.")
    state_string = state.translated('state')

    _button_fields = {'state', 'done_by', 'on_time'}
    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.ticket, Index.Equality())),
                Index(t, (t.work_order, Index.Equality())),
                Index(t, (t.due, Index.Range()),
                    where=t.state == 'pending'),
                })
        cls._order = [('due', 'ASC NULLS LAST'), ('id', 'DESC')]
        cls._transitions |= {
            ('pending', 'done'),
            ('pending', 'cancelled'),
            }
        cls._buttons.update({
                'do': {
                    'invisible': Eval('state') != 'pending',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': Eval('state') != 'pending',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'pending'

    @classmethod
    def default_method(cls):
        return 'phone'

    @fields.depends('ticket', '_parent_ticket.phone')
    def on_change_with_phone(self, name=None):
        return self.ticket.phone if self.ticket else None

    @fields.depends('ticket', 'due', '_parent_ticket.callback_due')
    def on_change_ticket(self):
        if self.ticket and not self.due:
            self.due = self.ticket.callback_due

    def get_rec_name(self, name):
        return self.ticket.rec_name

    @classmethod
    def search_rec_name(cls, name, clause):
        return rec_name_domain(
            clause, 'ticket.rec_name', 'work_order.rec_name')

    def get_late(self, name):
        return (self.state == 'pending' and self.due is not None
            and self.due < sla.now())

    @classmethod
    def search_late(cls, name, clause):
        _, operator, value = clause
        domain = [
            ('state', '=', 'pending'),
            ('due', '<', sla.now()),
            ]
        if (operator == '=') != bool(value):
            domain = ['NOT', domain]
        return domain

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual', If(Eval('late', False), 'danger', '')),
            ]

    @classmethod
    def preprocess_values(cls, mode, values):
        # Before the domain of the field, to say which values are allowed.
        values = super().preprocess_values(mode, values)
        satisfaction = values.get('satisfaction')
        if satisfaction is not None and not (
                SATISFACTION_MIN <= satisfaction <= SATISFACTION_MAX):
            raise CallbackSatisfactionError(gettext(
                    'kefu_ticket.msg_callback_satisfaction',
                    satisfaction=satisfaction,
                    min=SATISFACTION_MIN, max=SATISFACTION_MAX))
        return values

    @classmethod
    def check_modification(
            cls, mode, callbacks, values=None, external=False):
        super().check_modification(
            mode, callbacks, values=values, external=external)
        if mode == 'delete':
            for callback in callbacks:
                if callback.state == 'done':
                    raise CallbackDeleteError(gettext(
                            'kefu_ticket.msg_callback_delete',
                            callback=callback.rec_name))
        elif mode == 'write' and external:
            for callback in callbacks:
                if (callback.state == 'cancelled'
                        or (callback.state == 'done'
                            and values.keys() - {'notes'})):
                    raise CallbackLockedError(gettext(
                            'kefu_ticket.msg_callback_locked',
                            callback=callback.rec_name,
                            state=callback.state_string))

    @classmethod
    def copy(cls, callbacks, default=None):
        default = default.copy() if default is not None else {}
        for name in ['done_at', 'done_by', 'satisfaction', 'result',
                'on_time']:
            default.setdefault(name, None)
        return super().copy(callbacks, default=default)

    @classmethod
    def plan(cls, tickets):
        """Plan the return visit of each ticket that has a due time for it
        and no return visit to do yet; it checks the last checked work
        order of the ticket"""
        WorkOrder = Pool().get('kefu.work_order')
        tickets = [t for t in tickets if t.callback_due]
        if not tickets:
            return []
        ids = [t.id for t in tickets]
        pending = {c.ticket.id for c in cls.search([
                    ('ticket', 'in', ids),
                    ('state', '=', 'pending'),
                    ])}
        last_orders = {}
        for order in WorkOrder.search([
                    ('ticket', 'in', ids),
                    ('state', '=', 'checked'),
                    ], order=[('checked_at', 'ASC'), ('id', 'ASC')]):
            last_orders[order.ticket.id] = order.id
        return cls.create([{
                    'ticket': t.id,
                    'work_order': last_orders.get(t.id),
                    'due': t.callback_due,
                    'method': 'phone',
                    } for t in tickets if t.id not in pending])

    def check_do(self):
        "Refuse a return visit without its answers or before the work is done"
        if self.state != 'pending':
            raise CallbackStateError(gettext(
                    'kefu_ticket.msg_callback_state',
                    callback=self.rec_name, state=self.state_string))
        if self.satisfaction is None or not self.result:
            raise CallbackIncompleteError(gettext(
                    'kefu_ticket.msg_callback_incomplete',
                    callback=self.rec_name))
        ticket = self.ticket
        if ticket.state not in {'resolved', 'visited'}:
            raise CallbackTooEarlyError(gettext(
                    'kefu_ticket.msg_callback_before_resolved',
                    callback=self.rec_name, state=ticket.state_string))
        if (self.done_at and ticket.resolved_at
                and self.done_at < ticket.resolved_at):
            raise CallbackTooEarlyError(gettext(
                    'kefu_ticket.msg_callback_done_before_resolved',
                    callback=self.rec_name,
                    done=local_time(self.done_at, ticket.estate),
                    resolved=local_time(ticket.resolved_at, ticket.estate)))

    @classmethod
    @ModelView.button
    def do(cls, callbacks):
        """Record the return visit: a problem sends the work back to the
        repairer and reopens the ticket"""
        pool = Pool()
        Ticket = pool.get('kefu.ticket')
        WorkOrder = pool.get('kefu.work_order')
        for callback in callbacks:
            callback.check_do()
        now = sla.now()
        for callback in callbacks:
            callback.done_at = callback.done_at or now
            callback.on_time = (
                callback.done_at <= callback.due if callback.due else None)
        cls.save(callbacks)
        cls._do(callbacks)
        problems = [c for c in callbacks if c.result == 'problem']
        with without_check_access():
            Ticket.reopen_work(Ticket.browse(
                    sorted({c.ticket.id for c in problems})))
            WorkOrder.redo(WorkOrder.browse(sorted(
                        {c.work_order.id for c in problems if c.work_order})))
            for callback in callbacks:
                if callback.result == 'ok':
                    Ticket.callback_done(
                        [Ticket(callback.ticket.id)], callback.done_at)

    @classmethod
    @Workflow.transition('done')
    @set_employee('done_by')
    def _do(cls, callbacks):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, callbacks):
        pass
