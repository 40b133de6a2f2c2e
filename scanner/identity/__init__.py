"""Identity: what a leaked secret says about the machine identity it belongs to.

``facts`` derives attributes from a secret and its finding (offline: nothing is sent anywhere),
``keys`` parses keys, certificates and keystores with ``cryptography``, and ``enrich`` fills the
findings of a whole report and pairs keys with their certificates.
"""
