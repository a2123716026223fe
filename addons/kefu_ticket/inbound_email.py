# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Intake by e-mail: a rule of Tryton's inbound e-mail creates a draft
ticket from a message to the service mailbox, so nothing the residents
write is lost.  Registered only when inbound_email is activated."""
from email.utils import getaddresses, parsedate_to_datetime

from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.tools import timezone as tz
from trytond.transaction import without_check_access

from . import sla


class Rule(metaclass=PoolMeta):
    __name__ = 'inbound.email.rule'

    kefu_estate = fields.Many2One(
        'kefu.estate', "Estate", ondelete='RESTRICT',
        states={
            'invisible': Eval('action') != 'kefu.ticket|from_inbound_email',
            'required': Eval('action') == 'kefu.ticket|from_inbound_email',
            },
        help="The estate whose mailbox this is; a sender who owns or lives "
        "in a unit gets the unit's estate instead.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.action.selection.append(
            ('kefu.ticket|from_inbound_email', "Create Ticket"))


class Ticket(metaclass=PoolMeta):
    __name__ = 'kefu.ticket'

    @classmethod
    def from_inbound_email(cls, email_, rule):
        """Create a draft ticket from the message email_ received under
        rule: the sender matched to a party by e-mail address (its unit
        when it owns or lives in one), else its name kept"""
        values = email_.as_dict()
        address = values.get('from', '')
        headers = values.get('headers', {})
        name = getaddresses([headers.get('From', address)])[0][0]
        party = cls._party_of_address(address)
        unit = cls._unit_of_party(party)
        subject = values.get('subject') or ''
        text = values.get('text') or values.get('html') or ''
        ticket = cls(
            kind='inquiry', channel='email',
            estate=unit.estate if unit else rule.kefu_estate,
            unit=unit, party=party,
            caller_name=None if party else (name or address),
            description='\n\n'.join(filter(None, [subject, text])) or address,
            phone=(party.phone or party.mobile) if party else None,
            reported_at=cls._date_of(headers.get('Date')))
        with without_check_access():
            ticket.save()
        return ticket

    @classmethod
    def _party_of_address(cls, address):
        ContactMechanism = Pool().get('party.contact_mechanism')
        if not address:
            return None
        with without_check_access():
            mechanisms = ContactMechanism.search([
                    ('type', '=', 'email'),
                    ('value', 'ilike', address),
                    ], limit=1)
        return mechanisms[0].party if mechanisms else None

    @classmethod
    def _unit_of_party(cls, party):
        pool = Pool()
        Ownership = pool.get('kefu.unit.ownership')
        Resident = pool.get('kefu.unit.resident')
        if not party:
            return None
        with without_check_access():
            for Model in [Ownership, Resident]:
                links = Model.search(
                    [('party', '=', party.id)] + Model.period_domain(),
                    limit=1)
                if links:
                    return links[0].unit

    @classmethod
    def _date_of(cls, value):
        "The message's date as naive UTC, or now when it has none"
        try:
            date = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return sla.now()
        if date.tzinfo is None:
            return date
        return date.astimezone(tz.UTC).replace(tzinfo=None)
