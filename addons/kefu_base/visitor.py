# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Visitor slips (访客单) of the front desk."""
import datetime as dt

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.pool import Pool
from trytond.pyson import Eval, If

from .exceptions import FrontDeskClosedError, FrontDeskDeleteError
from .model import EstateCompanyMixin, NumberMixin, staff_field


class VisitorSlip(
        NumberMixin, EstateCompanyMixin, Workflow, ModelSQL, ModelView):
    __string__ = "Visitor Slip"
    __name__ = 'kefu.visitor.slip'
    _rec_name = 'number'
    _number_sequence = 'visitor_slip_sequence'
    _registered_by = 'registered_by'
    _states = {'readonly': Eval('state') != 'in'}

    estate = fields.Many2One(
        'kefu.estate', "Estate", required=True, ondelete='RESTRICT',
        states=_states,
        help="The estate the visitor comes to.")
    visitor_name = fields.Char(
        "Visitor", required=True, states=_states,
        help="The name of the visitor, as on the identity document.")
    id_type = fields.Selection([
            (None, ""),
            ('id_card', "Resident Identity Card"),
            ('travel_permit', "Travel Permit"),
            ('passport', "Passport"),
            ('driving_licence', "Driving Licence"),
            ('other', "Other"),
            ], "ID Type", sort=False, states=_states,
        help="The identity document the visitor showed, if any.")
    id_number = fields.Char(
        "ID Number", states=_states,
        help="The number of the identity document.")
    phone = fields.Char(
        "Phone", states=_states, help="The visitor's phone number.")
    unit = fields.Many2One(
        'kefu.unit', "Host Unit", ondelete='RESTRICT', states=_states,
        domain=[('estate', '=', Eval('estate', -1))],
        help="The unit the visitor goes to.")
    host = fields.Many2One(
        'party.party', "Host", ondelete='RESTRICT', states=_states,
        context={'company': Eval('company', -1)}, depends={'company'},
        help="The owner or resident the visitor comes to see; call them "
        "to confirm before letting the visitor in.")
    purpose = fields.Char(
        "Purpose", states=_states, help="Why the visitor comes.")
    arrived_at = fields.DateTime(
        "Arrived At", required=True, states=_states,
        help="When the visitor came in.")
    left_at = fields.DateTime(
        "Left At", states=_states,
        domain=[If(Eval('left_at'),
                ('left_at', '>=', Eval('arrived_at')),
                ())],
        help="When the visitor handed the slip back on leaving; filled in "
        "with the current time by the Leave button if left empty.")
    people = fields.Integer(
        "People", required=True, states=_states,
        domain=[('people', '>', 0)],
        help="How many people came in together.")
    vehicle_plate = fields.Char(
        "Vehicle Plate", states=_states,
        help="The plate number of the visitor's vehicle, if it came in.")
    registered_by = staff_field(
        "Registered By",
        help="The staff member who registered the visitor.")
    state = fields.Selection([
            ('in', "Inside"),
            ('left', "Left"),
            ], "State", readonly=True, required=True, sort=False,
        help="Inside until the visitor hands the slip back on leaving.")
    state_string = state.translated('state')
    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.estate, Index.Equality()),
                    (t.arrived_at, Index.Range(order='DESC'))),
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    where=t.state == 'in'),
                })
        cls._order = [('arrived_at', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {('in', 'left')}
        cls._buttons.update({
                'leave': {
                    'invisible': Eval('state') != 'in',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_arrived_at():
        return dt.datetime.now()

    @staticmethod
    def default_people():
        return 1

    @staticmethod
    def default_state():
        return 'in'

    @fields.depends('unit', 'host')
    def on_change_unit(self):
        "Propose the unit's owner as host"
        if self.unit and not self.host:
            today = Pool().get('ir.date').today()
            owners = [o for o in self.unit.ownerships if o.is_current(today)]
            if owners:
                self.host = owners[0].party

    @classmethod
    def copy(cls, slips, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('arrived_at', lambda data: dt.datetime.now())
        default.setdefault('left_at', None)
        default.setdefault('registered_by', None)
        return super().copy(slips, default=default)

    @classmethod
    def check_modification(cls, mode, slips, values=None, external=False):
        super().check_modification(
            mode, slips, values=values, external=external)
        if mode == 'delete':
            for slip in slips:
                if slip.state == 'left':
                    raise FrontDeskDeleteError(gettext(
                            'kefu_base.msg_visitor_delete',
                            record=slip.rec_name))
        elif mode == 'write':
            for slip in slips:
                if slip.state == 'left':
                    raise FrontDeskClosedError(gettext(
                            'kefu_base.msg_frontdesk_closed',
                            record=slip.rec_name, state=slip.state_string))

    @classmethod
    @ModelView.button
    @Workflow.transition('left')
    def leave(cls, slips):
        now = dt.datetime.now()
        for slip in slips:
            if not slip.left_at:
                slip.left_at = now
        cls.save(slips)
