"""Telephony integration (R3.6): one event model, adapters that map real formats onto it (Asterisk AMI, a
generic JSON webhook), request signing, and the pure fold of a call's events into a contact."""
