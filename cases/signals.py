"""Signals the apps above cases listen to, so that cases never imports them."""

from django.dispatch import Signal

# The contact form made a case (sent with request= and case=): the knowledge base
# marks the suggestions this visitor opened as not having deflected it.
contact_form_sent = Signal()

# A contact's personal data was erased (sent with contact_id=): integrations hear of it.
contact_erased = Signal()

# The response-time sweep made reminders (sent with reminders=, each with its case):
# integrations hear of each warning and breach.
reminders_made = Signal()
