# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.cache import Cache
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction


class User(metaclass=PoolMeta):
    __name__ = 'res.user'

    kefu_estates = fields.Many2Many(
        'kefu.estate-res.user', 'user', 'estate', "Estates",
        help="The estates this user works for; front-desk, customer-service, "
        "engineering and security staff see only these estates.")

    _get_kefu_estates_cache = Cache(
        __name__ + '.get_kefu_estates', context=False)

    @classmethod
    def get_kefu_estates(cls):
        "Return the ids of the estates the current user is assigned to"
        pool = Pool()
        EstateUser = pool.get('kefu.estate-res.user')
        user_id = Transaction().user
        estates = cls._get_kefu_estates_cache.get(user_id)
        if estates is None:
            with Transaction().set_user(0):
                links = EstateUser.search([('user', '=', user_id)])
            estates = tuple(sorted({l.estate.id for l in links}))
            cls._get_kefu_estates_cache.set(user_id, estates)
        return estates


class Rule(metaclass=PoolMeta):
    __name__ = 'ir.rule'

    @classmethod
    def _get_cache_key(cls, model_names):
        key = super()._get_cache_key(model_names)
        return (*key, Pool().get('res.user').get_kefu_estates())

    @classmethod
    def _get_context(cls, model_name):
        context = super()._get_context(model_name)
        context['kefu_estates'] = Pool().get('res.user').get_kefu_estates()
        return context
