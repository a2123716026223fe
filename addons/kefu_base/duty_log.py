# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The duty log (值班记录) of the front desk, its entries and the shift
handover (交接班)."""
import datetime as dt
import textwrap

from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Unique, Workflow, fields)
from trytond.modules.company.model import set_employee
from trytond.pool import Pool
from trytond.pyson import Bool, Eval
from trytond.transaction import Transaction

from .exceptions import (
    DutyLogError, FrontDeskClosedError, FrontDeskDeleteError)
from .model import EstateCompanyMixin, NumberMixin, employee_for, staff_field


class DutyLog(
        NumberMixin, EstateCompanyMixin, Workflow, ModelSQL, ModelView):
    __string__ = "Duty Log"
    __name__ = 'kefu.duty.log'
    _rec_name = 'number'
    _number_sequence = 'duty_log_sequence'
    _registered_by = 'written_by'
    _states = {'readonly': Eval('state') != 'open'}

    estate = fields.Many2One(
        'kefu.estate', "Estate", required=True, ondelete='RESTRICT',
        states=_states,
        help="The estate whose front desk keeps this log.")
    date = fields.Date(
        "Date", required=True, states=_states,
        help="The day the shift starts.")
    shift = fields.Selection([
            ('day', "Day Shift"),
            ('night', "Night Shift"),
            ], "Shift", required=True, sort=False, states=_states,
        help="The shift: the night shift starts in the evening and ends "
        "the next morning.")
    user = fields.Many2One(
        'res.user', "On Duty", required=True, ondelete='RESTRICT',
        states=_states,
        help="The front-desk staff member on duty who keeps this log.")
    entries = fields.One2Many(
        'kefu.duty.log.entry', 'duty_log', "Entries", states=_states,
        help="The calls, visits, emergencies and notices of the shift.")
    notes = fields.Text(
        "Handover Notes", states=_states,
        help="What the next shift must know: important notices and "
        "matters to follow (交班事项).")
    receiving_user = fields.Many2One(
        'res.user', "Received By", ondelete='RESTRICT', states=_states,
        help="The staff member of the next shift who takes over; "
        "needed to hand over.")
    handed_over_at = fields.DateTime(
        "Handed Over At", readonly=True,
        help="When the shift was handed over.")
    next_log = fields.Many2One(
        'kefu.duty.log', "Next Shift's Log", readonly=True,
        ondelete='RESTRICT',
        help="The log of the next shift, which received the open entries.")
    written_by = staff_field(
        "Written By",
        help="The staff member who opened this log: the one on duty, or "
        "the one receiving the shift for a log opened by the handover.")
    handed_over_by = staff_field(
        "Handed Over By",
        help="The staff member who handed the shift over.")
    received_by = staff_field(
        "Signed By",
        help="The staff member of the next shift who read the handover and "
        "signed for it (签名确认).")
    confirmed_at = fields.DateTime(
        "Confirmed At", readonly=True,
        help="When the receiving staff member signed for the handover.")
    state = fields.Selection([
            ('open', "Open"),
            ('handed_over', "Handed Over"),
            ], "State", readonly=True, required=True, sort=False,
        help="Open while the shift is running; handed over (交接班) once "
        "the next shift has taken over.")
    state_string = state.translated('state')
    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('estate_date_shift_unique', Unique(t, t.estate, t.date, t.shift),
                'kefu_base.msg_duty_log_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.estate, Index.Equality()),
                    (t.date, Index.Range(order='DESC'))),
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    where=t.state == 'open'),
                })
        cls._order = [
            ('date', 'DESC'), ('shift', 'DESC'), ('estate', 'ASC'),
            ('id', 'DESC')]
        cls._transitions |= {('open', 'handed_over')}
        cls._buttons.update({
                'hand_over': {
                    'invisible': Eval('state') != 'open',
                    'depends': ['state'],
                    },
                # Only the receiving staff signs: the one who handed over
                # does not see the button.
                'confirm': {
                    'invisible': ((Eval('state') != 'handed_over')
                        | Bool(Eval('confirmed_at'))
                        | (Bool(Eval('handed_over_by'))
                            & (Eval('handed_over_by')
                                == Eval('context', {}).get('employee')))),
                    'depends': ['state', 'confirmed_at', 'handed_over_by'],
                    },
                })

    @staticmethod
    def default_date():
        return Pool().get('ir.date').today()

    @staticmethod
    def default_shift():
        return 'day'

    @staticmethod
    def default_user():
        return Transaction().user

    @staticmethod
    def default_state():
        return 'open'

    @classmethod
    def copy(cls, logs, default=None):
        default = default.copy() if default is not None else {}
        for name in ['entries', 'receiving_user', 'handed_over_at',
                'next_log', 'written_by', 'handed_over_by', 'received_by',
                'confirmed_at']:
            default.setdefault(name, None)
        return super().copy(logs, default=default)

    def next_shift(self):
        "Return the date and shift of the shift after this one"
        if self.shift == 'day':
            return self.date, 'night'
        return self.date + dt.timedelta(days=1), 'day'

    def get_next_log(self):
        "Return the next shift's log, created for the receiving staff"
        date, shift = self.next_shift()
        logs = self.search([
                ('estate', '=', self.estate.id),
                ('date', '=', date),
                ('shift', '=', shift),
                ], limit=1)
        if logs:
            log, = logs
            if log.state != 'open':
                raise DutyLogError(gettext(
                        'kefu_base.msg_duty_next_log_handed_over',
                        log=self.rec_name, next_log=log.rec_name))
            return log
        log = self.__class__(
            estate=self.estate, date=date, shift=shift,
            user=self.receiving_user,
            written_by=employee_for(self.company, self.receiving_user))
        log.save()
        return log

    def carry_over(self):
        "Copy the still-open entries into the next shift's log; return it"
        Entry = Pool().get('kefu.duty.log.entry')
        next_log = self.get_next_log()
        Entry.copy([e for e in self.entries if e.state == 'open'], default={
                'duty_log': next_log.id,
                'carried_from': lambda data: data['id'],
                })
        return next_log

    @classmethod
    def check_modification(cls, mode, logs, values=None, external=False):
        super().check_modification(
            mode, logs, values=values, external=external)
        if mode == 'delete':
            for log in logs:
                if log.state == 'handed_over':
                    raise FrontDeskDeleteError(gettext(
                            'kefu_base.msg_duty_log_delete',
                            record=log.rec_name))
        # The receiving staff signs a handed-over log: nothing else changes.
        elif (mode == 'write'
                and values.keys() - {'received_by', 'confirmed_at'}):
            for log in logs:
                if log.state == 'handed_over':
                    raise FrontDeskClosedError(gettext(
                            'kefu_base.msg_frontdesk_closed',
                            record=log.rec_name, state=log.state_string))

    @classmethod
    @ModelView.button
    @Workflow.transition('handed_over')
    @set_employee('handed_over_by')
    def hand_over(cls, logs):
        now = dt.datetime.now()
        for log in logs:
            if not log.receiving_user:
                raise DutyLogError(gettext(
                        'kefu_base.msg_duty_receiving_user_required',
                        log=log.rec_name))
            log.next_log = log.carry_over()
            log.handed_over_at = now
        cls.save(logs)

    @classmethod
    @ModelView.button
    @set_employee('received_by')
    def confirm(cls, logs):
        user = Transaction().user
        logs = [log for log in logs if not log.confirmed_at]
        for log in logs:
            if log.state != 'handed_over' or log.receiving_user.id != user:
                raise DutyLogError(gettext(
                        'kefu_base.msg_duty_confirm_user',
                        log=log.rec_name,
                        user=(log.receiving_user.rec_name
                            if log.receiving_user else '')))
        cls.write(logs, {'confirmed_at': dt.datetime.now()})


class DutyLogEntry(Workflow, ModelSQL, ModelView):
    __string__ = "Duty Log Entry"
    __name__ = 'kefu.duty.log.entry'
    _rec_name = 'content'
    _states = {
        'readonly': ((Eval('state') != 'open')
            | (Eval('log_state', 'open') != 'open')),
        }

    duty_log = fields.Many2One(
        'kefu.duty.log', "Duty Log", required=True, ondelete='CASCADE',
        domain=[('state', '=', 'open')],
        states={'readonly': Eval('id', -1) >= 0},
        help="The shift log this entry belongs to.")
    estate = fields.Function(
        fields.Many2One(
            'kefu.estate', "Estate",
            help="The estate of the shift log."),
        'on_change_with_estate', searcher='search_estate')
    log_state = fields.Function(
        fields.Selection('get_log_states', "Log State",
            help="Whether the shift log is still open."),
        'on_change_with_log_state')
    time = fields.DateTime(
        "Time", required=True, states=_states,
        help="When the call, visit or event happened.")
    kind = fields.Selection([
            ('phone_call', "Phone Call"),
            ('visit', "Visit"),
            ('emergency', "Emergency"),
            ('notice', "Notice"),
            ('other', "Other"),
            ], "Kind", required=True, sort=False, states=_states,
        help="How the matter reached the front desk: a phone call (来电), "
        "a visit (来访), an emergency such as fire, a lift stuck or a power "
        "cut, or a notice to pass on.")
    unit = fields.Many2One(
        'kefu.unit', "Unit", ondelete='RESTRICT', states=_states,
        domain=[('estate', '=', Eval('estate', -1))],
        help="The unit concerned, if any.")
    party = fields.Many2One(
        'party.party', "Contact", ondelete='RESTRICT', states=_states,
        help="The owner, resident or other person who called or came, "
        "if known.")
    contact_name = fields.Char(
        "Contact Name", states=_states,
        help="The name the caller or visitor gave.")
    phone = fields.Char(
        "Phone", states=_states,
        help="The phone number to call back.")
    content = fields.Text(
        "Content", required=True, states=_states,
        help="What was asked, reported or announced.")
    department = fields.Selection([
            (None, ""),
            ('engineering', "Engineering"),
            ('security', "Security"),
            ('customer_service', "Customer Service"),
            ('finance', "Finance"),
            ('other', "Other"),
            ], "Follow-Up Department", sort=False, states=_states,
        help="The department asked to deal with the matter.")
    result = fields.Text(
        "Result",
        states={
            'readonly': _states['readonly'],
            'required': Eval('state') == 'done',
            },
        help="How the matter was dealt with; needed to mark it done.")
    carried_from = fields.Many2One(
        'kefu.duty.log.entry', "Carried From", readonly=True,
        ondelete='RESTRICT',
        help="The entry of the previous shift that was still open at the "
        "handover and continues here.")
    carried_to = fields.One2Many(
        'kefu.duty.log.entry', 'carried_from', "Carried To", readonly=True,
        help="The entries of the next shifts that continue this one.")
    state = fields.Selection([
            ('open', "Open"),
            ('done', "Done"),
            ], "State", readonly=True, required=True, sort=False,
        help="Open while the matter still needs follow-up; open entries are "
        "carried to the next shift at the handover.")
    state_string = state.translated('state')
    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('duty_log')
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.duty_log, Index.Range()), (t.time, Index.Range())),
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    where=t.state == 'open'),
                Index(t, (t.carried_from, Index.Range())),
                Index(t, (t.unit, Index.Range())),
                })
        cls._order = [('duty_log', 'DESC'), ('time', 'ASC'), ('id', 'ASC')]
        cls._transitions |= {('open', 'done'), ('done', 'open')}
        cls._buttons.update({
                'done': {
                    'invisible': ((Eval('state') != 'open')
                        | (Eval('log_state', 'open') != 'open')),
                    'depends': ['state', 'log_state'],
                    },
                'reopen': {
                    'invisible': ((Eval('state') != 'done')
                        | (Eval('log_state', 'open') != 'open')),
                    'depends': ['state', 'log_state'],
                    },
                })

    @staticmethod
    def default_time():
        return dt.datetime.now()

    @staticmethod
    def default_kind():
        return 'phone_call'

    @staticmethod
    def default_state():
        return 'open'

    @classmethod
    def get_log_states(cls):
        return Pool().get('kefu.duty.log').fields_get(
            ['state'])['state']['selection']

    @fields.depends('duty_log', '_parent_duty_log.estate')
    def on_change_with_estate(self, name=None):
        return self.duty_log.estate if self.duty_log else None

    @classmethod
    def search_estate(cls, name, clause):
        return [('duty_log.estate',) + tuple(clause[1:])]

    @fields.depends('duty_log', '_parent_duty_log.state')
    def on_change_with_log_state(self, name=None):
        return self.duty_log.state if self.duty_log else None

    @fields.depends('party', 'contact_name', 'phone')
    def on_change_party(self):
        if self.party:
            self.contact_name = self.contact_name or self.party.rec_name
            self.phone = self.phone or self.party.mobile or self.party.phone

    def get_rec_name(self, name):
        return textwrap.shorten(self.content or '', 40, placeholder='...')

    @classmethod
    def check_modification(cls, mode, entries, values=None, external=False):
        super().check_modification(
            mode, entries, values=values, external=external)
        # (the duty log's domain refuses new entries in a handed-over log)
        if mode == 'write':
            for entry in entries:
                if entry.duty_log.state == 'handed_over':
                    raise FrontDeskClosedError(gettext(
                            'kefu_base.msg_frontdesk_closed',
                            record=entry.duty_log.rec_name,
                            state=entry.duty_log.state_string))
        elif mode == 'delete':
            for entry in entries:
                if (entry.state == 'done' or entry.carried_from
                        or entry.duty_log.state == 'handed_over'):
                    raise FrontDeskDeleteError(gettext(
                            'kefu_base.msg_duty_entry_delete',
                            record=entry.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def done(cls, entries):
        for entry in entries:
            if not entry.result:
                raise DutyLogError(gettext(
                        'kefu_base.msg_duty_entry_result_required',
                        entry=entry.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('open')
    def reopen(cls, entries):
        pass
