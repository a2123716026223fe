# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Registered mail (挂号邮件收发登记簿) signed for by the front desk, handed
out to the addressee or returned to the post office (退件登记簿)."""
import datetime as dt

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.modules.company.model import set_employee
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .exceptions import (
    FrontDeskClosedError, FrontDeskDeleteError, MailAddresseeError, MailError)
from .model import (
    EstateCompanyMixin, NumberMixin, join_names, local_time, staff_field)


class Mail(NumberMixin, EstateCompanyMixin, Workflow, ModelSQL, ModelView):
    __string__ = "Registered Mail"
    __name__ = 'kefu.mail'
    _rec_name = 'number'
    _number_sequence = 'mail_sequence'
    _registered_by = 'received_by'
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
        context={'company': Eval('company', -1)}, depends={'company'},
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
        context={'company': Eval('company', -1)}, depends={'company'},
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
    received_by = staff_field(
        "Received By",
        help="The staff member who signed for the mail from the post "
        "office.")
    handed_out_by = staff_field(
        "Handed Out By",
        help="The staff member who handed the mail out.")
    return_approved_by = staff_field(
        "Return Approved By",
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
        # The form shows these buttons only for mail still at the desk
        # (view_attributes) but the server accepts them in any state: a
        # clerk whose form was opened before a colleague's click must read
        # who collected the mail and when, not Tryton's generic refusal.
        cls._buttons.update({
                'hand_out': {
                    'depends': ['state'],
                    },
                'approve_return': {
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
                'return_reason', 'returned_at', 'received_by',
                'handed_out_by', 'return_approved_by']:
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

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('//group[@id="buttons"]', 'states', {
                    'invisible': Eval('state') != 'received',
                    }),
            ]

    @classmethod
    def check_modification(cls, mode, mails, values=None, external=False):
        super().check_modification(
            mode, mails, values=values, external=external)
        if mode == 'delete':
            for mail in mails:
                if mail.state != 'received':
                    raise FrontDeskDeleteError(gettext(
                            'kefu_base.msg_mail_delete',
                            record=mail.rec_name))
        elif mode == 'write':
            for mail in mails:
                if mail.state != 'received':
                    raise FrontDeskClosedError(gettext(
                            'kefu_base.msg_frontdesk_closed',
                            record=mail.rec_name, state=mail.state_string))

    def check_received(self):
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

    @classmethod
    @ModelView.button
    def hand_out(cls, mails):
        "Hand the mails out, or say who collected them already"
        # a colleague handing out the same mail at once waits here, then
        # reads who collected it
        cls.lock(mails)
        for mail in mails:
            mail.check_received()
        cls.set_handed_out(mails)

    @classmethod
    @Workflow.transition('handed_out')
    @set_employee('handed_out_by')
    def set_handed_out(cls, mails):
        now = dt.datetime.now()
        for mail in mails:
            if not mail.signed_by and not mail.signed_by_name:
                raise MailError(gettext(
                        'kefu_base.msg_mail_signed_by_required',
                        mail=mail.rec_name))
            if not mail.signed_by_name:
                mail.signed_by_name = mail.signed_by.rec_name
            mail.handed_out_at = mail.handed_out_at or now
        cls.save(mails)

    @classmethod
    @ModelView.button
    def approve_return(cls, mails):
        "Return the mails to the post office, or say why they cannot be"
        cls.lock(mails)
        for mail in mails:
            mail.check_received()
        cls.set_returned(mails)

    @classmethod
    @Workflow.transition('returned')
    @set_employee('return_approved_by')
    def set_returned(cls, mails):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        User = pool.get('res.user')
        approvers = {ModelData.get_id('kefu_base', g) for g in [
                'group_supervisor', 'group_office_manager', 'group_admin']}
        if (mails and Transaction().user
                and not approvers & set(User.get_groups())):
            raise MailError(gettext(
                    'kefu_base.msg_mail_return_supervisor',
                    mail=join_names(m.rec_name for m in mails)))
        now = dt.datetime.now()
        for mail in mails:
            if not mail.return_reason:
                raise MailError(gettext(
                        'kefu_base.msg_mail_return_reason_required',
                        mail=mail.rec_name))
            mail.returned_at = mail.returned_at or now
        cls.save(mails)
