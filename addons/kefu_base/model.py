# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""What several models of kefu_base share: the search on several fields for
a record's name, and for the front-desk registers (duty log, visitor slips,
registered mail) a number from a sequence, closed records kept as history,
and transitions that say why they refuse a record."""
from functools import wraps

from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import Pool

from .exceptions import FrontDeskClosedError, FrontDeskDeleteError


def rec_name_domain(clause, *names):
    "Return the domain searching clause's value in each of the fields names"
    _, operator, operand, *extra = clause
    if operator.startswith('!') or operator.startswith('not '):
        bool_op = 'AND'
    else:
        bool_op = 'OR'
    return [bool_op, *((n, operator, operand, *extra) for n in names)]


def check_first(method_name):
    """Call method_name on every record before the decorated transition.

    Workflow.transition skips records in the wrong state without a word; a
    front-desk register must say why instead (e.g. mail handed out twice)."""
    def decorator(func):
        @wraps(func)
        def wrapper(cls, records, *args, **kwargs):
            for record in records:
                getattr(record, method_name)()
            return func(cls, records, *args, **kwargs)
        return wrapper
    return decorator


class NumberMixin:
    "A human number taken from the default sequence when the record is saved"
    __slots__ = ()
    _number_sequence = None
    number = fields.Char(
        "Number", readonly=True,
        help="The number given automatically when the record is saved; "
        "quote it when you talk about this record.")

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        Sequence = pool.get('ir.sequence')
        values = super().preprocess_values(mode, values)
        if mode == 'create' and not values.get('number'):
            sequence = Sequence(
                ModelData.get_id('kefu_base', cls._number_sequence))
            values['number'] = sequence.get()
        return values

    @classmethod
    def copy(cls, records, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('number', None)
        return super().copy(records, default=default)


class HistoryMixin:
    """Records in a closed state are history: they can be neither changed
    (but for the fields in _closed_writable) nor deleted."""
    __slots__ = ()
    _closed_states = set()
    _closed_writable = set()
    _delete_message = None

    def _history_record(self):
        "Return the record whose state closes this one"
        return self

    def is_closed(self):
        record = self._history_record()
        return record.state in record._closed_states

    def check_open(self):
        if self.is_closed():
            record = self._history_record()
            raise FrontDeskClosedError(gettext(
                    'kefu_base.msg_frontdesk_closed',
                    record=record.rec_name, state=record.state_string))

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        if mode == 'delete':
            for record in records:
                if record.is_closed():
                    raise FrontDeskDeleteError(gettext(
                            cls._delete_message, record=record.rec_name))
        elif mode == 'write' and values.keys() - cls._closed_writable:
            for record in records:
                record.check_open()
