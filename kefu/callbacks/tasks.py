"""Background work of the callbacks app: thin wrappers around services."""

from django_tasks import task


@task()
def deliver_sms(message_id: int) -> None:
    from .sms import sms_deliver

    sms_deliver(message_id)
