# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Waiting for the resident (等待住户): the clock of a ticket stops from the
pause until the ticket is resumed."""
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .model import ReadOnlyLogMixin


class Pause(ReadOnlyLogMixin, ModelSQL, ModelView):
    __string__ = "Ticket Pause"
    __name__ = 'kefu.ticket.pause'

    ticket = fields.Many2One(
        'kefu.ticket', "Ticket", required=True, ondelete='CASCADE',
        help="The ticket whose clock stopped.")
    start = fields.DateTime(
        "From", required=True, readonly=True,
        help="When the clock stopped.")
    end = fields.DateTime(
        "To", readonly=True,
        help="When the clock went on again; empty while still waiting.")
    reason = fields.Char(
        "Reason", required=True, readonly=True,
        help="Why we wait for the resident, e.g. 'away until Monday'.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('ticket')
        cls._order = [('start', 'DESC'), ('id', 'DESC')]
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.ticket, Index.Equality())))


class WaitStart(ModelView):
    __string__ = "Wait for the Resident"
    __name__ = 'kefu.ticket.wait.start'

    reason = fields.Char(
        "Reason", required=True,
        help="Why we wait for the resident, e.g. 'away until Monday'; the "
        "time limits stop until the ticket is resumed.")


class Wait(Wizard):
    __string__ = "Wait for the Resident"
    __name__ = 'kefu.ticket.wait'

    start = StateView(
        'kefu.ticket.wait.start', 'kefu_ticket.ticket_wait_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Wait", 'wait', 'tryton-ok', default=True),
            ])
    wait = StateTransition()

    def transition_wait(self):
        self.model.pause(self.records, self.start.reason)
        return 'end'
