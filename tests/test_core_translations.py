# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""kefu_base's locale/override/zh_CN.po fills and corrects the zh_CN
translations of the core modules staff see (party, company, currency, res),
kefu_fee's those of the accounting screens (invoices, payments, dunning).

Tryton applies an override only by finding the core module's own zh_CN row
for it, so the catalogue must hold nothing but entries of the core
catalogues, and the activation in zh_CN is what proves it."""
import os
import sys
import unittest

import polib

from trytond.i18n import gettext, ngettext
from trytond.modules import kefu_base, kefu_fee
from trytond.pool import Pool
from tests.server import is_postgresql
from trytond.tests.test_tryton import (
    activate_module, drop_db, with_transaction)
from trytond.transaction import Transaction

OVERRIDES = {
    m.__name__.split('.')[-1]: os.path.join(
        os.path.dirname(m.__file__), 'locale', 'override', 'zh_CN.po')
    for m in [kefu_base, kefu_fee]}
ZH_CN = {'language': 'zh_CN'}


class CoreTranslationTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        if is_postgresql():
            # The catalogues are files: what they hold does not depend on
            # the backend, and the suite runs on both
            print('\ntests.%s: skipped on PostgreSQL; the catalogues are '
                'checked once per suite, on SQLite' % __name__.split('.')[-1],
                file=sys.stderr)
            raise unittest.SkipTest('the catalogues are checked on SQLite')
        # A database left by another test would keep its language: start anew
        drop_db()
        activate_module(list(OVERRIDES), lang='zh_CN')

    @classmethod
    def tearDownClass(cls):
        drop_db()

    def label(self, model, field):
        with Transaction().set_context(ZH_CN):
            Model = Pool().get(model)
            return Model.fields_get([field])[field]['string']

    @with_transaction()
    def test_activated_in_zh_cn(self):
        "kefu_base and the core modules it overrides are activated in zh_CN"
        pool = Pool()
        Module = pool.get('ir.module')
        Configuration = pool.get('ir.configuration')
        names = ['kefu_base', 'party', 'company', 'currency', 'res']
        modules = Module.search([('name', 'in', names)])
        self.assertEqual(
            {m.name: m.state for m in modules},
            {n: 'activated' for n in names})
        self.assertEqual(Configuration.get_language(), 'zh_CN')

    @with_transaction()
    def test_field_labels(self):
        "Labels that were empty, fuzzy or wrong in the core come out right"
        for model, field, label in [
                ('party.party', 'name', "名称"),
                ('party.party', 'email', "电子邮件"),  # empty
                ('party.party', 'phone', "电话"),  # was 手机
                ('party.party', 'mobile', "手机"),  # was 移动电话
                ('party.address', 'attn', "收件人"),  # empty
                ('party.address', 'building_number', "门牌号"),  # fuzzy 建筑名称
                ('party.address', 'room_number', "房号"),  # empty
                ('company.employee', 'active', "启用"),  # empty
                ('company.company', 'logo', "徽标"),  # empty
                ('res.user', 'notifications', "通知"),  # fuzzy 修改组
                ]:
            with self.subTest(model=model, field=field):
                self.assertEqual(self.label(model, field), label)

    @with_transaction()
    def test_selection(self):
        "Selection values of the core are translated"
        with Transaction().set_context(ZH_CN):
            pool = Pool()
            ContactMechanism = pool.get('party.contact_mechanism')
            Configuration = pool.get('party.configuration')
            types = dict(ContactMechanism.fields_get(['type'])['type'][
                    'selection'])
            identifiers = dict(Configuration.fields_get(
                    ['identifier_types'])['identifier_types']['selection'])
        self.assertEqual(types['email'], "电子邮件")  # empty
        self.assertEqual(types['phone'], "电话")
        self.assertEqual(identifiers['be_vat'], "比利时增值税号")  # fuzzy

    @with_transaction()
    def test_model_and_menu_names(self):
        "Model and menu names use the Kefu terms (联系人, 员工, 币种)"
        pool = Pool()
        IrModel = pool.get('ir.model')
        ModelData = pool.get('ir.model.data')
        Menu = pool.get('ir.ui.menu')
        with Transaction().set_context(ZH_CN):
            for model, name in [
                    ('party.party', "联系人"),  # fuzzy 参与者
                    ('company.employee', "员工"),  # fuzzy 现任员工
                    ('currency.currency', "币种"),  # fuzzy 货币
                    ('res.group', "权限组"),  # fuzzy 用户组, now as its menu
                    ]:
                with self.subTest(model=model):
                    self.assertEqual(IrModel.get_name(model), name)
            menu = Menu(ModelData.get_id('party', 'menu_party_form'))
            self.assertEqual(menu.name, "联系人")

    @with_transaction()
    def test_messages(self):
        "Messages keep their placeholders, plural ones included"
        with Transaction().set_context(ZH_CN):
            self.assertEqual(
                gettext('party.msg_party_contact_mechanism_duplicate',
                    party="张三", type="电话", value="12345678"),
                "联系人“张三”已有相同的电话“12345678”。")
            self.assertEqual(
                ngettext('res.msg_notification_silenced', 3, number='3'),
                "另有 3 条通知未显示。")
            self.assertEqual(
                ngettext('res.msg_password_length', 8, length=8),
                "密码至少需要 8 个字符。")

    @with_transaction()
    def test_accounting_labels(self):
        "Invoices, their payments and dunning read in Kefu's terms"
        for model, field, label in [
                ('account.invoice', 'party', "联系人"),  # was 参与者
                ('account.invoice', 'untaxed_amount', "不含税金额"),
                ('account.invoice', 'payment_term', "付款条件"),  # 支付方式
                ('account.invoice.line', 'invoice', "账单"),  # 原始凭证
                ('account.invoice.pay.start', 'payment_method',
                    "收付款方式"),
                ('account.dunning', 'level', "催缴级别"),  # fuzzy 层级
                ('account.dunning', 'party', "联系人"),  # empty
                ('account.dunning.level', 'overdue', "逾期时长"),  # empty
                ('account.move.line', 'party', "联系人"),
                ]:
            with self.subTest(model=model, field=field):
                self.assertEqual(self.label(model, field), label)
        with Transaction().set_context(ZH_CN):
            pool = Pool()
            Dunning = pool.get('account.dunning')
            IrModel = pool.get('ir.model')
            states = dict(Dunning.fields_get(['state'])['state'][
                    'selection'])
            self.assertEqual(IrModel.get_name('account.dunning'), "催缴")
        self.assertEqual(states['waiting'], "等待中")  # empty

    @with_transaction()
    def test_every_override_applied(self):
        "Each entry of the catalogues replaced its core translation"
        for overriding, path in OVERRIDES.items():
            self.check_override(overriding, path)

    def check_override(self, overriding, path):
        Translation = Pool().get('ir.translation')
        ModelData = Pool().get('ir.model.data')
        entries = [e for e in polib.pofile(path) if not e.obsolete]
        self.assertGreater(len(entries), 250)
        for entry in entries:
            with self.subTest(msgctxt=entry.msgctxt, msgid=entry.msgid):
                ttype, name, ref = entry.msgctxt.split(':')
                module, fs_id = ref.split('.')
                res_id = ModelData.get_id(module, fs_id) if fs_id else -1
                domain = [
                    ('lang', '=', 'zh_CN'),
                    ('type', '=', ttype),
                    ('name', '=', name),
                    ('res_id', '=', res_id),
                    ('module', '=', module),
                    ('src', '=', entry.msgid),
                    ]
                translation, = Translation.search(domain)
                value = (entry.msgstr_plural[0] if entry.msgid_plural
                    else entry.msgstr)
                self.assertEqual(translation.value, value)
                self.assertFalse(translation.fuzzy)
                self.assertEqual(translation.overriding_module, overriding)
