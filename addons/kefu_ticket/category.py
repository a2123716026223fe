# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""What a ticket is about (类别): plumbing, lift, noise, parking ...; the
emergencies (fire, injury, lift entrapment ...) are categories that say
which department's duty manager is told at once."""
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, fields, sequence_ordered)
from trytond.pyson import Eval

from .department import DEPARTMENT_KINDS


class Category(
        sequence_ordered(), DeactivableMixin, ModelSQL, ModelView):
    __string__ = "Ticket Category"
    __name__ = 'kefu.ticket.category'

    name = fields.Char(
        "Name", required=True, translate=True,
        help="What the tickets are about, as the front desk says it.")
    code = fields.Char(
        "Code",
        help="A short code for reports and imports.")
    safety = fields.Boolean(
        "Safety Facility",
        help="Repairs of a safety facility (fire doors, alarms, railings "
        "...): their return visit follows the safety time limit.")
    leak = fields.Boolean(
        "Leak",
        help="Leaks: their return visit is counted from the leak test.")
    emergency = fields.Boolean(
        "Emergency",
        help="An emergency (fire, injury, lift entrapment, facility "
        "failure, power or water cut): the duty manager of the department "
        "below is told at once.")
    department_kind = fields.Selection(
        [(None, "")] + DEPARTMENT_KINDS, "Responding Department",
        states={'required': Eval('emergency', False)},
        help="The kind of department that responds: security for fire and "
        "injury, engineering for the rest.")

    @classmethod
    def default_safety(cls):
        return False

    @classmethod
    def default_leak(cls):
        return False

    @classmethod
    def default_emergency(cls):
        return False
