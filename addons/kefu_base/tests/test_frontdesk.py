# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Rules of the front-desk registers that the scenario does not reach: the
numbering per company, the history kept against writes and deletes, the
buttons pressed on a record a colleague already closed (as the web client
calls them), and the staff member recorded for each action."""
import datetime as dt

from trytond.model.modelstorage import DomainValidationError
from trytond.model.modelview import AccessButtonError
from trytond.modules.company.tests import (
    create_company, create_employee, set_company)
from trytond.modules.kefu_base.exceptions import (
    DutyLogError, FrontDeskClosedError, FrontDeskDeleteError, MailError)
from trytond.pool import Pool
from trytond.tests.test_tryton import TestCase, with_transaction
from trytond.transaction import Transaction

from .tools import FreshDatabaseTestCase, as_user, click, create_user


def create_estate(company, code='GG'):
    Estate = Pool().get('kefu.estate')
    estate = Estate(name="Green Garden %s" % code, code=code, company=company)
    estate.save()
    return estate


def give_employee(company, name="Admin"):
    "Make the current user an employee of company"
    User = Pool().get('res.user')
    employee = create_employee(company, name=name)
    User.write([User(Transaction().user)], {
            'employees': [('add', [employee.id])],
            'employee': employee.id,
            })
    return employee


class FrontDeskTestCase(FreshDatabaseTestCase):
    "Test the front-desk registers"
    module = 'kefu_base'

    def create_mail(self, estate, **values):
        Mail = Pool().get('kefu.mail')
        mail = Mail(
            estate=estate, addressee_name="Zhang Wei",
            received_at=dt.datetime(2025, 3, 3, 1, 0), **values)
        mail.save()
        return mail

    def handed_over_log(self, estate, receiving_user):
        DutyLog = Pool().get('kefu.duty.log')
        log = DutyLog(
            estate=estate, date=dt.date(2025, 3, 3), shift='day',
            receiving_user=receiving_user, entries=[{
                    'time': dt.datetime(2025, 3, 3, 3, 0),
                    'content': "Key lent to the engineering team",
                    'state': 'done', 'result': "Key returned",
                    }])
        log.save()
        DutyLog.hand_over([log])
        return log

    @with_transaction()
    def test_numbers_from_configuration_per_company(self):
        "Each company numbers its registers with its configured sequences"
        pool = Pool()
        Configuration = pool.get('kefu.configuration')
        Sequence = pool.get('ir.sequence')
        ModelData = pool.get('ir.model.data')
        DutyLog = pool.get('kefu.duty.log')
        Slip = pool.get('kefu.visitor.slip')
        company_a = create_company("Company A")
        company_b = create_company("Company B")
        with set_company(company_b):
            estate_b = create_estate(company_b, 'B')
            config = Configuration(1)
            for field, prefix in [
                    ('duty_log_sequence', 'B-ZB'),
                    ('visitor_slip_sequence', 'B-FK'),
                    ('mail_sequence', 'B-GH')]:
                sequence_type = ModelData.get_id(
                    'kefu_base', 'sequence_type_' + field[:-len('_sequence')])
                sequence = Sequence(
                    name=prefix, sequence_type=sequence_type,
                    company=company_b, prefix=prefix, padding=3)
                sequence.save()
                setattr(config, field, sequence)
            config.save()
        with set_company(company_a):
            estate_a = create_estate(company_a, 'A')
            mail_a = self.create_mail(estate_a)
            slip_a = Slip(
                estate=estate_a, visitor_name="Liu Yang",
                arrived_at=dt.datetime(2025, 3, 3, 2, 0))
            slip_a.save()
            log_a = DutyLog(estate=estate_a)
            log_a.save()
        # the numbering follows the estate's company, not the user's
        mail_b = self.create_mail(estate_b)
        slip_b, = Slip.create([{
                    'estate': estate_b.id, 'visitor_name': "Huang Min",
                    'arrived_at': dt.datetime(2025, 3, 3, 2, 0)}])
        log_b, = DutyLog.create([{'estate': estate_b.id}])

        # The shipped sequences: on PostgreSQL their numbers are not rolled
        # back between tests, so only their prefix and padding are known.
        self.assertRegex(mail_a.number, r'^GH\d{6}$')
        self.assertRegex(slip_a.number, r'^FK\d{6}$')
        self.assertRegex(log_a.number, r'^ZB\d{6}$')
        self.assertEqual(
            [mail_b.number, slip_b.number, log_b.number],
            ['B-GH001', 'B-FK001', 'B-ZB001'])
        with set_company(company_a):
            self.assertEqual(
                Configuration(1).mail_sequence.id,
                ModelData.get_id('kefu_base', 'sequence_mail'))

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
    def test_mail_hand_out_twice_from_client(self):
        "A clerk handing out mail a colleague handed out reads who and when"
        Mail = Pool().get('kefu.mail')
        company = create_company()
        company.timezone = 'Asia/Shanghai'
        company.save()
        with set_company(company):
            estate = create_estate(company)
            li = create_user('li', company, estate)
            wang = create_user('wang', company, estate)
            mail = self.create_mail(estate)
            mail.signed_by_name = "Zhang Wei"
            mail.handed_out_at = dt.datetime(2025, 3, 3, 10, 30)
            mail.save()

            with as_user(li):
                click(Mail, 'hand_out', [mail])
            with as_user(wang), self.assertRaises(MailError) as cm:
                click(Mail, 'hand_out', [mail])
        self.assertNotIsInstance(cm.exception, AccessButtonError)
        self.assertEqual(
            cm.exception.message,
            'Registered mail "%s" was already handed out to Zhang Wei '
            'at 2025-03-03 18:30; it can be neither handed out again nor '
            'returned to the post office.' % mail.number)
        mail = Mail(mail.id)
        self.assertEqual(mail.handed_out_by.party.name, "Li")

    @with_transaction()
    def test_mail_returned_twice_from_client(self):
        "A supervisor returning mail already returned reads when it was"
        Mail = Pool().get('kefu.mail')
        company = create_company()
        with set_company(company):
            estate = create_estate(company)
            zhao = create_user('zhao', company, estate, 'group_supervisor')
            mail = self.create_mail(
                estate, return_reason="Nobody claimed it",
                returned_at=dt.datetime(2025, 3, 5, 8, 0))

            with as_user(zhao):
                click(Mail, 'approve_return', [mail])
                with self.assertRaisesRegex(
                        MailError, r'already returned to the post office '
                        r'at 2025-03-05 08:00'):
                    click(Mail, 'approve_return', [mail])
                with self.assertRaisesRegex(MailError, r'already returned'):
                    click(Mail, 'hand_out', [mail])
        mail = Mail(mail.id)
        self.assertEqual(mail.state, 'returned')
        self.assertEqual(mail.return_approved_by.party.name, "Zhao")

    @with_transaction()
    def test_mail_returned_not_handed_out(self):
        "A returned mail can no longer be handed out, changed nor deleted"
        Mail = Pool().get('kefu.mail')
        company = create_company()
        with set_company(company):
            employee = give_employee(company)
            mail = self.create_mail(
                create_estate(company), return_reason="Nobody claimed it",
                signed_by_name="Zhang Wei")
            Mail.approve_return([mail])
            self.assertEqual(mail.state, 'returned')
            self.assertEqual(mail.return_approved_by, employee)

            with self.assertRaisesRegex(MailError, r'already returned'):
                Mail.hand_out([mail])
            with self.assertRaises(FrontDeskClosedError):
                Mail.write([mail], {'sender': "Someone else"})
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
            user = create_user('li')

            with Transaction().set_user(user.id), \
                    self.assertRaisesRegex(MailError, r'supervisor'):
                Mail.approve_return([mail])
            self.assertEqual(mail.state, 'received')

    @with_transaction()
    def test_mail_staff_recorded(self):
        "The clerks who signed for and handed out a mail are recorded"
        Mail = Pool().get('kefu.mail')
        company = create_company()
        with set_company(company):
            estate = create_estate(company)
            li = create_user('li', company, estate)
            wang = create_user('wang', company, estate)
            with as_user(li):
                mail = self.create_mail(estate, signed_by_name="Zhang Wei")
            with as_user(wang):
                click(Mail, 'hand_out', [mail])
            mail = Mail(mail.id)
            self.assertEqual(
                (mail.received_by.party.name, mail.handed_out_by.party.name),
                ("Li", "Wang"))
            # without an employee in the estate's company nobody is recorded
            other = create_company("Other Company")
            with as_user(create_user('sun', other, estate)):
                unsigned = self.create_mail(estate)
            self.assertIsNone(unsigned.received_by)

    @with_transaction()
    def test_visitor_slip_left_is_history(self):
        "The slip of a visitor who left is neither changed nor deleted"
        Slip = Pool().get('kefu.visitor.slip')
        company = create_company()
        with set_company(company):
            estate = create_estate(company)
            li = create_user('li', company, estate)
            with as_user(li):
                slip, = Slip.create([{
                            'estate': estate.id, 'visitor_name': "Liu Yang",
                            'arrived_at': dt.datetime(2025, 3, 3, 2, 0)}])
                Slip.leave([slip])
            self.assertEqual(slip.registered_by.party.name, "Li")
            self.assertEqual(slip.state, 'left')

            with self.assertRaises(FrontDeskClosedError):
                Slip.write([slip], {'purpose': "Visiting family"})
            with self.assertRaises(FrontDeskDeleteError):
                Slip.delete([slip])
            self.assertEqual(slip.purpose, None)

    @with_transaction()
    def test_duty_log_handed_over_is_history(self):
        "A handed-over log, its entries and their deletion are refused"
        pool = Pool()
        DutyLog = pool.get('kefu.duty.log')
        Entry = pool.get('kefu.duty.log.entry')
        company = create_company()
        with set_company(company):
            estate = create_estate(company)
            wang = create_user('wang', company, estate)
            log = self.handed_over_log(estate, wang)
            entry, = log.entries

            with self.assertRaises(FrontDeskClosedError):
                DutyLog.write([log], {'notes': "Nothing to report"})
            with self.assertRaises(FrontDeskDeleteError):
                DutyLog.delete([log])
            with self.assertRaises(FrontDeskClosedError):
                Entry.write([entry], {'content': "Rewritten"})
            with self.assertRaises(DomainValidationError):
                Entry.create([{
                            'duty_log': log.id, 'content': "Late entry",
                            'time': dt.datetime(2025, 3, 3, 9, 0)}])
            with self.assertRaises(FrontDeskDeleteError):
                Entry.delete([entry])
            self.assertEqual(
                (log.notes, entry.content),
                (None, "Key lent to the engineering team"))

    @with_transaction()
    def test_duty_log_staff_recorded(self):
        "Who wrote, handed over and received a shift are recorded"
        DutyLog = Pool().get('kefu.duty.log')
        company = create_company()
        with set_company(company):
            estate = create_estate(company)
            li = create_user('li', company, estate)
            wang = create_user('wang', company, estate)
            with as_user(li):
                log = self.handed_over_log(estate, wang)
                # the one who handed over has no button to sign for it
                with self.assertRaises(AccessButtonError):
                    click(DutyLog, 'confirm', [log])
            with as_user(wang):
                click(DutyLog, 'confirm', [log])
            log = DutyLog(log.id)
            self.assertEqual(
                [log.written_by.party.name, log.handed_over_by.party.name,
                    log.received_by.party.name],
                ["Li", "Li", "Wang"])
            self.assertIsNotNone(log.confirmed_at)
            # the next shift's log, opened by the handover, is Wang's
            self.assertEqual(log.next_log.written_by.party.name, "Wang")
            self.assertEqual(log.next_log.user, wang)

    @with_transaction()
    def test_night_shift_hands_over_to_next_morning(self):
        "The night shift hands over to the next day's day shift"
        pool = Pool()
        DutyLog = pool.get('kefu.duty.log')
        company = create_company()
        with set_company(company):
            estate = create_estate(company)
            user = create_user('wang')
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
    def test_hand_over_needs_receiving_user(self):
        "A shift is not handed over to nobody"
        DutyLog = Pool().get('kefu.duty.log')
        company = create_company()
        with set_company(company):
            log = DutyLog(estate=create_estate(company))
            log.save()
            with self.assertRaisesRegex(DutyLogError, r'Choose who receives'):
                DutyLog.hand_over([log])
            self.assertEqual(log.state, 'open')

    @with_transaction()
    def test_hand_over_into_existing_log(self):
        "Open entries join the next shift's log if it already exists"
        pool = Pool()
        DutyLog = pool.get('kefu.duty.log')
        company = create_company()
        with set_company(company):
            estate = create_estate(company)
            user = create_user('wang')
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
            user = create_user('wang')
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
