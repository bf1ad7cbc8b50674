from wagtail import hooks

from grievances.sms.retention import sms_forget_cases, sms_records_sweep
from portal import registry


@hooks.register(registry.RETENTION_JOBS)
def forget_old_texts(**kwargs):
    return sms_records_sweep(**kwargs)


@hooks.register(registry.CASES_ANONYMISED)
def forget_anonymised_numbers(**kwargs):
    sms_forget_cases(**kwargs)
