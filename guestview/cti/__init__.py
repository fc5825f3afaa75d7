"""The doors through which phone systems tell us about calls: a generic JSON
webhook, an Asterisk AMI listener and the 3CX CRM template endpoints. Each
turns what its PBX sends into a ``CallEventIn`` and hands it to
``guestview.services.call_event_record``; nothing else about a call differs
by PBX."""
