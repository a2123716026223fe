# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The settings of fees in the customer-service configuration (物业收费设置):
the journal and payment term of the bills, the accounts of the daily cash
close, and the size of a billing batch.  Accounts are chosen here per
company, never hard-wired, so an existing chart stays usable."""
from trytond.i18n import gettext
from trytond.model import ModelSQL, fields
from trytond.modules.company.model import CompanyValueMixin
from trytond.modules.kefu_base.configuration import (
    SEQUENCES, default_func, sequence_field)
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval

from .exceptions import FeeConfigurationError

# The company-dependent fields, stored in kefu.configuration.fee
FEE_FIELDS = {
    'fee_journal', 'payment_term', 'cash_journal',
    'cash_difference_account', 'cash_in_transit_account',
    'prepayment_account',
    'deposit_account', 'guarantee_account', 'guarantee_bank_account',
    'deposit_journal', 'deposit_payment_journal',
    }
SEQUENCES.update({
        'deposit_sequence': 'kefu_fee.sequence_deposit',
        })


def deposit_sequence(company):
    return sequence_field(
        "Deposit Sequence", 'sequence_type_deposit', company,
        help="The numbering of the deposits.", module='kefu_fee')


def _party_account(string, help, company):
    return fields.Many2One(
        'account.account', string,
        domain=[
            ('company', '=', company),
            ('type', '!=', None),
            ('closed', '!=', True),
            ('reconcile', '=', True),
            ('party_required', '=', True),
            ],
        help=help)


def deposit_account(company):
    return _party_account(
        "Deposits Held Account",
        "Where the money held for residents, contractors and workers "
        "waits until it is refunded or kept (其他应付款-押金及保证金); "
        "reconcilable, with a party.", company)


def guarantee_account(company):
    return _party_account(
        "Guarantee Deposits Account",
        "Where the money a bank holds for us (mortgage guarantee "
        "deposits, 按揭保证金) is recorded, on the bank; reconcilable, with "
        "a party.", company)


def guarantee_bank_account(company):
    return _account(
        "Guarantee Bank Account",
        "The bank account guarantee deposits are placed from and released "
        "back to (银行存款).", company)


def deposit_journal(company=None):
    return fields.Many2One(
        'account.journal', "Deposit Journal",
        domain=[('type', 'in', ['general', 'cash'])],
        help="The journal of the deposits' moves not taken at a desk: "
        "deductions and guarantee deposits.")


def deposit_payment_journal(company):
    return fields.Many2One(
        'account.payment.journal', "Refund Payment Journal",
        domain=[
            ('company', '=', company),
            ('clearing_account', '!=', None),
            ],
        help="The payment journal of deposit refunds: finance approves "
        "and pays them; its clearing account waits for the bank "
        "statement.")


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
    deposit_account = fields.MultiValue(deposit_account(_company))
    guarantee_account = fields.MultiValue(guarantee_account(_company))
    guarantee_bank_account = fields.MultiValue(
        guarantee_bank_account(_company))
    deposit_journal = fields.MultiValue(deposit_journal())
    deposit_payment_journal = fields.MultiValue(
        deposit_payment_journal(_company))
    deposit_sequence = fields.MultiValue(deposit_sequence(_company))
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
        "posting numbers bills and moves one after the other, company-wide, "
        "and desk payments wait while a batch runs: keep it small.")

    default_deposit_sequence = default_func('deposit_sequence')

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
        return 25

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
    deposit_account = deposit_account(_company)
    guarantee_account = guarantee_account(_company)
    guarantee_bank_account = guarantee_bank_account(_company)
    deposit_journal = deposit_journal()
    deposit_payment_journal = deposit_payment_journal(_company)
    del _company


class ConfigurationSequence(metaclass=PoolMeta):
    __name__ = 'kefu.configuration.sequence'

    deposit_sequence = deposit_sequence(Eval('company', -1))

    @classmethod
    def default_deposit_sequence(cls):
        return cls._default_sequence('deposit_sequence')
