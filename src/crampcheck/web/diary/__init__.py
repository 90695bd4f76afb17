"""The cramp diary pages, one concept per module:

* :mod:`.texts` - the words of the pages and of every diary field, in the page's language;
* :mod:`.routing` - the router, its dependencies, the CSRF check, domain errors as plain pages;
* :mod:`.forms` - reading the forms (generic, from the field definitions) and filling them in again;
* :mod:`.charts` - what the charts and their tables show;
* :mod:`.pages` - the diary page and its forms (cramps, days, saving an interview result);
* :mod:`.signin` - signing in from another computer, and out.
"""
