# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The ticket (工单): every call, visit and letter to the front desk, with the
manual's deadlines stored on it, the pauses while waiting for the resident,
and the escalations when a deadline is missed."""
from sql import Null

from trytond.i18n import gettext
from trytond.model import (
    ChatMixin, Index, ModelSQL, ModelView, Unique, Workflow, fields)
from trytond.modules.company.model import set_employee
from trytond.modules.kefu_base.model import (
    EstateCompanyMixin, rec_name_domain, staff_field)
from trytond.modules.kefu_base.report import default_estate
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval, If
from trytond.tools import timezone as tz
from trytond.transaction import Transaction, without_check_access

from . import escalation, sla
from .department import KINDS
from .exceptions import (
    TicketAcceptanceError, TicketClosedError, TicketDeleteError,
    TicketPauseError, TicketResultError)
from .deadline import (
    MILESTONE_FIELDS, RUNNING, SLA_FIELDS, DeadlineMixin)
from .model import ButtonFieldsMixin
from .sla import COMPLAINT_CLASSES, SEVERITIES

CHANNELS = [
    ('phone', "Phone"),
    ('visit', "Visit"),
    ('letter', "Letter"),
    ('group_centre', "Group Service Centre"),
    ('email', "E-mail"),
    ('online', "Online"),
    ]
def milestone_pair(string, met_string, help, met_help):
    return (
        fields.DateTime(string, readonly=True, help=help),
        fields.DateTime(met_string, readonly=True, help=met_help))


class Ticket(
        ButtonFieldsMixin, DeadlineMixin, Workflow, EstateCompanyMixin, ChatMixin, ModelSQL,
        ModelView):
    __string__ = "Ticket"
    __name__ = 'kefu.ticket'
    _rec_name = 'number'
    _states = {'readonly': ~Eval('state').in_(['draft', 'open'])}
    _complaint = {
        'invisible': Eval('kind') != 'complaint',
        'required': (Eval('kind') == 'complaint')
        & ~Eval('state').in_(['draft', 'cancelled']),
        'readonly': ~Eval('state').in_(['draft', 'open', 'in_progress']),
        }

    number = fields.Char(
        "Number", readonly=True,
        help="The number given when the ticket is saved; quote it when you "
        "talk about the ticket.")
    kind = fields.Selection(
        KINDS, "Kind", required=True, states=_states,
        help="Complaint, repair, inquiry, suggestion, help or emergency: "
        "the kind sets the time limits.")
    kind_string = kind.translated('kind')
    channel = fields.Selection(
        CHANNELS, "Channel", required=True, states=_states,
        help="How the resident reached us.")
    estate = fields.Many2One(
        'kefu.estate', "Estate", required=True, ondelete='RESTRICT',
        states=_states,
        help="The estate the ticket is about.")
    unit = fields.Many2One(
        'kefu.unit', "Unit", ondelete='RESTRICT',
        domain=[('estate', '=', Eval('estate', -1))],
        states=_states,
        help="The unit concerned, if any (empty for public areas). Search "
        "it by code, owner, resident or the last digits of a phone.")
    party = fields.Many2One(
        'party.party', "Resident", ondelete='RESTRICT',
        context={'company': Eval('company', -1)}, depends={'company'},
        states=_states,
        help="The owner or resident who called, if registered.")
    caller_name = fields.Char(
        "Caller", states=_states,
        help="The caller's name when they are not in the register.")
    phone = fields.Char(
        "Phone", states=_states,
        help="The number to call back.")
    description = fields.Text(
        "Description", required=True, states=_states,
        help="What the resident says, in their words.")
    reported_at = fields.DateTime(
        "Reported At", required=True, states=_states,
        help="When the resident reached us; every time limit is counted "
        "from it.")
    reported_date = fields.Date(
        "Reported On", readonly=True,
        help="The day the resident reached us, in the estate's time zone.")
    category = fields.Many2One(
        'kefu.ticket.category', "Category", ondelete='RESTRICT',
        states={
            'readonly': _states['readonly'],
            'required': Eval('kind') == 'emergency',
            },
        help="What the ticket is about: plumbing, lift, noise ...; "
        "an emergency's category says who responds.")
    complaint_class = fields.Selection(
        [(None, "")] + COMPLAINT_CLASSES, "Complaint Class",
        states=_complaint,
        help="Class 1: our service fell short; class 2: the developer or "
        "building quality; class 3: outside environment or facilities "
        "outside our remit.")
    severity = fields.Selection(
        [(None, "")] + SEVERITIES, "Severity", states=_complaint,
        help="Major: serious effect on life, safety or the company's "
        "image; important: a management or service error; minor: a "
        "one-off affecting one person. Sets the time limits.")
    requested_by = fields.DateTime(
        "Resident's Date", states=_states,
        help="The date the resident asked for; the ticket is due by then "
        "if that is earlier than the time limit.")
    department = fields.Many2One(
        'kefu.department', "Department", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        states={'readonly': Eval('state').in_(['closed', 'cancelled'])},
        help="The department that handles the ticket; filled in by the "
        "assignment rules when the ticket is opened.")
    assignee = fields.Many2One(
        'company.employee', "Assignee", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        states={'readonly': Eval('state').in_(['closed', 'cancelled'])},
        help="Who handles the ticket; the next staff member on duty in the "
        "department when left empty.")
    duty_manager = fields.Many2One(
        'company.employee', "Duty Manager Told", readonly=True,
        ondelete='RESTRICT',
        help="For an emergency, the duty manager who was told at once.")
    emergency_notified_at = fields.DateTime(
        "Emergency Told At", readonly=True,
        help="When the duty manager was told of the emergency.")
    repeat_of = fields.Many2One(
        'kefu.ticket', "Repeat Of", ondelete='RESTRICT',
        domain=[
            ('id', '!=', Eval('id', -1)),
            ('estate', '=', Eval('estate', -1)),
            ],
        states=_states,
        help="The earlier complaint about the same matter; a repeat goes "
        "straight to the general manager's mailbox.")
    repeats = fields.One2Many(
        'kefu.ticket', 'repeat_of', "Repeats", readonly=True,
        help="Later complaints about the same matter.")
    result = fields.Text(
        "Result",
        states={
            'readonly': Eval('state').in_(['closed', 'cancelled']),
            'required': Eval('state').in_(['resolved', 'visited', 'closed']),
            },
        help="What was done and told to the resident.")

    feedback_due, feedback_at = milestone_pair(
        "Feedback Due", "Feedback Given",
        "The resident must hear from us by then.",
        "When the resident was first told how we handle it.")
    head_due, head_notified_at = milestone_pair(
        "Head Due", "Head Notified",
        "The head must know of the complaint by then (major: the office "
        "head the same day; important: the department head within 1 hour).",
        "When the head was told.")
    answer_due, answered_at = milestone_pair(
        "Answer Due", "Answered",
        "The resident must have a clear answer by then.",
        "When the resident got a clear answer.")
    resolve_due, resolved_at = milestone_pair(
        "Resolve Due", "Resolved",
        "The matter must be solved by then.",
        "When the matter was solved.")
    file_card_due, file_card_at = milestone_pair(
        "File Card Due", "File Card Made",
        "A complaint not solved by then needs a complaint file card "
        "(投诉处理档案卡).",
        "When the complaint file card was made.")
    callback_due, callback_at = milestone_pair(
        "Return Visit Due", "Visited",
        "The return visit (回访) must be made by then.",
        "When the return visit was made.")
    sla_next_at = fields.DateTime(
        "Next Check", readonly=True,
        help="When the time limits are next checked: the next deadline or "
        "escalation step; empty when paused or finished.")
    late = fields.Function(
        fields.Boolean(
            "Late", help="A deadline has passed and is still unmet."),
        'get_late', searcher='search_late')
    due_today = fields.Function(
        fields.Boolean(
            "Due Today",
            help="A deadline still unmet falls before the end of today."),
        'get_due_today', searcher='search_due_today')
    next_due = fields.Function(
        fields.DateTime(
            "Next Deadline",
            help="The earliest deadline still unmet."),
        'get_next_due')
    escalation_level = fields.Integer(
        "Escalation Level", readonly=True,
        help="0: on time; 1, 2, 3 ...: how far up the ladder a missed "
        "deadline or a repeat has gone.")
    escalations = fields.One2Many(
        'kefu.ticket.escalation', 'ticket', "Escalations", readonly=True,
        help="Who was told of a missed deadline or a repeat, and when.")
    pauses = fields.One2Many(
        'kefu.ticket.pause', 'ticket', "Pauses", readonly=True,
        help="When the clock stopped to wait for the resident.")
    work_orders = fields.One2Many(
        'kefu.work_order', 'ticket', "Work Orders",
        states={'readonly': Eval('state').in_(['closed', 'cancelled'])},
        help="The work sent to engineering, security or cleaning.")
    callbacks = fields.One2Many(
        'kefu.callback', 'ticket', "Return Visits", readonly=True,
        help="The return visits (回访) to the resident.")
    accepted_at = fields.DateTime(
        "Accepted At", readonly=True,
        help="When the work was accepted.")
    accepted_by_kind = fields.Selection([
            (None, ""),
            ('resident', "Resident"),
            ('specialist', "Specialist"),
            ], "Accepted By", readonly=True,
        help="Whether the resident or a specialist accepted the work.")
    accepted_by = staff_field(
        "Acceptance Recorded By",
        help="The staff member who recorded the acceptance.")
    reviewed_at = fields.DateTime(
        "Reviewed At", readonly=True,
        help="When the supervisor reviewed and closed the ticket.")
    reviewed_by = staff_field(
        "Reviewed By",
        help="The supervisor who reviewed and closed the ticket.")
    suggestion_decision = fields.Selection([
            (None, ""),
            ('pending', "Pending"),
            ('adopted', "Adopted"),
            ('not_adopted', "Not Adopted"),
            ], "Decision",
        states={
            'invisible': Eval('kind') != 'suggestion',
            'readonly': Eval('state').in_(['closed', 'cancelled']),
            },
        help="Whether the suggestion was adopted.")
    resident_told = fields.Boolean(
        "Resident Told",
        states={
            'invisible': Eval('kind') != 'suggestion',
            'readonly': Eval('state').in_(['closed', 'cancelled']),
            },
        help="The resident was told whether the suggestion was adopted.")
    state = fields.Selection([
            ('draft', "Draft"),
            ('open', "Open"),
            ('in_progress', "In Progress"),
            ('waiting', "Waiting for Resident"),
            ('resolved', "Resolved"),
            ('visited', "Visited"),
            ('closed', "Closed"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False,
        help="Draft until opened; open, in progress, waiting for the "
        "resident (the clock stops), resolved, visited (return visit done), "
        "closed after acceptance and review, or cancelled.")
    state_string = state.translated('state')
    del _states, _complaint

    _button_fields = {'state', 'reported_date', 'sla_next_at',
        'escalation_level', 'duty_manager', 'emergency_notified_at',
        'accepted_at', 'accepted_by_kind', 'accepted_by', 'reviewed_at',
        'reviewed_by'} | {
        f for pair in MILESTONE_FIELDS.values() for f in pair}

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('estate')
        t = cls.__table__()
        cls._sql_constraints += [
            ('number_unique', Unique(t, t.number),
                'kefu_ticket.msg_ticket_number_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.sla_next_at, Index.Range()),
                    where=t.sla_next_at != Null),
                Index(t, (t.estate, Index.Equality()),
                    (t.state, Index.Equality(cardinality='low'))),
                Index(t, (t.reported_date, Index.Range())),
                # the lists' order (newest first)
                Index(t, (t.reported_at, Index.Range(order='DESC')),
                    (t.id, Index.Range(order='DESC'))),
                Index(t, (t.unit, Index.Equality()),
                    (t.category, Index.Equality()),
                    (t.reported_date, Index.Range())),
                Index(t, (t.assignee, Index.Equality())),
                Index(t, (t.party, Index.Equality())),
                Index(t, (t.number, Index.Similarity())),
                Index(t, (t.resolve_due, Index.Range()),
                    where=t.resolved_at == Null),
                })
        cls._order = [('reported_at', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'open'),
            ('draft', 'cancelled'),
            ('open', 'in_progress'),
            ('open', 'waiting'),
            ('open', 'resolved'),
            ('open', 'cancelled'),
            ('in_progress', 'waiting'),
            ('in_progress', 'resolved'),
            ('waiting', 'in_progress'),
            ('resolved', 'in_progress'),
            ('resolved', 'visited'),
            ('resolved', 'closed'),
            ('visited', 'in_progress'),
            ('visited', 'closed'),
            }
        cls._buttons.update({
                'open': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'start': {
                    'invisible': Eval('state') != 'open',
                    'depends': ['state'],
                    },
                'wait': {
                    'invisible': ~Eval('state').in_(['open', 'in_progress']),
                    'depends': ['state'],
                    },
                'resume': {
                    'invisible': Eval('state') != 'waiting',
                    'depends': ['state'],
                    },
                'give_feedback': {
                    'invisible': (~Eval('state').in_(RUNNING)
                        | Bool(Eval('feedback_at'))),
                    'depends': ['state', 'feedback_at'],
                    },
                'notify_head': {
                    'invisible': (~Eval('state').in_(RUNNING)
                        | Bool(Eval('head_notified_at'))
                        | ~Eval('head_due')),
                    'depends': ['state', 'head_notified_at', 'head_due'],
                    },
                'answer': {
                    'invisible': (~Eval('state').in_(RUNNING)
                        | Bool(Eval('answered_at')) | ~Eval('answer_due')),
                    'depends': ['state', 'answered_at', 'answer_due'],
                    },
                'make_file_card': {
                    'invisible': (~Eval('state').in_(['open', 'in_progress',
                                'waiting'])
                        | Bool(Eval('file_card_at')) | ~Eval('file_card_due')),
                    'depends': ['state', 'file_card_at', 'file_card_due'],
                    },
                'resolve': {
                    'invisible': ~Eval('state').in_(['open', 'in_progress']),
                    'depends': ['state'],
                    },
                'reopen': {
                    'invisible': ~Eval('state').in_(['resolved', 'visited']),
                    'depends': ['state'],
                    },
                'accept_resident': {
                    'invisible': (~Eval('state').in_(['resolved', 'visited'])
                        | Bool(Eval('accepted_at'))),
                    'depends': ['state', 'accepted_at'],
                    },
                'accept_specialist': {
                    'invisible': (~Eval('state').in_(['resolved', 'visited'])
                        | Bool(Eval('accepted_at'))),
                    'depends': ['state', 'accepted_at'],
                    },
                'close': {
                    'invisible': ~Eval('state').in_(['resolved', 'visited']),
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(['draft', 'open']),
                    'depends': ['state'],
                    },
                })

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual', If(Eval('late', False), 'danger', '')),
            ]

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_channel(cls):
        return 'phone'

    @classmethod
    def default_kind(cls):
        return 'complaint'

    @classmethod
    def default_reported_at(cls):
        return sla.now()

    @classmethod
    def default_escalation_level(cls):
        return 0

    @classmethod
    def default_estate(cls):
        return default_estate()

    @classmethod
    def default_resident_told(cls):
        return False

    @fields.depends('kind', 'suggestion_decision')
    def on_change_kind(self):
        if self.kind == 'suggestion' and not self.suggestion_decision:
            self.suggestion_decision = 'pending'

    @fields.depends('unit', 'estate', 'party', 'phone')
    def on_change_unit(self):
        Ownership = Pool().get('kefu.unit.ownership')
        if self.unit:
            self.estate = self.unit.estate
            owners = Ownership.search(
                [('unit', '=', self.unit.id)] + Ownership.period_domain(),
                limit=1)
            if not self.party and owners:
                self.party = owners[0].party
            if not self.phone and self.party:
                self.phone = self.party.phone or self.party.mobile

    @fields.depends('party', 'phone')
    def on_change_party(self):
        if self.party and not self.phone:
            self.phone = self.party.phone or self.party.mobile

    def get_rec_name(self, name):
        if self.number:
            return self.number
        return '(%s)' % self.id

    @classmethod
    def search_rec_name(cls, name, clause):
        return rec_name_domain(
            clause, 'number', 'unit.code', 'party.name', 'caller_name',
            'phone', 'description')

    # Life of the ticket

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Configuration = pool.get('kefu.configuration')
        Estate = pool.get('kefu.estate')
        values = super().preprocess_values(mode, values)
        if (mode == 'create' and not values.get('number')
                and values.get('estate')):
            company = Estate(values['estate']).company
            values['number'] = Configuration(1).get_number(
                'ticket_sequence', company)
        return values

    @classmethod
    def check_modification(cls, mode, tickets, values=None, external=False):
        super().check_modification(
            mode, tickets, values=values, external=external)
        if mode == 'delete':
            for ticket in tickets:
                if ticket.state != 'draft':
                    raise TicketDeleteError(gettext(
                            'kefu_ticket.msg_ticket_delete',
                            ticket=ticket.rec_name,
                            state=ticket.state_string))
        elif mode == 'write' and external:
            for ticket in tickets:
                if ticket.state in ['closed', 'cancelled']:
                    raise TicketClosedError(gettext(
                            'kefu_ticket.msg_ticket_closed',
                            ticket=ticket.rec_name,
                            state=ticket.state_string))

    @classmethod
    def on_modification(cls, mode, tickets, field_names=None):
        super().on_modification(mode, tickets, field_names=field_names)
        if mode in {'create', 'write'}:
            cls._set_reported_date(tickets)
        if (mode == 'write' and field_names and SLA_FIELDS & field_names
                and not Transaction().context.get('_kefu_recompute')):
            cls.recompute(tickets)

    @classmethod
    def _set_reported_date(cls, tickets):
        Calendar = Pool().get('kefu.calendar')
        to_write = []
        for ticket in tickets:
            zone = Calendar._timezone(ticket.estate.company)
            day = ticket.reported_at.replace(tzinfo=tz.UTC).astimezone(
                zone).date()
            if ticket.reported_date != day:
                to_write.extend(([ticket], {'reported_date': day}))
        if to_write:
            with Transaction().set_context(_kefu_recompute=True):
                cls.write(*to_write)

    @classmethod
    def copy(cls, tickets, default=None):
        default = default.copy() if default is not None else {}
        for name in ['number', 'reported_date', 'sla_next_at',
                'duty_manager', 'emergency_notified_at', 'accepted_at',
                'accepted_by_kind', 'accepted_by', 'reviewed_at',
                'reviewed_by', 'result']:
            default.setdefault(name, None)
        for due_field, met_field in MILESTONE_FIELDS.values():
            default.setdefault(due_field, None)
            default.setdefault(met_field, None)
        default.setdefault('escalation_level', 0)
        for name in ['escalations', 'pauses', 'repeats']:
            default.setdefault(name, None)
        return super().copy(tickets, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('open')
    def open(cls, tickets):
        for ticket in tickets:
            escalation.assign(ticket)
            escalation.link_repeat(ticket)
        cls.save(tickets)
        escalation.on_open(cls.browse(tickets))

    @classmethod
    @ModelView.button
    @Workflow.transition('in_progress')
    def start(cls, tickets):
        pass

    @classmethod
    @ModelView.button_action('kefu_ticket.wizard_ticket_wait')
    def wait(cls, tickets):
        pass

    @classmethod
    def pause(cls, tickets, reason):
        "Stop the clocks of tickets to wait for the resident"
        Pause = Pool().get('kefu.ticket.pause')
        for ticket in tickets:
            if ticket.state not in ['open', 'in_progress']:
                raise TicketPauseError(gettext(
                        'kefu_ticket.msg_ticket_pause_state',
                        ticket=ticket.rec_name, state=ticket.state_string))
        now = sla.now()
        # the wizard's user may not write the state nor the pauses: the
        # ticket records them
        with without_check_access():
            Pause.create([{
                        'ticket': t.id,
                        'start': now,
                        'reason': reason,
                        } for t in tickets])
            cls._wait(tickets)

    @classmethod
    @Workflow.transition('waiting')
    def _wait(cls, tickets):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('in_progress')
    def resume(cls, tickets):
        Pause = Pool().get('kefu.ticket.pause')
        running = Pause.search([
                ('ticket', 'in', [t.id for t in tickets]),
                ('end', '=', None),
                ])
        Pause.write(running, {'end': sla.now()})

    @classmethod
    def _meet(cls, tickets, field):
        now = sla.now()
        cls.write([t for t in tickets if not getattr(t, field)], {
                field: now})

    @classmethod
    @ModelView.button
    def give_feedback(cls, tickets):
        cls._meet(tickets, 'feedback_at')

    @classmethod
    @ModelView.button
    def notify_head(cls, tickets):
        cls._meet(tickets, 'head_notified_at')

    @classmethod
    @ModelView.button
    def answer(cls, tickets):
        cls._meet(tickets, 'answered_at')

    @classmethod
    @ModelView.button
    def make_file_card(cls, tickets):
        cls._meet(tickets, 'file_card_at')

    @classmethod
    @ModelView.button
    @Workflow.transition('resolved')
    def resolve(cls, tickets):
        pool = Pool()
        Callback = pool.get('kefu.callback')
        for ticket in tickets:
            if not ticket.result:
                raise TicketResultError(gettext(
                        'kefu_ticket.msg_ticket_result_required',
                        ticket=ticket.rec_name))
        now = sla.now()
        for ticket in tickets:
            ticket.resolved_at = now
            if not ticket.feedback_at:
                ticket.feedback_at = now
        cls.save(tickets)
        Callback.plan(cls.browse(tickets))

    @classmethod
    @ModelView.button
    @Workflow.transition('in_progress')
    def reopen(cls, tickets):
        cls.write(tickets, {
                'resolved_at': None,
                'callback_due': None,
                'callback_at': None,
                'accepted_at': None,
                'accepted_by_kind': None,
                'accepted_by': None,
                })

    @classmethod
    def work_done(cls, tickets):
        """The work orders of tickets are all checked: resolve those still
        in progress"""
        to_resolve = [t for t in tickets if t.state in ['open', 'in_progress']]
        for ticket in to_resolve:
            if not ticket.result:
                ticket.result = '\n'.join(
                    o.report for o in ticket.work_orders
                    if getattr(o, 'report', None)) or ticket.description
        cls.save(to_resolve)
        cls.resolve(to_resolve)

    @classmethod
    def reopen_work(cls, tickets):
        "A return visit found a problem: the work goes back to the repairer"
        cls.reopen([t for t in tickets if t.state in ['resolved', 'visited']])

    @classmethod
    def callback_done(cls, tickets, done_at=None):
        "The return visit of tickets was made"
        done_at = done_at or sla.now()
        cls.write([t for t in tickets if not t.callback_at], {
                'callback_at': done_at,
                })
        cls._visited([t for t in tickets if t.state == 'resolved'])

    @classmethod
    @Workflow.transition('visited')
    def _visited(cls, tickets):
        pass

    @classmethod
    @ModelView.button
    @set_employee('accepted_by')
    def accept_resident(cls, tickets):
        cls.write(tickets, {
                'accepted_at': sla.now(),
                'accepted_by_kind': 'resident',
                })

    @classmethod
    @ModelView.button
    @set_employee('accepted_by')
    def accept_specialist(cls, tickets):
        cls.write(tickets, {
                'accepted_at': sla.now(),
                'accepted_by_kind': 'specialist',
                })

    @classmethod
    @ModelView.button
    @Workflow.transition('closed')
    @set_employee('reviewed_by')
    def close(cls, tickets):
        for ticket in tickets:
            if not ticket.accepted_at:
                raise TicketAcceptanceError(gettext(
                        'kefu_ticket.msg_ticket_close_acceptance',
                        ticket=ticket.rec_name))
            if ticket.callback_due and not ticket.callback_at:
                raise TicketAcceptanceError(gettext(
                        'kefu_ticket.msg_ticket_close_callback',
                        ticket=ticket.rec_name))
        cls.write(tickets, {
                'reviewed_at': sla.now(),
                'sla_next_at': None,
                })

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, tickets):
        cls.write(tickets, {'sla_next_at': None})

class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.extend([
                ('kefu.ticket|sla_sweep', "Escalate Late Tickets"),
                ('kefu.ticket|send_digests', "Send the Daily Follow-Up Lists"),
                ])
