"""crampcheck: why do my muscles cramp, and what should I do?

The public surface is small: :func:`assess` (the one façade every interface calls), the request and
result models of :mod:`crampcheck.schema`, :func:`load_kb` and the error tree of :mod:`crampcheck.errors`.
"""

from crampcheck.errors import CrampcheckError

__all__ = ["CrampcheckError", "__version__"]
__version__ = "0.1.0"
