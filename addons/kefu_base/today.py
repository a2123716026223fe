# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Lists' tabs of what holds today, with the server's today.

A tab's domain with PYSON Date() is evaluated by the web client, and sao
8.0 turns the browser's local midnight into UTC before taking the date:
east of Greenwich (Shanghai) its today is yesterday.  So the tabs 今天,
当前 and 已终止 search a Boolean Function field instead, whose searcher
asks ir.date for today (the company's time zone)."""
from trytond.pool import Pool


def today():
    return Pool().get('ir.date').today()


def boolean_searcher(true_domain, false_domain):
    """Return the classmethod searcher of a Boolean Function field: the
    domain true_domain(today) or false_domain(today) its clause asks for"""
    def search(cls, name, clause):
        _, operator, value = clause[:3]
        if operator in {'in', 'not in'}:
            wanted = {bool(v) for v in value}
            if operator == 'not in':
                wanted = {True, False} - wanted
        elif operator == '=':
            wanted = {bool(value)}
        elif operator == '!=':
            wanted = {not value}
        else:
            wanted = {True, False}
        date = today()
        if wanted == {True}:
            return true_domain(date)
        if wanted == {False}:
            return false_domain(date)
        return [] if wanted else [('id', '=', None)]
    return classmethod(search)
