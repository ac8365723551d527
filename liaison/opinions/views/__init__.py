"""Opinion pages, thin and split by who uses them: residents (`public`), the ledger and one opinion (`ledger`),
registration, visits, mediation and the deputy's record (`records`); `common` holds what they share.

Forms shape input, services decide; a DomainError becomes a message, never a 500. The rota is `rota_views`.
"""
