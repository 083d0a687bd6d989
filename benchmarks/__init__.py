"""Benchmarks (not timed tests): `python -m benchmarks` or `make bench`.

Prints the figures of issue 16, each paired with its reference inside the same repetition,
min and median of the repetitions, the goal beside each ratio, and at the end every goal
in one list: start-up of ``xinao-xl`` and of a ribbon click (`startup`), the worksheet
functions (`udfs`), the close as a process against a process that only reads the same
inputs with pandas, the close's steps and openpyxl saves, the validation of a
100,000-row 台账 against its bare read (`month`), the close at 1,000–100,000 callbacks,
time and peak memory (`scale`); then the history store (`history`) and the sampling
write (`sampling`). Each measurement whose memory is reported runs in a child process
(`child`, `measure`). Synthetic inputs are kept under ``out/benchmarks/`` (`months`).
"""
