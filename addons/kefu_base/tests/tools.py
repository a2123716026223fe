# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""What the unit tests of the Kefu modules share: a database of their own,
staff users, and buttons pressed as the web client presses them."""
from contextlib import contextmanager

from trytond.modules.company.tests import create_employee
from trytond.pool import Pool
from trytond.tests.test_tryton import TestCase, activate_module, drop_db
from trytond.transaction import Transaction, check_access


class FreshDatabaseTestCase(TestCase):
    """A test case on a database of its own: created with module activated
    before its tests (whatever an earlier test case activated is dropped
    first) and dropped after them"""
    module = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        drop_db()
        activate_module([cls.module])

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        drop_db()


def create_user(login, company=None, estate=None, group='group_front_desk'):
    "A staff user of company's estate; with company, its employee"
    pool = Pool()
    ModelData = pool.get('ir.model.data')
    User = pool.get('res.user')
    user = User(
        name=login.title(), login=login,
        groups=[ModelData.get_id('kefu_base', group)])
    if company:
        employee = create_employee(company, name=login.title())
        user.companies = [company]
        user.company = company
        user.employees = [employee]
        user.employee = employee
    if estate:
        user.kefu_estates = [estate]
    user.save()
    return user


@contextmanager
def as_user(user):
    "The transaction of user as the web client opens it, access checked"
    User = Pool().get('res.user')
    transaction = Transaction()
    with transaction.set_user(user.id), transaction.set_context(
            User.get_preferences(context_only=True)), check_access():
        yield


def click(Model, button, records):
    """Press button on records as the web client does: through the button's
    RPC, whose access checks (groups, button states) run before the
    method."""
    rpc = Model.__rpc__[button]
    args, kwargs, context, _ = rpc.convert(
        Model, [r.id for r in records], {})
    with Transaction().set_context(context):
        return getattr(Model, button)(*args, **kwargs)
