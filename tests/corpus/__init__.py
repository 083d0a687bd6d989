"""The bad-input corpus: what staff type wrong and what hostile or broken files look like.

Nothing here is committed as a binary: `cases.build_corpus` writes every workbook into a
temporary folder at test time, from the clean synthetic month of tests/services/month.py
(staff mistakes, `staff.py`) and from the bytes of a good workbook (hostile files,
`hostile.py`). tests/cli/test_corpus.py runs each case through ``xinao-xl validate``,
``close`` and ``sample``.
"""
