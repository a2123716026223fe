# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError, ValidationError


class AreaError(ValidationError):
    pass


class OwnershipError(ValidationError):
    pass


class FloorError(ValidationError):
    pass


class OccupancyError(ValidationError):
    pass


class BuildingEstateError(AccessError):
    pass


class UnitLogError(AccessError):
    pass


class HistoryDeleteError(AccessError):
    pass


class CalendarError(UserError):
    pass


class DutyLogError(UserError):
    pass


class FrontDeskClosedError(AccessError):
    pass


class FrontDeskDeleteError(AccessError):
    pass


class MailError(UserError):
    pass


class MailAddresseeError(ValidationError):
    pass


class KeyRegisterError(ValidationError):
    pass


class KeyLentError(ValidationError):
    pass


class KeyLendingDateError(ValidationError):
    pass


class KeyLendingClosedError(AccessError):
    pass


class KeyLendingDeleteError(AccessError):
    pass


class KeyLendingStateError(UserError):
    pass
