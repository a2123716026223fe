# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError, ValidationError


class FeeConfigurationError(UserError):
    pass


class ChargeError(ValidationError):
    pass


class ChargeDeleteError(AccessError):
    pass


class BillingError(UserError):
    pass


class PostingBusyError(UserError):
    pass


class MeterReadingError(ValidationError):
    pass


class FeeTypeTierError(ValidationError):
    pass


class UnitFeeError(ValidationError):
    pass


class UnitFeeBilledError(AccessError):
    pass


class MeterReadingBilledError(AccessError):
    pass


class DeskError(UserError):
    pass


class PaymentError(UserError):
    pass


class ReceiptCancelError(UserError):
    pass


class ReceiptDeleteError(AccessError):
    pass


class CashCloseError(UserError):
    pass


class DepositError(UserError):
    pass


class StatementImportError(UserError):
    pass
