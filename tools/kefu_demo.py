#!/usr/bin/env python3
# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Fill a Kefu database with deterministic demo data.

    python tools/kefu_demo.py -c trytond.conf -d kefu_demo \\
        [--units 1000] [--seed 1] [--today 2026-11-23]
    python tools/kefu_demo.py -c trytond.conf -d kefu_demo --set-password

The password of admin and the demo users comes from $KEFU_DEMO_PASSWORD
(or --password); it is printed when the users are created and never
written to a file.  --set-password gives them all that password again.

The database must exist with the kefu_* modules activated (trytond-admin).
Every activated kefu_* module that has a ``demo`` module gets its
``populate(options)`` called, in dependency order, in one transaction; see
addons/kefu_base/demo.py for the hook.  A module whose demo data is already
there is skipped, so a second run changes nothing.  The same seed and
--today give the same data."""
import argparse
import datetime as dt
import importlib
import logging
import os
import sys
import time


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '-c', '--config', default=os.environ.get('TRYTOND_CONFIG'),
        help="the trytond configuration file (default: $TRYTOND_CONFIG)")
    parser.add_argument('-d', '--database', required=True)
    parser.add_argument(
        '--units', type=int, default=1000,
        help="how many units the register gets (default: 1000)")
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument(
        '--password', default=os.environ.get('KEFU_DEMO_PASSWORD'),
        help="the password of admin and the demo users; Tryton wants at "
        "least 8 characters (default: $KEFU_DEMO_PASSWORD)")
    parser.add_argument(
        '--set-password', action='store_true',
        help="only give admin and every demo user the password")
    parser.add_argument(
        '--today', type=dt.date.fromisoformat,
        help="the date the data is relative to (default: today)")
    options = parser.parse_args(argv)
    if options.units < 1:
        parser.error("--units must be at least 1")
    if not options.password:
        parser.error("give the password in $KEFU_DEMO_PASSWORD or --password")
    return options


def configure(config_file):
    from trytond import config
    config.update_etc(config_file)
    # The SQLite path is made absolute: trytond resolves a relative one
    # from the root of the file system.
    path = config.get('database', 'path')
    if path and not os.path.isabs(path):
        config.set('database', 'path', os.path.abspath(path))


def activated_modules():
    "The activated kefu_* modules in dependency order"
    from trytond.modules import create_graph
    from trytond.pool import Pool
    Module = Pool().get('ir.module')
    names = {m.name for m in Module.search([('state', '=', 'activated')])}
    return [node.name for node in create_graph(names)
        if node.name.startswith('kefu_')]


def demo_module(name):
    try:
        return importlib.import_module('trytond.modules.%s.demo' % name)
    except ModuleNotFoundError as exception:
        if exception.name != 'trytond.modules.%s.demo' % name:
            raise
        return None


def print_logins(password):
    from trytond.modules.kefu_base.demo import USERS
    print("logins: admin (every Kefu group), %s" % ', '.join(
            u[0] for u in USERS), flush=True)
    print("password: %s  (shown once; `make demo-password` sets a new one)"
        % password, flush=True)


def set_password(password):
    "Give admin and every demo user the password; return how many"
    from trytond.modules.kefu_base.demo import USERS
    from trytond.pool import Pool
    User = Pool().get('res.user')
    users = User.search([
            ('login', 'in', ['admin'] + [u[0] for u in USERS])])
    User.validate_password(password, users)
    User.write(users, {'password': password})
    return len(users)


def populate(modules, options):
    from trytond.modules.kefu_base.demo import demo_company
    from trytond.transaction import Transaction
    if not modules:
        print("no kefu_* module is activated in this database",
            file=sys.stderr)
    for name in modules:
        demo = demo_module(name)
        if not demo:
            continue
        company = demo_company()
        start = time.perf_counter()
        with Transaction().set_context(
                company=company.id if company else None):
            created = demo.populate(options)
        if created:
            print("%s: demo data created in %.1f s"
                % (name, time.perf_counter() - start), flush=True)
            if name == 'kefu_base':
                set_password(options.password)
                print_logins(options.password)
        else:
            print("%s: demo data already present, nothing done" % name,
                flush=True)


def main(argv=None):
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    configure(args.config)
    from trytond.exceptions import UserError
    from trytond.modules.kefu_base.demo import Options
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    options = Options(
        units=args.units, seed=args.seed, password=args.password,
        today=args.today)
    with Transaction().start(args.database, 0, readonly=True):
        Pool(args.database).init()
    try:
        with Transaction().start(args.database, 0):
            if args.set_password:
                set_password(args.password)
                print_logins(args.password)
            else:
                populate(activated_modules(), options)
    except UserError as exception:
        print("error: %s" % exception.message, file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
