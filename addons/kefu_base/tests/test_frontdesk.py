# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Rules of the front-desk registers that the client never reaches because
their buttons are hidden, but that other code (imports, other modules) must
not break either."""
import datetime as dt

from trytond.modules.company.tests import create_company, set_company
from trytond.modules.kefu_base.exceptions import (
    DutyLogError, FrontDeskDeleteError, MailError)
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    TestCase, activate_module, drop_db, with_transaction)
from trytond.transaction import Transaction


def create_estate(company, code='GG'):
    Estate = Pool().get('kefu.estate')
    estate = Estate(name="Green Garden %s" % code, code=code, company=company)
    estate.save()
    return estate


def create_front_desk_user(login):
    pool = Pool()
    ModelData = pool.get('ir.model.data')
    User = pool.get('res.user')
    user = User(
        name=login.title(), login=login,
        groups=[ModelData.get_id('kefu_base', 'group_front_desk')])
    user.save()
    return user


class FrontDeskTestCase(TestCase):
    "Test the front-desk registers"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        drop_db()
        activate_module(['kefu_base'])

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        drop_db()

    def create_mail(self, estate, **values):
        Mail = Pool().get('kefu.mail')
        mail = Mail(
            estate=estate, addressee_name="Zhang Wei",
            received_at=dt.datetime(2025, 3, 3, 1, 0), **values)
        mail.save()
        return mail

    @with_transaction()
    def test_mail_hand_out_twice(self):
        "Handing out a mail twice is refused with the signer and time"
        Mail = Pool().get('kefu.mail')
        company = create_company()
        with set_company(company):
            mail = self.create_mail(
                create_estate(company), signed_by_name="Zhang Wei",
                handed_out_at=dt.datetime(2025, 3, 3, 10, 30))
            Mail.hand_out([mail])
            self.assertEqual(mail.state, 'handed_out')

            with self.assertRaisesRegex(
                    MailError, r'already handed out to Zhang Wei '
                    r'at 2025-03-03 10:30'):
                Mail.hand_out([mail])
            with self.assertRaisesRegex(MailError, r'already handed out'):
                Mail.approve_return([mail])
            self.assertEqual(mail.state, 'handed_out')

    @with_transaction()
    def test_mail_returned_not_handed_out(self):
        "A returned mail can no longer be handed out"
        Mail = Pool().get('kefu.mail')
        company = create_company()
        with set_company(company):
            mail = self.create_mail(
                create_estate(company), return_reason="Nobody claimed it",
                signed_by_name="Zhang Wei")
            Mail.approve_return([mail])
            self.assertEqual(mail.state, 'returned')
            self.assertEqual(mail.return_approved_by.id, Transaction().user)

            with self.assertRaisesRegex(MailError, r'already returned'):
                Mail.hand_out([mail])
            with self.assertRaises(FrontDeskDeleteError):
                Mail.delete([mail])

    @with_transaction()
    def test_mail_return_needs_supervisor(self):
        "Only a supervisor approves a return, even outside the client"
        Mail = Pool().get('kefu.mail')
        company = create_company()
        with set_company(company):
            mail = self.create_mail(
                create_estate(company), return_reason="Nobody claimed it")
            user = create_front_desk_user('li')

            with Transaction().set_user(user.id), \
                    self.assertRaisesRegex(MailError, r'supervisor'):
                Mail.approve_return([mail])
            self.assertEqual(mail.state, 'received')

    @with_transaction()
    def test_night_shift_hands_over_to_next_morning(self):
        "The night shift hands over to the next day's day shift"
        pool = Pool()
        DutyLog = pool.get('kefu.duty.log')
        company = create_company()
        with set_company(company):
            estate = create_estate(company)
            user = create_front_desk_user('wang')
            log = DutyLog(
                estate=estate, date=dt.date(2025, 3, 3), shift='night',
                receiving_user=user, entries=[{
                        'time': dt.datetime(2025, 3, 3, 15, 0),
                        'content': "Power cut in building 3",
                        }])
            log.save()

            DutyLog.hand_over([log])

            next_log = log.next_log
            self.assertEqual(
                (next_log.date, next_log.shift, next_log.user),
                (dt.date(2025, 3, 4), 'day', user))
            entry, = next_log.entries
            self.assertEqual(entry.carried_from, log.entries[0])

    @with_transaction()
    def test_hand_over_into_existing_log(self):
        "Open entries join the next shift's log if it already exists"
        pool = Pool()
        DutyLog = pool.get('kefu.duty.log')
        company = create_company()
        with set_company(company):
            estate = create_estate(company)
            user = create_front_desk_user('wang')
            night = DutyLog(
                estate=estate, date=dt.date(2025, 3, 3), shift='night',
                user=user, entries=[{
                        'time': dt.datetime(2025, 3, 3, 12, 5),
                        'content': "Noise complaint",
                        }])
            night.save()
            day = DutyLog(
                estate=estate, date=dt.date(2025, 3, 3), shift='day',
                receiving_user=user, entries=[{
                        'time': dt.datetime(2025, 3, 3, 2, 0),
                        'content': "Water cut announced",
                        }, {
                        'time': dt.datetime(2025, 3, 3, 3, 0),
                        'content': "Key lent to the engineering team",
                        'state': 'done', 'result': "Key returned",
                        }])
            day.save()

            DutyLog.hand_over([day])

            self.assertEqual(day.next_log, night)
            self.assertEqual(
                sorted(e.content for e in night.entries),
                ["Noise complaint", "Water cut announced"])
            self.assertEqual(DutyLog.search([], count=True), 2)

    @with_transaction()
    def test_hand_over_into_handed_over_log(self):
        "A shift cannot be handed over into a log already handed over"
        pool = Pool()
        DutyLog = pool.get('kefu.duty.log')
        company = create_company()
        with set_company(company):
            estate = create_estate(company)
            user = create_front_desk_user('wang')
            night, day = DutyLog.create([{
                        'estate': estate.id, 'date': dt.date(2025, 3, 3),
                        'shift': 'night', 'user': user.id,
                        'receiving_user': user.id,
                        }, {
                        'estate': estate.id, 'date': dt.date(2025, 3, 3),
                        'shift': 'day', 'receiving_user': user.id,
                        }])
            DutyLog.hand_over([night])

            with self.assertRaisesRegex(DutyLogError, r'already been handed'):
                DutyLog.hand_over([day])
            self.assertEqual(day.state, 'open')


del TestCase
