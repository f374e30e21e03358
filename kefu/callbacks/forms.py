from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import Team, User

from .models import CallbackAttempt, CallbackForm, CallbackQuestion, SatisfactionSurvey

_DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
ANSWER_PREFIX = "q_"


def add_question_fields(form: forms.Form, callback_form: CallbackForm, *, enforce_required: bool) -> None:
    """One field per active question of a callback form (R7.3): scores and yes/no as radio buttons (large
    targets on a phone), choices as radio buttons, free text as a text area."""
    Type = CallbackQuestion.AnswerType
    for question in callback_form.questions.filter(is_active=True).order_by("order", "id"):
        required = enforce_required and question.required
        name = f"{ANSWER_PREFIX}{question.pk}"
        if question.answer_type == Type.SCORE:
            choices = [(str(n), str(n)) for n in range(1, callback_form.score_max + 1)]
            field = forms.ChoiceField(choices=choices, widget=forms.RadioSelect(attrs={"class": "score"}))
        elif question.answer_type == Type.YES_NO:
            field = forms.ChoiceField(choices=[("yes", _("Yes")), ("no", _("No"))], widget=forms.RadioSelect)
        elif question.answer_type == Type.CHOICE:
            field = forms.ChoiceField(choices=[(str(c), str(c)) for c in question.choices or ()],
                                      widget=forms.RadioSelect)
        else:
            field = forms.CharField(max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
        field.label = question.text
        field.required = required
        form.fields[name] = field


def answers_from(cleaned_data: dict) -> dict[str, str]:
    return {key[len(ANSWER_PREFIX):]: value for key, value in cleaned_data.items()
            if key.startswith(ANSWER_PREFIX) and value not in (None, "")}


def field_name_for(error_field: str | None) -> str | None:
    """The form field of a service error: answers.<id> → q_<id>."""
    if error_field and error_field.startswith("answers."):
        return ANSWER_PREFIX + error_field.split(".", 1)[1]
    return error_field


class CallForm(forms.Form):
    """R7.2–R7.4: what the agent records after one call of a callback."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(label=_("outcome of the call"), choices=CallbackAttempt.Outcome.choices,
                                widget=forms.RadioSelect)
    solution_accepted = forms.TypedChoiceField(
        label=_("the customer accepts the solution"), required=False, empty_value=None,
        coerce=lambda v: {"yes": True, "no": False}.get(v),
        choices=[("", _("not asked")), ("yes", _("Yes")), ("no", _("No: call again, as another agent"))])
    note = forms.CharField(label=_("summary of the call"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    pending_issue = forms.CharField(label=_("open issue to solve and answer within 2 days"), required=False,
                                    widget=forms.Textarea(attrs={"rows": 2}))
    new_need = forms.CharField(label=_("new need (becomes a follow-up case)"), required=False,
                               widget=forms.Textarea(attrs={"rows": 2}))
    call_again_on = forms.DateField(label=_("call again on"), required=False, **_DATE)

    def __init__(self, *args, callback_form: CallbackForm, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        add_question_fields(self, callback_form, enforce_required=False)

    def question_fields(self):
        return [self[name] for name in self.fields if name.startswith(ANSWER_PREFIX)]

    def call_fields(self):
        return [self[name] for name in self.fields if not name.startswith(ANSWER_PREFIX) and name != "version"]


class ResolveForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reply = forms.CharField(label=_("what the customer was told"), widget=forms.Textarea(attrs={"rows": 2}))


def _agents():
    return User.objects.filter(is_active=True, roles__isnull=False).distinct().order_by("username")


class AssignForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    agent = forms.ModelChoiceField(label=_("agent"), queryset=_agents())

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = _agents()


class CancelForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("reason"))


class PlanDayForm(forms.Form):
    day = forms.DateField(label=_("day"), **_DATE)
    teams = forms.ModelMultipleChoiceField(label=_("teams"), required=False,
                                           queryset=Team.objects.filter(is_active=True),
                                           widget=forms.CheckboxSelectMultiple,
                                           help_text=_("Empty: every agent who may make callbacks."))
    action = forms.ChoiceField(choices=[("plan", _("Run the rules and spread")), ("rules", _("Run the rules only")),
                                        ("spread", _("Spread only"))], initial="plan")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["teams"].queryset = Team.objects.filter(is_active=True)


class CallbackCreateForm(forms.Form):
    """R7.1: a callback planned by hand."""

    planned_for = forms.DateField(label=_("call on"), **_DATE)
    ticket_number = forms.CharField(label=_("ticket number"), max_length=32, required=False)
    customer_number = forms.CharField(label=_("customer number"), max_length=32, required=False)
    phone = forms.CharField(label=_("phone"), max_length=40, required=False)
    contact_name = forms.CharField(label=_("person to call"), max_length=100, required=False)
    reason = forms.CharField(label=_("reason"), max_length=200, required=False)
    note = forms.CharField(label=_("note for the agent"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    form = forms.ModelChoiceField(label=_("form"), required=False,
                                  queryset=CallbackForm.objects.filter(is_active=True).exclude(purpose="survey"))
    agent = forms.ModelChoiceField(label=_("agent"), required=False, queryset=_agents())

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = _agents()
        self.fields["form"].queryset = CallbackForm.objects.filter(is_active=True).exclude(purpose="survey")


class SurveySendForm(forms.Form):
    """R7.5: a survey link by SMS or web, about a ticket or a customer."""

    channel = forms.ChoiceField(label=_("send by"), choices=[
        (SatisfactionSurvey.Channel.SMS, SatisfactionSurvey.Channel.SMS.label),
        (SatisfactionSurvey.Channel.WEB, SatisfactionSurvey.Channel.WEB.label)])
    ticket_number = forms.CharField(label=_("ticket number"), max_length=32, required=False)
    customer_number = forms.CharField(label=_("customer number"), max_length=32, required=False)
    phone = forms.CharField(label=_("mobile number"), max_length=40, required=False)


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("from"), required=False, **_DATE)
    end = forms.DateField(label=_("to"), required=False, **_DATE)


class PublicSurveyForm(forms.Form):
    def __init__(self, *args, callback_form: CallbackForm, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        add_question_fields(self, callback_form, enforce_required=True)
