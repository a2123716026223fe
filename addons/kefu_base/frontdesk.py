# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The front-desk registers: duty log (值班记录), visitor slips (访客单) and
registered mail (挂号邮件收发登记簿 / 退件登记簿)."""
import datetime as dt
import textwrap
from functools import wraps

from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Unique, Workflow, fields)
from trytond.pool import Pool
from trytond.pyson import Bool, Eval, If
from trytond.tools.timezone import UTC, get_tzinfo
from trytond.transaction import Transaction

from .exceptions import (
    DutyLogError, FrontDeskClosedError, FrontDeskDeleteError,
    MailAddresseeError, MailError)


def local_time(value, estate):
    "Format a stored (UTC) date-time in the time zone of the estate's company"
    if not value:
        return ''
    zone = estate.company.timezone
    zone = get_tzinfo(zone) if zone else UTC
    return value.replace(tzinfo=UTC).astimezone(zone).strftime(
        '%Y-%m-%d %H:%M')


def check_first(method_name):
    """Call method_name on every record before the decorated transition.

    Workflow.transition skips records in the wrong state without a word; a
    front-desk register must say why instead (e.g. mail handed out twice)."""
    def decorator(func):
        @wraps(func)
        def wrapper(cls, records, *args, **kwargs):
            for record in records:
                getattr(record, method_name)()
            return func(cls, records, *args, **kwargs)
        return wrapper
    return decorator


class _NumberMixin:
    "A human number taken from the default sequence when the record is saved"
    __slots__ = ()
    _number_sequence = None
    number = fields.Char(
        "Number", readonly=True,
        help="The number given automatically when the record is saved; "
        "quote it when you talk about this record.")

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        Sequence = pool.get('ir.sequence')
        values = super().preprocess_values(mode, values)
        if mode == 'create' and not values.get('number'):
            sequence = Sequence(
                ModelData.get_id('kefu_base', cls._number_sequence))
            values['number'] = sequence.get()
        return values

    @classmethod
    def copy(cls, records, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('number', None)
        return super().copy(records, default=default)


class _HistoryMixin:
    """Records in a closed state are history: they can be neither changed
    (but for the fields in _closed_writable) nor deleted."""
    __slots__ = ()
    _closed_states = set()
    _closed_writable = set()
    _delete_message = None

    def _history_record(self):
        "Return the record whose state closes this one"
        return self

    def is_closed(self):
        record = self._history_record()
        return record.state in record._closed_states

    def check_open(self):
        if self.is_closed():
            record = self._history_record()
            raise FrontDeskClosedError(gettext(
                    'kefu_base.msg_frontdesk_closed',
                    record=record.rec_name, state=record.state_string))

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        if mode == 'delete':
            for record in records:
                if record.is_closed():
                    raise FrontDeskDeleteError(gettext(
                            cls._delete_message, record=record.rec_name))
        elif mode == 'write' and values.keys() - cls._closed_writable:
            for record in records:
                record.check_open()


class DutyLog(_NumberMixin, _HistoryMixin, Workflow, ModelSQL, ModelView):
    __string__ = "Duty Log"
    __name__ = 'kefu.duty.log'
    _rec_name = 'number'
    _number_sequence = 'sequence_duty_log'
    _closed_states = {'handed_over'}
    _closed_writable = {'confirmed_by', 'confirmed_at'}
    _delete_message = 'kefu_base.msg_duty_log_delete'
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
    confirmed_by = fields.Many2One(
        'res.user', "Confirmed By", readonly=True, ondelete='RESTRICT',
        help="The staff member who read the handover and signed for it "
        "(签名确认).")
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
                'confirm': {
                    'invisible': ((Eval('state') != 'handed_over')
                        | Bool(Eval('confirmed_by'))),
                    'depends': ['state', 'confirmed_by'],
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
                'next_log', 'confirmed_by', 'confirmed_at']:
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
            user=self.receiving_user)
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

    def check_hand_over(self):
        if not self.receiving_user:
            raise DutyLogError(gettext(
                    'kefu_base.msg_duty_receiving_user_required',
                    log=self.rec_name))

    @classmethod
    @ModelView.button
    @check_first('check_hand_over')
    @Workflow.transition('handed_over')
    def hand_over(cls, logs):
        now = dt.datetime.now()
        for log in logs:
            log.next_log = log.carry_over()
            log.handed_over_at = now
        cls.save(logs)

    @classmethod
    @ModelView.button
    def confirm(cls, logs):
        user = Transaction().user
        logs = [log for log in logs if not log.confirmed_by]
        for log in logs:
            if log.state != 'handed_over' or log.receiving_user.id != user:
                raise DutyLogError(gettext(
                        'kefu_base.msg_duty_confirm_user',
                        log=log.rec_name,
                        user=(log.receiving_user.rec_name
                            if log.receiving_user else '')))
        cls.write(logs, {
                'confirmed_by': user,
                'confirmed_at': dt.datetime.now(),
                })


class DutyLogEntry(_HistoryMixin, Workflow, ModelSQL, ModelView):
    __string__ = "Duty Log Entry"
    __name__ = 'kefu.duty.log.entry'
    _rec_name = 'content'
    _delete_message = 'kefu_base.msg_duty_entry_delete'
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

    def _history_record(self):
        return self.duty_log

    @classmethod
    def check_modification(cls, mode, entries, values=None, external=False):
        super().check_modification(
            mode, entries, values=values, external=external)
        if mode == 'create':
            for entry in entries:
                entry.check_open()
        elif mode == 'delete':
            for entry in entries:
                if entry.state == 'done' or entry.carried_from:
                    raise FrontDeskDeleteError(gettext(
                            'kefu_base.msg_duty_entry_delete',
                            record=entry.rec_name))

    def check_done(self):
        if not self.result:
            raise DutyLogError(gettext(
                    'kefu_base.msg_duty_entry_result_required',
                    entry=self.rec_name))

    @classmethod
    @ModelView.button
    @check_first('check_done')
    @Workflow.transition('done')
    def done(cls, entries):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('open')
    def reopen(cls, entries):
        pass


class VisitorSlip(_NumberMixin, _HistoryMixin, Workflow, ModelSQL, ModelView):
    __string__ = "Visitor Slip"
    __name__ = 'kefu.visitor.slip'
    _rec_name = 'number'
    _number_sequence = 'sequence_visitor_slip'
    _closed_states = {'left'}
    _delete_message = 'kefu_base.msg_visitor_delete'
    _states = {'readonly': Eval('state') != 'in'}

    estate = fields.Many2One(
        'kefu.estate', "Estate", required=True, ondelete='RESTRICT',
        states=_states,
        help="The estate the visitor comes to.")
    visitor_name = fields.Char(
        "Visitor", required=True, states=_states,
        help="The name of the visitor, as on the identity document.")
    id_type = fields.Selection([
            (None, ""),
            ('id_card', "Resident Identity Card"),
            ('travel_permit', "Travel Permit"),
            ('passport', "Passport"),
            ('driving_licence', "Driving Licence"),
            ('other', "Other"),
            ], "ID Type", sort=False, states=_states,
        help="The identity document the visitor showed, if any.")
    id_number = fields.Char(
        "ID Number", states=_states,
        help="The number of the identity document.")
    phone = fields.Char(
        "Phone", states=_states, help="The visitor's phone number.")
    unit = fields.Many2One(
        'kefu.unit', "Host Unit", ondelete='RESTRICT', states=_states,
        domain=[('estate', '=', Eval('estate', -1))],
        help="The unit the visitor goes to.")
    host = fields.Many2One(
        'party.party', "Host", ondelete='RESTRICT', states=_states,
        help="The owner or resident the visitor comes to see; call them "
        "to confirm before letting the visitor in.")
    purpose = fields.Char(
        "Purpose", states=_states, help="Why the visitor comes.")
    arrived_at = fields.DateTime(
        "Arrived At", required=True, states=_states,
        help="When the visitor came in.")
    left_at = fields.DateTime(
        "Left At", states=_states,
        domain=[If(Eval('left_at'),
                ('left_at', '>=', Eval('arrived_at')),
                ())],
        help="When the visitor handed the slip back on leaving; filled in "
        "with the current time by the Leave button if left empty.")
    people = fields.Integer(
        "People", required=True, states=_states,
        domain=[('people', '>', 0)],
        help="How many people came in together.")
    vehicle_plate = fields.Char(
        "Vehicle Plate", states=_states,
        help="The plate number of the visitor's vehicle, if it came in.")
    state = fields.Selection([
            ('in', "Inside"),
            ('left', "Left"),
            ], "State", readonly=True, required=True, sort=False,
        help="Inside until the visitor hands the slip back on leaving.")
    state_string = state.translated('state')
    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.estate, Index.Equality()),
                    (t.arrived_at, Index.Range(order='DESC'))),
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    where=t.state == 'in'),
                })
        cls._order = [('arrived_at', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {('in', 'left')}
        cls._buttons.update({
                'leave': {
                    'invisible': Eval('state') != 'in',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_arrived_at():
        return dt.datetime.now()

    @staticmethod
    def default_people():
        return 1

    @staticmethod
    def default_state():
        return 'in'

    @fields.depends('unit', 'host')
    def on_change_unit(self):
        "Propose the unit's owner as host"
        if self.unit and not self.host:
            today = Pool().get('ir.date').today()
            owners = [o for o in self.unit.ownerships if o.is_current(today)]
            if owners:
                self.host = owners[0].party

    @classmethod
    def copy(cls, slips, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('arrived_at', lambda data: dt.datetime.now())
        default.setdefault('left_at', None)
        return super().copy(slips, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('left')
    def leave(cls, slips):
        now = dt.datetime.now()
        for slip in slips:
            if not slip.left_at:
                slip.left_at = now
        cls.save(slips)


class Mail(_NumberMixin, _HistoryMixin, Workflow, ModelSQL, ModelView):
    __string__ = "Registered Mail"
    __name__ = 'kefu.mail'
    _rec_name = 'number'
    _number_sequence = 'sequence_mail'
    _closed_states = {'handed_out', 'returned'}
    _delete_message = 'kefu_base.msg_mail_delete'
    _states = {'readonly': Eval('state') != 'received'}

    estate = fields.Many2One(
        'kefu.estate', "Estate", required=True, ondelete='RESTRICT',
        states=_states,
        help="The estate whose front desk signed for the mail.")
    unit = fields.Many2One(
        'kefu.unit', "Unit", ondelete='RESTRICT', states=_states,
        domain=[('estate', '=', Eval('estate', -1))],
        help="The unit the mail is addressed to, if known.")
    addressee = fields.Many2One(
        'party.party', "Addressee", ondelete='RESTRICT', states=_states,
        help="The owner or resident the mail is addressed to, if known; "
        "otherwise type the name on the envelope.")
    addressee_name = fields.Char(
        "Addressee Name", states=_states,
        help="The name on the envelope.")
    sender = fields.Char(
        "Sender", states=_states, help="Who sent the mail.")
    kind = fields.Selection([
            ('registered_letter', "Registered Letter"),
            ('parcel', "Parcel"),
            ('remittance_notice', "Remittance Notice"),
            ('other', "Other"),
            ], "Kind", required=True, sort=False, states=_states,
        help="A registered letter, a parcel notice (包裹单), a remittance "
        "notice (汇兑单) or other registered mail.")
    tracking_number = fields.Char(
        "Tracking Number", states=_states,
        help="The number the post office printed on the mail.")
    received_at = fields.DateTime(
        "Received At", required=True, states=_states,
        help="When the front desk signed for the mail from the post office.")
    signed_by = fields.Many2One(
        'party.party', "Signed By", ondelete='RESTRICT', states=_states,
        help="The owner or resident who collected the mail and signed the "
        "register.")
    signed_by_name = fields.Char(
        "Signed By Name", states=_states,
        help="The name written by whoever collected the mail.")
    handed_out_at = fields.DateTime(
        "Handed Out At", states=_states,
        help="When the mail was collected; filled in with the current time "
        "by the Hand Out button if left empty.")
    return_reason = fields.Text(
        "Return Reason", states=_states,
        help="Why the mail goes back to the post office, e.g. nobody "
        "claimed it (无人认领); needed to return it.")
    returned_at = fields.DateTime(
        "Returned At", states=_states,
        help="When the mail went back to the post office; filled in with "
        "the current time on approval if left empty.")
    return_approved_by = fields.Many2One(
        'res.user', "Return Approved By", readonly=True, ondelete='RESTRICT',
        help="The supervisor who approved returning the mail (退件).")
    state = fields.Selection([
            ('received', "Received"),
            ('handed_out', "Handed Out"),
            ('returned', "Returned"),
            ], "State", readonly=True, required=True, sort=False,
        help="Received from the post office, handed out to the addressee, "
        "or returned to the post office (退件).")
    state_string = state.translated('state')
    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.estate, Index.Equality()),
                    (t.received_at, Index.Range(order='DESC'))),
                Index(t, (t.state, Index.Equality(cardinality='low'))),
                Index(t, (t.unit, Index.Range())),
                Index(t, (t.tracking_number, Index.Equality())),
                })
        cls._order = [('received_at', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('received', 'handed_out'),
            ('received', 'returned'),
            }
        cls._buttons.update({
                'hand_out': {
                    'invisible': Eval('state') != 'received',
                    'depends': ['state'],
                    },
                'approve_return': {
                    'invisible': Eval('state') != 'received',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_kind():
        return 'registered_letter'

    @staticmethod
    def default_received_at():
        return dt.datetime.now()

    @staticmethod
    def default_state():
        return 'received'

    @fields.depends('addressee', 'addressee_name')
    def on_change_addressee(self):
        if self.addressee and not self.addressee_name:
            self.addressee_name = self.addressee.rec_name

    @fields.depends('signed_by', 'signed_by_name')
    def on_change_signed_by(self):
        if self.signed_by and not self.signed_by_name:
            self.signed_by_name = self.signed_by.rec_name

    @classmethod
    def copy(cls, mails, default=None):
        default = default.copy() if default is not None else {}
        for name in ['signed_by', 'signed_by_name', 'handed_out_at',
                'return_reason', 'returned_at', 'return_approved_by']:
            default.setdefault(name, None)
        return super().copy(mails, default=default)

    @classmethod
    def validate_fields(cls, mails, field_names):
        super().validate_fields(mails, field_names)
        if field_names & {'addressee', 'addressee_name'}:
            for mail in mails:
                if not mail.addressee and not mail.addressee_name:
                    raise MailAddresseeError(gettext(
                            'kefu_base.msg_mail_addressee_required',
                            mail=mail.rec_name))

    def _check_received(self):
        "Refuse a mail that was already handed out or returned"
        if self.state == 'handed_out':
            raise MailError(gettext(
                    'kefu_base.msg_mail_already_handed_out',
                    mail=self.rec_name,
                    signed_by=self.signed_by_name,
                    date=local_time(self.handed_out_at, self.estate)))
        if self.state == 'returned':
            raise MailError(gettext(
                    'kefu_base.msg_mail_already_returned',
                    mail=self.rec_name,
                    date=local_time(self.returned_at, self.estate)))

    def check_hand_out(self):
        self._check_received()
        if not self.signed_by and not self.signed_by_name:
            raise MailError(gettext(
                    'kefu_base.msg_mail_signed_by_required',
                    mail=self.rec_name))

    def check_return(self):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        User = pool.get('res.user')
        self._check_received()
        if not self.return_reason:
            raise MailError(gettext(
                    'kefu_base.msg_mail_return_reason_required',
                    mail=self.rec_name))
        approvers = {ModelData.get_id('kefu_base', g) for g in [
                'group_supervisor', 'group_office_manager', 'group_admin']}
        if Transaction().user and not approvers & set(User.get_groups()):
            raise MailError(gettext(
                    'kefu_base.msg_mail_return_supervisor',
                    mail=self.rec_name))

    @classmethod
    @ModelView.button
    @check_first('check_hand_out')
    @Workflow.transition('handed_out')
    def hand_out(cls, mails):
        now = dt.datetime.now()
        for mail in mails:
            if not mail.signed_by_name:
                mail.signed_by_name = mail.signed_by.rec_name
            mail.handed_out_at = mail.handed_out_at or now
        cls.save(mails)

    @classmethod
    @ModelView.button
    @check_first('check_return')
    @Workflow.transition('returned')
    def approve_return(cls, mails):
        user = Transaction().user
        now = dt.datetime.now()
        for mail in mails:
            mail.returned_at = mail.returned_at or now
            mail.return_approved_by = user
        cls.save(mails)
