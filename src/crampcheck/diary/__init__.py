"""The cramp diary: episodes and daily exposures, personal trigger analysis, charts, doctor report,
FHIR export and CSV import/export, all on :mod:`crampcheck.storage`."""
