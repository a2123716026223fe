# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The e-mail that tells the duty manager of an emergency (紧急事件通知),
sent by an automated action when the ticket records that he was told."""
from trytond.report import Report


class EmergencyEmail(Report):
    __name__ = 'kefu.ticket.emergency_email'
