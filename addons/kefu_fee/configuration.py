# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The settings of fees in the customer-service configuration (物业收费设置):
the journal and payment term of the bills, the accounts of the daily cash
close, and the size of a billing batch.  Accounts are chosen here per
company, never hard-wired, so an existing chart stays usable."""
from trytond.i18n import gettext
from trytond.model import ModelSQL, fields
from trytond.modules.company.model import CompanyValueMixin
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval

from .exceptions import FeeConfigurationError

# The company-dependent fields, stored in kefu.configuration.fee
FEE_FIELDS = {
    'fee_journal', 'payment_term', 'cash_journal',
    'cash_difference_account', 'cash_in_transit_account',
    'prepayment_account',
    }


def _account(string, help, company):
    return fields.Many2One(
        'account.account', string,
        domain=[
            ('company', '=', company),
            ('type', '!=', None),
            ('closed', '!=', True),
            ],
        help=help)


def fee_journal(company=None):
    return fields.Many2One(
        'account.journal', "Bill Journal",
        domain=[('type', '=', 'revenue')],
        help="The journal of the property-fee bills.")


def payment_term(company=None):
    return fields.Many2One(
        'account.invoice.payment_term', "Bill Payment Term",
        help="When a bill falls due; its due date starts the dunning "
        "delays.")


def cash_journal(company=None):
    return fields.Many2One(
        'account.journal', "Cash Journal",
        domain=[('type', '=', 'cash')],
        help="The journal of the daily close's moves: cash banked and "
        "cash differences.")


def cash_difference_account(company):
    return _account(
        "Cash Difference Account",
        "Where an approved difference of the daily close goes "
        "(待处理财产损溢).", company)


def cash_in_transit_account(company):
    return _account(
        "Cash in Transit Account",
        "Where cash taken to the bank waits until the bank statement "
        "shows it (在途资金).", company)


def prepayment_account(company):
    return fields.Many2One(
        'account.account', "Prepayment Account",
        domain=[
            ('company', '=', company),
            ('type', '!=', None),
            ('closed', '!=', True),
            ('reconcile', '=', True),
            ('party_required', '=', True),
            ],
        help="Where what a payer pays in advance at the desk waits, on the "
        "payer, until later bills take it when they are posted (预收账款). "
        "It must be reconcilable and require a party.")


class Configuration(metaclass=PoolMeta):
    __name__ = 'kefu.configuration'

    _company = Eval('context', {}).get('company', -1)
    fee_journal = fields.MultiValue(fee_journal())
    payment_term = fields.MultiValue(payment_term())
    cash_journal = fields.MultiValue(cash_journal())
    cash_difference_account = fields.MultiValue(
        cash_difference_account(_company))
    cash_in_transit_account = fields.MultiValue(
        cash_in_transit_account(_company))
    prepayment_account = fields.MultiValue(prepayment_account(_company))
    del _company
    billing_batch_size = fields.Integer(
        "Billing Batch Size", required=True,
        domain=[('billing_batch_size', '>', 0)],
        help="How many units a billing run bills in one transaction: "
        "smaller batches keep desk payments from waiting behind a run.")
    posting_batch_size = fields.Integer(
        "Posting Batch Size", required=True,
        domain=[('posting_batch_size', '>', 0)],
        help="How many bills a billing run posts in one transaction; "
        "posting numbers bills and moves one after the other, company-wide.")

    @classmethod
    def multivalue_model(cls, field):
        if field in FEE_FIELDS:
            return Pool().get('kefu.configuration.fee')
        return super().multivalue_model(field)

    @classmethod
    def default_billing_batch_size(cls):
        return 200

    @classmethod
    def default_posting_batch_size(cls):
        return 100

    def fee_setting(self, name, company):
        "Return the setting name of company, with a clear error when unset"
        value = self.get_multivalue(name, company=company.id)
        if not value:
            raise FeeConfigurationError(gettext(
                    'kefu_fee.msg_configuration_missing',
                    field=self.__class__._fields[name].string,
                    company=company.rec_name))
        return value


class ConfigurationFee(ModelSQL, CompanyValueMixin):
    __string__ = "Customer Service Configuration Fee"
    __name__ = 'kefu.configuration.fee'

    _company = Eval('company', -1)
    fee_journal = fee_journal()
    payment_term = payment_term()
    cash_journal = cash_journal()
    cash_difference_account = cash_difference_account(_company)
    cash_in_transit_account = cash_in_transit_account(_company)
    prepayment_account = prepayment_account(_company)
    del _company
