# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""What the records of kefu_ticket share: the fields only their buttons set
(state, timestamps, deadlines) cannot be written from the client, so the
workflow and its checks (acceptance before closing, a check by somebody
else ...) cannot be gone round by writing a field."""
from trytond.i18n import gettext
from trytond.modules.kefu_base.model import join_names

from .exceptions import ButtonFieldError


class ButtonFieldsMixin:
    __slots__ = ()
    # The names of the fields set only by the model's buttons
    _button_fields = set()

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        if not external:
            return
        if mode == 'write':
            names = cls._button_fields & set(values)
        elif mode == 'create':
            names = {n for r in records for n in cls._button_fields
                if getattr(r, n) not in cls._initial(n)}
        else:
            return
        if names:
            raise ButtonFieldError(gettext(
                    'kefu_ticket.msg_button_fields',
                    model=cls.__string__ if hasattr(cls, '__string__')
                    else cls.__name__,
                    fields=join_names(sorted(
                            cls._fields[n].string for n in names))))

    @classmethod
    def _initial(cls, name):
        """The values a new record may have in the button field name: empty
        (a check box unticked) or its default"""
        default = getattr(cls, 'default_%s' % name, None)
        return {None, False, default() if default else None}


class ReadOnlyLogMixin:
    """A log the module writes (pauses, escalations): never created,
    changed or deleted from the client"""
    __slots__ = ()

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        if external:
            raise ButtonFieldError(gettext(
                    'kefu_ticket.msg_log_readonly'))
