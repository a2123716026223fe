# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Dunning of unpaid fees (催缴) on Tryton's account_dunning: the Kefu
procedure's levels say what the staff do (call, letter, visit, legal
action), each contact with the payer is logged on the dunning, a daily
scheduled action creates and processes the dunnings, and the formal
letter (催缴函) prints in Chinese with the units, periods and amounts
owed."""
import datetime as dt
from collections import namedtuple
from decimal import Decimal

from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.account_dunning_letter.dunning import Letter
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction
from trytond.wizard import StateReport

KEFU_ACTIONS = [
    (None, ""),
    ('phone', "Phone Call or SMS"),
    ('letter', "Dunning Letter"),
    ('visit', "Home Visit"),
    ('legal', "Legal Action"),
    ]

# One line of the letter: a charge still owed, or a bill without charges.
LetterRow = namedtuple(
    'LetterRow', ['unit', 'fee', 'period', 'amount', 'paid', 'owed'])


class Level(metaclass=PoolMeta):
    __name__ = 'account.dunning.level'

    kefu_action = fields.Selection(
        KEFU_ACTIONS, "Action",
        help="What the staff do at this level; the daily dunning run "
        "processes the dunnings of the levels that have an action.")
    kefu_pay_within = fields.Integer(
        "Pay Within (Days)",
        states={
            'invisible': Eval('kefu_action') != 'letter',
            },
        help="The days the dunning letter gives the payer to pay.")
    kefu_letter_text = fields.Text(
        "Letter Text",
        states={
            'invisible': Eval('kefu_action') != 'letter',
            },
        help="A paragraph added to the dunning letter, such as the "
        "late fee agreed in the property service contract; leave empty "
        "for none.")

    kefu_action_string = kefu_action.translated('kefu_action')

    @classmethod
    def default_kefu_pay_within(cls):
        return 15

    def get_rec_name(self, name):
        # "0@Procedure" says nothing to the staff: name the action
        if self.kefu_action:
            return '%s: %s' % (
                self.procedure.rec_name, self.kefu_action_string)
        return super().get_rec_name(name)


class Dunning(metaclass=PoolMeta):
    __name__ = 'account.dunning'

    kefu_contacts = fields.One2Many(
        'kefu.dunning.contact', 'dunning', "Contacts",
        help="The calls, messages, letters, visits and legal steps taken "
        "to collect the amount.")
    kefu_units = fields.Function(fields.Char(
            "Units", help="The units whose fees are dunned."),
        'get_kefu_units')

    @classmethod
    def get_kefu_units(cls, dunnings, name):
        Charge = Pool().get('kefu.fee.charge')
        invoices = {d.id: kefu_invoice(d) for d in dunnings}
        charges = Charge.search([
                ('invoice', 'in', [i for i in invoices.values() if i]),
                ], order=[('unit', 'ASC')])
        units = {}
        for charge in charges:
            names = units.setdefault(charge.invoice.id, [])
            if charge.unit.rec_name not in names:
                names.append(charge.unit.rec_name)
        return {i: ', '.join(units.get(v, [])) or None
            for i, v in invoices.items()}

    @classmethod
    def kefu_run(cls):
        "Create today's dunnings and move those of Kefu levels on"
        Date = Pool().get('ir.date')
        cls._kefu_default_procedure()
        cls.generate_dunnings(Date.today())
        cls.process(cls.search([
                    ('state', '=', 'draft'),
                    ('blocked', '=', False),
                    ('level.kefu_action', '!=', None),
                    ], order=[('company', 'ASC'), ('id', 'ASC')]))

    @classmethod
    def _kefu_default_procedure(cls):
        """Make the Kefu procedure the default of the parties when the
        accountant chose none: without one no fee is ever dunned"""
        pool = Pool()
        Configuration = pool.get('account.configuration')
        ModelData = pool.get('ir.model.data')
        Procedure = pool.get('account.dunning.procedure')
        config = Configuration(1)
        if config.default_dunning_procedure:
            return
        procedures = Procedure.search([
                ('id', '=', ModelData.get_id(
                        'kefu_fee', 'dunning_procedure_kefu')),
                ])
        if procedures:
            config.default_dunning_procedure, = procedures
            config.save()


def kefu_invoice(dunning):
    "The id of the customer invoice of dunning's line, if any"
    origin = dunning.line.move.origin if dunning.line else None
    if origin and origin.__name__ == 'account.invoice':
        return origin.id


class MoveLine(metaclass=PoolMeta):
    __name__ = 'account.move.line'

    @property
    def dunning_procedure(self):
        """The party's procedure, else the company's default: a party
        created before the accountants chose the default keeps an empty
        procedure of its own, and its fees would never be dunned"""
        procedure = super().dunning_procedure
        if not procedure and self.party:
            Configuration = Pool().get('account.configuration')
            procedure = Configuration(1).get_multivalue(
                'default_dunning_procedure',
                company=self.move.company.id if self.move else None)
        return procedure


class DunningContact(ModelSQL, ModelView):
    "What was done to collect a dunned amount (催缴记录)"
    __string__ = "Dunning Contact"
    __name__ = 'kefu.dunning.contact'

    dunning = fields.Many2One(
        'account.dunning', "Dunning", required=True, ondelete='CASCADE')
    date = fields.DateTime(
        "Date", required=True,
        help="When the payer was called, written to or visited.")
    employee = fields.Many2One(
        'company.employee', "Employee", required=True,
        help="Who called, sent or visited.")
    method = fields.Selection([
            ('phone', "Phone Call"),
            ('sms', "SMS"),
            ('express', "Express Mail"),
            ('visit', "Home Visit"),
            ('legal', "Legal Action"),
            ], "Method", required=True, sort=False,
        help="How the payer was contacted.")
    tracking_number = fields.Char(
        "Tracking Number",
        states={
            'required': Eval('method') == 'express',
            'invisible': Eval('method') != 'express',
            },
        help="The express mail's tracking number (快递单号), the proof "
        "that the letter was sent.")
    answer = fields.Text(
        "Answer",
        help="What the payer said or what happened: promise to pay by a "
        "date, dispute, nobody home…")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def default_date(cls):
        return dt.datetime.now()

    @classmethod
    def default_employee(cls):
        return Transaction().context.get('employee')

    @classmethod
    def default_method(cls):
        return 'phone'


class ProcessDunning(metaclass=PoolMeta):
    __name__ = 'account.dunning.process'
    print_kefu_letter = StateReport('kefu.fee.dunning.letter')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._actions.append('print_kefu_letter')

    def _letter_ids(self, kefu):
        """The dunnings to print a letter for: the Kefu letter (催缴函)
        for the levels whose action is a letter, the standard one for the
        others"""
        return [d.id for d in self.records
            if d.state == 'waiting'
            and not d.blocked
            and d.party
            and d.level.print_on_letter
            and (d.level.kefu_action == 'letter') == kefu]

    def do_print_letter(self, action):
        ids = self._letter_ids(kefu=False)
        if ids:
            return action, {'id': ids[0], 'ids': ids}

    def do_print_kefu_letter(self, action):
        ids = self._letter_ids(kefu=True)
        if ids:
            return action, {'id': ids[0], 'ids': ids}

    def transition_print_kefu_letter(self):
        return self.next_state('print_kefu_letter')


class DunningLetter(Letter):
    "The formal dunning letter of unpaid fees (催缴函)"
    __name__ = 'kefu.fee.dunning.letter'

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['kefu_amount'] = kefu_amount
        context['kefu_date'] = kefu_date
        return context

    @classmethod
    def get_party_letter(cls):
        PartyLetter = super().get_party_letter()

        class KefuPartyLetter(PartyLetter):
            __slots__ = ()

            @property
            def rows(self):
                return letter_rows(self.dunnings)

            @property
            def total(self):
                return sum((r.owed for r in self.rows), Decimal(0))

            @property
            def units(self):
                units = []
                for row in self.rows:
                    if row.unit and row.unit not in units:
                        units.append(row.unit)
                return '、'.join(units)

            @property
            def level(self):
                "The highest level reached, whose text the letter uses"
                levels = [l for _, l in self.highest_levels()]
                return levels[-1] if levels else None

        return KefuPartyLetter


def letter_rows(dunnings):
    """The lines of a letter: each charge still owed on the dunned bills,
    oldest first, and the dunned amount of a bill that has no charges"""
    Charge = Pool().get('kefu.fee.charge')
    invoices = {d: kefu_invoice(d) for d in dunnings}
    charges = Charge.search([
            ('invoice', 'in', [i for i in invoices.values() if i]),
            ('state', '=', 'posted'),
            ], order=[('period_start', 'ASC'), ('unit', 'ASC'), ('id', 'ASC')])
    rows = [LetterRow(
            c.unit.rec_name, c.fee_type.name,
            '%s至%s' % (c.period_start, c.period_end),
            c.amount, c.paid_amount or Decimal(0), c.open_amount)
        for c in charges]
    with_charges = {c.invoice.id for c in charges}
    for dunning, invoice in invoices.items():
        if not invoice or invoice not in with_charges:
            rows.append(LetterRow(
                    '', dunning.line.description or dunning.line.rec_name,
                    '', dunning.amount, Decimal(0), dunning.amount))
    return rows


def kefu_amount(amount):
    "An amount as Chinese bills print it: ¥1,234.50"
    return '¥{:,.2f}'.format(amount)


def kefu_date(date):
    "A date as Chinese letters write it: 2026年5月5日"
    return '%d年%d月%d日' % (date.year, date.month, date.day)


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('account.dunning|kefu_run', "Create and Process Dunnings"))
