"""The program office's report and digest: privacy-safe facts per pair (``facts``),
a cohort's figures (``figures``) and the headline both show (``headline``). Pure."""
