# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import fields
from trytond.pool import PoolMeta


class Employee(metaclass=PoolMeta):
    __name__ = 'company.employee'

    users = fields.Many2Many(
        'res.user-company.employee', 'employee', 'user', "Users",
        readonly=True,
        help="The users who work as this employee; the tab 'Waiting for "
        "Me' shows a user the tickets given to their employees.")
