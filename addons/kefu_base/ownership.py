# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Who owns and who lives in a unit: the dated ownership history (shares
summing to 100 on every date, never overwritten), the residents, and the
Change Owners wizard (更名 / 过户)."""
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .exceptions import OwnershipError
from .today import boolean_searcher, today
from .unit import PHONE_TYPES


class _DatedMixin:
    __slots__ = ()
    date_from = fields.Date(
        "From", required=True,
        domain=[If(Eval('date_to'),
                ('date_from', '<=', Eval('date_to')),
                ())],
        help="The first day of the period.")
    date_to = fields.Date(
        "To",
        domain=[If(Eval('date_to'),
                ('date_to', '>=', Eval('date_from')),
                ())],
        help="The last day of the period; empty while it lasts.")

    phones = fields.Function(fields.Char(
            "Phones", help="The person's phone and mobile numbers."),
        'get_phones')

    @classmethod
    def get_phones(cls, records, name):
        ContactMechanism = Pool().get('party.contact_mechanism')
        numbers = defaultdict(list)
        for mechanism in ContactMechanism.search([
                    ('party', 'in', list({r.party.id for r in records})),
                    ('type', 'in', PHONE_TYPES),
                    ], order=[('party', 'ASC'), ('sequence', 'ASC'),
                    ('id', 'ASC')]):
            numbers[mechanism.party.id].append(mechanism.value)
        return {r.id: ', '.join(numbers[r.party.id]) for r in records}

    current = fields.Function(fields.Boolean(
            "Current", help="The period lasts today."),
        'get_current', searcher='search_current')

    def is_current(self, date):
        return (self.date_from <= date
            and (self.date_to is None or self.date_to >= date))

    def get_current(self, name):
        return self.is_current(today())

    search_current = boolean_searcher(
        lambda date: [
            ('date_from', '<=', date),
            ['OR', ('date_to', '=', None), ('date_to', '>=', date)],
            ],
        lambda date: ['OR', ('date_from', '>', date), ('date_to', '<', date)])

    @classmethod
    def current_domain(cls, unit_ids, date=None):
        "The periods of the units that last on date (today by default)"
        return [('unit', 'in', unit_ids), *cls.period_domain(date)]

    @classmethod
    def period_domain(cls, date=None):
        "The periods that last on date (today by default)"
        if date is None:
            date = Pool().get('ir.date').today()
        return [
            ('date_from', '<=', date),
            ['OR', ('date_to', '=', None), ('date_to', '>=', date)],
            ]

    @staticmethod
    def default_date_from():
        return Pool().get('ir.date').today()


class Ownership(_DatedMixin, ModelSQL, ModelView):
    __string__ = "Unit Ownership"
    __name__ = 'kefu.unit.ownership'

    unit = fields.Many2One(
        'kefu.unit', "Unit", required=True, ondelete='RESTRICT',
        states={'readonly': Eval('id', -1) >= 0},
        help="The unit owned.")
    party = fields.Many2One(
        'party.party', "Owner", required=True, ondelete='RESTRICT',
        states={'readonly': Eval('id', -1) >= 0},
        help="The owner (业主); to change owner, close this period and "
        "open a new one.")
    share = fields.Numeric(
        "Share (%)", digits=(5, 2), required=True,
        domain=[('share', '>', 0), ('share', '<=', 100)],
        help="The owner's share in percent; the shares of the owners on "
        "any date sum to 100.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('unit')
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.unit, Index.Range()), (t.date_from, Index.Range())),
                Index(t, (t.party, Index.Range())),
                })
        cls._order = [
            ('unit', 'ASC'), ('date_from', 'DESC'), ('share', 'DESC'),
            ('id', 'ASC')]

    @staticmethod
    def default_share():
        return Decimal(100)

    def get_rec_name(self, name):
        return '%s: %s (%s%%)' % (
            self.unit.rec_name, self.party.rec_name, self.share)

    @classmethod
    def check_modification(cls, mode, ownerships, values=None,
            external=False):
        super().check_modification(
            mode, ownerships, values=values, external=external)
        if mode == 'delete':
            raise OwnershipError(gettext('kefu_base.msg_ownership_delete'))
        if mode == 'write' and values.keys() & {'unit', 'party'}:
            raise OwnershipError(gettext('kefu_base.msg_ownership_rewrite'))

    @classmethod
    def on_modification(cls, mode, ownerships, field_names=None):
        super().on_modification(mode, ownerships, field_names=field_names)
        if mode == 'delete':
            return
        # A unit saved with its ownerships changes them in steps: closed or
        # corrected periods first, new periods last (One2Many.set), and
        # Unit.validate_fields checks the whole once they are all in place.
        # Between the steps a date may lack an owner's share but never
        # have too much, and new periods always complete the change.
        Pool().get('kefu.unit').check_ownerships(
            list({o.unit for o in ownerships}), complete=(mode == 'create'))


class Resident(_DatedMixin, ModelSQL, ModelView):
    __string__ = "Unit Resident"
    __name__ = 'kefu.unit.resident'

    unit = fields.Many2One(
        'kefu.unit', "Unit", required=True, ondelete='RESTRICT',
        help="The unit lived in.")
    party = fields.Many2One(
        'party.party', "Resident", required=True, ondelete='RESTRICT',
        help="The person living in the unit.")
    relation = fields.Selection([
            ('family', "Family"),
            ('tenant', "Tenant"),
            ('other', "Other"),
            ], "Relation", required=True, sort=False,
        help="How the resident is related to the owner.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('unit')
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.unit, Index.Range()), (t.date_from, Index.Range())),
                Index(t, (t.party, Index.Range())),
                })
        cls._order = [('unit', 'ASC'), ('date_from', 'DESC'), ('id', 'ASC')]

    @staticmethod
    def default_relation():
        return 'family'

    @classmethod
    def check_modification(cls, mode, residents, values=None, external=False):
        super().check_modification(
            mode, residents, values=values, external=external)
        if mode == 'delete':
            raise OwnershipError(gettext('kefu_base.msg_resident_delete'))


class ChangeOwners(Wizard):
    "Change the owners of a unit (更名 / 过户)"
    __string__ = "Change Owners"
    __name__ = 'kefu.unit.change_owners'

    start = StateView(
        'kefu.unit.change_owners.start',
        'kefu_base.unit_change_owners_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Change", 'change', 'tryton-ok', default=True),
            ])
    change = StateTransition()

    def default_start(self, fields):
        today = Pool().get('ir.date').today()
        return {
            'unit': self.record.id,
            'date': today,
            'current_owners': self.record.owner_names,
            }

    def transition_change(self):
        pool = Pool()
        Ownership = pool.get('kefu.unit.ownership')
        Unit = pool.get('kefu.unit')
        date = self.start.date
        closing = Ownership.search(
            Ownership.current_domain([self.record.id], date))
        if any(o.date_from >= date for o in closing):
            raise OwnershipError(gettext(
                    'kefu_base.msg_change_owners_date',
                    unit=self.record.rec_name, date=date))
        Unit.write([self.record], {'ownerships': [
                    ('write', [o.id for o in closing], {
                            'date_to': date - dt.timedelta(days=1)}),
                    ('create', [{
                                'party': o.party.id,
                                'share': o.share,
                                'date_from': date,
                                } for o in self.start.owners]),
                    ]})
        return 'end'


class ChangeOwnersStart(ModelView):
    "Change Owners"
    __string__ = "Change Owners"
    __name__ = 'kefu.unit.change_owners.start'

    unit = fields.Many2One('kefu.unit', "Unit", readonly=True)
    current_owners = fields.Char("Current Owners", readonly=True)
    date = fields.Date(
        "Effective Date", required=True,
        help="The first day of the new owners; the current owners' "
        "periods end the day before.")
    owners = fields.One2Many(
        'kefu.unit.change_owners.owner', None, "New Owners", required=True,
        help="The owners from the effective date and their shares, "
        "which must sum to 100.")


class ChangeOwnersOwner(ModelView):
    "Change Owners Owner"
    __string__ = "New Owner"
    __name__ = 'kefu.unit.change_owners.owner'

    party = fields.Many2One('party.party', "Owner", required=True)
    share = fields.Numeric(
        "Share (%)", digits=(5, 2), required=True,
        domain=[('share', '>', 0), ('share', '<=', 100)])

    @staticmethod
    def default_share():
        return Decimal(100)
