# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Money collected on behalf of others (代收款: water, electricity, deed tax,
maintenance fund) is billed on customer invoices but is a liability, not
revenue.  A flag on the account type lets those liability accounts be used on
invoice lines without opening them to every balance account; account_deposit's
own `deposit` flag is not reused because it would count these sums in the
party's deposit."""
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval, If


def OnBehalfTypeMixin(template=False):

    class Mixin:
        __slots__ = ()
        kefu_on_behalf = fields.Boolean(
            "Collected on Behalf",
            domain=[
                If(Eval('statement') != 'balance',
                    ('kefu_on_behalf', '=', False), ()),
                ],
            states={
                'invisible': Eval('statement') != 'balance',
                },
            help="Money billed to residents for someone else (the water "
            "or power company, the maintenance fund, the tax office ...): "
            "its accounts may be used on customer bills and carry no VAT.")
    if not template:
        # As the core flags: an account type follows its template unless
        # "Override Template" is ticked
        Mixin.kefu_on_behalf.states['readonly'] = (
            Bool(Eval('template', -1)) & ~Eval('template_override', False))
    return Mixin


class AccountTypeTemplate(OnBehalfTypeMixin(template=True), metaclass=PoolMeta):
    __name__ = 'account.account.type.template'

    @classmethod
    def default_kefu_on_behalf(cls):
        return False

    def _get_type_value(self, type=None):
        values = super()._get_type_value(type=type)
        if not type or type.kefu_on_behalf != self.kefu_on_behalf:
            values['kefu_on_behalf'] = self.kefu_on_behalf
        return values


class AccountType(OnBehalfTypeMixin(), metaclass=PoolMeta):
    __name__ = 'account.account.type'

    @classmethod
    def default_kefu_on_behalf(cls):
        return False


class CreateChart(metaclass=PoolMeta):
    __name__ = 'account.create_chart'

    def default_properties(self, fields):
        """Propose the Kefu chart's 应付账款 as the default payable account:
        the deposits held (其他应付款-押金及保证金) are payable too, for
        their refunds, and Tryton proposes none of several"""
        pool = Pool()
        Account = pool.get('account.account')
        ModelData = pool.get('ir.model.data')
        defaults = super().default_properties(fields)
        if not defaults.get('account_payable'):
            accounts = Account.search([
                    ('company', '=', self.account.company.id),
                    ('template', '=', ModelData.get_id(
                            'kefu_fee', 'account_template_2202')),
                    ('type.payable', '=', True),
                    ], limit=1)
            if accounts:
                defaults['account_payable'] = accounts[0].id
        return defaults


class InvoiceLine(metaclass=PoolMeta):
    __name__ = 'account.invoice.line'

    @classmethod
    def _account_domain(cls, type_):
        domain = super()._account_domain(type_)
        if type_ == 'out':
            domain = domain + [('type.kefu_on_behalf', '=', True)]
        return domain
