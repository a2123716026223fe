# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The settings of tickets in the customer-service configuration: their
numbering, the window in which a complaint counts as a repeat, and the
general manager told of repeats (总经理信箱)."""
from trytond.model import fields
from trytond.modules.kefu_base.configuration import (
    SEQUENCES, default_func, sequence_field)
from trytond.pool import PoolMeta
from trytond.pyson import Eval

SEQUENCES.update({
        'ticket_sequence': 'kefu_ticket.sequence_ticket',
        'work_order_sequence': 'kefu_ticket.sequence_work_order',
        })


def ticket_sequence(company):
    return sequence_field(
        "Ticket Sequence", 'sequence_type_ticket', company,
        help="The numbering of the tickets (complaints, repairs, inquiries "
        "...) of the company's estates.", module='kefu_ticket')


def work_order_sequence(company):
    return sequence_field(
        "Work Order Sequence", 'sequence_type_work_order', company,
        help="The numbering of the work orders of the company's estates.",
        module='kefu_ticket')


class Configuration(metaclass=PoolMeta):
    __name__ = 'kefu.configuration'

    _company = Eval('context', {}).get('company', -1)
    ticket_sequence = fields.MultiValue(ticket_sequence(_company))
    work_order_sequence = fields.MultiValue(work_order_sequence(_company))
    del _company
    repeat_window = fields.Integer(
        "Repeat Window", required=True,
        domain=[('repeat_window', '>=', 0)],
        help="A complaint about the same unit and category within this many "
        "days of an earlier one is a repeat complaint: it is linked to the "
        "earlier one and goes straight to the general manager's mailbox.")
    general_manager = fields.Many2One(
        'company.employee', "General Manager",
        help="Who is told of repeat complaints and of the last escalation "
        "level (总经理信箱).")

    @classmethod
    def default_repeat_window(cls):
        return 90

    default_ticket_sequence = default_func('ticket_sequence')
    default_work_order_sequence = default_func('work_order_sequence')


class ConfigurationSequence(metaclass=PoolMeta):
    __name__ = 'kefu.configuration.sequence'

    _company = Eval('company', -1)
    ticket_sequence = ticket_sequence(_company)
    work_order_sequence = work_order_sequence(_company)
    del _company

    @classmethod
    def default_ticket_sequence(cls):
        return cls._default_sequence('ticket_sequence')

    @classmethod
    def default_work_order_sequence(cls):
        return cls._default_sequence('work_order_sequence')
