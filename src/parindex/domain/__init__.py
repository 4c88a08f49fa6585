"""Pure domain logic: no Django imports here (see docs/architecture in shared docs).

Messages are marked with `gettext_noop` and translated by the Django layer when shown.
"""
