# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""What the records of kefu_ticket share: the fields only their buttons set
(state, timestamps, deadlines) cannot be written from the client, so the
workflow and its checks (acceptance before closing, a check by somebody
else ...) cannot be gone round by writing a field; the records done for a
ticket show and search its estate, unit and company."""
from trytond.i18n import gettext
from trytond.model import fields
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


class TicketPlaceMixin:
    """The estate, unit and company of a record done for a ticket (work
    orders, return visits): the ticket's, searchable"""
    __slots__ = ()
    estate = fields.Function(
        fields.Many2One(
            'kefu.estate', "Estate",
            help="The estate of the ticket."),
        'on_change_with_estate', searcher='search_ticket_field')
    unit = fields.Function(
        fields.Many2One(
            'kefu.unit', "Unit",
            help="The unit of the ticket; empty for public areas."),
        'on_change_with_unit', searcher='search_ticket_field')
    company = fields.Function(
        fields.Many2One(
            'company.company', "Company",
            help="The company that runs the estate."),
        'on_change_with_company', searcher='search_ticket_field')

    @fields.depends('ticket', '_parent_ticket.estate')
    def on_change_with_estate(self, name=None):
        return self.ticket.estate if self.ticket else None

    @fields.depends('ticket', '_parent_ticket.unit')
    def on_change_with_unit(self, name=None):
        return self.ticket.unit if self.ticket else None

    @fields.depends('ticket', '_parent_ticket.estate')
    def on_change_with_company(self, name=None):
        if self.ticket and self.ticket.estate:
            return self.ticket.estate.company

    @classmethod
    def search_ticket_field(cls, name, clause):
        field = {'company': 'estate.company'}.get(name, name)
        return [('ticket.' + field + clause[0][len(name):], *clause[1:])]


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
