#!/usr/bin/env python3
# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Keep each module's locale/zh_CN.po complete.

    tools/kefu_po.py [module ...]     rewrite the catalogues: add the new
                                      source strings, drop the obsolete ones,
                                      keep every translation, list the missing

trytond-admin --export-translations fails on a brand-new module, so this reads
the English source strings from ir.translation of a database where the module
is activated (an in-memory SQLite one) after the 'Set Translations' wizard
registered the view and report strings."""
import glob
import os
import re
import sys

import polib

TEMPLATE_ONLY = re.compile(r'^\s*(\$\{[^}]*\}\s*)+$')

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def po_path(module):
    return os.path.join(ROOT, 'addons', module, 'locale', 'zh_CN.po')


def source_entries(module):
    """Return {(msgctxt, msgid): flags} of the module's English strings; must
    run inside a transaction of a database where the module is activated."""
    from trytond.pool import Pool
    pool = Pool()
    Translation = pool.get('ir.translation')
    ModelData = pool.get('ir.model.data')
    TranslationSet = pool.get('ir.translation.set', type='wizard')

    session_id, _, _ = TranslationSet.create()
    TranslationSet(session_id).transition_set_()
    TranslationSet.delete(session_id)

    db_id2fs_id = {}
    for data in ModelData.search([('module', '=', module)]):
        db_id2fs_id.setdefault(data.model, {})[data.db_id] = data.fs_id
        for extra in Translation.extra_model_data(data):
            db_id2fs_id.setdefault(extra, {})[data.db_id] = data.fs_id
    entries = {}
    for translation in Translation.search([
                ('lang', '=', 'en'), ('module', '=', module)], order=[]):
        ctxt = '%s:%s:' % (translation.type, translation.name)
        if translation.res_id >= 0:
            model, _ = translation.name.split(',')
            fs_id = db_id2fs_id.get(model, {}).get(translation.res_id)
            if fs_id is None:
                continue
            ctxt += fs_id
        # A bare template expression (a report's record name, ${...}) has
        # nothing to translate; PostgreSQL lists it, SQLite does not.
        if translation.src and not TEMPLATE_ONLY.match(translation.src):
            entries[(ctxt, translation.src)] = translation
    return entries


def merge(module, sources):
    """Return the catalogue holding exactly the sources, with the
    translations already made, and the keys still untranslated."""
    path = po_path(module)
    old = {}
    if os.path.exists(path):
        for entry in polib.pofile(path):
            if entry.msgstr and 'fuzzy' not in entry.flags:
                old[(entry.msgctxt, entry.msgid)] = entry.msgstr
    po = polib.POFile(wrapwidth=78)
    po.metadata = {'Content-Type': 'text/plain; charset=utf-8'}
    missing = []
    for ctxt, msgid in sorted(sources):
        msgstr = old.get((ctxt, msgid), '')
        if not msgstr:
            missing.append((ctxt, msgid))
        po.append(polib.POEntry(msgctxt=ctxt, msgid=msgid, msgstr=msgstr))
    return po, missing


def main(modules):
    os.environ.setdefault('TRYTOND_DATABASE_URI', 'sqlite://')
    os.environ.setdefault('DB_NAME', ':memory:')
    from trytond.tests.test_tryton import DB_NAME, USER, activate_module
    from trytond.transaction import Transaction
    every = sorted(
        os.path.basename(p) for p in glob.glob(
            os.path.join(ROOT, 'addons', 'kefu_*')))
    modules = modules or every
    # Every Kefu module, so that the strings of a module's extras (its
    # views and fields for another Kefu module) are in its catalogue.
    activate_module(every)
    status = 0
    with Transaction().start(DB_NAME, USER):
        for module in modules:
            po, missing = merge(module, source_entries(module))
            po.save(po_path(module))
            for ctxt, msgid in missing:
                print(f'{module}: untranslated {ctxt} {msgid!r}')
            status |= bool(missing)
    return status


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
