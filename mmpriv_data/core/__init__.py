"""Core: seeded random streams, the column schema, errors, atomic writes, model loading.

Imports nothing from the other mmpriv_data packages; every other stage may import it.
"""
