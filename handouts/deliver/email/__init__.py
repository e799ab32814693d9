"""E-mail delivery: patients' messages built, written to an outbox or sent, once each.

`mailing.send_handouts` runs it; `message` builds one message, `smtp` holds
the connection, `ledger` the record of what was sent, `encrypt` the PDF
password protection and `settings` the SMTP configuration.
"""
