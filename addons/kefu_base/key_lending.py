# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The log of the lending of keys (钥匙借用登记): who took a key of the
key register, why, and when it came back."""
import datetime as dt

from sql.operators import Equal

from trytond import backend
from trytond.i18n import gettext
from trytond.model import Exclude, Index, ModelSQL, ModelView, Workflow, fields
from trytond.modules.company.model import set_employee
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.tools import grouped_slice

from .exceptions import (
    KeyLendingClosedError, KeyLendingDateError, KeyLendingDeleteError,
    KeyLendingStateError, KeyLentError)
from .model import local_time, rec_name_domain, staff_field


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
    company = fields.Function(
        fields.Many2One(
            'company.company', "Company",
            help="The company that runs the estate of the key."),
        'on_change_with_company')
    borrower = fields.Many2One(
        'party.party', "Borrower", required=True, ondelete='RESTRICT',
        context={'company': Eval('company', -1)}, depends={'company'},
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
    lent_by = staff_field(
        "Lent By",
        help="The staff member who handed the key out.")
    returned_to = staff_field(
        "Returned To",
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
                # The form shows it only while the key is out
                # (view_attributes) but the server accepts it in any state:
                # a clerk whose form was opened before a colleague took the
                # key back must read when it came back, not Tryton's generic
                # refusal.
                'return_': {
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

    @fields.depends('key', '_parent_key.estate')
    def on_change_with_company(self, name=None):
        return self.key.estate.company if self.key else None

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
            ('//group[@id="return"]', 'states', {
                    'invisible': Eval('state') != 'lent',
                    }),
            ]

    @classmethod
    def copy(cls, lendings, default=None):
        default = default.copy() if default is not None else {}
        for name in ['lent_at', 'returned_at', 'lent_by', 'returned_to']:
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
    def validate(cls, lendings):
        # SQLite has no exclusion constraint: trytond checks key_lent_exclude
        # with one query that nests a condition per open lending, and SQLite's
        # parser overflows well before 100 of them (85 with SQLite 3.40).
        # PostgreSQL enforces the constraint itself.
        if backend.name == 'sqlite':
            for sub_lendings in grouped_slice(lendings, 20):
                super().validate(list(sub_lendings))
        else:
            super().validate(lendings)

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
    @set_employee('lent_by')
    def lend(cls, lendings):
        Key = Pool().get('kefu.key')
        # Two clerks lending the same key at once: the second waits here and
        # then finds the key out.
        Key.lock(list({l.key for l in lendings}))
        now = dt.datetime.now()
        for lending in lendings:
            lending.check_lend()
            if not lending.lent_at:
                lending.lent_at = now
        cls.save(lendings)

    def check_lent(self):
        "Refuse to take back a key that is not out on this lending"
        if self.state == 'returned':
            raise KeyLendingStateError(gettext(
                    'kefu_base.msg_key_lending_already_returned',
                    lending=self.rec_name,
                    date=local_time(self.returned_at, self.key.estate)))
        if self.state != 'lent':
            raise KeyLendingStateError(gettext(
                    'kefu_base.msg_key_lending_not_lent',
                    lending=self.rec_name, state=self.state_string))

    @classmethod
    @ModelView.button
    def return_(cls, lendings):
        "Take the keys back, or say when they came back already"
        # a colleague taking the same key back at once waits here, then
        # reads when it came back
        cls.lock(lendings)
        for lending in lendings:
            lending.check_lent()
        cls.set_returned(lendings)

    @classmethod
    @Workflow.transition('returned')
    @set_employee('returned_to')
    def set_returned(cls, lendings):
        cls.write(lendings, {'returned_at': dt.datetime.now()})

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
