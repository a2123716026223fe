# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The key register (钥匙管理): the keys kept by the customer-service
centre."""
from sql import Literal
from sql.conditionals import Coalesce
from sql.operators import Exists

from trytond import backend
from trytond.i18n import gettext
from trytond.model import (
    Check, DeactivableMixin, Index, ModelSQL, ModelView, Unique, fields)
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from .estate import check_no_history
from .exceptions import KeyRegisterError
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
