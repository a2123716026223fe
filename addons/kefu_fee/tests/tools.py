# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Helpers for kefu_fee's unit tests (inside a transaction): the Kefu chart
of accounts created for a company by Tryton's own wizard, and its taxes."""
from trytond.pool import Pool
from trytond.transaction import Transaction

CHART = 'kefu_fee.account_template_root'


def create_kefu_chart(company):
    """Run account.create_chart with the Kefu template for company, keeping
    the default receivable and payable accounts the wizard proposes, and
    return {code: account} of the accounts created"""
    pool = Pool()
    AccountTemplate = pool.get('account.account.template')
    Account = pool.get('account.account')
    ModelData = pool.get('ir.model.data')
    CreateChart = pool.get('account.create_chart', type='wizard')

    template = AccountTemplate(ModelData.get_id(*CHART.split('.')))
    session_id, _, _ = CreateChart.create()
    wizard = CreateChart(session_id)
    wizard.account.account_template = template
    wizard.account.company = company
    wizard.transition_create_account()
    properties = wizard.states['properties'].get_defaults(
        wizard, 'properties', list(wizard.properties._fields))
    for name, value in properties.items():
        if name in wizard.properties._fields:  # not the 'name.' rec_names
            setattr(wizard.properties, name, value)
    wizard.transition_create_properties()
    CreateChart.delete(session_id)
    with Transaction().set_context(company=company.id):
        accounts = Account.search([
                ('company', '=', company.id),
                ('code', '!=', None),
                ])
    return {a.code: a for a in accounts}


def kefu_taxes(company):
    """Return {template xml id without 'tax_': tax} of the Kefu VAT taxes of
    company: vat_6, vat_9, vat_simple_5, vat_simple_3, vat_small_3,
    vat_small_1"""
    pool = Pool()
    Tax = pool.get('account.tax')
    ModelData = pool.get('ir.model.data')
    data = ModelData.search([
            ('module', '=', 'kefu_fee'),
            ('model', '=', 'account.tax.template'),
            ])
    template2name = {d.db_id: d.fs_id[len('tax_'):] for d in data}
    taxes = Tax.search([
            ('company', '=', company.id),
            ('template', 'in', list(template2name)),
            ])
    return {template2name[t.template.id]: t for t in taxes}
