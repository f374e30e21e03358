"""Tunables of the callbacks app (kefu.core.tunables), registered when the app is ready. The callback rules
(N days after a repair is closed, the consultation sample) are rows of `CallbackRule`, not tunables."""

from django.utils.translation import gettext_lazy as _

from kefu.core.tunables import Tunable, register

register(Tunable(
    "callbacks.max_attempts", 3, int, _("Call attempts before a callback counts as not reached"),
    help_text=_("R7.2: no answer, busy or a wrong number count; a customer who asks to be called later does "
                "not."), source="R7.2", minimum=1, maximum=20))
register(Tunable(
    "callbacks.call_again_after_days", 1, int, _("Days until a customer is called again"),
    help_text=_("R7.4 [002] ⑥: after a rejected solution (by another agent) or when the call was not "
                "convenient, unless the agent names a day."), source="R7.4 [002]", minimum=0, maximum=60))
register(Tunable(
    "callbacks.company_name", "客服中心", str, _("Company name said in the callback script"),
    help_text=_("R7.2 [002] ②: the agent states company, department and work number."), source="R7.2 [002]"))
register(Tunable(
    "callbacks.department_name", "客户服务部", str, _("Department name said in the callback script"),
    help_text=_("R7.2 [002] ②: the department the agent names."), source="R7.2 [002]"))
register(Tunable(
    "callbacks.history_days", 180, int, _("Days of service history shown before a callback"),
    help_text=_("R7.2 [000]: the agent first learns the customer's recent service."), source="R7.2 [000]",
    minimum=1, maximum=3650))
register(Tunable(
    "callbacks.follow_up_ticket_kind", "service_request", str, _("Ticket kind of a follow-up case"),
    help_text=_("R7.4 [002] ⑧: a new need found in a callback becomes a follow-up case linked to the original "
                "one; used when the original has no ticket or its kind is no longer in use."), source="R7.4 [002]"))
register(Tunable(
    "callbacks.survey_link_hours", 72, int, _("Hours a satisfaction survey link is valid"),
    help_text=_("R7.5 [004]: a signed, single-use link for the survey by SMS or web."), source="R7.5 [004]",
    minimum=1, maximum=24 * 90))
register(Tunable(
    "callbacks.survey_sms_text", "【{company}】您好，请您对我们的服务进行评价：{link} （{hours}小时内有效）", str,
    _("Text of the survey SMS"),
    help_text=_("Placeholders: {company}, {link}, {hours}."), source="R7.5 [004]"))
register(Tunable(
    "callbacks.public_base_url", "", str, _("Address customers open survey links at"),
    help_text=_("For example https://kefu.example.cn. Empty: the address of the page the link was made on."),
    source="R7.5"))
