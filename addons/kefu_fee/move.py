# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Moves posted while a billing run posts its bills: a desk payment, a
deposit received, a daily close waits for the posting batch in flight
instead of failing on the lock of the move numbers."""
from trytond import backend
from trytond.i18n import gettext
from trytond.model import ModelView, dualmethod
from trytond.modules.kefu_base.lock import lock_wait, wait_unlocked
from trytond.pool import PoolMeta

from .exceptions import PostingBusyError


class Move(metaclass=PoolMeta):
    __name__ = 'account.move'

    @dualmethod
    @ModelView.button
    def post(cls, moves):
        """Wait for the strict sequences numbering the moves when another
        transaction holds them (a posting batch: about 2 s), then take them
        (on PostgreSQL) before numbering"""
        sequences = {m.period.move_sequence_used for m in moves
            if not m.number}
        strict = sorted((s for s in sequences
                if s and s.__name__ == 'ir.sequence.strict'),
            key=lambda s: s.id)
        if strict:
            Sequence = strict[0].__class__
            if not wait_unlocked(Sequence, strict):
                raise PostingBusyError(gettext('kefu_fee.msg_posting_busy',
                        seconds='%g' % lock_wait()))
            if backend.name == 'postgresql':
                # At once: the restart takes the rows while they are free
                Sequence.lock(strict)
        super().post(moves)
