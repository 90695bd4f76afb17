"""The cramp diary: episodes and daily exposures, personal trigger analysis, charts, doctor report,
FHIR export and CSV import/export, all on :mod:`crampcheck.storage`.

Each field is defined once (:mod:`crampcheck.diary.fields`, ``fields.yaml``); the diary is read once per
request (:mod:`crampcheck.diary.readmodel`); saved assessments are versioned records
(:mod:`crampcheck.diary.records`)."""
