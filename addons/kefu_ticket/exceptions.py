# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError, ValidationError


class SlaRuleError(ValidationError):
    pass


class TicketDeleteError(AccessError):
    pass


class TicketClosedError(AccessError):
    pass


class TicketPauseError(UserError):
    pass


class TicketResultError(UserError):
    pass


class TicketAcceptanceError(UserError):
    pass


class WorkOrderStateError(UserError):
    pass


class WorkOrderDeleteError(AccessError):
    pass


class WorkOrderLockedError(AccessError):
    pass


class WorkOrderPriceError(ValidationError):
    pass


class WorkOrderLeaveEarlyError(UserError):
    pass


class WorkOrderReportError(UserError):
    pass


class WorkOrderCheckError(UserError):
    pass


class CallbackSatisfactionError(ValidationError):
    pass


class CallbackIncompleteError(UserError):
    pass


class CallbackTooEarlyError(UserError):
    pass


class CallbackDeleteError(AccessError):
    pass


class CallbackLockedError(AccessError):
    pass


class CallbackStateError(UserError):
    pass


class SurveyScoreError(ValidationError):
    pass


class ButtonFieldError(AccessError):
    pass
