# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The configuration of the customer-service centre (客服中心设置): one record
holding the numbering of the front-desk registers and the settings the
other Kefu modules add, per company where the companies differ."""
import datetime as dt

from trytond.model import ModelSingleton, ModelSQL, ModelView, fields
from trytond.modules.company.model import (
    CompanyMultiValueMixin, CompanyValueMixin)
from trytond.pool import Pool
from trytond.pyson import Eval, Id

SEQUENCES = {
    'duty_log_sequence': 'sequence_duty_log',
    'visitor_slip_sequence': 'sequence_visitor_slip',
    'mail_sequence': 'sequence_mail',
    }


def sequence_field(string, sequence_type, company, help, module='kefu_base'):
    return fields.Many2One(
        'ir.sequence', string, required=True,
        domain=[
            ('company', 'in', [company, None]),
            ('sequence_type', '=', Id(module, sequence_type)),
            ],
        help=help)


def default_func(field_name):
    @classmethod
    def default(cls, **pattern):
        return getattr(
            cls.multivalue_model(field_name),
            'default_%s' % field_name, lambda: None)()
    return default


class Configuration(
        ModelSingleton, ModelSQL, ModelView, CompanyMultiValueMixin):
    __string__ = "Customer Service Configuration"
    __name__ = 'kefu.configuration'

    _company = Eval('context', {}).get('company', -1)
    duty_log_sequence = fields.MultiValue(sequence_field(
            "Duty Log Sequence", 'sequence_type_duty_log', _company,
            help="The numbering of the duty logs of the company's estates."))
    visitor_slip_sequence = fields.MultiValue(sequence_field(
            "Visitor Slip Sequence", 'sequence_type_visitor_slip', _company,
            help="The numbering of the visitor slips of the company's "
            "estates."))
    mail_sequence = fields.MultiValue(sequence_field(
            "Registered Mail Sequence", 'sequence_type_mail', _company,
            help="The numbering of the registered mail signed for by the "
            "front desks of the company's estates."))
    del _company
    working_day_end = fields.Time(
        "End of Working Day", required=True,
        help="A deadline counted in working days ends at this time of its "
        "last working day, and something received after it counts from the "
        "next working day. 23:59:59: the whole day counts.")
    calendar_warning_month = fields.Integer(
        "Calendar Warning Month", required=True,
        domain=[('calendar_warning_month', '>=', 1),
            ('calendar_warning_month', '<=', 12)],
        help="From this month (and the day below) on, the office managers "
        "are warned each day while next year's working-day calendar is "
        "still provisional.")
    calendar_warning_day = fields.Integer(
        "Calendar Warning Day", required=True,
        domain=[('calendar_warning_day', '>=', 1),
            ('calendar_warning_day', '<=', 31)],
        help="The day of the month above from which the warnings start "
        "(the month's last day when the month is shorter).")

    @classmethod
    def default_working_day_end(cls):
        return dt.time(23, 59, 59)

    @classmethod
    def default_calendar_warning_month(cls):
        return 11

    @classmethod
    def default_calendar_warning_day(cls):
        return 1

    @classmethod
    def multivalue_model(cls, field):
        if field in SEQUENCES:
            return Pool().get('kefu.configuration.sequence')
        return super().multivalue_model(field)

    default_duty_log_sequence = default_func('duty_log_sequence')
    default_visitor_slip_sequence = default_func('visitor_slip_sequence')
    default_mail_sequence = default_func('mail_sequence')

    def get_number(self, field_name, company):
        "Return the next number of the sequence field_name for company"
        sequence = self.get_multivalue(field_name, company=company.id)
        return sequence.get()


class ConfigurationSequence(ModelSQL, CompanyValueMixin):
    __string__ = "Customer Service Configuration Sequence"
    __name__ = 'kefu.configuration.sequence'

    _company = Eval('company', -1)
    duty_log_sequence = sequence_field(
        "Duty Log Sequence", 'sequence_type_duty_log', _company,
        help="The numbering of the duty logs.")
    visitor_slip_sequence = sequence_field(
        "Visitor Slip Sequence", 'sequence_type_visitor_slip', _company,
        help="The numbering of the visitor slips.")
    mail_sequence = sequence_field(
        "Registered Mail Sequence", 'sequence_type_mail', _company,
        help="The numbering of the registered mail.")
    del _company

    @classmethod
    def _default_sequence(cls, field_name):
        """Return the sequence shipped for field_name: SEQUENCES maps it to
        the XML id, 'module.id' when a later module ships it"""
        module, _, xml_id = SEQUENCES.get(field_name, '').rpartition('.')
        try:
            return Pool().get('ir.model.data').get_id(
                module or 'kefu_base', xml_id)
        except KeyError:
            return None

    @classmethod
    def default_duty_log_sequence(cls):
        return cls._default_sequence('duty_log_sequence')

    @classmethod
    def default_visitor_slip_sequence(cls):
        return cls._default_sequence('visitor_slip_sequence')

    @classmethod
    def default_mail_sequence(cls):
        return cls._default_sequence('mail_sequence')
