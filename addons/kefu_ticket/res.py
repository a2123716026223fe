# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.pool import Pool, PoolMeta


class Rule(metaclass=PoolMeta):
    __name__ = 'ir.rule'

    # The record rules of the departments' work (work orders, callbacks)
    # show engineering and security staff what their departments do:
    # [('department.members.employee', 'in', Eval('kefu_employees', []))]
    @classmethod
    def _get_cache_key(cls, model_names):
        key = super()._get_cache_key(model_names)
        return (*key, Pool().get('res.user').get_employees())

    @classmethod
    def _get_context(cls, model_name):
        context = super()._get_context(model_name)
        context['kefu_employees'] = Pool().get('res.user').get_employees()
        return context
