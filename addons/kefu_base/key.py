# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The key register (钥匙管理): the keys kept by the customer-service centre
and the log of their lending (钥匙借用登记)."""
import datetime as dt

from sql import Literal
from sql.conditionals import Coalesce
from sql.operators import Equal, Exists

from trytond import backend
from trytond.i18n import gettext
from trytond.model import (
    Check, DeactivableMixin, Exclude, Index, ModelSQL, ModelView, Unique,
    Workflow, fields)
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from .estate import check_no_history
from .exceptions import (
    KeyLendingClosedError, KeyLendingDateError, KeyLendingDeleteError,
    KeyLentError, KeyRegisterError)
from .model import rec_name_domain

# The five kinds of keys of an owner's unit (业主钥匙); the others are the
# estate's: public doors by floor, equipment rooms by equipment, water-meter
# boxes.
OWNER_KINDS = [
    'security_door', 'inner_door', 'intercom', 'water_meter_box', 'mailbox']


class Key(DeactivableMixin, ModelSQL, ModelView):
    __string__ = "Key"
    __name__ = 'kefu.key'
    _rec_name = 'code'

    estate = fields.Many2One(
        'kefu.estate', "Estate", required=True, ondelete='RESTRICT',
        help="The estate whose key cabinet keeps this key.")
    kind = fields.Selection([
            ('security_door', "Security Door"),
            ('inner_door', "Inner Door"),
            ('intercom', "Intercom Door"),
            ('water_meter_box', "Owner's Water-Meter Box"),
            ('mailbox', "Mailbox"),
            ('public_door', "Public Door"),
            ('equipment_room', "Equipment Room"),
            ('public_water_meter_box', "Public Water-Meter Box"),
            ], "Kind", required=True, sort=False,
        help="What the key opens: one of the five owner's keys of a unit "
        "(security door 防盗门, inner door 室内门, intercom door 电子对讲门, "
        "water-meter box 水表箱, mailbox 信箱), a public door or window "
        "(公共门窗), an equipment room (设备房) or a public water-meter box.")
    kind_string = kind.translated('kind')
    unit = fields.Many2One(
        'kefu.unit', "Unit", ondelete='RESTRICT',
        domain=[('estate', '=', Eval('estate', -1))],
        states={
            'required': Eval('kind', '').in_(OWNER_KINDS),
            'invisible': ~Eval('kind', '').in_(OWNER_KINDS),
            },
        help="The owner's unit the key belongs to; needed for owner's keys.")
    building = fields.Many2One(
        'kefu.building', "Building", ondelete='RESTRICT',
        domain=[('estate', '=', Eval('estate', -1))],
        states={
            'readonly': Eval('kind', '').in_(OWNER_KINDS),
            },
        help="The building of the door, room or box, if it is in one.")
    floor = fields.Integer(
        "Floor",
        states={
            'required': Eval('kind') == 'public_door',
            'invisible': Eval('kind') != 'public_door',
            },
        help="The floor of the public door or window; public door keys are "
        "marked by floor.")
    equipment = fields.Char(
        "Equipment",
        states={
            'required': Eval('kind') == 'equipment_room',
            'invisible': Eval('kind') != 'equipment_room',
            },
        help="The equipment the room holds, e.g. 'Pump Room 2' or "
        "'Switch Room'; equipment room keys are marked by equipment.")
    code = fields.Char(
        "Tag", required=True, strip=True,
        help="The number on the key tag (钥匙挂放牌), unique within the "
        "estate.")
    location = fields.Char(
        "Location",
        help="Where the key hangs: the cabinet and hook, e.g. 'Cabinet 2, "
        "hook 15'.")
    copies = fields.Integer(
        "Copies", required=True,
        help="How many identical keys hang on this tag.")
    is_spare = fields.Boolean(
        "Emergency Spare",
        help="Tick for the emergency spare set (紧急备用钥匙) kept for fires, "
        "leaks and other emergencies; every lock keeps one.")
    has_spare = fields.Function(
        fields.Boolean(
            "Spare on Hand",
            help="Whether the lock this key opens has its emergency spare "
            "in the cabinet: in use, not lost and not lent out. Filter on "
            "it to find the locks that lack a spare set."),
        'get_has_spare', searcher='search_has_spare')
    lost = fields.Boolean(
        "Lost", readonly=True,
        help="Set with the Mark Lost button when the key cannot be found.")
    lost_date = fields.Date(
        "Lost On", readonly=True,
        help="The day the key was marked lost.")
    lendings = fields.One2Many(
        'kefu.key.lending', 'key', "Lendings", readonly=True,
        help="The lending register of this key: who took it, why, and when "
        "it came back.")
    current_lending = fields.Function(
        fields.Many2One(
            'kefu.key.lending', "Current Lending",
            help="The lending of the key while it is out."),
        'get_lending')
    borrower = fields.Function(
        fields.Many2One(
            'party.party', "Borrower",
            help="Who has the key now, while it is out."),
        'get_lending')
    state = fields.Function(
        fields.Selection([
                ('available', "Available"),
                ('lent', "Lent"),
                ('lost', "Lost"),
                ], "State",
            help="Available in the cabinet, lent out or lost."),
        'get_lending', searcher='search_state')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('estate_code_unique', Unique(t, t.estate, t.code),
                'kefu_base.msg_key_code_unique'),
            ('copies_positive', Check(t, t.copies > 0),
                'kefu_base.msg_key_copies_positive'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.estate, Index.Equality()),
                    (t.kind, Index.Equality(cardinality='low'))),
                Index(t, (t.unit, Index.Range())),
                Index(t, (t.code, Index.Similarity(cardinality='high'))),
                })
        cls._order = [('estate', 'ASC'), ('code', 'ASC'), ('id', 'ASC')]
        cls._buttons.update({
                'mark_lost': {
                    'invisible': Eval('lost', False),
                    'depends': ['lost'],
                    },
                'mark_found': {
                    'invisible': ~Eval('lost', False),
                    'depends': ['lost'],
                    },
                })

    @staticmethod
    def default_kind():
        return 'security_door'

    @staticmethod
    def default_copies():
        return 1

    @staticmethod
    def default_is_spare():
        return False

    @staticmethod
    def default_lost():
        return False

    @fields.depends('unit', '_parent_unit.estate', '_parent_unit.building')
    def on_change_unit(self):
        if self.unit:
            self.estate = self.unit.estate
            self.building = self.unit.building

    @fields.depends('kind', 'unit', 'floor', 'equipment')
    def on_change_kind(self):
        if self.kind not in OWNER_KINDS:
            self.unit = None
        if self.kind != 'public_door':
            self.floor = None
        if self.kind != 'equipment_room':
            self.equipment = None

    def get_rec_name(self, name):
        return '%s %s' % (self.estate.code, self.code)

    @classmethod
    def search_rec_name(cls, name, clause):
        return rec_name_domain(clause, 'code', 'unit.code', 'equipment')

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual', If(Eval('state') == 'lost', 'danger',
                    If(Eval('state') == 'lent', 'warning', ''))),
            ]

    @classmethod
    def get_lending(cls, keys, names):
        Lending = Pool().get('kefu.key.lending')
        out = {name: {k.id: None for k in keys} for name in names}
        for lending in Lending.search([
                    ('key', 'in', [k.id for k in keys]),
                    ('state', '=', 'lent'),
                    ]):
            if 'current_lending' in names:
                out['current_lending'][lending.key.id] = lending.id
            if 'borrower' in names:
                out['borrower'][lending.key.id] = lending.borrower.id
            if 'state' in names:
                out['state'][lending.key.id] = 'lent'
        if 'state' in names:
            for key in keys:
                if key.lost:
                    out['state'][key.id] = 'lost'
                elif not out['state'][key.id]:
                    out['state'][key.id] = 'available'
        return out

    @classmethod
    def search_state(cls, name, clause):
        _, operator, value = clause[:3]
        all_states = {'available', 'lent', 'lost'}
        if operator in {'=', '!='}:
            states = {value}
        elif operator in {'in', 'not in'}:
            states = set(value or [])
        else:
            return [('id', '=', None)]
        if operator in {'!=', 'not in'}:
            states = all_states - states
        lent = ('lendings', 'where', [('state', '=', 'lent')])
        not_lent = ('lendings', 'not where', [('state', '=', 'lent')])
        domains = {
            'available': [('lost', '=', False), not_lent],
            'lent': [('lost', '=', False), lent],
            'lost': [('lost', '=', True)],
            }
        domain = ['OR'] + [domains[s] for s in sorted(states & all_states)]
        if len(domain) == 1:
            return [('id', '=', None)]
        return [domain]

    @classmethod
    def _spare_on_hand_query(cls):
        """Return the query of the ids of keys whose lock has an emergency
        spare that is active, not lost and not lent out."""
        Lending = Pool().get('kefu.key.lending')
        key = cls.__table__()
        spare = cls.__table__()
        lending = Lending.__table__()

        def same(column, empty):
            return (Coalesce(getattr(key, column), empty)
                == Coalesce(getattr(spare, column), empty))
        spare_lent = lending.select(
            lending.id,
            where=(lending.key == spare.id) & (lending.state == 'lent'))
        spare_on_hand = spare.select(
            spare.id,
            where=(spare.is_spare == Literal(True))
            & (spare.active == Literal(True))
            & (Coalesce(spare.lost, Literal(False)) == Literal(False))
            & (spare.estate == key.estate) & (spare.kind == key.kind)
            & same('unit', -1) & same('building', -1) & same('floor', -1)
            & same('equipment', '')
            & ~Exists(spare_lent))
        return key, key.select(key.id, where=Exists(spare_on_hand))

    @classmethod
    def get_has_spare(cls, keys, name):
        cursor = Transaction().connection.cursor()
        result = {k.id: False for k in keys}
        for sub_ids in grouped_slice(
                [k.id for k in keys], backend.MAX_QUERY_PARAMS):
            key, query = cls._spare_on_hand_query()
            query.where &= fields.SQL_OPERATORS['in'](key.id, list(sub_ids))
            cursor.execute(*query)
            result.update((id_, True) for id_, in cursor)
        return result

    @classmethod
    def search_has_spare(cls, name, clause):
        _, operator, value = clause[:3]
        _, query = cls._spare_on_hand_query()
        if (operator == '=') == bool(value):
            return [('id', 'in', query)]
        return [('id', 'not in', query)]

    @classmethod
    def validate_fields(cls, keys, field_names):
        super().validate_fields(keys, field_names)
        if field_names & {'kind', 'unit'}:
            for key in keys:
                if key.unit and key.kind not in OWNER_KINDS:
                    raise KeyRegisterError(gettext(
                            'kefu_base.msg_key_unit_not_owner_kind',
                            key=key.rec_name, kind=key.kind_string))

    @classmethod
    def copy(cls, keys, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('lendings', None)
        default.setdefault('lost', False)
        default.setdefault('lost_date', None)
        return super().copy(keys, default=default)

    @classmethod
    def check_modification(cls, mode, keys, values=None, external=False):
        super().check_modification(
            mode, keys, values=values, external=external)
        if mode == 'delete':
            check_no_history(
                keys, [('kefu.key.lending', 'key')],
                'kefu_base.msg_key_delete_history')

    @classmethod
    @ModelView.button
    def mark_lost(cls, keys):
        today = Pool().get('ir.date').today()
        cls.write([k for k in keys if not k.lost], {
                'lost': True,
                'lost_date': today,
                })

    @classmethod
    @ModelView.button
    def mark_found(cls, keys):
        cls.write([k for k in keys if k.lost], {
                'lost': False,
                'lost_date': None,
                })


class KeyLending(Workflow, ModelSQL, ModelView):
    __string__ = "Key Lending"
    __name__ = 'kefu.key.lending'
    _states = {'readonly': Eval('state') != 'draft'}

    key = fields.Many2One(
        'kefu.key', "Key", required=True, ondelete='RESTRICT',
        states=_states,
        help="The key that goes out.")
    estate = fields.Function(
        fields.Many2One(
            'kefu.estate', "Estate",
            help="The estate of the key."),
        'on_change_with_estate', searcher='search_estate')
    borrower = fields.Many2One(
        'party.party', "Borrower", required=True, ondelete='RESTRICT',
        states=_states,
        help="The registered person or company that takes the key "
        "(a colleague, a contractor, an owner). Keys are never lent in a "
        "private name: register the borrower as a party first.")
    purpose = fields.Char(
        "Purpose", required=True, states=_states,
        help="Why the key is needed, e.g. 'repair of the water pipe in "
        "3-2-1502'; keys go out only for work.")
    lent_at = fields.DateTime(
        "Lent At",
        states={
            'readonly': Eval('state') != 'draft',
            'required': Eval('state').in_(['lent', 'returned']),
            },
        help="When the key went out; filled in with the time of the Lend "
        "button if left empty.")
    due_at = fields.DateTime(
        "Due At", required=True,
        states={'readonly': ~Eval('state').in_(['draft', 'lent'])},
        help="When the key must be back; a key still out after this time "
        "is overdue.")
    returned_at = fields.DateTime(
        "Returned At", readonly=True,
        help="When the key came back to the cabinet.")
    lent_by = fields.Many2One(
        'res.user', "Lent By", readonly=True, ondelete='RESTRICT',
        help="The staff member who handed the key out.")
    received_by = fields.Many2One(
        'res.user', "Received By", readonly=True, ondelete='RESTRICT',
        help="The staff member who took the key back.")
    notes = fields.Text(
        "Notes",
        help="Anything worth knowing, e.g. the condition of the key when "
        "it came back.")
    overdue = fields.Function(
        fields.Boolean(
            "Overdue",
            help="The key is still out after the time it was due back."),
        'get_overdue', searcher='search_overdue')
    state = fields.Selection([
            ('draft', "Draft"),
            ('lent', "Lent"),
            ('returned', "Returned"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False,
        help="Draft while it is being filled in, lent while the key is out, "
        "returned once it is back, or cancelled if the key did not go out.")
    state_string = state.translated('state')
    del _states

    # Fields that are the register's history once the key went out.
    _lent_locked = {'key', 'borrower', 'purpose', 'lent_at', 'lent_by'}

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('key')
        t = cls.__table__()
        cls._sql_constraints += [
            ('key_lent_exclude',
                Exclude(t, (t.key, Equal), where=t.state == 'lent'),
                'kefu_base.msg_key_lending_key_lent_exclude'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.key, Index.Range()),
                    (t.state, Index.Equality(cardinality='low'))),
                Index(t, (t.due_at, Index.Range()),
                    where=t.state == 'lent'),
                Index(t, (t.borrower, Index.Range())),
                })
        cls._order = [
            ('lent_at', 'DESC NULLS FIRST'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'lent'),
            ('lent', 'returned'),
            ('draft', 'cancelled'),
            ('cancelled', 'draft'),
            }
        cls._buttons.update({
                'lend': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'return_': {
                    'invisible': Eval('state') != 'lent',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'cancelled',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_state():
        return 'draft'

    @fields.depends('key', '_parent_key.estate')
    def on_change_with_estate(self, name=None):
        return self.key.estate if self.key else None

    @classmethod
    def search_estate(cls, name, clause):
        return [('key.estate' + clause[0][len(name):], *clause[1:])]

    def get_rec_name(self, name):
        return '%s - %s' % (self.key.rec_name, self.borrower.rec_name)

    @classmethod
    def search_rec_name(cls, name, clause):
        return rec_name_domain(clause, 'key.rec_name', 'borrower.rec_name')

    def get_overdue(self, name):
        return (self.state == 'lent'
            and self.due_at is not None
            and self.due_at < dt.datetime.now())

    @classmethod
    def search_overdue(cls, name, clause):
        _, operator, value = clause[:3]
        now = dt.datetime.now()
        if (operator == '=') == bool(value):
            return [('state', '=', 'lent'), ('due_at', '<', now)]
        return ['OR', ('state', '!=', 'lent'), ('due_at', '>=', now)]

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual', If(Eval('overdue', False), 'danger', '')),
            ]

    @classmethod
    def copy(cls, lendings, default=None):
        default = default.copy() if default is not None else {}
        for name in ['lent_at', 'returned_at', 'lent_by', 'received_by']:
            default.setdefault(name, None)
        return super().copy(lendings, default=default)

    @classmethod
    def check_modification(cls, mode, lendings, values=None, external=False):
        super().check_modification(
            mode, lendings, values=values, external=external)
        if mode == 'delete':
            for lending in lendings:
                if lending.state not in {'draft', 'cancelled'}:
                    raise KeyLendingDeleteError(gettext(
                            'kefu_base.msg_key_lending_delete',
                            lending=lending.rec_name,
                            state=lending.state_string))
        elif mode == 'write':
            for lending in lendings:
                if lending.state == 'lent':
                    locked = cls._lent_locked
                elif lending.state == 'returned':
                    locked = values.keys() - {'notes'}
                else:
                    continue
                if values.keys() & locked:
                    raise KeyLendingClosedError(gettext(
                            'kefu_base.msg_key_lending_locked',
                            lending=lending.rec_name,
                            state=lending.state_string))

    @classmethod
    def validate_fields(cls, lendings, field_names):
        super().validate_fields(lendings, field_names)
        if field_names & {'lent_at', 'due_at', 'returned_at'}:
            for lending in lendings:
                lending.check_dates()

    def check_dates(self):
        if self.lent_at and self.due_at and self.due_at <= self.lent_at:
            raise KeyLendingDateError(gettext(
                    'kefu_base.msg_key_lending_due_before_lent',
                    lending=self.rec_name))
        if (self.lent_at and self.returned_at
                and self.returned_at < self.lent_at):
            raise KeyLendingDateError(gettext(
                    'kefu_base.msg_key_lending_returned_before_lent',
                    lending=self.rec_name))

    def check_lend(self):
        "Raise an error if the key cannot go out now"
        if not self.key.active:
            raise KeyLentError(gettext(
                    'kefu_base.msg_key_lend_inactive', key=self.key.rec_name))
        if self.key.lost:
            raise KeyLentError(gettext(
                    'kefu_base.msg_key_lend_lost', key=self.key.rec_name))
        others = self.search([
                ('key', '=', self.key.id),
                ('state', '=', 'lent'),
                ('id', '!=', self.id),
                ], limit=1)
        if others:
            other, = others
            raise KeyLentError(gettext(
                    'kefu_base.msg_key_already_lent',
                    key=self.key.rec_name,
                    borrower=other.borrower.rec_name,
                    purpose=other.purpose))

    @classmethod
    @ModelView.button
    @Workflow.transition('lent')
    def lend(cls, lendings):
        Key = Pool().get('kefu.key')
        # Two clerks lending the same key at once: the second waits here and
        # then finds the key out.
        Key.lock(list({l.key for l in lendings}))
        now = dt.datetime.now()
        user = Transaction().user
        for lending in lendings:
            lending.check_lend()
            if not lending.lent_at:
                lending.lent_at = now
            lending.lent_by = user
        cls.save(lendings)

    @classmethod
    @ModelView.button
    @Workflow.transition('returned')
    def return_(cls, lendings):
        cls.write(lendings, {
                'returned_at': dt.datetime.now(),
                'received_by': Transaction().user,
                })

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, lendings):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, lendings):
        pass
