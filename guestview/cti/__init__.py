"""The doors through which phone systems tell us about calls: a generic JSON
webhook, an Asterisk AMI listener and the 3CX CRM template endpoints. Live
events (ringing, answered, hang-up) become a ``CallEventIn`` for
``guestview.services.call_event_record``; 3CX's after-the-call journal goes to
``guestview.services.call_journal_record``. Nothing else differs by PBX."""
