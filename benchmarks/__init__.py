"""Benchmarks (not timed tests): `python -m benchmarks` or `make bench`.

Prints the figures and ratios of issue 4: the monthly close of a synthetic month (10,000
callbacks, 300 complaints, 7 departments) against a plain pandas ``read_excel(engine=
"openpyxl")`` of the same inputs and against the bare calamine read (plus the writing of the
outputs), and the validation of a 100,000-row 台账 against its bare read.
"""
