from django_tasks import task


@task()
def send_notification_email(user_id: int, subject: str, body: str) -> None:
    from django.core.mail import send_mail

    from kefu.accounts.models import User

    user = User.objects.filter(pk=user_id, is_active=True).exclude(email="").first()
    if user is not None:
        send_mail(subject, body, None, [user.email])
