"""The suggestion loop's lifecycles, one module each: suggestion, assignment, co-signature, extension,
commitment, evaluation. Each holds its states' named groups, its transition table and, per step, who may
take it. Services call `require(...)`; pages ask `allowed_actions(...)`. Nothing else decides these.
"""
