from django.contrib import messages
from django.shortcuts import redirect
from django.views import View

from kefu.core.errors import KefuError

from . import services
from .apis import clock_get_for
from .forms import ExtendForm


class ClockExtendView(View):
    """R5.2: extend a complaint's deadline, recording which customer agreed and when."""

    permission = "tickets.ticket:change"
    write_permission = "tickets.ticket:change"

    def post(self, request, pk: int):
        sla_clock = clock_get_for(request.user, pk)
        form = ExtendForm(request.POST)
        if form.is_valid():
            try:
                services.clock_extend(actor=request.user, sla_clock=sla_clock, **form.cleaned_data)
            except KefuError as error:
                messages.error(request, error.message_zh)
        else:
            messages.error(request, "; ".join(f"{k}: {v[0]}" for k, v in form.errors.items()))
        return redirect("tickets:detail", pk=sla_clock.ticket_id)
