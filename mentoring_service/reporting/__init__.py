"""The program office's report: the pairs' facts gathered from Temporal (``gather``),
and the files written from them (``output``)."""
