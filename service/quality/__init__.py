"""Data quality of a DPT: what is wrong with a dataset version before residents see it.

`dpt quality` and every `dpt import` write the report (report.py): the same NIK twice, one person
under two NIKs (persons.py, with the name matcher), voters under the voting age, NIKs whose date
or gender disagrees with the columns, TPS empty, overfull or missing. The kinds and the row the
import records them in are in findings.py; publish.py says whether a version may be published.
"""
