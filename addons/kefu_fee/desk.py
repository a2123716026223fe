# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A cash desk (收费点): where the money of an estate is taken, at the
counter or at home by appointment (上门收费).  Each desk numbers its own
receipts without gaps (its own strict sequence, so desks never wait on each
other) and has one payment method per way of paying, each with the account
its money goes to."""
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Unique, fields)
from trytond.modules.kefu_base.model import rec_name_domain
from trytond.pool import Pool
from trytond.pyson import Eval, Id
from trytond.transaction import Transaction

from .exceptions import DeskError

METHOD_KINDS = [
    ('cash', "Cash"),
    ('wechat', "WeChat Pay"),
    ('alipay', "Alipay"),
    ('card', "Bank Card"),
    ('transfer', "Bank Transfer"),
    ]


class Desk(DeactivableMixin, ModelSQL, ModelView):
    __string__ = "Cash Desk"
    __name__ = 'kefu.fee.desk'

    name = fields.Char(
        "Name", required=True,
        help="The name of the desk as staff know it, e.g. 'Front Desk A'.")
    code = fields.Char(
        "Code", required=True, strip=True,
        help="A short code printed before the receipt numbers of the desk.")
    company = fields.Many2One(
        'company.company', "Company", required=True,
        help="The company whose money the desk takes.")
    estate = fields.Many2One(
        'kefu.estate', "Estate", required=True, ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        help="The estate the desk collects for.")
    kind = fields.Selection([
            ('counter', "Counter"),
            ('home', "Home Collection"),
            ], "Kind", required=True,
        help="Counter: payments taken at the office; home collection "
        "(上门收费): taken at the resident's home by appointment.")
    receipt_sequence = fields.Many2One(
        'ir.sequence.strict', "Receipt Sequence", ondelete='RESTRICT',
        domain=[
            ('sequence_type', '=', Id('kefu_fee', 'sequence_type_receipt')),
            ('company', 'in', [Eval('company', -1), None]),
            ],
        help="Numbers the desk's receipts without gaps; a new desk left "
        "without one gets its own.")
    methods = fields.One2Many(
        'kefu.fee.desk.method', 'desk', "Payment Methods",
        help="The ways of paying the desk accepts, each with its account.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('company_code_unique', Unique(t, t.company, t.code),
                'kefu_fee.msg_desk_code_unique'),
            ]
        cls._order = [('estate', 'ASC'), ('code', 'ASC'), ('id', 'ASC')]

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_kind():
        return 'counter'

    def get_rec_name(self, name):
        return '%s (%s)' % (self.name, self.code)

    @classmethod
    def search_rec_name(cls, name, clause):
        return rec_name_domain(clause, 'name', 'code')

    @classmethod
    def create(cls, vlist):
        vlist = [v.copy() for v in vlist]
        for values in vlist:
            if not values.get('receipt_sequence'):
                values['receipt_sequence'] = cls._new_sequence(values).id
        return super().create(vlist)

    @classmethod
    def _new_sequence(cls, values):
        "Return a new receipt sequence for the desk of values"
        pool = Pool()
        Sequence = pool.get('ir.sequence.strict')
        ModelData = pool.get('ir.model.data')
        sequence = Sequence(
            name=values.get('name') or values.get('code'),
            sequence_type=ModelData.get_id(
                'kefu_fee', 'sequence_type_receipt'),
            company=values.get('company'),
            prefix='%s-' % (values.get('code') or ''),
            padding=6)
        sequence.save()
        return sequence

    def method(self, kind):
        "Return the desk's method of kind, with a clear error when missing"
        for method in self.methods:
            if method.kind == kind:
                return method
        raise DeskError(gettext(
                'kefu_fee.msg_desk_no_method', desk=self.rec_name,
                method=dict(METHOD_KINDS)[kind]))


class DeskMethod(ModelSQL, ModelView):
    __string__ = "Cash Desk Payment Method"
    __name__ = 'kefu.fee.desk.method'

    desk = fields.Many2One(
        'kefu.fee.desk', "Desk", required=True, ondelete='CASCADE')
    company = fields.Function(
        fields.Many2One('company.company', "Company"),
        'on_change_with_company')
    kind = fields.Selection(
        METHOD_KINDS, "Kind", required=True, sort=False,
        help="How the payer pays.")
    kind_string = kind.translated('kind')
    payment_method = fields.Many2One(
        'account.invoice.payment.method', "Payment Method", required=True,
        ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        help="The accounting payment method: its journal records the "
        "payments and its debit account receives the money (cash drawer, "
        "WeChat or Alipay clearing, card terminal, bank).")
    account = fields.Function(
        fields.Many2One('account.account', "Account",
            help="Where the money of this method goes."),
        'on_change_with_account')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls.__access__.add('desk')
        cls._sql_constraints += [
            ('desk_kind_unique', Unique(t, t.desk, t.kind),
                'kefu_fee.msg_desk_method_unique'),
            ]

    @fields.depends('desk', '_parent_desk.company')
    def on_change_with_company(self, name=None):
        return self.desk.company if self.desk else None

    @fields.depends('payment_method')
    def on_change_with_account(self, name=None):
        if self.payment_method:
            return self.payment_method.debit_account

    def get_rec_name(self, name):
        return '%s - %s' % (self.desk.rec_name, self.kind_string)
