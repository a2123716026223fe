# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Paid repairs (工程维修单) billed: when kefu_ticket is activated too, a
paid work order checked by a specialist becomes a charge, on the owner's
next bill or on a bill of its own (a setting)."""
from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access



class Configuration(metaclass=PoolMeta):
    __name__ = 'kefu.configuration'

    repair_fee_type = fields.Many2One(
        'kefu.fee.type', "Paid Repair Fee",
        domain=[
            ('company', '=', Eval('context', {}).get('company', -1)),
            ('kind', '=', 'paid_service'),
            ],
        help="The fee (account and VAT) a paid repair order is billed "
        "as, once a specialist checked the work.")
    repair_billing = fields.Selection([
            ('next_bill', "On the Next Bill"),
            ('own_bill', "On a Bill of Its Own"),
            ], "Paid Repairs Billed", required=True,
        help="On the next bill: the repair is added to the payer's bill of "
        "the next billing run; on a bill of its own: a bill is posted at "
        "once, to be paid at the desk.")

    @classmethod
    def default_repair_billing(cls):
        return 'next_bill'


class WorkOrder(metaclass=PoolMeta):
    __name__ = 'kefu.work_order'

    fee_charge = fields.Function(fields.Many2One(
            'kefu.fee.charge', "Charge",
            help="The charge billing the paid repair."),
        'get_fee_charge')

    def get_fee_charge(self, name):
        Charge = Pool().get('kefu.fee.charge')
        charges = Charge.search([
                ('origin', '=', str(self)),
                ('state', '!=', 'cancelled'),
                ], limit=1)
        return charges[0].id if charges else None

    @classmethod
    def _check(cls, orders):
        super()._check(orders)
        paid = [o for o in orders
            if o.warranty == 'paid' and o.price and o.unit]
        if paid:
            with without_check_access():
                cls.bill_repairs(paid)

    @classmethod
    def bill_repairs(cls, orders):
        pool = Pool()
        Charge = pool.get('kefu.fee.charge')
        Configuration = pool.get('kefu.configuration')
        Date = pool.get('ir.date')
        Invoice = pool.get('account.invoice')
        configuration = Configuration(1)
        fee_type = configuration.repair_fee_type
        if not fee_type:
            # Billing paid repairs is switched on by choosing their fee;
            # the specialist's check never waits for it
            return []
        today = Date.today()
        charges = [Charge(**o._charge_values(fee_type, today))
            for o in orders]
        Charge.save(charges)
        if configuration.repair_billing == 'own_bill':
            with Transaction().set_context(_skip_warnings=True):
                invoices = Invoice.kefu_bill(
                    charges, fee_type.company, today,
                    gettext('kefu_fee.msg_repair_bill_description'))
                Invoice._post(invoices)
        return charges

    def _charge_values(self, fee_type, date):
        UnitFee = Pool().get('kefu.unit.fee')
        unit = self.unit
        payer = UnitFee(unit=unit, payer=None).get_payer(date)
        amount = self.price
        return {
            'company': fee_type.company.id,
            'unit': unit.id,
            'estate': unit.estate.id,
            'building': unit.building.id,
            'fee_type': fee_type.id,
            'period_start': date,
            'period_end': date,
            'payer': payer.id,
            'rate': amount,
            'quantity': 1,
            'amount': amount,
            'tax': fee_type.tax.id if fee_type.tax else None,
            'description': '%s %s %s' % (
                fee_type.name, unit.rec_name, self.rec_name),
            'origin': str(self),
            }


class Charge(metaclass=PoolMeta):
    __name__ = 'kefu.fee.charge'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['kefu.work_order']
