"""The patterns of the data file's text fields, as JSON Schema and the validator both use them.

A module of their own, with nothing else in it: the output contract (``contract.fields``) needs the language
tag's pattern on every run that writes records, and ``schema``, with its table of every field, costs a few
milliseconds to import.
"""

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
EDTF_PATTERN = r"^[0-9X./?~%-]+$"
SINGLE_LINE_PATTERN = r"^[^\n\t]*$"
# A web address: http or https, a host, no white space (datafile/validate.py checks the rest with urllib).
URL_PATTERN = r"^https?://[^\s/?#@]+(?:[/?#][^\s]*)?$"
# A BCP 47 language tag in the forms sources use: a language, optionally a script, a region and variants
# (en, ru, kk, tk, kk-Cyrl, en-GB, tk-Latn-TM).
LANGUAGE_PATTERN = r"^[A-Za-z]{2,3}(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|[0-9]{3}))?(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*$"
